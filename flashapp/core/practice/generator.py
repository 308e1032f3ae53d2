"""Build a practice test from a deck's cards: pure and reproducible (same items, same seed, same test).

- multiple choice: the right answer and 3 distractors from the same deck, preferring answers of the
  same kind of card and similar length, never a duplicate of the right one (compared after
  normalising case, punctuation and spacing);
- true/false: a question with its own answer or another card's;
- written: cards with a short answer to type (type-in, cloze, the term of a reversed card; with
  "answer with question", any card whose question is short);
- matching: one question of 4 to 6 pairs;
- computed: a predict card's question for a drawn case, its answer computed by the engine (`solve`,
  injected: see `computed.py`); predict cards make no other kind of question.
Kinds are spread evenly over the requested count; an item that cannot make the planned kind (no short
answer, too few distinct distractors) is given another requested kind.

The single-card builders (`multiple_choice`, `true_false`, `written`) serve Learn mode too.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence

from flashapp.core.practice.computed import Solver, computed_question
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
    everything = sorted(items, key=lambda item: item.card_id)
    rng.shuffle(everything)
    asked = everything if only is None else [item for item in everything if item.card_id in only]
    pool = [item for item in everything if item.predict is None]
    plan = [kinds[i % len(kinds)] for i in range(count)]
    rng.shuffle(plan)

    used: set[int] = set()
    questions: list[Question] = []
    notes: list[str] = []
    for planned in plan:
        for kind in [planned, *(k for k in kinds if k != planned)]:
            still_to_ask = count - len(questions) - 1
            if kind == "computed":
                question = _computed(len(questions) + 1, asked, used, solve, seed)
            else:
                question = _make(kind, len(questions) + 1, asked, pool, used, rng, answer_with, still_to_ask)
            if question is not None:
                questions.append(question)
                used.update(question.card_ids)
                break
        else:
            notes.append(f"only {len(questions)} of {count} questions: the deck has no more cards for them")
            break
    return PracticeTest(deck, seed, tuple(questions), count, tuple(dict.fromkeys(kinds)), tuple(notes))


def _computed(
    number: int, asked: list[PracticeItem], used: set[int], solve: Solver | None, seed: int
) -> Question | None:
    if solve is None:
        return None
    for item in asked:
        if item.predict is not None and item.card_id not in used:
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
) -> Question | None:
    free = [item for item in asked if item.card_id not in used and item.predict is None]
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
            question = multiple_choice(item, pool, rng, number=number, flip=flip)
        else:
            question = true_false(item, pool, rng, number=number, flip=flip)
        if question is not None:
            return question
    return None


def _sides(item: PracticeItem, flip: bool) -> tuple[str, str, Callable[[PracticeItem], str]]:
    """(prompt, answer, the side of other cards that their distractors come from)."""
    if flip:
        return item.answer, item.question, lambda other: other.question
    return item.question, item.answer, lambda other: other.answer


def multiple_choice(
    item: PracticeItem,
    pool: Sequence[PracticeItem],
    rng: random.Random,
    *,
    number: int = 1,
    flip: bool = False,
) -> Question | None:
    """The card's answer among 3 distractors from `pool`; None when the pool has too few distinct ones."""
    prompt, answer, side = _sides(item, flip)
    distractors = _distractors(item, answer, pool, side, rng)
    if len(distractors) < OPTIONS_PER_QUESTION - 1:
        return None
    options = [answer, *distractors[: OPTIONS_PER_QUESTION - 1]]
    rng.shuffle(options)
    return Question(number, "multiple_choice", prompt, answer, (item.card_id,), options=tuple(options))


def true_false(
    item: PracticeItem,
    pool: Sequence[PracticeItem],
    rng: random.Random,
    *,
    number: int = 1,
    flip: bool = False,
) -> Question | None:
    """The prompt shown with its own answer or, as often, another card's; None without another one."""
    prompt, answer, side = _sides(item, flip)
    distractors = _distractors(item, answer, pool, side, rng)
    if not distractors:
        return None
    truth = rng.random() < 0.5
    shown = answer if truth else distractors[0]
    return Question(number, "true_false", prompt, "true" if truth else "false", (item.card_id,), shown=shown)


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
        return Question(number, "written", item.typed_prompt or item.question, item.typed, (item.card_id,))
    return None


def _distractors(
    item: PracticeItem,
    answer: str,
    pool: Sequence[PracticeItem],
    side: Callable[[PracticeItem], str],
    rng: random.Random,
) -> list[str]:
    """Other cards' answers, distinct from the right one and from each other, most alike first."""
    seen = {normalize_answer(answer)}
    scored = []
    for other in pool:
        text = side(other)
        key = normalize_answer(text)
        if other.card_id == item.card_id or not key or key in seen:
            continue
        seen.add(key)
        length_gap = abs(len(text) - len(answer)) / max(len(text), len(answer), 1)
        scored.append(((other.kind != item.kind) + length_gap + rng.random() * 0.1, text))
    return [text for _, text in sorted(scored)]


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
    chosen: list[PracticeItem] = []
    seen_answers: set[str] = set()
    seen_prompts: set[str] = set()
    for item in free:
        answer_key, prompt_key = normalize_answer(item.answer), normalize_answer(item.question)
        if answer_key and prompt_key and answer_key not in seen_answers and prompt_key not in seen_prompts:
            chosen.append(item)
            seen_answers.add(answer_key)
            seen_prompts.add(prompt_key)
        if len(chosen) == pairs:
            break
    if len(chosen) < MATCHING_PAIRS[0]:
        return None
    matched = tuple((item.answer, item.question) if flip else (item.question, item.answer) for item in chosen)
    choices = [answer for _, answer in matched]
    rng.shuffle(choices)
    return Question(
        number, "matching", "Match each term with its definition.", "", tuple(i.card_id for i in chosen),
        pairs=matched, choices=tuple(choices),
    )  # fmt: skip
