"""The one lenient checker: a table of answers a teacher would grade right, almost, or wrong."""

from __future__ import annotations

import pytest

from flashapp.core.predict import AnswerSpec, read_answer
from flashapp.core.scheduling import Rating
from flashapp.core.typed_answer import Verdict, check_typed_answer, grade_answer, match_option

RIGHT, ALMOST, WRONG = Verdict.RIGHT, Verdict.ALMOST, Verdict.WRONG


@pytest.mark.parametrize(
    ("given", "expected", "verdict"),
    [
        # the same answer written differently
        ("4 x 6", "4x6", RIGHT),
        ("4×6", "4x6", RIGHT),
        ("4x6", "4 × 6", RIGHT),
        ("4*6", "4x6", RIGHT),
        ("4 by 6", "4x6", RIGHT),
        ("(4, 6)", "4x6", WRONG),  # a tuple is not the "as HxW" form the card asks for
        ("Softmax", "softmax", RIGHT),
        ("  the  soft-max! ", "softmax", RIGHT),
        ("ten", "10", RIGHT),
        ("Twenty four", "24", RIGHT),
        ("one hundred and five", "105", RIGHT),
        ("two thousand forty-eight", "2048", RIGHT),
        ("0.5", "1/2", RIGHT),
        ("2/4", "1/2", RIGHT),
        ("−3", "-3.0", RIGHT),
        ("sqrt(d_k)", "√dₖ", RIGHT),
        ("softmax(QKT/√dk)V", "softmax(QKᵀ/√dₖ)V", RIGHT),
        ("Scaled dot product", "scaled dot-product", RIGHT),
        ("HxW", "H × W", RIGHT),
        ("résumé", "resume", RIGHT),
        # almost: accepted, shown as such
        ("rows", "row", ALMOST),
        ("row", "rows", ALMOST),
        ("queries", "query", ALMOST),
        ("concat", "concatenation", ALMOST),
        ("concatination", "concatenation", ALMOST),
        ("positionl encodng", "positional encoding", ALMOST),
        ("sofmtax", "softmax", ALMOST),
        ("attn", "attention", ALMOST),
        # wrong stays wrong
        ("decoder", "encoder", WRONG),
        ("cosine", "sine", WRONG),
        ("implicit", "explicit", WRONG),
        ("invariant", "equivariant", WRONG),
        ("concatenated", "concatenation", WRONG),
        ("sum", "concatenation", WRONG),
        ("cat", "car", WRONG),
        ("65", "64", WRONG),
        ("sixty five", "64", WRONG),
        ("0.6", "1/2", WRONG),
        ("16x61", "16x16", WRONG),
        ("4x6", "6x4", WRONG),
        ("(1-t)x0 + t x1", "(1+t)x0 - t x1", WRONG),
        ("", "anything", WRONG),
        ("   ", "key", WRONG),
        ("key", "", WRONG),
    ],
)
def test_the_verdict_table(given, expected, verdict):
    assert grade_answer(given, expected).verdict is verdict


def test_the_best_of_several_accepted_answers():
    assert grade_answer("keys", ["key", "keys"]).verdict is RIGHT
    assert grade_answer("keys", ["value", "key"]).verdict is ALMOST


def test_typos_are_counted_and_the_study_screen_suggests_a_rating():
    assert grade_answer("concatination", "concatenation").typos == 1
    assert check_typed_answer("4 × 6", "4x6").suggested_rating is Rating.GOOD
    almost = check_typed_answer("rows", "row")
    assert almost.correct and almost.suggested_rating is Rating.HARD
    assert check_typed_answer("column", "row").suggested_rating is Rating.AGAIN


def test_almost_says_why():
    assert grade_answer("concat", "concatenation").reason == "abbreviation"
    assert grade_answer("rows", "row").reason == "singular or plural"
    assert grade_answer("concats", "concatenation").reason == "abbreviation"
    assert grade_answer("positionl", "positional").reason == "spelling"


def test_predict_choices_are_read_leniently():
    spec = AnswerSpec("choice", options=("even", "uneven"))
    assert read_answer("Uneven", spec) == ("uneven",)
    assert read_answer("unevn", spec) == ("uneven",)
    assert read_answer("2", spec) == ("uneven",)
    assert match_option("maybe", ("even", "uneven")) is None
