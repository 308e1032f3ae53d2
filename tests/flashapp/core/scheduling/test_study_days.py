"""Study days in real zones: due dates fall on study days, DST changes neither double nor skip a day,
and FSRS counts elapsed time in study days whatever the hour of the answer (issue #12, points 2-4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flashapp.core.scheduling import CardState, Rating, SchedulerOptions, State, StudyCalendar, scheduler_for

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
# (zone, the day the clocks go forward, the day they go back), 2026.
TRANSITIONS = [
    (BERLIN, date(2026, 3, 29), date(2026, 10, 25)),
    (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1)),
]
CASES = [
    pytest.param(zone, day, hour, id=f"{zone.key}-{day}-{hour}h")
    for zone, spring, autumn in TRANSITIONS
    for day in (spring, autumn)
    for hour in (0, 1, 2, 3, 4)
]


def local(zone: ZoneInfo, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(("zone", "day", "rollover"), CASES)
def test_study_days_around_a_clock_change_start_once_each_in_order(zone, day, rollover):
    calendar = StudyCalendar(zone, rollover)
    days = [day + timedelta(days=n) for n in range(-2, 3)]
    starts = [calendar.start(d) for d in days]
    assert starts == sorted(set(starts))  # no day starts twice or out of order
    for d, start in zip(days, starts, strict=True):
        assert calendar.day(start) == d
        assert calendar.day(start - timedelta(seconds=1)) == d - timedelta(days=1)
    lengths = {(b - a).total_seconds() / 3600 for a, b in zip(starts, starts[1:], strict=False)}
    assert lengths <= {23.0, 24.0, 25.0}


@pytest.mark.parametrize(("zone", "day", "rollover"), CASES)
@pytest.mark.parametrize("algorithm", ["sm2", "fsrs"])
def test_a_one_day_interval_answered_at_any_minute_is_due_the_next_study_day(zone, day, rollover, algorithm):
    calendar = StudyCalendar(zone, rollover)
    options = SchedulerOptions(algorithm=algorithm)
    scheduler = scheduler_for(options)
    start = calendar.start(day)
    for minutes in range(0, 25 * 60, 10):  # every ten minutes of the study day, 23 to 25 hours long
        now = start + timedelta(minutes=minutes)
        if calendar.day(now) != day:
            break
        graduated, _ = scheduler.review(CardState(), Rating.EASY, now, options, calendar=calendar)
        interval = graduated.interval_days
        assert calendar.days_between(now, graduated.due) == interval  # never the same day, never skipped
        assert graduated.due == calendar.start(day + timedelta(days=interval))
        assert graduated.due > now


def test_answered_at_4_30_on_the_day_the_clocks_go_back_falls_due_the_next_study_day():
    calendar = StudyCalendar(BERLIN, 4)
    now = local(BERLIN, date(2026, 10, 25), 4, 30)
    card = CardState(state=State.REVIEW, due=calendar.start(date(2026, 10, 24)), interval_days=1,
                     last_review=now - timedelta(days=1))  # fmt: skip
    after, _ = scheduler_for(SchedulerOptions()).review(
        card, Rating.HARD, now, SchedulerOptions(), calendar=calendar
    )
    assert after.interval_days == 2
    assert after.due == local(BERLIN, date(2026, 10, 27), 4)


def fsrs_goods(offset_minutes: int) -> list[int]:
    """Six Goods, each on the due study day, `offset_minutes` after 09:00 local (the first answer's
    time of day): the intervals they give."""
    calendar = StudyCalendar(BERLIN, 4)
    options = SchedulerOptions(algorithm="fsrs", learning_steps_minutes=())
    scheduler = scheduler_for(options)
    now = local(BERLIN, date(2026, 1, 5), 9)
    card, _ = scheduler.review(CardState(), Rating.GOOD, now, options, calendar=calendar)
    intervals = []
    for _ in range(6):
        due_day = calendar.day(card.due)
        now = local(BERLIN, due_day, 9) + timedelta(minutes=offset_minutes)
        assert calendar.day(now) == due_day
        card, _ = scheduler.review(card, Rating.GOOD, now, options, calendar=calendar)
        intervals.append(card.interval_days)
    return intervals


def test_fsrs_intervals_grow_the_same_whatever_the_hour_of_the_answer_on_the_due_day():
    # Issue #12 point 2: counted in 24-hour periods, a 1-day card answered a minute earlier each morning
    # stalled at 1 day. Counted in study days, the hour of the answer on its due day does not matter.
    runs = {offset: fsrs_goods(offset) for offset in (-1, 1, 600)}
    assert len({tuple(intervals) for intervals in runs.values()}) == 1
    intervals = runs[-1]
    assert intervals == sorted(intervals) and intervals[0] >= 2 and intervals[-1] > 60
