"""The FSRS scheduler gives exactly what `fsrs.Scheduler` itself gives for the same reviews, when the
reviews fall at times where study days and 24-hour periods agree (our due dates are study days: the
start of the day py-fsrs's due instant falls in). `test_fsrs_study_days` covers the times they differ."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from flashapp.core.scheduling import (
    CardState,
    Rating,
    SchedulerOptions,
    State,
    StudyCalendar,
    fsrs_scheduler,
    scheduler_for,
)
from flashapp.core.scheduling.fuzz import fuzz_range

AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
FSRS = SchedulerOptions(algorithm="fsrs")
STATE_NAMES = {fsrs.State.Learning: State.LEARNING, fsrs.State.Review: State.REVIEW}
STATE_NAMES[fsrs.State.Relearning] = State.RELEARNING


def reference_scheduler(options: SchedulerOptions) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=options.desired_retention,
        learning_steps=[timedelta(minutes=m) for m in options.learning_steps_minutes],
        relearning_steps=[timedelta(minutes=m) for m in options.relearning_steps_minutes],
        maximum_interval=options.maximum_interval_days,
        enable_fuzzing=False,
    )


def replay(ratings: list[Rating], options: SchedulerOptions, delay) -> list[tuple[CardState, fsrs.Card]]:
    """Review a new card with `ratings`, each at `delay(card)` after the previous review (fixed times,
    from py-fsrs's due), both through our scheduler and through py-fsrs directly."""
    ours, theirs = CardState(), fsrs.Card(card_id=1, due=T0)
    reference = reference_scheduler(options)
    now = T0
    out = []
    for rating in ratings:
        ours, _ = fsrs_scheduler.review(ours, rating, now, options)
        theirs, _ = reference.review_card(theirs, fsrs.Rating(int(rating)), review_datetime=now)
        out.append((ours, theirs))
        now = now + delay(theirs, now)
    return out


def on_time(card: fsrs.Card, now: datetime) -> timedelta:
    return card.due - now


def three_days_late(card: fsrs.Card, now: datetime) -> timedelta:
    return card.due - now + timedelta(days=3)


def halfway(card: fsrs.Card, now: datetime) -> timedelta:
    return (card.due - now) / 2


SEQUENCES = [
    pytest.param([GOOD] * 8, FSRS, on_time, id="all-good"),
    pytest.param([AGAIN, GOOD, GOOD, HARD, GOOD, EASY, AGAIN, GOOD, GOOD, GOOD], FSRS, on_time, id="mixed"),
    pytest.param([EASY, HARD, HARD, AGAIN, AGAIN, HARD, GOOD, GOOD, EASY], FSRS, on_time, id="easy-first"),
    pytest.param([GOOD, GOOD, GOOD, AGAIN, GOOD, GOOD, GOOD], FSRS, three_days_late, id="late"),
    pytest.param([GOOD, GOOD, GOOD, GOOD, HARD, GOOD], FSRS, halfway, id="early"),
    pytest.param(
        [HARD, GOOD, GOOD, GOOD, AGAIN, AGAIN, GOOD, GOOD, GOOD, GOOD],
        SchedulerOptions(
            algorithm="fsrs",
            desired_retention=0.8,
            learning_steps_minutes=(5.0,),
            relearning_steps_minutes=(),
            maximum_interval_days=20,
        ),
        on_time,
        id="custom-options",
    ),
    pytest.param(
        [AGAIN, HARD, GOOD, GOOD, GOOD, AGAIN, HARD, GOOD, GOOD],
        SchedulerOptions(
            algorithm="fsrs", learning_steps_minutes=(), relearning_steps_minutes=(5.0, 30.0, 120.0)
        ),
        on_time,
        id="three-relearning-steps",
    ),
]


@pytest.mark.parametrize(("ratings", "options", "delay"), SEQUENCES)
def test_matches_py_fsrs_review_for_review(ratings, options, delay):
    for number, (ours, theirs) in enumerate(replay(ratings, options, delay), start=1):
        where = f"review {number}"
        assert ours.state is STATE_NAMES[theirs.state], where
        assert ours.step == (theirs.step or 0), where
        assert ours.stability == theirs.stability, where
        assert ours.difficulty == theirs.difficulty, where
        assert ours.last_review == theirs.last_review, where
        if ours.state is not State.REVIEW:
            assert (ours.due, ours.interval_days) == (theirs.due, 0), where
            continue
        # py-fsrs gives each button its interval alone; Anki keeps hard < good < easy on review cards and
        # easy > good out of learning (see `test_anki_oracle`), which can only lengthen an interval.
        theirs_interval = (theirs.due - theirs.last_review).days
        assert ours.interval_days >= theirs_interval, where
        assert ours.interval_days == theirs_interval or ratings[number - 1] in (GOOD, EASY), where
        assert ours.due == StudyCalendar().due_after(ours.last_review, ours.interval_days), where


def test_all_good_sequence_by_the_numbers():
    # Pinned from py-fsrs 6.3 with its default parameters, so a change of fsrs version shows up here.
    cards = [ours for ours, _ in replay([GOOD] * 5, FSRS, on_time)]
    assert [(c.state, c.interval_days) for c in cards] == [
        (State.LEARNING, 0),
        (State.REVIEW, 2),
        (State.REVIEW, 11),
        (State.REVIEW, 46),
        (State.REVIEW, 163),
    ]
    assert cards[0].due == T0 + timedelta(minutes=10)
    assert cards[0].stability == pytest.approx(2.3065)  # the GOOD initial stability, w[2]


def test_counts_reps_and_lapses():
    cards = [ours for ours, _ in replay([GOOD, GOOD, AGAIN, AGAIN, GOOD, AGAIN], FSRS, on_time)]
    assert [c.reps for c in cards] == [1, 2, 3, 4, 5, 6]
    # Only an AGAIN to a card in review is a lapse; AGAIN in relearning is not another one.
    assert [c.lapses for c in cards] == [0, 0, 1, 1, 1, 2]
    assert [c.state for c in cards] == [
        State.LEARNING,
        State.REVIEW,
        State.RELEARNING,
        State.RELEARNING,
        State.REVIEW,
        State.RELEARNING,
    ]


def test_higher_desired_retention_means_shorter_intervals():
    def intervals(retention: float) -> list[int]:
        options = SchedulerOptions(algorithm="fsrs", desired_retention=retention)
        return [ours.interval_days for ours, _ in replay([GOOD] * 6, options, on_time)]

    low, default, high = intervals(0.8), intervals(0.9), intervals(0.95)
    assert low[-1] > default[-1] > high[-1]
    assert all(a >= b >= c for a, b, c in zip(low, default, high, strict=True))


def test_ease_is_carried_and_a_new_card_gets_the_starting_ease():
    options = SchedulerOptions(algorithm="fsrs", starting_ease=2.1)
    first, _ = fsrs_scheduler.review(CardState(), GOOD, T0, options)
    assert first.ease == 2.1
    card = CardState(state=State.REVIEW, due=T0, interval_days=5, ease=1.9, stability=5.0, difficulty=5.0)
    assert fsrs_scheduler.review(card, AGAIN, T0, options)[0].ease == 1.9


def test_an_sm2_card_without_memory_state_is_converted_as_anki_does():
    card = CardState(
        state=State.REVIEW,
        due=T0,
        interval_days=20,
        ease=2.5,
        last_review=T0 - timedelta(days=20),
    )
    stability, difficulty = fsrs_scheduler.memory_state_from_sm2(2.5, 20)
    assert stability == pytest.approx(20.0)
    assert 1.0 <= difficulty <= 10.0
    # The estimate makes FSRS grow this card by its SM-2 ease at 90% recall.
    reference = fsrs.Scheduler()
    grown = reference._next_recall_stability(
        difficulty=difficulty, stability=stability, retrievability=0.9, rating=fsrs.Rating.Good
    )
    assert grown == pytest.approx(2.5 * stability)
    after, _ = fsrs_scheduler.review(card, GOOD, T0, FSRS)
    expected, _ = reference_scheduler(FSRS).review_card(
        fsrs.Card(
            card_id=1,
            state=fsrs.State.Review,
            stability=stability,
            difficulty=difficulty,
            due=T0,
            last_review=T0 - timedelta(days=20),
        ),
        fsrs.Rating.Good,
        review_datetime=T0,
    )
    assert (after.stability, after.difficulty, after.due) == (
        expected.stability,
        expected.difficulty,
        StudyCalendar().day_start(expected.due),
    )


def test_next_states_gives_all_four_and_matches_review():
    card = [ours for ours, _ in replay([GOOD, GOOD, GOOD], FSRS, on_time)][-1]
    now = card.due
    states = fsrs_scheduler.next_states(card, now, FSRS)
    assert list(states) == [AGAIN, HARD, GOOD, EASY]
    for rating, state in states.items():
        assert state == fsrs_scheduler.review(card, rating, now, FSRS)[0]
    assert states[HARD].interval_days < states[GOOD].interval_days < states[EASY].interval_days
    assert states[AGAIN].state is State.RELEARNING


def test_fuzz_is_seeded_and_stays_in_range():
    card = [ours for ours, _ in replay([GOOD] * 4, FSRS, on_time)][-1]  # a 46-day card
    now = card.due
    plain = fsrs_scheduler.review(card, GOOD, now, FSRS)[0].interval_days
    lower, upper = fuzz_range(plain, 1, FSRS.maximum_interval_days)
    seen = set()
    for seed in range(200):
        first = fsrs_scheduler.review(card, GOOD, now, FSRS, random.Random(seed))
        assert first == fsrs_scheduler.review(card, GOOD, now, FSRS, random.Random(seed))
        interval = first[0].interval_days
        assert lower <= interval <= upper
        assert first[0].due == now + timedelta(days=interval)
        seen.add(interval)
    assert min(seen) == lower and max(seen) == upper
    assert abs(upper - plain) <= math.ceil(1 + 0.15 * 4.5 + 0.1 * 13 + 0.05 * (plain - 20))


def test_scheduler_for_picks_by_algorithm():
    from flashapp.core.scheduling import sm2

    assert scheduler_for(FSRS) is fsrs_scheduler.SCHEDULER
    assert scheduler_for(SchedulerOptions()) is sm2.SCHEDULER
