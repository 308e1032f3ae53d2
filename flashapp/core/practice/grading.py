"""Lenient grading of written answers, as Quizlet and Knowt do it: case, punctuation, spacing and accents
never matter, and a small typo still counts (with an "I was right" override in the UI for the rest)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Typos allowed: none for answers of up to 3 characters, then about one per 6 characters, at most 3.
MAX_TYPOS = 3
CHARS_PER_TYPO = 6
# Words that carry no meaning in a short answer ("the softmax" = "softmax").
ARTICLES = frozenset({"a", "an", "the"})
# Unicode math that people type in ASCII (√d_k as sqrt d_k, dₖ as d_k, × as x).
EQUIVALENTS = {"√": "sqrt ", "×": "x", "·": " ", "−": "-", "ᵀ": "t", "²": "2", "³": "3", "₀": "0", "₁": "1",
               "ₖ": "k", "ᵢ": "i", "ⱼ": "j", "ₙ": "n", "ₘ": "m", "ₜ": "t"}  # fmt: skip


@dataclass(frozen=True)
class WrittenGrade:
    correct: bool
    exact: bool  # equal after normalising, no typo needed
    typos: int  # edit distance between the normalised answers


def normalize_answer(text: str) -> str:
    """Lowercase, accents and punctuation removed, math symbols spelled out, spaces collapsed."""
    text = "".join(EQUIVALENTS.get(char, char) for char in text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^\w\s]|_", " ", text)
    words = [word for word in text.split() if word not in ARTICLES]
    return " ".join(words)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Typos between `a` and `b`: insertions, deletions, substitutions and swaps of two neighbouring
    characters (optimal string alignment distance), or `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i]
        for j in range(1, len(b) + 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, before_previous[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before_previous, previous = previous, current
    return previous[-1]


def allowed_typos(expected: str) -> int:
    return 0 if len(expected) <= 3 else min(MAX_TYPOS, max(1, len(expected) // CHARS_PER_TYPO))


def grade_written(given: str, expected: str | list[str]) -> WrittenGrade:
    """Grade `given` against the expected answer (or any of several accepted answers)."""
    candidates = [expected] if isinstance(expected, str) else list(expected)
    answer = normalize_answer(given)
    best = WrittenGrade(correct=False, exact=False, typos=10**9)
    for candidate in candidates:
        target = normalize_answer(candidate)
        if not target:
            continue
        limit = allowed_typos(target)
        # "soft max" and "softmax" are the same answer; numbers must match exactly (no typo in "64").
        typos = min(
            edit_distance(answer, target, limit),
            edit_distance(answer.replace(" ", ""), target.replace(" ", ""), limit),
        )
        numbers_match = re.findall(r"\d+", answer.replace(" ", "")) == re.findall(
            r"\d+", target.replace(" ", "")
        )
        exact = answer.replace(" ", "") == target.replace(" ", "")
        grade = WrittenGrade(
            correct=bool(answer) and numbers_match and typos <= limit, exact=exact, typos=typos
        )
        if (grade.correct, grade.exact, -grade.typos) > (best.correct, best.exact, -best.typos):
            best = grade
    return best
