"""Build a practice test from a deck's cards: pure and reproducible (same items, same seed, same test).

- multiple choice: the card's short answer form (see `distractors.py`) and 3 distractors from other
  notes, preferring answers of the same kind of card and similar length, never the right answer or one
  that is also true;
- true/false: a question with its own short answer or another note's;
- written: cards with a short answer to type (type-in, cloze, the term of a reversed card; with
  "answer with question", any card whose question is short);
- matching: one question of 4 to 6 pairs;
- computed: a predict card's question for a drawn case, its answer computed by the engine (`solve`,
  injected: see `computed.py`); predict cards make no other kind of question.
Kinds are spread evenly over the requested count; an item that cannot make the planned kind (no short
answer, too few distinct distractors) is given another requested kind. Siblings (cards of one note)
never share a test: one would give the other away. A question made from a short form keeps the card's
whole answer (`Question.full_answer`), shown after a miss.

The single-card builders (`multiple_choice`, `true_false`, `written`) serve Learn mode too.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence

from flashapp.core.practice.computed import Solver, computed_question
from flashapp.core.practice.distractors import SubjectIndex, distractors, short_form
from flashapp.core.practice.grading import normalize_answer
from flashapp.core.practice.questions import (
    PracticeItem,
    PracticeTest,
    Question,
    QuestionKind,
    is_short,
)

OPTIONS_PER_QUESTION = 4
MATCHING_PAIRS = (4, 6)
# Matching lists every text at once: texts up to this long are used first.
MATCHING_TEXT_CHARS = 200


def generate_test(
    items: Sequence[PracticeItem],
    *,
    deck: str,
    count: int,
    kinds: Sequence[QuestionKind],
    seed: int,
    answer_with: str = "answer",
    only: Collection[int] | None = None,
    solve: Solver | None = None,
) -> PracticeTest:
    """`answer_with` is "answer" (prompt with the question), "question" (prompt with the answer) or
    "both" (a coin toss per question). `only`: ask about these cards alone (a retake of the missed
    ones), still drawing distractors from every item. `solve`: the engine, for computed questions
    (without it there are none)."""
    if count < 1:
        raise ValueError("a test needs at least 1 question")
    if not kinds:
        raise ValueError("a test needs at least one kind of question")
    rng = random.Random(seed)
    note_of = {item.card_id: item.note_key for item in items}
    everything = sorted(items, key=lambda item: item.card_id)
    rng.shuffle(everything)
    asked = everything if only is None else [item for item in everything if item.card_id in only]
    pool = [item for item in everything if item.predict is None]
    subjects = SubjectIndex(pool)
    plan = [kinds[i % len(kinds)] for i in range(count)]
    rng.shuffle(plan)

    used: set[int] = set()  # notes asked about
    questions: list[Question] = []
    notes: list[str] = []
    for planned in plan:
        for kind in [planned, *(k for k in kinds if k != planned)]:
            still_to_ask = count - len(questions) - 1
            if kind == "computed":
                question = _computed(len(questions) + 1, asked, used, solve, seed)
            else:
                question = _make(
                    kind, len(questions) + 1, asked, pool, used, rng, answer_with, still_to_ask, subjects
                )
            if question is not None:
                questions.append(question)
                used.update(note_of[card_id] for card_id in question.card_ids)
                break
        else:
            notes.append(f"only {len(questions)} of {count} questions: the deck has no more cards for them")
            break
    return PracticeTest(deck, seed, tuple(questions), count, tuple(dict.fromkeys(kinds)), tuple(notes))


def askable_cards(
    items: Sequence[PracticeItem], kinds: Sequence[QuestionKind], answer_with: str = "answer"
) -> int:
    """How many notes a test of these kinds can ask about (one card per note): what the set-up dialog
    shows beside the count. Recognition needs a short answer form and enough other notes for options."""
    sides = {"answer": (False,), "question": (True,), "both": (False, True)}[answer_with]
    recognisable = [
        item for item in items if item.predict is None and any(_short_side(item, f) for f in sides)
    ]
    notes_with_forms = len({item.note_key for item in recognisable})
    wanted = set(kinds)
    notes: set[int] = set()
    for item in items:
        if item.predict is not None:
            if "computed" in wanted:
                notes.add(item.note_key)
            continue
        short = any(_short_side(item, flip) for flip in sides)
        if (
            ("multiple_choice" in wanted and short and notes_with_forms >= OPTIONS_PER_QUESTION)
            or ("true_false" in wanted and short and notes_with_forms >= 2)
            or ("written" in wanted and any(written(item, flip=flip) for flip in sides))
            or ("matching" in wanted and short_form(item.question) and short_form(item.answer)
                and notes_with_forms >= MATCHING_PAIRS[0])
        ):  # fmt: skip
            notes.add(item.note_key)
    return len(notes)


def _short_side(item: PracticeItem, flip: bool) -> bool:
    return short_form(item.question if flip else item.answer) is not None


def _computed(
    number: int, asked: list[PracticeItem], used: set[int], solve: Solver | None, seed: int
) -> Question | None:
    if solve is None:
        return None
    for item in asked:
        if item.predict is not None and item.note_key not in used:
            question = computed_question(item, solve, seed=seed, number=number)
            if question is not None:
                return question
    return None


def _make(
    kind: QuestionKind,
    number: int,
    asked: list[PracticeItem],
    pool: list[PracticeItem],
    used: set[int],
    rng: random.Random,
    answer_with: str,
    still_to_ask: int = 0,
    subjects: SubjectIndex | None = None,
) -> Question | None:
    free = [item for item in asked if item.note_key not in used and item.predict is None]
    if kind == "matching":
        # As many pairs as the cards left allow, keeping one card for each question still to ask.
        pairs = max(MATCHING_PAIRS[0], min(MATCHING_PAIRS[1], len(free) - still_to_ask))
        return matching(free, rng, number=number, flip=answer_with == "question", pairs=pairs)
    for item in free:
        flip = answer_with == "question" or (answer_with == "both" and rng.random() < 0.5)
        if kind == "written":
            question = written(item, number=number, flip=flip)
            if question is None and answer_with == "both":
                question = written(item, number=number, flip=not flip)
        elif kind == "multiple_choice":
            question = multiple_choice(item, pool, rng, number=number, flip=flip, subjects=subjects)
        else:
            question = true_false(item, pool, rng, number=number, flip=flip, subjects=subjects)
        if question is not None:
            return question
    return None


def _sides(
    item: PracticeItem, flip: bool
) -> tuple[str, str | None, str, Callable[[PracticeItem], str | None]]:
    """(prompt, short answer or None, whole answer, the short side of other cards for distractors)."""
    if flip:
        return item.answer, short_form(item.question), item.question, lambda other: short_form(other.question)
    return item.question, short_form(item.answer), item.answer, lambda other: short_form(other.answer)


def multiple_choice(
    item: PracticeItem,
    pool: Sequence[PracticeItem],
    rng: random.Random,
    *,
    number: int = 1,
    flip: bool = False,
    subjects: SubjectIndex | None = None,
) -> Question | None:
    """The card's short answer among 3 distractors from `pool`; None when the answer has no short form
    or the pool has too few fair distractors."""
    prompt, answer, full, side = _sides(item, flip)
    if answer is None:
        return None
    wrong = distractors(item, prompt, answer, pool, side, rng, subjects)
    if len(wrong) < OPTIONS_PER_QUESTION - 1:
        return None
    options = [answer, *wrong[: OPTIONS_PER_QUESTION - 1]]
    rng.shuffle(options)
    return Question(
        number, "multiple_choice", prompt, answer, (item.card_id,), options=tuple(options), full_answer=full
    )


def true_false(
    item: PracticeItem,
    pool: Sequence[PracticeItem],
    rng: random.Random,
    *,
    number: int = 1,
    flip: bool = False,
    subjects: SubjectIndex | None = None,
) -> Question | None:
    """The prompt shown with its own short answer or, as often, another note's; None without a fair one."""
    prompt, answer, full, side = _sides(item, flip)
    if answer is None:
        return None
    wrong = distractors(item, prompt, answer, pool, side, rng, subjects)
    if not wrong:
        return None
    truth = rng.random() < 0.5
    shown = answer if truth else wrong[0]
    return Question(
        number, "true_false", prompt, "true" if truth else "false", (item.card_id,), shown=shown,
        full_answer=full,
    )  # fmt: skip


def written(item: PracticeItem, *, number: int = 1, flip: bool = False) -> Question | None:
    """A short answer to type: the card's `typed` answer, or (flipped) its question when that is a term
    ("U-Net", not "Encoder-only model?" nor a cloze sentence); None when the card has no such answer."""
    if flip:
        term = item.question
        is_term = item.kind != "cloze" and not term.rstrip().endswith("?")
        if is_term and is_short(term) and normalize_answer(term):
            return Question(number, "written", item.answer, term, (item.card_id,))
        return None
    if item.typed is not None and normalize_answer(item.typed):
        prompt = item.typed_prompt or item.question
        full = item.answer if item.typed_prompt is None else item.question
        return Question(number, "written", prompt, item.typed, (item.card_id,), full_answer=full)
    return None


def matching(
    free: Sequence[PracticeItem],
    rng: random.Random,
    *,
    number: int = 1,
    flip: bool = False,
    pairs: int = MATCHING_PAIRS[1],
) -> Question | None:
    """4 to 6 pairs from the first suitable items of `free` (distinct prompts and answers), short
    texts first."""
    free = sorted(free, key=lambda item: max(len(item.question), len(item.answer)) > MATCHING_TEXT_CHARS)
    chosen: list[tuple[PracticeItem, str, str]] = []
    seen_answers: set[str] = set()
    seen_prompts: set[str] = set()
    seen_notes: set[int] = set()
    for item in free:
        question, answer = short_form(item.question), short_form(item.answer)
        if question is None or answer is None or item.note_key in seen_notes:
            continue
        answer_key, prompt_key = normalize_answer(answer), normalize_answer(question)
        if answer_key and prompt_key and answer_key not in seen_answers and prompt_key not in seen_prompts:
            chosen.append((item, question, answer))
            seen_answers.add(answer_key)
            seen_prompts.add(prompt_key)
            seen_notes.add(item.note_key)
        if len(chosen) == pairs:
            break
    if len(chosen) < MATCHING_PAIRS[0]:
        return None
    matched = tuple((answer, question) if flip else (question, answer) for _, question, answer in chosen)
    choices = [answer for _, answer in matched]
    rng.shuffle(choices)
    card_ids = tuple(item.card_id for item, _, _ in chosen)
    return Question(
        number, "matching", "Match each term with its definition.", "", card_ids,
        pairs=matched, choices=tuple(choices),
    )  # fmt: skip
