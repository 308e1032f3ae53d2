"""What a practice test is made of: the cards it draws on, the questions it asks, and its settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from flashapp.core.practice.computed import ComputedAnswer
    from flashapp.core.predict import PredictSpec

QuestionKind = Literal["multiple_choice", "true_false", "written", "matching", "computed"]
# The kinds a test has by default; "computed" (predict cards, answered by the engine) is asked for.
QUESTION_KINDS: tuple[QuestionKind, ...] = ("multiple_choice", "true_false", "written", "matching")
ALL_QUESTION_KINDS: tuple[QuestionKind, ...] = (*QUESTION_KINDS, "computed")
# Short names accepted on the command line.
KIND_ALIASES = {"mc": "multiple_choice", "tf": "true_false", "written": "written", "match": "matching",
                **{kind: kind for kind in ALL_QUESTION_KINDS}}  # fmt: skip
KIND_TITLES = {
    "multiple_choice": "Multiple choice",
    "true_false": "True or false",
    "written": "Written",
    "matching": "Matching",
    "computed": "Computed",
}
# "answer": prompt with the question, answer with the answer; "question": the other way round;
# "both": a coin toss per question.
ANSWER_WITH = ("answer", "question", "both")
# A written answer longer than this many words is a paragraph, not something to type.
MAX_WRITTEN_WORDS = 6
DEFAULT_COUNT = 20


def is_short(text: str) -> bool:
    """Short enough to type as an answer."""
    return 0 < len(text.split()) <= MAX_WRITTEN_WORDS


def parse_kinds(text: str) -> tuple[QuestionKind, ...]:
    """ "mc,tf" -> ("multiple_choice", "true_false"), in the order given, without repeats.

    Raises ValueError naming the first unknown kind."""
    kinds: list[QuestionKind] = []
    for name in (part.strip().lower() for part in text.split(",")):
        if not name:
            continue
        kind = KIND_ALIASES.get(name)
        if kind is None:
            known = ", ".join(dict.fromkeys(KIND_ALIASES))
            raise ValueError(f"unknown question type {name!r} (known: {known})")
        if kind not in kinds:
            kinds.append(kind)  # type: ignore[arg-type]
    if not kinds:
        raise ValueError("no question type given")
    return tuple(kinds)


@dataclass(frozen=True)
class PracticeItem:
    """One card as practice material: its question and answer as plain text.

    `typed` is what a written question expects when the card has a short answer to type (a type-in
    card's answer, a cloze deletion, a reversed card's term); None when only recognition makes sense.
    `question_markdown` and `answer_markdown` are the same sides as card Markdown, for display ("" when
    the plain text is all there is).
    """

    card_id: int
    kind: str
    question: str
    answer: str
    typed: str | None = None
    typed_prompt: str | None = None  # what to show when asking for `typed` (defaults to `question`)
    question_markdown: str = ""
    answer_markdown: str = ""
    predict: PredictSpec | None = None  # a predict card: asked only as a computed question
    note_id: int | None = None  # cards of one note are siblings (None: a note of its own)

    @property
    def note_key(self) -> int:
        """Siblings share this key: the note's id, or (no note given) a key of the card's own."""
        return self.note_id if self.note_id is not None else -self.card_id


def markdown_lookup(items: list[PracticeItem] | tuple[PracticeItem, ...]) -> dict[str, str]:
    """Plain text -> the card Markdown it came from, to show a question's texts formatted."""
    lookup: dict[str, str] = {}
    for item in items:
        if item.question_markdown:
            lookup.setdefault(item.question, item.question_markdown)
        if item.answer_markdown:
            lookup.setdefault(item.answer, item.answer_markdown)
    return lookup


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
    computed: ComputedAnswer | None = None  # computed: how to read the answer, and the engine's truth
    full_answer: str = ""  # the card's whole answer when the question asks a short form of it

    @property
    def right_answer_in_full(self) -> str:
        """What to show after a miss: the card's whole answer ("" when `answer` already is all of it)."""
        if self.kind == "true_false":
            return self.full_answer
        return self.full_answer if self.full_answer and self.full_answer != self.answer else ""

    @property
    def correct_option(self) -> int:
        return self.options.index(self.answer)

    @property
    def recall(self) -> bool:
        """A written question whose answer is a paragraph: recalled, then judged by the user."""
        return self.kind == "written" and not is_short(self.answer)

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
        elif self.kind == "computed" and self.computed is not None:
            computed = self.computed
            data |= {
                "answer": self.answer,
                "answer_kind": computed.spec.kind,
                "tolerance": computed.spec.tolerance if computed.spec.kind in ("float", "vector") else None,
                "options": list(computed.spec.options),
                "parts": list(computed.labels),
                "truth": _jsonable(computed.truth),
                "explanation": computed.explanation,
            }
        else:
            data |= {"pairs": [list(pair) for pair in self.pairs], "choices": list(self.choices)}
        return data


def _jsonable(value: Any) -> Any:
    return [_jsonable(part) for part in value] if isinstance(value, tuple | list) else value


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


@dataclass(frozen=True)
class PracticeSettings:
    """What the user chose for a test: how many questions, which kinds, which side to answer with,
    whether a clock runs; `seed` None means a fresh test each time."""

    count: int = DEFAULT_COUNT
    kinds: tuple[QuestionKind, ...] = QUESTION_KINDS
    answer_with: str = "answer"
    timer: bool = False
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("a test needs at least 1 question")
        if not self.kinds:
            raise ValueError("a test needs at least one kind of question")
        if self.answer_with not in ANSWER_WITH:
            raise ValueError(f"answer with {self.answer_with!r}: must be one of {', '.join(ANSWER_WITH)}")

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "kinds": list(self.kinds), "answer_with": self.answer_with,
                "timer": self.timer, "seed": self.seed}  # fmt: skip
