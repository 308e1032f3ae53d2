"""FSRS against the official `anki` library's own FSRS (issue #12, point 4): hundreds of random answer
sequences with same-day, early, on-time and late answers and lapses; at every answer the four outcomes
must agree with Anki's: the state, a step's delay to the second, stability and difficulty (to Anki's f32
precision), and the interval (exactly below 2.5 days, where Anki does not fuzz; above it inside Anki's
fuzz range of our unfuzzed interval, since Anki fuzzes with a seed of its own and cannot be told not to).

Run alone: `python -m pytest tests/flashapp/core/scheduling/test_anki_oracle.py -q`.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("anki")

from fsrs.scheduler import DEFAULT_PARAMETERS  # noqa: E402

from flashapp.core.scheduling import (  # noqa: E402
    CardState,
    Rating,
    SchedulerOptions,
    State,
    StudyCalendar,
    scheduler_for,
)
from flashapp.core.scheduling.fuzz import MIN_FUZZED_INTERVAL, fuzz_range  # noqa: E402
from tests.flashapp.core.scheduling.anki_oracle import AnkiOracle  # noqa: E402

SEQUENCES = 300
ANSWERS_PER_SEQUENCE = 8
OPTION_SETS = [
    SchedulerOptions(algorithm="fsrs"),
    SchedulerOptions(
        algorithm="fsrs",
        desired_retention=0.85,
        learning_steps_minutes=(5.0,),
        relearning_steps_minutes=(5.0, 30.0),
    ),
]
# Anki keeps memory states as f32 and rounds what it stores; a relative 1e-3 is well below what a
# learner could see (an interval of 1000 days moves by one).
TOLERANCE = 1e-3
# A real zone with a DST change inside the simulated months.
CALENDAR = StudyCalendar(ZoneInfo("Europe/Berlin"), 4)


def next_time(
    card: CardState, now: datetime, rng: random.Random, calendar: StudyCalendar | None = None
) -> datetime:
    """When the learner answers next: the same day, early, on the due day, or late."""
    CALENDAR = calendar or globals()["CALENDAR"]  # noqa: N806 - the module's calendar unless given
    assert card.due is not None
    kind = rng.choice(["same-day", "early", "on-time", "on-time", "late"])
    if kind == "same-day" or card.state is not State.REVIEW:
        return max(now, card.due) + timedelta(minutes=rng.randint(0, 300))
    due_day = CALENDAR.day(card.due)
    hour = timedelta(hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
    if kind == "early":
        day = CALENDAR.day(now) + timedelta(days=rng.randint(0, max(0, (due_day - CALENDAR.day(now)).days)))
        return max(now + timedelta(minutes=1), CALENDAR.start(day) + hour)
    if kind == "late":
        return CALENDAR.start(due_day + timedelta(days=rng.randint(1, 30))) + hour
    return CALENDAR.start(due_day) + hour


def compare(
    ours: CardState, theirs, floor: int, now: datetime, options: SchedulerOptions, easy_out_of_learning: bool
) -> list[str]:
    """`floor`: one more than Anki's interval for the button below, where that one is a review too
    (Anki fuzzes each button above the one below it)."""
    problems = []
    if ours.state is not theirs.state:
        return [f"state {ours.state.value} != {theirs.state.value}"]
    for name in ("stability", "difficulty"):
        mine, anki = getattr(ours, name), getattr(theirs, name)
        if not math.isclose(mine, anki, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
            problems.append(f"{name} {mine} != {anki}")
    if ours.state is State.REVIEW:
        interval, anki = ours.interval_days, theirs.days
        if interval < MIN_FUZZED_INTERVAL:
            if interval != anki:
                problems.append(f"interval {interval} != {anki}")
        else:
            # Anki fuzzes the unrounded interval, which lies within half a day of our rounded one.
            lower = fuzz_range(interval - 0.5, floor, options.maximum_interval_days)[0]
            upper = fuzz_range(interval + 0.49, floor, options.maximum_interval_days)[1]
            if easy_out_of_learning and anki > upper:
                # Out of learning Anki keeps easy above the interval good's stability would give, fuzzed
                # with its own seed; only a lower bound can be checked.
                upper = anki
            if interval == options.maximum_interval_days and anki == interval + 1:
                # At the 100-year cap Anki lets "one more than the button below" pass the maximum by
                # a day; flashapp keeps to the maximum.
                upper = anki
            if not lower <= anki <= upper:
                problems.append(f"interval {anki} outside fuzz range {lower}-{upper} of {interval}")
    else:
        seconds = round((ours.due - now).total_seconds())
        if seconds != theirs.seconds:
            problems.append(f"step {seconds}s != {theirs.seconds}s")
    return problems


@pytest.mark.parametrize("options", OPTION_SETS, ids=["defaults", "custom"])
def test_fsrs_agrees_with_anki_on_random_answer_sequences(options, tmp_path):
    oracle = AnkiOracle(tmp_path, options, tuple(DEFAULT_PARAMETERS))
    scheduler = scheduler_for(options)
    rng = random.Random(12)
    compared, mismatches = 0, []
    try:
        for sequence in range(SEQUENCES // len(OPTION_SETS)):
            card = CardState()
            now = datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            for answer in range(ANSWERS_PER_SEQUENCE):
                ours = scheduler.next_states(card, now, options, None, CALENDAR)
                theirs = oracle.next_states(card, now, CALENDAR)
                floor = 1
                for rating in Rating:
                    compared += 1
                    easy_out_of_learning = rating is Rating.EASY and card.state is not State.REVIEW
                    problems = compare(
                        ours[rating], theirs[rating], floor, now, options, easy_out_of_learning
                    )
                    for problem in problems:
                        mismatches.append(f"sequence {sequence} answer {answer} {rating.name}: {problem}")
                    if theirs[rating].days is not None and rating is not Rating.AGAIN:
                        floor = theirs[rating].days + 1
                weights = [3, 1, 5, 1] if card.state is State.REVIEW else [2, 1, 5, 1]
                card = ours[rng.choices(list(Rating), weights)[0]]
                now = next_time(card, now, rng)
    finally:
        oracle.close()
    print(
        f"FSRS oracle ({'defaults' if options == OPTION_SETS[0] else 'custom'}): {compared} outcomes compared"
    )
    assert compared == SEQUENCES // len(OPTION_SETS) * ANSWERS_PER_SEQUENCE * 4
    assert mismatches == [], f"{len(mismatches)} of {compared}:\n" + "\n".join(mismatches[:20])
