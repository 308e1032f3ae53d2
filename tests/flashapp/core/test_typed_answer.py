"""Typed answers: the verdict ignores case, spacing and Unicode forms; the diff shows every character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flashapp.core.scheduling import Rating
from flashapp.core.typed_answer import DiffPart, Mark, check_typed_answer


def marks(parts) -> list[tuple[str, str]]:
    return [(part.mark.value, part.text) for part in parts]


def test_an_exact_answer_is_correct_and_all_same():
    result = check_typed_answer("softmax", "softmax")
    assert result.correct
    assert result.suggested_rating is Rating.GOOD
    assert result.parts == (DiffPart(Mark.SAME, "softmax"),)


def test_case_and_spacing_do_not_matter_for_the_verdict():
    assert check_typed_answer("  Scaled   Dot-Product ", "scaled dot-product").correct


def test_markdown_and_math_in_the_expected_answer_are_compared_as_shown():
    result = check_typed_answer("softmax(QKT/√dk)V", r"**$\mathrm{softmax}(QK^\top/\sqrt{d_k})V$**")
    assert result.expected == "softmax(QKᵀ/√dₖ)V"
    assert result.correct  # NFKC folds ᵀ to T and ₖ to k


def test_a_wrong_letter_is_marked_wrong_and_the_expected_one_missing():
    result = check_typed_answer("the cat", "the bat")
    assert not result.correct
    assert result.suggested_rating is Rating.AGAIN
    assert marks(result.parts) == [("same", "the "), ("wrong", "c"), ("missing", "b"), ("same", "at")]
    assert "".join(p.text for p in result.expected_parts()) == "the bat"
    assert "".join(p.text for p in result.typed_parts()) == "the cat"


def test_a_forgotten_letter_is_missing():
    result = check_typed_answer("encodr", "encoder")
    assert marks(result.parts) == [("same", "encod"), ("missing", "e"), ("same", "r")]


def test_extra_characters():
    result = check_typed_answer("encoder!", "encoder")
    assert marks(result.parts) == [("same", "encoder"), ("extra", "!")]


def test_nothing_typed_is_never_correct():
    result = check_typed_answer("", "")
    assert not result.correct
    result = check_typed_answer("   ", "key")
    assert marks(result.parts) == [("missing", "key")]


@given(st.text(max_size=30), st.text(max_size=30))
def test_the_diff_always_rebuilds_both_strings(typed, expected):
    result = check_typed_answer(typed, expected)
    assert "".join(p.text for p in result.typed_parts()) == result.typed
    assert "".join(p.text for p in result.expected_parts()) == result.expected
