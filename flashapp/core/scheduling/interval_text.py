"""Short interval labels for the answer buttons, as Anki shows them: <1m, 10m, 1.5h, 1d, 6d, 1.2mo, 2.1y."""

from __future__ import annotations

import math
from datetime import datetime

from flashapp.core.scheduling.utc import ensure_utc

__all__ = ["format_interval"]

MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MONTH = 30 * DAY  # Anki's month and year for display
YEAR = 365 * DAY


def format_interval(now: datetime, due: datetime) -> str:
    """The time from `now` to `due`, in the largest unit that keeps it at least 1 (whole minutes and
    days; hours, months and years to one decimal). Anything under a minute, or past, is "<1m"."""
    seconds = (ensure_utc("due", due) - ensure_utc("now", now)).total_seconds()
    if seconds < MINUTE:
        return "<1m"
    if seconds < HOUR:
        return f"{_half_up(seconds / MINUTE)}m"
    if seconds < DAY:
        return f"{_one_decimal(seconds / HOUR)}h"
    if seconds < MONTH:
        return f"{_half_up(seconds / DAY)}d"
    if seconds < YEAR:
        return f"{_one_decimal(seconds / MONTH)}mo"
    return f"{_one_decimal(seconds / YEAR)}y"


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _one_decimal(value: float) -> str:
    text = f"{_half_up(value * 10) / 10:.1f}"
    return text.removesuffix(".0")
