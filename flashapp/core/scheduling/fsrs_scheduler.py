"""FSRS through the `fsrs` package (py-fsrs), behind the same `review` / `next_states` interface as SM-2.

Our card state maps onto `fsrs.Card` field for field (state, step, stability, difficulty, due,
last_review). py-fsrs has no "new" state: a new card is an `fsrs.Card` in Learning at step 0 with no
memory state, which is what py-fsrs creates itself, so a new card's first answer is exactly py-fsrs's.

- `interval_days`: whole days from now to due for a card that lands in review, 0 in (re)learning steps.
- `lapses` grows on an AGAIN to a review card; `reps` on every answer; `ease` is carried unchanged (a new
  card gets the deck's starting ease, so switching the deck back to SM-2 finds a sensible value).
- A review or relearning card that has no FSRS memory state yet (its deck used SM-2 until now) gets one
  estimated from its SM-2 interval and ease, as Anki does when FSRS is switched on without history
  (`memory_state_from_sm2` in fsrs-rs): stability = interval, difficulty from the ease.
- Days are study days (`StudyCalendar`), as Anki counts them: py-fsrs measures elapsed time in whole
  24-hour periods, so it is handed a `last_review` exactly as many days before `now` as study days
  passed; a review interval of N days makes the card due on the study day N after today's; a learning
  step of a day or more is due on a study day (see `sm2.step_due`).
- Fuzz: py-fsrs draws its fuzz from the global `random` module, which a seeded `rng` cannot reach, so
  py-fsrs runs unfuzzed and, when an `rng` is given, the review interval is fuzzed here with the same
  ranges (`fuzz.py`), one draw per call.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS, MAX_DIFFICULTY, MIN_DIFFICULTY, STABILITY_MIN

from flashapp.core.scheduling.answering import Scheduler
from flashapp.core.scheduling.day import StudyCalendar
from flashapp.core.scheduling.fuzz import fuzzed_interval
from flashapp.core.scheduling.sm2 import step_due
from flashapp.core.scheduling.types import CardState, Rating, SchedulerOptions, State

__all__ = ["fsrs_card", "memory_state_from_sm2", "next_states", "review"]

# fsrs-rs (Anki's FSRS) never lets stability pass 100 years; py-fsrs does not cap it.
STABILITY_MAX = 36500.0
# The retention an SM-2 schedule is assumed to have reached when FSRS takes over a card (Anki's default).
SM2_ASSUMED_RETENTION = 0.9

_TO_FSRS_STATE = {
    State.NEW: fsrs.State.Learning,
    State.LEARNING: fsrs.State.Learning,
    State.REVIEW: fsrs.State.Review,
    State.RELEARNING: fsrs.State.Relearning,
}
_FROM_FSRS_STATE = {
    fsrs.State.Learning: State.LEARNING,
    fsrs.State.Review: State.REVIEW,
    fsrs.State.Relearning: State.RELEARNING,
}


def fsrs_card(
    card: CardState, now: datetime, options: SchedulerOptions, calendar: StudyCalendar | None = None
) -> fsrs.Card:
    """`card` as py-fsrs sees it at `now` (a new card is due now, as py-fsrs's own new cards are); with
    a `calendar`, its last review as many whole days before `now` as study days passed since."""
    if card.state is State.NEW:
        return fsrs.Card(card_id=0, state=fsrs.State.Learning, step=0, due=now)
    stability, difficulty = card.stability, card.difficulty
    if card.state in (State.REVIEW, State.RELEARNING) and (stability is None or difficulty is None):
        stability, difficulty = memory_state_from_sm2(card.ease, card.interval_days)
    return fsrs.Card(
        card_id=0,
        state=_TO_FSRS_STATE[card.state],
        step=None if card.state is State.REVIEW else card.step,
        stability=stability,
        difficulty=difficulty,
        due=card.due,
        last_review=_last_review(card, now, calendar),
    )


def _last_review(card: CardState, now: datetime, calendar: StudyCalendar | None) -> datetime | None:
    if card.last_review is None or calendar is None:
        return card.last_review
    return now - timedelta(days=max(0, calendar.days_between(card.last_review, now)))


def memory_state_from_sm2(ease: float, interval_days: int) -> tuple[float, float]:
    """(stability days, difficulty 1-10) that make FSRS's recall formula grow the interval by `ease`,
    for a card whose SM-2 interval was reached at `SM2_ASSUMED_RETENTION`."""
    w = DEFAULT_PARAMETERS
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    stability = max(float(interval_days), STABILITY_MIN) * factor / (SM2_ASSUMED_RETENTION ** (1 / decay) - 1)
    growth = math.exp(w[8]) * stability ** -w[9] * math.expm1((1 - SM2_ASSUMED_RETENTION) * w[10])
    difficulty = 11.0 - (ease - 1.0) / growth
    return stability, min(max(difficulty, MIN_DIFFICULTY), MAX_DIFFICULTY)


@lru_cache(maxsize=64)
def _scheduler(options: SchedulerOptions) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=options.fsrs_parameters or DEFAULT_PARAMETERS,
        desired_retention=options.desired_retention,
        learning_steps=tuple(timedelta(minutes=m) for m in options.learning_steps_minutes),
        relearning_steps=tuple(timedelta(minutes=m) for m in options.relearning_steps_minutes),
        maximum_interval=options.maximum_interval_days,
        enable_fuzzing=False,
    )


def _answer(
    card: CardState,
    rating: Rating,
    now: datetime,
    options: SchedulerOptions,
    fuzz: float | None,
    calendar: StudyCalendar,
) -> CardState:
    before = fsrs_card(card, now, options, calendar)
    reviewed = _review(before, rating, now, options)
    state = _FROM_FSRS_STATE[reviewed.state]
    interval_days = 0
    if state is State.REVIEW:
        interval_days = _ordered_interval(before, reviewed, card.state, rating, now, options, fuzz)
        due = calendar.due_after(now, interval_days)
    else:
        due = step_due(now, (reviewed.due - now).total_seconds() / 60, calendar)
    lapsed = card.state is State.REVIEW and rating is Rating.AGAIN
    return replace(
        card,
        state=state,
        due=due,
        interval_days=interval_days,
        ease=options.starting_ease if card.state is State.NEW else card.ease,
        reps=card.reps + 1,
        lapses=card.lapses + 1 if lapsed else card.lapses,
        step=reviewed.step or 0,
        stability=reviewed.stability,
        difficulty=reviewed.difficulty,
        last_review=now,
    )


def _review(before: fsrs.Card, rating: Rating, now: datetime, options: SchedulerOptions) -> fsrs.Card:
    reviewed, _ = _scheduler(options).review_card(before, fsrs.Rating(int(rating)), review_datetime=now)
    if reviewed.stability is not None and reviewed.stability > STABILITY_MAX:
        reviewed.stability = STABILITY_MAX
    return reviewed


def _ordered_interval(
    before: fsrs.Card,
    reviewed_with_rating: fsrs.Card,
    state_before: State,
    rating: Rating,
    now: datetime,
    options: SchedulerOptions,
    fuzz: float | None,
) -> int:
    """The review interval `rating` gives, kept above the lower buttons' as Anki keeps it: on a review
    card hard >= 1, good >= hard + 1, easy >= good + 1; on a (re)learning card easy >= good + 1, good
    counted as the interval its stability would give. With fuzz, each floor is the fuzzed interval below.
    `reviewed_with_rating`: `before` reviewed with `rating` (`_review`), which is not done again.
    """
    scheduler = _scheduler(options)
    maximum = options.maximum_interval_days
    in_review = state_before is State.REVIEW
    chain = (Rating.HARD, Rating.GOOD, Rating.EASY) if in_review else (Rating.GOOD, Rating.EASY)
    floor = 1
    interval = 1
    for step_rating in chain:
        if step_rating > rating:
            break
        if step_rating == rating:
            reviewed = reviewed_with_rating
        else:
            reviewed = _review(before, step_rating, now, options)
        raw = scheduler._next_interval(stability=reviewed.stability)
        if fuzz is not None and reviewed.state is fsrs.State.Review:
            interval = fuzzed_interval(raw, floor, maximum, fuzz)
        else:
            interval = min(max(raw, floor), maximum)
        floor = min(interval + 1, maximum)
    if rating not in chain:  # again or hard out of (re)learning steps with no steps left
        raw = scheduler._next_interval(stability=reviewed_with_rating.stability)
        interval = fuzzed_interval(raw, 1, maximum, fuzz) if fuzz is not None else raw
    return interval


SCHEDULER = Scheduler("fsrs", _answer)
review = SCHEDULER.review
next_states = SCHEDULER.next_states
