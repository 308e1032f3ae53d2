"""How the screens write durations, percentages and due times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flashapp.tui.formatting import due_text, duration_text, percent, wait_text, when_text

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_durations():
    assert [duration_text(ms) for ms in (0, 400, 45_000, 60_000, 252_000, 3_900_000, 7_200_000)] == [
        "0 s", "0 s", "45 s", "1 min", "4 min 12 s", "1 h 5 min", "2 h",
    ]  # fmt: skip


def test_percent_of_nothing_is_a_dash():
    assert (percent(1, 6), percent(0, 0)) == ("17%", "–")


def test_due_times_read_relative_to_the_local_day():
    berlin = ZoneInfo("Europe/Berlin")
    assert when_text(NOW + timedelta(hours=2), NOW, berlin) == "today 15:00"
    assert when_text(NOW + timedelta(days=1), NOW, berlin) == "tomorrow 13:00"
    assert when_text(NOW + timedelta(days=4), NOW, UTC) == "in 4 days (Mar 6)"
    assert when_text(NOW + timedelta(days=40), NOW, UTC) == "2026-04-11"
    assert wait_text(NOW, NOW + timedelta(minutes=7)) == "7m"


def test_the_browser_due_column():
    assert due_text(NOW, "new", NOW, UTC) == "new"
    assert due_text(NOW - timedelta(hours=1), "review", NOW, UTC) == "due now"
    assert due_text(NOW - timedelta(days=3), "review", NOW, UTC) == "2026-02-27"
    assert due_text(NOW + timedelta(days=2), "review", NOW, UTC) == "in 2 days (Mar 4)"
