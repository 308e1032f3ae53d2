"""Computed questions from predict cards: a case drawn from the card's ranges, its question filled in,
and the truth computed by the engine, which the caller injects as `solve` (this module stays pure).

The typed answer is read and checked the way the study screen checks a predict card
(`flashapp.core.predict.read_answer` and `check_answer`: numbers within the card's tolerance, shapes
like `2x3`, several parts separated by `;`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flashapp.core.practice.questions import PracticeItem, Question
from flashapp.core.predict import (
    PART_SEPARATOR,
    AnswerFormatError,
    AnswerSpec,
    check_answer,
    format_value,
    read_answer,
)
from flashapp.core.text import to_plain


@dataclass(frozen=True)
class Truth:
    """What the engine says for one case: the answer's parts, a worked explanation, the parts' labels."""

    parts: tuple[Any, ...]
    explanation: str = ""
    labels: tuple[str, ...] = ()


# (task name, the case's parameter values) -> the truth; raises for a case the engine cannot compute.
Solver = Callable[[str, Mapping[str, Any]], Truth]


@dataclass(frozen=True)
class ComputedAnswer:
    spec: AnswerSpec
    truth: tuple[Any, ...]
    labels: tuple[str, ...] = ()
    explanation: str = ""

    def hint(self) -> str:
        """How to type the answer: "a shape, like 2x3", or for several parts "output ; weights: ..."."""
        if len(self.truth) > 1:
            names = f" {PART_SEPARATOR} ".join(self.labels) or f"{len(self.truth)} answers"
            return f"Type {names}, separated by '{PART_SEPARATOR}', each {self.spec.example()}."
        return f"Type {self.spec.example()}."


def _frozen(value: Any) -> Any:
    """Lists become tuples, so a question stays hashable and comparable."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(part) for part in value)
    return value


def computed_question(item: PracticeItem, solve: Solver, *, seed: int, number: int = 1) -> Question | None:
    """The item's predict card asked for the case drawn from (`seed`, card id); None when the card has
    no predict spec or the engine cannot compute this case."""
    spec = item.predict
    if spec is None:
        return None
    values = spec.draw(f"practice:{seed}:{item.card_id}")
    try:
        truth = solve(spec.task, values)
    except Exception:  # noqa: BLE001 - a case the engine refuses is left out of the test
        return None
    parts = tuple(_frozen(part) for part in truth.parts)
    answer = f" {PART_SEPARATOR} ".join(format_value(part, spec.answer.kind) for part in parts)
    computed = ComputedAnswer(spec.answer, parts, tuple(truth.labels), truth.explanation)
    prompt = to_plain(spec.question_for(values))
    return Question(number, "computed", prompt, answer, (item.card_id,), computed=computed)


def check_computed(question: Question, text: str) -> bool:
    """Whether `text` is the engine's answer (False for text that cannot be read as one)."""
    computed = question.computed
    if computed is None:
        return False
    try:
        typed = read_answer(text, computed.spec, len(computed.truth))
    except AnswerFormatError:
        return False
    return check_answer(typed, computed.truth, computed.spec, computed.labels).correct
