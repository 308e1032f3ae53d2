"""Study days: a study day runs from `rollover_hour` (4 am by default, as in Anki) local time to the next.

Late-night reviews count towards the evening's day, so "due today" and the daily new/review limits
follow the user's sleep rather than midnight. Local time comes from an injected `tzinfo` (a
`zoneinfo.ZoneInfo` for real zones); results are tz-aware UTC. Across a DST change a study day is 23 or
25 hours long. When the rollover time does not exist that night (clocks jump over it), the day starts
at the jump; when it happens twice (clocks go back), it starts at the first one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flashapp.core.scheduling.types import ensure_utc

__all__ = ["day_start_utc", "next_day_start_utc", "study_day"]

DEFAULT_ROLLOVER_HOUR = 4


def study_day(now_utc: datetime, tz: tzinfo, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The study day `now_utc` falls in: the local date, or the day before when before `rollover_hour`."""
    _check_hour(rollover_hour)
    local = ensure_utc("now_utc", now_utc).astimezone(tz)
    if local.hour < rollover_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def day_start_utc(now_utc: datetime, tz: tzinfo, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> datetime:
    """When the study day containing `now_utc` began (<= now_utc), in UTC."""
    return _rollover_utc(study_day(now_utc, tz, rollover_hour), tz, rollover_hour)


def next_day_start_utc(now_utc: datetime, tz: tzinfo, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> datetime:
    """When the next study day begins (> now_utc), in UTC: cards due before it are due today."""
    return _rollover_utc(study_day(now_utc, tz, rollover_hour) + timedelta(days=1), tz, rollover_hour)


def _rollover_utc(day: date, tz: tzinfo, rollover_hour: int) -> datetime:
    # fold=0: for a wall time that happens twice take the first; for one skipped by a DST jump, the UTC
    # offset before the jump, which for a whole-hour gap is the instant of the jump itself.
    local = datetime.combine(day, time(rollover_hour), tzinfo=tz)
    return local.astimezone(UTC)


def _check_hour(rollover_hour: int) -> None:
    if isinstance(rollover_hour, bool) or not isinstance(rollover_hour, int) or not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover_hour must be a whole hour from 0 to 23, got {rollover_hour!r}")
