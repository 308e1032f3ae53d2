"""Checking the answers to a practice test's questions and adding up the score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from flashapp.core.practice.computed import check_computed
from flashapp.core.practice.grading import grade_written
from flashapp.core.practice.questions import Question
from flashapp.core.typed_answer import Verdict


@dataclass(frozen=True)
class AnswerCheck:
    question: Question
    given: str  # the user's answer as text, for the review of the test
    correct: bool
    expected: str  # the right answer as text
    overridden: bool = False  # "I was right": a written answer the user counted as correct
    missed: tuple[int, ...] = ()  # the cards answered wrongly (matching: only the wrong pairs' cards)
    duration_ms: int = 0  # time spent on the question, when measured
    chosen: tuple[str, ...] = ()  # matching: the answer given for each prompt ("" for none)
    almost: str = ""  # a written answer accepted as almost right: why ("spelling", "abbreviation", ...)


def check_answer(question: Question, response: object, *, override: bool = False) -> AnswerCheck:
    """`response`: an option index (multiple choice), a bool (true/false), text (written, computed), or
    a mapping of prompt index to choice index (matching). None is an unanswered question (wrong)."""
    if response is None:
        expected = question.answer if question.kind != "matching" else _pairs_text(question)
        return AnswerCheck(question, "", False, expected, missed=question.card_ids)
    if question.kind == "multiple_choice":
        index = int(response)  # type: ignore[call-overload]
        given = question.options[index] if 0 <= index < len(question.options) else ""
        return _check(question, given, index == question.correct_option, question.answer)
    if question.kind == "true_false":
        given = "true" if bool(response) else "false"
        return _check(question, given, given == question.answer, question.answer)
    if question.kind == "computed":
        text = str(response)
        return _check(question, text, check_computed(question, text), question.answer)
    if question.kind == "written":
        text = str(response)
        grade = grade_written(text, question.answer)
        check = _check(question, text, grade.correct or override, question.answer)
        almost = grade.reason if grade.verdict is Verdict.ALMOST else ""
        return replace(check, overridden=override and not grade.correct, almost=almost)
    matches = dict(response) if isinstance(response, Mapping) else {}
    given_pairs = []
    missed = []
    chosen_answers = []
    for index, (prompt, answer) in enumerate(question.pairs):
        choice = matches.get(index)
        chosen = (
            question.choices[choice] if choice is not None and 0 <= choice < len(question.choices) else ""
        )
        if chosen != answer:
            missed.append(question.card_ids[index])
        chosen_answers.append(chosen)
        given_pairs.append(f"{prompt} → {chosen or '?'}")
    return AnswerCheck(
        question, "; ".join(given_pairs), not missed, _pairs_text(question), missed=tuple(missed),
        chosen=tuple(chosen_answers),
    )  # fmt: skip


def _check(question: Question, given: str, correct: bool, expected: str) -> AnswerCheck:
    return AnswerCheck(question, given, correct, expected, missed=() if correct else question.card_ids)


def _pairs_text(question: Question) -> str:
    return "; ".join(f"{prompt} → {answer}" for prompt, answer in question.pairs)


def overridden(check: AnswerCheck) -> AnswerCheck:
    """The same written answer counted as right ("I was right"); other checks come back unchanged."""
    if check.question.kind != "written" or check.correct:
        return check
    return replace(check, correct=True, overridden=True, missed=())


@dataclass(frozen=True)
class TestScore:
    __test__ = False  # not a pytest class, whatever its name

    right: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0


def score(checks: Sequence[AnswerCheck]) -> TestScore:
    return TestScore(sum(check.correct for check in checks), len(checks))


def missed_card_ids(checks: Sequence[AnswerCheck]) -> list[int]:
    """The cards to ask again in a retake, in the order they were asked, without repeats."""
    return list(dict.fromkeys(card_id for check in checks for card_id in check.missed))
