"""A simulated learner, for tests and benchmarks of fitting and evaluation.

The learner's memory follows FSRS-6 with its own `true_parameters`; the cards are scheduled by our FSRS
scheduler with the deck's options (the defaults, usually: a learner far from them is the case fitting is
for). Each study day (UTC, rolling over at midnight) the learner answers every card due that day,
learning steps included, starting at 09:00, one answer every 20 seconds; new cards come in at the
deck's new-cards-a-day limit. A card is recalled with the probability its true memory gives at that
moment (elapsed time in study days, as everywhere else); a recalled card is rated hard, good or easy
(15/75/10), a forgotten one again; a new card's first answer is again, hard, good or easy (20/10/60/10).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import fsrs

from flashapp.core.scheduling import fsrs_scheduler
from flashapp.core.scheduling.types import CardState, Rating, SchedulerOptions

__all__ = ["FORGETFUL_LEARNER", "SimulatedReview", "simulate_learner"]

# Far from the defaults: low initial stabilities, slow growth after a success, a steeper forgetting
# curve and harsh lapses. The defaults predict 92% recall where this learner keeps about 85%.
FORGETFUL_LEARNER: tuple[float, ...] = (
    0.05, 0.2, 0.5, 1.5, 6.8, 0.6, 2.2, 0.02, 0.8, 0.25, 1.2, 0.8, 0.09, 0.4, 1.2, 0.4, 2.2, 0.5, 0.2,
    0.1, 0.6,
)  # fmt: skip

FIRST_WEIGHTS = {Rating.AGAIN: 20, Rating.HARD: 10, Rating.GOOD: 60, Rating.EASY: 10}
RECALL_WEIGHTS = {Rating.HARD: 15, Rating.GOOD: 75, Rating.EASY: 10}
SECONDS_BETWEEN_ANSWERS = 20


@dataclass(frozen=True)
class SimulatedReview:
    card_id: int
    reviewed_at: datetime
    rating: Rating
    duration_ms: int
    before: CardState
    after: CardState


def _stand_in(day: date, sequence: int) -> datetime:
    # The true memory reads elapsed time as study days (see review_history's docstring).
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(microseconds=sequence)


def simulate_learner(
    true_parameters: Sequence[float],
    *,
    start: datetime,
    days: int,
    options: SchedulerOptions,
    rng: random.Random,
    cards: int | None = None,
) -> list[SimulatedReview]:
    """`days` study days of reviews from `start` (UTC midnight of its date). `cards`: how many new cards
    exist (None: unlimited, `options.new_per_day` a day)."""
    memory = fsrs.Scheduler(parameters=tuple(true_parameters), enable_fuzzing=False)
    first_day = start.astimezone(UTC).date()
    states: dict[int, CardState] = {}
    truths: dict[int, fsrs.Card] = {}
    due: list[tuple[datetime, int]] = []  # (due, card id)
    out: list[SimulatedReview] = []
    sequence = 0
    next_id = 1
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        clock = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        day_end = clock + timedelta(hours=15)
        for _ in range(options.new_per_day):
            if cards is not None and next_id > cards:
                break
            states[next_id] = CardState()
            heapq.heappush(due, (clock, next_id))
            next_id += 1
        while due and due[0][0] < day_end:
            _, card_id = heapq.heappop(due)
            before = states[card_id]
            sequence += 1
            instant = _stand_in(day, sequence)
            truth = truths.get(card_id)
            if truth is None:
                rating = rng.choices(list(FIRST_WEIGHTS), weights=list(FIRST_WEIGHTS.values()))[0]
                truth = fsrs.Card(card_id=card_id, due=instant)
            elif rng.random() < memory.get_card_retrievability(truth, current_datetime=instant):
                rating = rng.choices(list(RECALL_WEIGHTS), weights=list(RECALL_WEIGHTS.values()))[0]
            else:
                rating = Rating.AGAIN
            truths[card_id], _ = memory.review_card(truth, fsrs.Rating(int(rating)), review_datetime=instant)
            now = max(clock, before.due or clock)
            after, _ = fsrs_scheduler.review(before, rating, now, options)
            states[card_id] = after
            seconds = rng.lognormvariate(2.3, 0.5) * (1.8 if rating is Rating.AGAIN else 1.0)
            out.append(SimulatedReview(card_id, now, rating, int(seconds * 1000), before, after))
            clock = now + timedelta(seconds=SECONDS_BETWEEN_ANSWERS)
            assert after.due is not None
            heapq.heappush(due, (after.due, card_id))
    return out
