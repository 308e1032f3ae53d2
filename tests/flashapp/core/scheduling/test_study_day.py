"""Study days roll over at 4 am local time, including across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashapp.core.scheduling import day_start_utc, next_day_start_utc, study_day

BERLIN = ZoneInfo("Europe/Berlin")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "day"),
    [
        ("2024-03-10 02:59", date(2024, 3, 9)),  # 03:59 CET: still Saturday's study day
        ("2024-03-10 03:00", date(2024, 3, 10)),  # 04:00 CET
        ("2024-03-10 22:30", date(2024, 3, 10)),  # 23:30 CET
        ("2024-03-10 23:30", date(2024, 3, 10)),  # 00:30 CET on the 11th
    ],
)
def test_study_day_rolls_over_at_four_local(now, day):
    assert study_day(utc(now), BERLIN) == day


def test_day_bounds_on_an_ordinary_day():
    now = utc("2024-03-10 12:00")
    assert day_start_utc(now, BERLIN) == utc("2024-03-10 03:00")
    assert next_day_start_utc(now, BERLIN) == utc("2024-03-11 03:00")
    assert next_day_start_utc(now, BERLIN).tzinfo is UTC


def test_spring_forward_makes_a_23_hour_study_day():
    # Berlin, 2024-03-31: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    now = utc("2024-03-30 12:00")
    assert day_start_utc(now, BERLIN) == utc("2024-03-30 03:00")  # 04:00 CET
    assert next_day_start_utc(now, BERLIN) == utc("2024-03-31 02:00")  # 04:00 CEST
    assert next_day_start_utc(now, BERLIN) - day_start_utc(now, BERLIN) == timedelta(hours=23)
    assert study_day(utc("2024-03-31 01:59"), BERLIN) == date(2024, 3, 30)  # 03:59 CEST
    assert study_day(utc("2024-03-31 02:00"), BERLIN) == date(2024, 3, 31)


def test_fall_back_makes_a_25_hour_study_day():
    # Berlin, 2024-10-27: 03:00 CEST goes back to 02:00 CET (01:00 UTC).
    now = utc("2024-10-26 12:00")
    assert day_start_utc(now, BERLIN) == utc("2024-10-26 02:00")  # 04:00 CEST
    assert next_day_start_utc(now, BERLIN) == utc("2024-10-27 03:00")  # 04:00 CET
    assert next_day_start_utc(now, BERLIN) - day_start_utc(now, BERLIN) == timedelta(hours=25)


def test_rollover_hour_skipped_by_the_clocks_starts_the_day_at_the_jump():
    # With a 2 am rollover, 2024-03-31 has no 02:00 in Berlin: the day starts at 03:00 CEST.
    assert study_day(utc("2024-03-31 00:59"), BERLIN, rollover_hour=2) == date(2024, 3, 30)  # 01:59 CET
    assert study_day(utc("2024-03-31 01:00"), BERLIN, rollover_hour=2) == date(2024, 3, 31)  # 03:00 CEST
    assert day_start_utc(utc("2024-03-31 01:00"), BERLIN, rollover_hour=2) == utc("2024-03-31 01:00")
    assert next_day_start_utc(utc("2024-03-31 00:59"), BERLIN, rollover_hour=2) == utc("2024-03-31 01:00")


def test_rollover_hour_that_happens_twice_starts_the_day_at_the_first():
    # With a 2 am rollover, 2024-10-27 has 02:00 CEST (00:00 UTC) and 02:00 CET (01:00 UTC).
    assert day_start_utc(utc("2024-10-27 00:30"), BERLIN, rollover_hour=2) == utc("2024-10-27 00:00")
    assert day_start_utc(utc("2024-10-27 01:30"), BERLIN, rollover_hour=2) == utc("2024-10-27 00:00")
    assert study_day(utc("2024-10-26 23:59"), BERLIN, rollover_hour=2) == date(2024, 10, 26)


def test_clocks_going_back_across_the_rollover_hour_keep_the_new_day():
    # Chatham Islands, 2022-04-03: 03:45 +13:45 goes back to 02:45 +12:45 (14:00 UTC). With a 3 am
    # rollover the day began at the first 03:00 (13:15 UTC) and the repeated 02:45-03:00 stays in it.
    chatham = ZoneInfo("Pacific/Chatham")
    assert study_day(utc("2022-04-02 13:14"), chatham, rollover_hour=3) == date(2022, 4, 2)
    assert study_day(utc("2022-04-02 13:15"), chatham, rollover_hour=3) == date(2022, 4, 3)
    assert study_day(utc("2022-04-02 14:00"), chatham, rollover_hour=3) == date(2022, 4, 3)  # 02:45 again
    assert day_start_utc(utc("2022-04-02 14:00"), chatham, rollover_hour=3) == utc("2022-04-02 13:15")


def test_rollover_hour_inside_a_45_minute_offset_jump():
    # Chatham Islands, 2022-09-25: 02:45 +12:45 jumps to 03:45 +13:45 at 14:00 UTC; 03:00 never shows.
    chatham = ZoneInfo("Pacific/Chatham")
    assert study_day(utc("2022-09-24 13:59"), chatham, rollover_hour=3) == date(2022, 9, 24)
    assert day_start_utc(utc("2022-09-24 14:00"), chatham, rollover_hour=3) == utc("2022-09-24 14:00")
    assert next_day_start_utc(utc("2022-09-24 13:59"), chatham, rollover_hour=3) == utc("2022-09-24 14:00")


def test_midnight_rollover_in_utc_is_the_calendar_day():
    now = utc("2024-03-10 00:00")
    assert study_day(now, UTC, rollover_hour=0) == date(2024, 3, 10)
    assert day_start_utc(now, UTC, rollover_hour=0) == now


@pytest.mark.parametrize("hour", [-1, 24, 4.5, True])
def test_bad_rollover_hour(hour):
    with pytest.raises(ValueError, match="rollover_hour must be a whole hour from 0 to 23"):
        study_day(utc("2024-03-10 12:00"), BERLIN, rollover_hour=hour)


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # clock changes at midnight
    "Pacific/Chatham",  # +12:45 / +13:45, changes at 02:45
    "UTC",
]


@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(ZONES),
    rollover_hour=st.integers(0, 23),
)
def test_every_instant_lies_in_exactly_one_study_day(now, zone, rollover_hour):
    tz = ZoneInfo(zone)
    day = study_day(now, tz, rollover_hour)
    start = day_start_utc(now, tz, rollover_hour)
    end = next_day_start_utc(now, tz, rollover_hour)
    assert start <= now < end
    assert study_day(start, tz, rollover_hour) == day
    assert study_day(end, tz, rollover_hour) == day + timedelta(days=1)
    assert study_day(end - timedelta(microseconds=1), tz, rollover_hour) == day
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
