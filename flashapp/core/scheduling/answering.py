"""The interface both schedulers share, built around each one's answer function.

A scheduler only defines `answer(card, rating, now, options, fuzz, calendar)`; `review` and
`next_states` are the same for both: `now` checked, one fuzz draw per call shared by the four buttons, so
`next_states(...)[r]` equals `review(card, r, ...)[0]` for an rng in the same state. `calendar` (the
user's zone and the rollover hour; UTC and 4 am when not given) turns day intervals into study days.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flashapp.core.scheduling.day import StudyCalendar
from flashapp.core.scheduling.types import CardState, Rating, ReviewLog, SchedulerOptions, ensure_utc

AnswerFunction = Callable[
    [CardState, Rating, datetime, SchedulerOptions, float | None, StudyCalendar], CardState
]
DEFAULT_CALENDAR = StudyCalendar()


@dataclass(frozen=True)
class Scheduler:
    name: str
    answer: AnswerFunction

    def review(
        self,
        card: CardState,
        rating: Rating,
        now: datetime,
        options: SchedulerOptions,
        rng: random.Random | None = None,
        calendar: StudyCalendar | None = None,
    ) -> tuple[CardState, ReviewLog]:
        """Answer `card` with `rating` at `now` (tz-aware); returns the new state and its log row.

        `rng` turns fuzz on; exactly one number is drawn from it per call.
        """
        now = ensure_utc("now", now)
        rating = Rating(rating)
        fuzz_factor = rng.random() if rng is not None else None
        after = self.answer(card, rating, now, options, fuzz_factor, calendar or DEFAULT_CALENDAR)
        return after, ReviewLog.between(card, after, rating, now)

    def next_states(
        self,
        card: CardState,
        now: datetime,
        options: SchedulerOptions,
        rng: random.Random | None = None,
        calendar: StudyCalendar | None = None,
    ) -> dict[Rating, CardState]:
        """The state each of the four buttons would give (one fuzz draw, shared by the four)."""
        now = ensure_utc("now", now)
        fuzz_factor = rng.random() if rng is not None else None
        calendar = calendar or DEFAULT_CALENDAR
        return {rating: self.answer(card, rating, now, options, fuzz_factor, calendar) for rating in Rating}
