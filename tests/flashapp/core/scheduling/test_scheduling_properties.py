"""Properties both schedulers keep for any card state, any clock and any valid deck options."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.scheduling import (
    MIN_EASE,
    CardState,
    Rating,
    SchedulerOptions,
    State,
    StudyCalendar,
    fsrs_scheduler,
    scheduler_for,
    sm2,
)
from flashapp.core.scheduling.fuzz import fuzz_delta, fuzz_range, fuzzed_interval

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
steps = st.lists(st.floats(0.5, 3000.0, allow_nan=False), max_size=4).map(tuple)


ANY_ALGORITHM = st.sampled_from(["sm2", "fsrs"])

# The strategies the composites below draw from, built once: one built inside a composite is built
# (and some validated) again at every draw, and draws the same values.
graduating_days = st.integers(1, 10)
starting_eases = st.floats(1.3, 5.0)
easy_bonuses = st.floats(1.0, 5.0)
hard_multipliers = st.floats(0.5, 5.0)
interval_modifiers = st.floats(0.1, 10.0)
lapse_multipliers = st.floats(0.0, 1.0)
minimum_lapse_days = st.integers(1, 30)
maximum_interval_days = st.integers(1, 36500)
desired_retentions = st.floats(0.5, 0.99)
daily_limits = st.integers(0, 9999)
rollover_hours = st.integers(0, 23)


@st.composite
def options(draw, algorithm=ANY_ALGORITHM) -> SchedulerOptions:
    graduating = draw(graduating_days)
    return SchedulerOptions(
        algorithm=draw(algorithm),
        learning_steps_minutes=draw(steps),
        relearning_steps_minutes=draw(steps),
        graduating_interval_days=graduating,
        easy_interval_days=draw(st.integers(graduating, 20)),
        starting_ease=draw(starting_eases),
        easy_bonus=draw(easy_bonuses),
        hard_multiplier=draw(hard_multipliers),
        interval_modifier=draw(interval_modifiers),
        lapse_interval_multiplier=draw(lapse_multipliers),
        minimum_lapse_interval_days=draw(minimum_lapse_days),
        maximum_interval_days=draw(maximum_interval_days),
        desired_retention=draw(desired_retentions),
        new_per_day=draw(daily_limits),
        reviews_per_day=draw(daily_limits),
        day_rollover_hour=draw(rollover_hours),
    )


card_states = st.sampled_from(State)
card_intervals = st.integers(0, 36500)
card_eases = st.floats(MIN_EASE, 5.0)
card_reps = st.integers(0, 1000)
card_lapses = st.integers(0, 100)
card_steps = st.integers(0, 6)
stabilities = st.floats(0.01, 36500.0)
difficulties = st.floats(1.0, 10.0)
maybe_instants = st.none() | instants


@st.composite
def cards(draw) -> CardState:
    """Any state a stored card could hold, including ones the current options would not produce
    (steps since shortened, memory state missing after a switch from SM-2, reviews in the future)."""
    state = draw(card_states)
    has_memory = draw(st.booleans())
    return CardState(
        state=state,
        due=None if state is State.NEW else draw(instants),
        interval_days=draw(card_intervals),
        ease=draw(card_eases),
        reps=draw(card_reps),
        lapses=draw(card_lapses),
        step=draw(card_steps),
        stability=draw(stabilities) if has_memory else None,
        difficulty=draw(difficulties) if has_memory else None,
        last_review=draw(maybe_instants) if state is not State.NEW else None,
    )


ratings = st.sampled_from(Rating)
seeds = st.none() | st.integers(0, 2**32 - 1)


def rng_for(seed: int | None) -> random.Random | None:
    return None if seed is None else random.Random(seed)


@given(card=cards(), rating=ratings, now=instants, opts=options(), seed=seeds)
def test_every_answer_is_due_strictly_later_with_a_positive_interval(card, rating, now, opts, seed):
    # `now` is drawn independently of `due` and `last_review`, so the clock often runs backwards.
    after, log = scheduler_for(opts).review(card, rating, now, opts, rng_for(seed))
    assert after.due > now
    assert after.last_review == now
    assert after.interval_days >= 0
    if after.state is State.REVIEW:
        assert 1 <= after.interval_days <= opts.maximum_interval_days
        # Due on the study day `interval_days` after today's (UTC, rollover at 4 am), never the same day.
        calendar = StudyCalendar()
        assert calendar.days_between(now, after.due) == after.interval_days
        assert after.due == calendar.day_start(after.due)
    assert after.ease >= MIN_EASE
    assert after.reps == card.reps + 1
    lapse = card.state is State.REVIEW and rating is Rating.AGAIN
    assert after.lapses == card.lapses + (1 if lapse else 0)
    assert log.elapsed_days >= 0
    assert (log.state_before, log.state_after, log.due_after) == (card.state, after.state, after.due)
    assert (log.interval_before_days, log.interval_after_days) == (card.interval_days, after.interval_days)


@given(card=cards(), rating=ratings, now=instants, opts=options(), seed=seeds)
def test_review_never_mutates_its_input(card, rating, now, opts, seed):
    before = copy.deepcopy(card)
    scheduler_for(opts).review(card, rating, now, opts, rng_for(seed))
    scheduler_for(opts).next_states(card, now, opts, rng_for(seed))
    assert card == before


@given(card=cards(), now=instants, opts=options(), seed=seeds)
def test_next_states_equals_review_for_each_rating(card, now, opts, seed):
    scheduler = scheduler_for(opts)
    states = scheduler.next_states(card, now, opts, rng_for(seed))
    assert list(states) == list(Rating)
    for rating in Rating:
        assert states[rating] == scheduler.review(card, rating, now, opts, rng_for(seed))[0]


@given(card=cards(), rating=ratings, now=instants, opts=options(), seed=st.integers(0, 2**32 - 1))
def test_seeded_fuzz_is_deterministic(card, rating, now, opts, seed):
    scheduler = scheduler_for(opts)
    first = scheduler.review(card, rating, now, opts, random.Random(seed))
    assert first == scheduler.review(card, rating, now, opts, random.Random(seed))


@given(
    interval=st.integers(20, 1000),
    ease=st.floats(2.0, 3.5),
    now=instants,
    seed=st.integers(0, 2**32 - 1),
)
def test_sm2_fuzz_stays_within_the_documented_range(interval, ease, now, seed):
    # With intervals of 20+ days and ease 2.0+ on time, neighbouring buttons' floors never bind, so each
    # fuzzed interval lies in the fuzz range around its formula (see sm2 and fuzz docstrings).
    opts = SchedulerOptions()
    card = CardState(state=State.REVIEW, due=now, interval_days=interval, ease=ease, last_review=now)
    states = sm2.next_states(card, now, opts, random.Random(seed))
    raw = {
        Rating.HARD: interval * opts.hard_multiplier,
        Rating.GOOD: interval * ease,
        Rating.EASY: interval * ease * opts.easy_bonus,
    }
    for rating, days in raw.items():
        lower, upper = fuzz_range(days, 1, opts.maximum_interval_days)
        assert lower <= states[rating].interval_days <= upper, rating
        assert abs(states[rating].interval_days - days) <= fuzz_delta(days) + 0.5


@given(card=cards(), now=instants, opts=options(algorithm=st.just("sm2")), seed=seeds)
def test_sm2_buttons_are_ordered(card, now, opts, seed):
    states = sm2.next_states(card, now, opts, rng_for(seed))
    if card.state is State.REVIEW:
        hard, good, easy = (states[r].interval_days for r in (Rating.HARD, Rating.GOOD, Rating.EASY))
        assert hard <= good <= easy
        if good < opts.maximum_interval_days:
            assert hard < good < easy


@given(card=cards(), rating=ratings, now=instants, opts=options(algorithm=st.just("sm2")))
def test_sm2_fuzz_never_touches_minute_steps(card, rating, now, opts):
    plain, _ = sm2.review(card, rating, now, opts)
    fuzzed, _ = sm2.review(card, rating, now, opts, random.Random(0))
    if plain.state in (State.LEARNING, State.RELEARNING):
        assert fuzzed.due == plain.due


@given(
    interval=st.floats(0.0, 40000.0),
    minimum=st.integers(1, 100),
    maximum=st.integers(1, 36500),
    factor=st.floats(0.0, 1.0, exclude_max=True),
)
def test_fuzzed_interval_lies_in_its_range(interval, minimum, maximum, factor):
    lower, upper = fuzz_range(interval, minimum, maximum)
    assert min(minimum, maximum) <= lower <= upper <= maximum
    assert lower <= fuzzed_interval(interval, minimum, maximum, factor) <= upper


@settings(max_examples=50)
@given(ratings=st.lists(ratings, min_size=1, max_size=12), hours=st.lists(st.integers(0, 2000), max_size=12))
def test_fsrs_ease_is_untouched_after_the_first_answer(ratings, hours):
    opts = SchedulerOptions(algorithm="fsrs")
    card, now = CardState(), datetime(2024, 1, 1, tzinfo=UTC)
    for number, rating in enumerate(ratings):
        card, _ = fsrs_scheduler.review(card, rating, now, opts)
        assert card.ease == opts.starting_ease
        now = now + timedelta(hours=hours[number] if number < len(hours) else 24)


@given(opts=options())
def test_options_round_trip_through_json(opts):
    assert SchedulerOptions.from_dict(json.loads(json.dumps(opts.to_dict()))) == opts
    assert SchedulerOptions.from_dict(opts.to_dict()) == opts
