"""Numbers and times as the screens write them: "4 min 12 s", "in 7m", "tomorrow 09:30", "17%"."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def duration_text(milliseconds: int) -> str:
    """A time spent: "45 s", "4 min 12 s", "1 h 5 min"."""
    seconds = max(0, round(milliseconds / 1000))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def wait_text(now: datetime, due: datetime) -> str:
    """How long until `due`, as the answer buttons write intervals: "7m", "1.5h"."""
    from flashapp.core.scheduling import format_interval  # here: the home screen's import stays light

    return format_interval(now, due)


def when_text(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """A due time in local time, relative to today: "today 14:05", "tomorrow 09:30", "in 3 days (Mar 5)"."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    if days == 0:
        return f"today {local:%H:%M}"
    if days == 1:
        return f"tomorrow {local:%H:%M}"
    if 1 < days < 14:
        return f"in {days} days ({local:%b} {local.day})"
    return f"{local:%Y-%m-%d}"


def due_text(moment: datetime | None, state: str, now: datetime, tz: tzinfo) -> str:
    """The browser's Due column: new cards have no due date yet."""
    if moment is None or state == "new":
        return "new"
    if moment <= now:
        return "due now" if now - moment < timedelta(days=1) else f"{moment.astimezone(tz):%Y-%m-%d}"
    return when_text(moment, now, tz)
