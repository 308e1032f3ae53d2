"""Build a practice test from a deck's cards: pure and reproducible (same items, same seed, same test).

- multiple choice: the right answer and 3 distractors from the same deck, preferring answers of the
  same kind of card and similar length, never a duplicate of the right one (compared after
  normalising case, punctuation and spacing);
- true/false: a question with its own answer or another card's;
- written: cards with a short answer to type (type-in, cloze, the term of a reversed card);
- matching: one question of 4 to 6 pairs.
Kinds are spread evenly over the requested count; an item that cannot make the planned kind (no short
answer, too few distinct distractors) is given another requested kind.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from flashapp.core.practice.grading import normalize_answer
from flashapp.core.practice.questions import PracticeItem, PracticeTest, Question, QuestionKind

OPTIONS_PER_QUESTION = 4
MATCHING_PAIRS = (4, 6)


def generate_test(
    items: Sequence[PracticeItem],
    *,
    deck: str,
    count: int,
    kinds: Sequence[QuestionKind],
    seed: int,
    answer_with: str = "answer",
) -> PracticeTest:
    """`answer_with` is "answer" (prompt with the question), "question" (prompt with the answer) or
    "both" (a coin toss per question)."""
    if count < 1:
        raise ValueError("a test needs at least 1 question")
    if not kinds:
        raise ValueError("a test needs at least one kind of question")
    rng = random.Random(seed)
    pool = sorted(items, key=lambda item: item.card_id)
    rng.shuffle(pool)
    plan = [kinds[i % len(kinds)] for i in range(count)]
    rng.shuffle(plan)

    used: set[int] = set()
    questions: list[Question] = []
    notes: list[str] = []
    for planned in plan:
        for kind in [planned, *(k for k in kinds if k != planned)]:
            question = _make(kind, len(questions) + 1, pool, used, rng, answer_with)
            if question is not None:
                questions.append(question)
                used.update(question.card_ids)
                break
        else:
            notes.append(f"only {len(questions)} of {count} questions: the deck has no more cards for them")
            break
    return PracticeTest(deck, seed, tuple(questions), count, tuple(dict.fromkeys(kinds)), tuple(notes))


def _make(
    kind: QuestionKind,
    number: int,
    pool: list[PracticeItem],
    used: set[int],
    rng: random.Random,
    answer_with: str,
) -> Question | None:
    free = [item for item in pool if item.card_id not in used]
    if kind == "matching":
        return _matching(number, free, rng)
    for item in free:
        flip = answer_with == "question" or (answer_with == "both" and rng.random() < 0.5)
        prompt, answer = (item.answer, item.question) if flip else (item.question, item.answer)
        if kind == "written":
            if item.typed is not None:
                return Question(number, kind, item.typed_prompt or item.question, item.typed, (item.card_id,))
            continue
        side = (lambda other: other.question) if flip else (lambda other: other.answer)
        distractors = _distractors(item, answer, pool, side, rng)
        if kind == "multiple_choice" and len(distractors) >= OPTIONS_PER_QUESTION - 1:
            options = [answer, *distractors[: OPTIONS_PER_QUESTION - 1]]
            rng.shuffle(options)
            return Question(number, kind, prompt, answer, (item.card_id,), options=tuple(options))
        if kind == "true_false" and distractors:
            truth = rng.random() < 0.5
            shown = answer if truth else distractors[0]
            return Question(number, kind, prompt, "true" if truth else "false", (item.card_id,), shown=shown)
    return None


def _distractors(
    item: PracticeItem, answer: str, pool: list[PracticeItem], side, rng: random.Random
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


def _matching(number: int, free: list[PracticeItem], rng: random.Random) -> Question | None:
    chosen: list[PracticeItem] = []
    seen_answers: set[str] = set()
    seen_prompts: set[str] = set()
    for item in free:
        answer_key, prompt_key = normalize_answer(item.answer), normalize_answer(item.question)
        if answer_key and prompt_key and answer_key not in seen_answers and prompt_key not in seen_prompts:
            chosen.append(item)
            seen_answers.add(answer_key)
            seen_prompts.add(prompt_key)
        if len(chosen) == MATCHING_PAIRS[1]:
            break
    if len(chosen) < MATCHING_PAIRS[0]:
        return None
    pairs = tuple((item.question, item.answer) for item in chosen)
    choices = [answer for _, answer in pairs]
    rng.shuffle(choices)
    return Question(
        number, "matching", "Match each term with its definition.", "", tuple(i.card_id for i in chosen),
        pairs=pairs, choices=tuple(choices),
    )  # fmt: skip
