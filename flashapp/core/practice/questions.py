"""What a practice test is made of: the cards it draws on and the questions it asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

QuestionKind = Literal["multiple_choice", "true_false", "written", "matching"]
QUESTION_KINDS: tuple[QuestionKind, ...] = ("multiple_choice", "true_false", "written", "matching")
# Short names accepted on the command line.
KIND_ALIASES = {"mc": "multiple_choice", "tf": "true_false", "written": "written", "match": "matching",
                **{kind: kind for kind in QUESTION_KINDS}}  # fmt: skip
# A written answer longer than this many words is a paragraph, not something to type.
MAX_WRITTEN_WORDS = 6


@dataclass(frozen=True)
class PracticeItem:
    """One card as practice material: its question and answer as plain text.

    `typed` is what a written question expects when the card has a short answer to type (a type-in
    card's answer, a cloze deletion, a reversed card's term); None when only recognition makes sense.
    """

    card_id: int
    kind: str
    question: str
    answer: str
    typed: str | None = None
    typed_prompt: str | None = None  # what to show when asking for `typed` (defaults to `question`)


@dataclass(frozen=True)
class Question:
    number: int
    kind: QuestionKind
    prompt: str
    answer: str  # the right option, "true"/"false", the expected typed answer; "" for matching
    card_ids: tuple[int, ...]
    options: tuple[str, ...] = ()  # multiple choice
    shown: str = ""  # true/false: the answer paired with the prompt
    pairs: tuple[tuple[str, str], ...] = ()  # matching: (prompt, answer) as they belong together
    choices: tuple[str, ...] = ()  # matching: the answers in the order shown

    @property
    def correct_option(self) -> int:
        return self.options.index(self.answer)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"number": self.number, "kind": self.kind, "prompt": self.prompt,
                                "card_ids": list(self.card_ids)}  # fmt: skip
        if self.kind == "multiple_choice":
            data |= {
                "options": list(self.options),
                "answer": self.answer,
                "answer_index": self.correct_option,
            }
        elif self.kind == "true_false":
            data |= {"shown": self.shown, "answer": self.answer == "true"}
        elif self.kind == "written":
            data |= {"answer": self.answer}
        else:
            data |= {"pairs": [list(pair) for pair in self.pairs], "choices": list(self.choices)}
        return data


@dataclass(frozen=True)
class PracticeTest:
    deck: str
    seed: int
    questions: tuple[Question, ...]
    requested: int
    kinds: tuple[QuestionKind, ...]
    notes: tuple[str, ...] = field(default=())  # why fewer questions than requested, if so

    def to_json(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "seed": self.seed,
            "requested": self.requested,
            "kinds": list(self.kinds),
            "notes": list(self.notes),
            "questions": [question.to_json() for question in self.questions],
        }
