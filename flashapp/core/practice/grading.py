"""Lenient grading of written answers, as Quizlet and Knowt do it: case, punctuation, spacing and accents
never matter, and a small typo still counts (with an "I was right" override in the UI for the rest)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flashapp.core.typed_answer import Verdict, grade_answer

# Words that carry no meaning in a short answer ("the softmax" = "softmax").
ARTICLES = frozenset({"a", "an", "the"})
# Unicode math that people type in ASCII (√d_k as sqrt d_k, dₖ as d_k, × as x).
EQUIVALENTS = {"√": "sqrt ", "×": "x", "·": " ", "−": "-", "ᵀ": "t", "²": "2", "³": "3", "₀": "0", "₁": "1",
               "ₖ": "k", "ᵢ": "i", "ⱼ": "j", "ₙ": "n", "ₘ": "m", "ₜ": "t"}  # fmt: skip


@dataclass(frozen=True)
class WrittenGrade:
    correct: bool
    exact: bool  # equal after normalising, no typo needed
    typos: int  # misspelt letters forgiven
    verdict: Verdict = Verdict.WRONG  # right / almost / wrong, to show "almost" as such
    reason: str = ""  # why it is only almost: "spelling", "abbreviation", "singular or plural"


_SPELLED_OUT = str.maketrans(EQUIVALENTS)
_NOT_A_WORD = re.compile(r"[^\w\s]|_")


def normalize_answer(text: str) -> str:
    """Lowercase, accents and punctuation removed, math symbols spelled out, spaces collapsed."""
    text = text.translate(_SPELLED_OUT).casefold()
    if not text.isascii():  # ASCII has no accents to take off (a practice test's answers mostly)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = _NOT_A_WORD.sub(" ", text)
    return " ".join(word for word in text.split() if word not in ARTICLES)


def grade_written(given: str, expected: str | list[str]) -> WrittenGrade:
    """Grade `given` against the expected answer (or any of several accepted answers), by the app's one
    lenient checker: "almost" (a plural, an abbreviation, a close misspelling) counts as correct."""
    grade = grade_answer(given, expected)
    return WrittenGrade(
        grade.accepted, grade.verdict is Verdict.RIGHT, grade.typos, grade.verdict, grade.reason
    )
