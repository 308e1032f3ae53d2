"""Checking the answers to a practice test's questions and adding up the score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flashapp.core.practice.grading import grade_written
from flashapp.core.practice.questions import Question


@dataclass(frozen=True)
class AnswerCheck:
    question: Question
    given: str  # the user's answer as text, for the review of the test
    correct: bool
    expected: str  # the right answer as text
    overridden: bool = False  # "I was right": a written answer the user counted as correct


def check_answer(question: Question, response: object, *, override: bool = False) -> AnswerCheck:
    """`response`: an option index (multiple choice), a bool (true/false), text (written), or a mapping
    of prompt index to choice index (matching)."""
    if question.kind == "multiple_choice":
        index = int(response)  # type: ignore[arg-type]
        given = question.options[index] if 0 <= index < len(question.options) else ""
        return AnswerCheck(question, given, index == question.correct_option, question.answer)
    if question.kind == "true_false":
        given = "true" if bool(response) else "false"
        return AnswerCheck(question, given, given == question.answer, question.answer)
    if question.kind == "written":
        text = str(response)
        correct = grade_written(text, question.answer).correct
        return AnswerCheck(
            question, text, correct or override, question.answer, overridden=override and not correct
        )
    matches = dict(response) if isinstance(response, Mapping) else {}
    given_pairs = []
    right = 0
    for index, (prompt, answer) in enumerate(question.pairs):
        choice = matches.get(index)
        chosen = (
            question.choices[choice] if choice is not None and 0 <= choice < len(question.choices) else ""
        )
        right += chosen == answer
        given_pairs.append(f"{prompt} → {chosen or '?'}")
    expected = "; ".join(f"{prompt} → {answer}" for prompt, answer in question.pairs)
    return AnswerCheck(question, "; ".join(given_pairs), right == len(question.pairs), expected)


@dataclass(frozen=True)
class TestScore:
    right: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0


def score(checks: list[AnswerCheck]) -> TestScore:
    return TestScore(sum(check.correct for check in checks), len(checks))
