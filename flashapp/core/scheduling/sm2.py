"""SuperMemo's published SM-2, mapped onto four buttons, with Anki-style learning and relearning steps.

SM-2 (supermemo.com, "SuperMemo 2 algorithm", 1987): each item has an ease factor EF (start 2.5, never
below 1.3); the intervals are I(1) = 1 day, I(2) = 6 days, then I(n) = I(n-1) * EF, rounded up to whole
days; a failed recall restarts the repetitions from I(1). Anki's four buttons and steps wrap it:

New and learning cards (`learning_steps_minutes`, default 1 m, 10 m), ease set to `starting_ease`:
    again  back to step 0
    hard   repeat the current step; on the first step, the mean of steps 0 and 1 (one step only:
           1.5 x step 0, at most 1 day more)
    good   next step; after the last one, graduate to review at `graduating_interval_days` (1 = I(1))
    easy   graduate at once to `easy_interval_days` (4)
    With no learning steps, again/hard/good graduate as good does. Ease does not change in steps.

Review cards, interval I days, answered L whole days after the due time (L = 0 when early or on time),
ease E before the answer; each passing interval is times `interval_modifier`, then rounded up:
    again  lapse: lapses + 1, E - 0.20; relearning steps (`relearning_steps_minutes`, default 10 m);
           the interval after relearning is
           max(`minimum_lapse_interval_days`, I * `lapse_interval_multiplier`)
           (1 day by default: SM-2's restart at I(1), so the next good gives 6 days again)
    hard   I * `hard_multiplier` (1.2), at least I + 1;                            E - 0.15
    good   (I + L/2) * E, at least hard + 1, I + 1 and 6 days (SM-2's I(2));       E unchanged
    easy   (I + L) * E * `easy_bonus` (1.3), at least good + 1;                     E + 0.15
    All are capped at `maximum_interval_days`. The 6-day floor on good is SM-2's I(1) -> I(2) step: the
    only review cards with an interval under 6 days are those on their first interval, after graduating
    or relearning (or shortened by hard), so no per-card repetition counter is needed.
    With `hard_multiplier` <= 1 hard has no I + 1 floor (Anki's rule), so it may shorten the interval.

Relearning cards (the interval to return to is kept in `interval_days`, as Anki does):
    again  back to relearning step 0        hard  repeat the step (as in learning)
    good   next step; after the last one, back to review at the kept interval
    easy   back to review at once at the kept interval + 1 day

Ease deltas are Anki's (again -0.20, hard -0.15, good 0, easy +0.15), its four-button rendering of
SM-2's EF' = EF + (0.1 - (5 - q)(0.08 + (5 - q) 0.02)), which gives -0.14 for q = 3 and 0 for q = 4.
Ease changes only on answers to review cards. Intervals use the ease before the answer, as SM-2 does.

Days are study days (`StudyCalendar`): a day interval of N makes the card due on the study day N after
today's (stored as the instant that day begins), and days late are study days between the due day and
today, so the hour of the answer within its day never matters. A learning or relearning step of a day
or more (rounded to whole days, as Anki does) is interday: due on a study day too.

Day intervals are fuzzed (see `fuzz`) only when an `rng` is given: graduating, lapse and review intervals,
never the minute steps. The SM-2 rounding up becomes a pick inside the fuzz range. Reviews before the due
time are scheduled as if on time. Stability and difficulty (FSRS) are carried through unchanged.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta

from flashapp.core.scheduling.answering import Scheduler
from flashapp.core.scheduling.day import StudyCalendar
from flashapp.core.scheduling.fuzz import fuzzed_interval, round_half_up
from flashapp.core.scheduling.types import (
    MIN_EASE,
    CardState,
    Rating,
    SchedulerOptions,
    State,
)

__all__ = ["INITIAL_EASE", "MIN_EASE", "SM2_SECOND_INTERVAL_DAYS", "next_states", "review"]

INITIAL_EASE = 2.5  # SM-2's starting EF; `SchedulerOptions.starting_ease` defaults to it

EASE_DELTA_AGAIN = -0.20
EASE_DELTA_HARD = -0.15
EASE_DELTA_GOOD = 0.0
EASE_DELTA_EASY = 0.15
EASE_DELTAS = {
    Rating.AGAIN: EASE_DELTA_AGAIN,
    Rating.HARD: EASE_DELTA_HARD,
    Rating.GOOD: EASE_DELTA_GOOD,
    Rating.EASY: EASE_DELTA_EASY,
}
# SM-2's I(2): a good answer on a card's first review interval gives at least this many days.
SM2_SECOND_INTERVAL_DAYS = 6
# Anki caps the "hard" delay of a single learning step at the step plus one day.
MAX_HARD_EXTRA_MINUTES = 24 * 60.0
MINUTES_PER_DAY = 24 * 60.0
# Ease is kept to 4 decimals so repeated deltas do not drift (2.5 - 0.2 - 0.15 is 2.15, not 2.1499...).
EASE_DECIMALS = 4
# Products like 10 * 2.5 * 1.3 * 0.8 come out as 26.000000000000004; do not round those up to 27.
ROUNDING_SLACK = 1e-6


def _answer(
    card: CardState,
    rating: Rating,
    now: datetime,
    options: SchedulerOptions,
    fuzz: float | None,
    calendar: StudyCalendar,
) -> CardState:
    answered = replace(card, reps=card.reps + 1, last_review=now, ease=max(card.ease, MIN_EASE))
    match card.state:
        case State.NEW:
            fresh = replace(answered, ease=options.starting_ease, step=0, interval_days=0)
            return _answer_learning(fresh, rating, now, options, fuzz, calendar)
        case State.LEARNING:
            return _answer_learning(answered, rating, now, options, fuzz, calendar)
        case State.REVIEW:
            return _answer_review(answered, rating, now, options, fuzz, calendar)
        case State.RELEARNING:
            return _answer_relearning(answered, rating, now, options, calendar)
    raise ValueError(f"unknown card state {card.state!r}")


def _answer_learning(
    card: CardState,
    rating: Rating,
    now: datetime,
    options: SchedulerOptions,
    fuzz: float | None,
    calendar: StudyCalendar,
) -> CardState:
    in_steps = _next_step(options.learning_steps_minutes, card.step, rating)
    if in_steps is not None:
        step, minutes = in_steps
        due = step_due(now, minutes, calendar)
        return replace(card, state=State.LEARNING, step=step, interval_days=0, due=due)
    days = options.easy_interval_days if rating is Rating.EASY else options.graduating_interval_days
    interval = _constrain(days, 1, options, fuzz)
    return _in_review(card, interval, now, calendar)


def _answer_review(
    card: CardState,
    rating: Rating,
    now: datetime,
    options: SchedulerOptions,
    fuzz: float | None,
    calendar: StudyCalendar,
) -> CardState:
    ease = _new_ease(card.ease, rating)
    current = max(card.interval_days, 1)
    if rating is Rating.AGAIN:
        lapsed = replace(card, ease=ease, lapses=card.lapses + 1)
        interval = _constrain(
            current * options.lapse_interval_multiplier, options.minimum_lapse_interval_days, options, fuzz
        )
        if not options.relearning_steps_minutes:
            return _in_review(lapsed, interval, now, calendar)
        first_step = step_due(now, options.relearning_steps_minutes[0], calendar)
        return replace(lapsed, state=State.RELEARNING, step=0, interval_days=interval, due=first_step)

    assert card.due is not None  # CardState guarantees a due time outside NEW
    days_late = max(0, calendar.days_between(card.due, now))
    hard, good, easy = _passing_intervals(current, days_late, card.ease, options, fuzz)
    interval = {Rating.HARD: hard, Rating.GOOD: good, Rating.EASY: easy}[rating]
    return _in_review(replace(card, ease=ease), interval, now, calendar)


def _passing_intervals(
    current: int, days_late: int, ease: float, options: SchedulerOptions, fuzz: float | None
) -> tuple[int, int, int]:
    """Hard, good and easy intervals for a review card, in the order each one's floor depends on."""
    modifier = options.interval_modifier
    hard_multiplier = options.hard_multiplier
    hard_minimum = current + 1 if hard_multiplier > 1 else 1
    hard = _constrain(current * hard_multiplier * modifier, hard_minimum, options, fuzz)
    good_minimum = max(hard + 1, current + 1, SM2_SECOND_INTERVAL_DAYS)
    good = _constrain((current + days_late / 2) * ease * modifier, good_minimum, options, fuzz)
    easy_raw = (current + days_late) * ease * options.easy_bonus * modifier
    easy = _constrain(easy_raw, good + 1, options, fuzz)
    return hard, good, easy


def _answer_relearning(
    card: CardState, rating: Rating, now: datetime, options: SchedulerOptions, calendar: StudyCalendar
) -> CardState:
    in_steps = _next_step(options.relearning_steps_minutes, card.step, rating)
    if in_steps is not None:
        step, minutes = in_steps
        return replace(card, state=State.RELEARNING, step=step, due=step_due(now, minutes, calendar))
    kept = min(max(card.interval_days, 1), options.maximum_interval_days)
    interval = min(kept + 1, options.maximum_interval_days) if rating is Rating.EASY else kept
    return _in_review(card, interval, now, calendar)


def _next_step(steps: tuple[float, ...], step: int, rating: Rating) -> tuple[int, float] | None:
    """(step index, delay in minutes) while the card stays in `steps`; None when the answer graduates it."""
    if not steps or rating is Rating.EASY:
        return None
    step = min(step, len(steps) - 1)  # the deck's steps may have been shortened since
    if rating is Rating.AGAIN:
        return 0, steps[0]
    if rating is Rating.HARD:
        return step, _hard_delay_minutes(steps, step)
    if step + 1 < len(steps):
        return step + 1, steps[step + 1]
    return None


def _hard_delay_minutes(steps: tuple[float, ...], step: int) -> float:
    if step == 0 and len(steps) >= 2:
        return (steps[0] + steps[1]) / 2
    if step == 0:
        return min(steps[0] * 1.5, steps[0] + MAX_HARD_EXTRA_MINUTES)
    return steps[step]


def _constrain(days: float, minimum: int, options: SchedulerOptions, fuzz: float | None) -> int:
    """Whole days within [minimum, maximum]: SM-2 rounds up; with fuzz, a day in the fuzz range."""
    maximum = options.maximum_interval_days
    minimum = min(max(minimum, 1), maximum)
    if fuzz is not None:
        return fuzzed_interval(days, minimum, maximum, fuzz)
    return min(max(math.ceil(days - ROUNDING_SLACK), minimum), maximum)


def _new_ease(ease: float, rating: Rating) -> float:
    return round(max(ease + EASE_DELTAS[rating], MIN_EASE), EASE_DECIMALS)


def _in_review(card: CardState, interval: int, now: datetime, calendar: StudyCalendar) -> CardState:
    due = calendar.due_after(now, interval)
    return replace(card, state=State.REVIEW, step=0, interval_days=interval, due=due)


def step_due(now: datetime, minutes: float, calendar: StudyCalendar) -> datetime:
    """When a learning step of `minutes` brings the card back: at an instant within the day, on a
    study day (the whole days rounded, as Anki does) for a step of a day or more."""
    if minutes >= MINUTES_PER_DAY:
        return calendar.due_after(now, max(1, round_half_up(minutes / MINUTES_PER_DAY)))
    return now + timedelta(minutes=minutes)


SCHEDULER = Scheduler("sm2", _answer)
review = SCHEDULER.review
next_states = SCHEDULER.next_states
