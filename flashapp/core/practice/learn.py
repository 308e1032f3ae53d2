"""Learn mode as a pure state machine: adaptive rounds until every card is mastered.

Each card climbs the same ladder (Quizlet's and Knowt's Learn):
- it starts with multiple choice; a right answer moves it on to written questions;
- it is mastered after two right written answers in a row;
- a wrong written answer resets that streak (the card stays with written questions), a wrong
  recognition answer (multiple choice, true/false, matching) sends it back to multiple choice.
A round takes up to `ROUND_SIZE` cards that are not mastered, those already under way first; a card
answered wrongly comes back later in the same round, until it is answered right once.

The same ladder, replayed over a card's stored practice answers (`replay`), gives its progress in a
new session, so Learn picks up where it was left, and the deck's mastery levels (see `mastery.py`).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from flashapp.core.practice.distractors import SubjectIndex
from flashapp.core.practice.generator import multiple_choice, written
from flashapp.core.practice.levels import LEVELS
from flashapp.core.practice.questions import PracticeItem, Question
from flashapp.core.practice.scoring import AnswerCheck, check_answer, overridden

ROUND_SIZE = 7
MASTERY_STREAK = 2  # right written answers in a row


@dataclass(frozen=True)
class CardProgress:
    """Where a card stands on the ladder."""

    answered: int = 0  # practice answers given
    written_stage: bool = False  # past multiple choice
    streak: int = 0  # right written answers in a row

    @property
    def mastered(self) -> bool:
        return self.streak >= MASTERY_STREAK

    @property
    def level(self) -> str:
        """not_studied, learning (answered, no right written answer yet), familiar (one), mastered."""
        if self.mastered:
            return "mastered"
        if self.streak:
            return "familiar"
        return "learning" if self.answered else "not_studied"

    def after(self, kind: str, correct: bool) -> CardProgress:
        """The progress after one more answer of `kind` (a question kind)."""
        if kind == "written":
            streak = self.streak + 1 if correct else 0
            return CardProgress(self.answered + 1, written_stage=True, streak=streak)
        if correct:
            return CardProgress(self.answered + 1, written_stage=True, streak=self.streak)
        return CardProgress(self.answered + 1, written_stage=False, streak=0)


def replay(answers: Iterable[tuple[str, bool]]) -> CardProgress:
    """A card's progress from its practice answers, oldest first: (question kind, right)."""
    progress = CardProgress()
    for kind, correct in answers:
        progress = progress.after(kind, correct)
    return progress


def count_levels(progress: Iterable[CardProgress]) -> dict[str, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for card in progress:
        counts[card.level] += 1
    return counts


@dataclass(frozen=True)
class _LastAnswer:
    card_id: int
    before: CardProgress
    requeued: bool


class LearnSession:
    """One Learn session over `items`. `progress` is where each card stood (from the stored answers);
    `rng` decides the order of the cards and the questions' options."""

    def __init__(
        self,
        items: Sequence[PracticeItem],
        rng: random.Random,
        *,
        progress: Mapping[int, CardProgress] | None = None,
        round_size: int = ROUND_SIZE,
    ) -> None:
        if round_size < 1:
            raise ValueError("a round needs at least one card")
        self.items = {item.card_id: item for item in items}
        self.pool = sorted(items, key=lambda item: item.card_id)
        self.subjects = SubjectIndex(self.pool)
        self.rng = rng
        self.round_size = round_size
        known = progress or {}
        self.progress = {card_id: known.get(card_id, CardProgress()) for card_id in self.items}
        self.order = sorted(self.items)
        rng.shuffle(self.order)
        self.round_number = 0
        self.round_cards: tuple[int, ...] = ()
        self.round_checks: list[AnswerCheck] = []
        self._queue: deque[int] = deque()
        self._question: Question | None = None
        self._last: _LastAnswer | None = None

    # --- rounds ------------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """Every card mastered."""
        return all(progress.mastered for progress in self.progress.values())

    @property
    def round_over(self) -> bool:
        return not self._queue

    def start_round(self) -> bool:
        """Pick the next round's cards; False when every card is mastered."""
        waiting = [card_id for card_id in self.order if not self.progress[card_id].mastered]
        if not waiting:
            return False
        under_way = [card_id for card_id in waiting if self.progress[card_id].answered]
        fresh = [card_id for card_id in waiting if not self.progress[card_id].answered]
        self.round_cards = tuple((under_way + fresh)[: self.round_size])
        self.round_number += 1
        self.round_checks = []
        self._queue = deque(self.round_cards)
        self._question = None
        self._last = None
        return True

    def question(self) -> Question | None:
        """The question to answer now (None between rounds)."""
        if not self._queue:
            return None
        if self._question is None:
            self._question = self._build(self._queue[0], len(self.round_checks) + 1)
        return self._question

    def _build(self, card_id: int, number: int) -> Question:
        item = self.items[card_id]
        if not self.progress[card_id].written_stage:
            question = multiple_choice(item, self.pool, self.rng, number=number, subjects=self.subjects)
            if question is not None:
                return question
        question = written(item, number=number) or written(item, number=number, flip=True)
        if question is not None:
            return question
        # Neither side is short: recall the answer, then say whether it was right (`Question.recall`).
        return Question(number, "written", item.question, item.answer, (card_id,))

    # --- answers -----------------------------------------------------------------------------------

    def answer(self, response: object, *, override: bool = False) -> AnswerCheck:
        """Grade the current question and move the card on (or back); returns the check."""
        question = self.question()
        if question is None:
            raise RuntimeError("no question to answer: start a round first")
        check = check_answer(question, response, override=override)
        card_id = self._queue.popleft()
        before = self.progress[card_id]
        self.progress[card_id] = before.after(question.kind, check.correct)
        requeued = not check.correct
        if requeued:
            self._queue.append(card_id)  # back later in this round
        self.round_checks.append(check)
        self._question = None
        self._last = _LastAnswer(card_id, before, requeued)
        return check

    def override_last(self) -> AnswerCheck | None:
        """ "I was right": count the last written answer as right after all (None if it cannot be)."""
        last = self._last
        if last is None or not self.round_checks:
            return None
        check = self.round_checks[-1]
        if check.correct or check.question.kind != "written":
            return None
        fixed = overridden(check)
        self.round_checks[-1] = fixed
        self.progress[last.card_id] = last.before.after("written", True)
        if last.requeued:
            # The copy appended at the end of the queue, not an earlier one of the same card.
            for index in range(len(self._queue) - 1, -1, -1):
                if self._queue[index] == last.card_id:
                    del self._queue[index]
                    break
            if self._queue and self._question is not None and self._question.card_ids[0] != self._queue[0]:
                self._question = None
        self._last = replace(last, requeued=False)
        return fixed

    # --- progress ----------------------------------------------------------------------------------

    def levels(self) -> dict[str, int]:
        """How many cards are at each level: not_studied, learning, familiar, mastered."""
        return count_levels(self.progress.values())

    def round_right_first_time(self) -> int:
        """Cards of this round answered right at their first question of the round."""
        first: dict[int, bool] = {}
        for check in self.round_checks:
            first.setdefault(check.question.card_ids[0], check.correct)
        return sum(first.values())
