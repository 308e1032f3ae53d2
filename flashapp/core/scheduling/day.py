"""Study days: a study day runs from `rollover_hour` (4 am by default, as in Anki) local time to the next.

Late-night reviews count towards the evening's day, so "due today" and the daily new/review limits
follow the user's sleep rather than midnight. Local time comes from an injected `tzinfo` (a
`zoneinfo.ZoneInfo` for real zones); results are tz-aware UTC. Across a DST change a study day is 23 or
25 hours long. Each study day starts at the first instant the local clock reads the rollover hour on
that date: when the clocks jump over that time, at the jump; when they show it twice, at the first, and
clocks going back across the rollover hour do not return to the previous study day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from flashapp.core.scheduling.utc import ensure_utc

__all__ = ["StudyCalendar", "day_start_utc", "next_day_start_utc", "study_day"]

DEFAULT_ROLLOVER_HOUR = 4


def study_day(now_utc: datetime, tz: tzinfo, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The study day `now_utc` falls in: the local date, or the day before when before `rollover_hour`."""
    _check_hour(rollover_hour)
    now = ensure_utc("now_utc", now_utc)
    day = now.astimezone(tz).date()
    # Usually no loop turns; they settle the hours around a clock change that crosses the rollover hour.
    while now < _rollover_utc(day, tz, rollover_hour):
        day -= timedelta(days=1)
    while now >= _rollover_utc(day + timedelta(days=1), tz, rollover_hour):
        day += timedelta(days=1)
    return day


def day_start_utc(now_utc: datetime, tz: tzinfo, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> datetime:
    """When the study day containing `now_utc` began (<= now_utc), in UTC."""
    return _rollover_utc(study_day(now_utc, tz, rollover_hour), tz, rollover_hour)


def next_day_start_utc(now_utc: datetime, tz: tzinfo, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> datetime:
    """When the next study day begins (> now_utc), in UTC: cards due before it are due today."""
    return _rollover_utc(study_day(now_utc, tz, rollover_hour) + timedelta(days=1), tz, rollover_hour)


def _rollover_utc(day: date, tz: tzinfo, rollover_hour: int) -> datetime:
    """The first instant at which the local clock shows `rollover_hour`:00 on `day` or later."""
    # A function of its arguments alone, asked for the same few days again and again (every study-day
    # question asks for two): kept. A zone that cannot be a key (no hash) is worked out each time.
    try:
        return _kept_rollover_utc(day, tz, rollover_hour)
    except TypeError:
        return _find_rollover_utc(day, tz, rollover_hour)


def _find_rollover_utc(day: date, tz: tzinfo, rollover_hour: int) -> datetime:
    wall = datetime.combine(day, time(rollover_hour))
    # fold=0 is the first of two equal wall times; for a skipped one it lands after the jump.
    first = wall.replace(tzinfo=tz).astimezone(UTC)
    if _wall(first, tz) == wall:
        return first
    # The clocks jumped over `wall`: find the jump, between the two readings of the skipped time.
    other = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    low = math.floor(min(first, other).timestamp())
    high = math.ceil(max(first, other).timestamp())
    if not (_wall(_at(low), tz) < wall <= _wall(_at(high), tz)):
        return first
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(_at(middle), tz) >= wall:
            high = middle
        else:
            low = middle
    return _at(high)


_kept_rollover_utc = lru_cache(maxsize=4096)(_find_rollover_utc)


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def _at(posix_seconds: int) -> datetime:
    return datetime.fromtimestamp(posix_seconds, UTC)


def _check_hour(rollover_hour: int) -> None:
    if isinstance(rollover_hour, bool) or not isinstance(rollover_hour, int) or not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover_hour must be a whole hour from 0 to 23, got {rollover_hour!r}")


@dataclass(frozen=True)
class StudyCalendar:
    """The user's zone and the collection's rollover hour: what turns instants into study days.

    Review cards and interday learning cards fall due on a study day; they are stored as the instant
    that day begins (`due_after`), so "due today" is "due before the next study day begins", and a
    card is never due twice in one study day nor skipped across a DST change. Elapsed time (FSRS) and
    days late (SM-2) are differences of study-day numbers, as Anki counts them.
    """

    tz: tzinfo = UTC
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR

    def __post_init__(self) -> None:
        _check_hour(self.rollover_hour)

    def day(self, instant: datetime) -> date:
        """The study day `instant` falls in."""
        return study_day(instant, self.tz, self.rollover_hour)

    def start(self, day: date) -> datetime:
        """When study day `day` begins, in UTC."""
        return _rollover_utc(day, self.tz, self.rollover_hour)

    def day_start(self, now: datetime) -> datetime:
        return self.start(self.day(now))

    def day_end(self, now: datetime) -> datetime:
        """When the study day after `now`'s begins: what is due before it is due today."""
        return self.start(self.day(now) + timedelta(days=1))

    def due_after(self, now: datetime, days: int) -> datetime:
        """The start of the study day `days` after `now`'s (what a card due then stores)."""
        return self.start(self.day(now) + timedelta(days=days))

    def days_between(self, earlier: datetime, later: datetime) -> int:
        """Study days from `earlier`'s to `later`'s (negative when `later` is on an earlier day)."""
        return (self.day(later) - self.day(earlier)).days
