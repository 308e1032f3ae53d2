"""Lenient written-answer grading: what counts as right, and what does not."""

from __future__ import annotations

import pytest

from flashapp.core.practice.grading import grade_written, normalize_answer


@pytest.mark.parametrize(
    ("given", "expected", "correct"),
    [
        ("softmax", "softmax", True),
        ("Softmax", "softmax", True),  # case
        ("  the Soft-max! ", "softmax", True),  # article, punctuation, spacing
        ("résumé", "resume", True),  # accents
        ("sofmtax", "softmax", True),  # swapped letters: one typo
        ("sotfmax", "softmax", True),
        ("positional encodng", "positional encoding", True),  # one letter missing
        ("positionl encodng", "positional encoding", True),  # two typos in 19 letters
        ("16 x 16", "16x16", True),
        ("4x6", "4 × 6", True),  # the × sign typed as x
        ("sqrt(d_k)", "√dₖ", True),  # math typed in ASCII
        ("concatenation", "concatenated", False),  # another word
        ("cat", "car", False),  # no typo allowed in three letters
        ("65", "64", False),  # numbers must be exact
        ("16x61", "16x16", False),
        ("", "anything", False),
        ("decoder", "encoder", False),
        ("keys", ["key", "keys"], True),  # any accepted answer
    ],
)
def test_written_grading(given, expected, correct):
    assert grade_written(given, expected).correct is correct


def test_exact_and_typo_counts():
    assert grade_written("Softmax.", "softmax").exact
    graded = grade_written("sofmtax", "softmax")
    assert (graded.exact, graded.typos) == (False, 1)


def test_normalize_answer():
    assert normalize_answer("  The Query-Key  product! ") == "query key product"
    assert normalize_answer("Ünïcödé") == "unicode"


def test_a_written_answer_that_is_almost_right_is_counted_and_says_why():
    from flashapp.core.practice.questions import Question
    from flashapp.core.practice.scoring import check_answer

    question = Question(1, "written", "What does each query row attend over?", "rows", (7,))
    plural = check_answer(question, "row")
    assert plural.correct and plural.almost == "singular or plural"
    exact = check_answer(question, "Rows")
    assert exact.correct and exact.almost == ""
    wrong = check_answer(question, "columns")
    assert not wrong.correct and wrong.almost == ""
