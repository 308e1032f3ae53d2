"""SM-2 schedules worked out by hand from the rules in `flashapp.core.scheduling.sm2`'s docstring."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from flashapp.core.scheduling import CardState, Rating, SchedulerOptions, State, StudyCalendar, sm2
from flashapp.core.scheduling.fuzz import fuzz_range

AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
NEW, LEARNING, REVIEW, RELEARNING = State.NEW, State.LEARNING, State.REVIEW, State.RELEARNING
DEFAULTS = SchedulerOptions()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day_of(text: str) -> datetime:
    """The start of the study day `text` falls in (UTC, rollover at 4 am): what a day-due card stores."""
    return StudyCalendar().day_start(at(text))


def run(
    card: CardState, steps: list[tuple[Rating, str, tuple]], options: SchedulerOptions = DEFAULTS
) -> CardState:
    """Each step: (rating, review time, expected (state, step, interval_days, ease, due, lapses))."""
    for number, (rating, when, expected) in enumerate(steps, start=1):
        card, _ = sm2.review(card, rating, at(when), options)
        got = (card.state, card.step, card.interval_days, card.ease, card.due, card.lapses)
        state, step, interval, ease, due, lapses = expected
        # Day intervals land on a study day; learning steps at an instant.
        due = day_of(due) if state is REVIEW else at(due)
        assert got == (state, step, interval, ease, due, lapses), f"review {number} ({rating.name})"
    return card


def review_card(interval: int, ease: float = 2.5, due: str = "2024-05-01 09:00", **fields) -> CardState:
    return CardState(
        state=REVIEW,
        due=at(due),
        interval_days=interval,
        ease=ease,
        reps=5,
        last_review=at(due) - timedelta(days=interval),
        **fields,
    )


def test_good_all_the_way_follows_1_6_then_times_ease_and_a_lapse_restarts_it():
    card = run(
        CardState(),
        [
            (GOOD, "2024-03-01 09:00", (LEARNING, 1, 0, 2.5, "2024-03-01 09:10", 0)),  # step 2: 10 m
            (GOOD, "2024-03-01 09:10", (REVIEW, 0, 1, 2.5, "2024-03-02 09:10", 0)),  # graduate: I(1)
            (GOOD, "2024-03-02 09:10", (REVIEW, 0, 6, 2.5, "2024-03-08 09:10", 0)),  # I(2) = 6
            (GOOD, "2024-03-08 09:10", (REVIEW, 0, 15, 2.5, "2024-03-23 09:10", 0)),  # 6 x 2.5
            (GOOD, "2024-03-23 09:10", (REVIEW, 0, 38, 2.5, "2024-04-30 09:10", 0)),  # 37.5 rounded up
            (GOOD, "2024-04-30 09:10", (REVIEW, 0, 95, 2.5, "2024-08-03 09:10", 0)),  # 38 x 2.5
            (AGAIN, "2024-08-03 09:10", (RELEARNING, 0, 1, 2.3, "2024-08-03 09:20", 1)),  # lapse
            (GOOD, "2024-08-03 09:20", (REVIEW, 0, 1, 2.3, "2024-08-04 09:20", 1)),  # back at I(1)
            (GOOD, "2024-08-04 09:20", (REVIEW, 0, 6, 2.3, "2024-08-10 09:20", 1)),  # I(2) again
            (GOOD, "2024-08-10 09:20", (REVIEW, 0, 14, 2.3, "2024-08-24 09:20", 1)),  # 13.8 up
            (GOOD, "2024-08-24 09:20", (REVIEW, 0, 33, 2.3, "2024-09-26 09:20", 1)),  # 32.2 up
        ],
    )
    assert card.reps == 11


def test_hard_and_easy_paths_through_learning_and_review():
    run(
        CardState(),
        [
            (HARD, "2024-03-01 09:00", (LEARNING, 0, 0, 2.5, "2024-03-01 09:05:30", 0)),  # (1 + 10) / 2 m
            (AGAIN, "2024-03-01 09:05:30", (LEARNING, 0, 0, 2.5, "2024-03-01 09:06:30", 0)),  # step 1: 1 m
            (GOOD, "2024-03-01 09:06:30", (LEARNING, 1, 0, 2.5, "2024-03-01 09:16:30", 0)),
            (HARD, "2024-03-01 09:16:30", (LEARNING, 1, 0, 2.5, "2024-03-01 09:26:30", 0)),  # repeat 10 m
            (EASY, "2024-03-01 09:26:30", (REVIEW, 0, 4, 2.5, "2024-03-05 09:26:30", 0)),  # easy interval
            (HARD, "2024-03-05 09:26:30", (REVIEW, 0, 5, 2.35, "2024-03-10 09:26:30", 0)),  # 4.8 up
            # hard would be 6, good 5 x 2.35 = 11.75 -> 12, easy 5 x 2.35 x 1.3 = 15.275 -> 16
            (EASY, "2024-03-10 09:26:30", (REVIEW, 0, 16, 2.5, "2024-03-26 09:26:30", 0)),
            (GOOD, "2024-03-26 09:26:30", (REVIEW, 0, 40, 2.5, "2024-05-05 09:26:30", 0)),
            (HARD, "2024-05-05 09:26:30", (REVIEW, 0, 48, 2.35, "2024-06-22 09:26:30", 0)),
        ],
    )


def test_easy_on_a_new_card_graduates_at_once():
    run(CardState(), [(EASY, "2024-03-01 09:00", (REVIEW, 0, 4, 2.5, "2024-03-05 09:00", 0))])


def test_new_card_takes_the_decks_starting_ease():
    options = SchedulerOptions(starting_ease=2.0)
    card, _ = sm2.review(CardState(), EASY, at("2024-03-01 09:00"), options)
    assert card.ease == 2.0


def test_first_review_hard_then_good_still_climbs_to_six_days():
    run(
        review_card(1, due="2024-03-02 09:00"),
        [
            (HARD, "2024-03-02 09:00", (REVIEW, 0, 2, 2.35, "2024-03-04 09:00", 0)),  # 1.2 -> at least 2
            (GOOD, "2024-03-04 09:00", (REVIEW, 0, 6, 2.35, "2024-03-10 09:00", 0)),  # 4.7 -> SM-2's 6
            (GOOD, "2024-03-10 09:00", (REVIEW, 0, 15, 2.35, "2024-03-25 09:00", 0)),  # 14.1 up
        ],
    )


def test_next_states_on_time():
    states = sm2.next_states(review_card(10), at("2024-05-01 09:00"), DEFAULTS)
    assert {r: (s.state, s.interval_days, s.ease) for r, s in states.items()} == {
        AGAIN: (RELEARNING, 1, 2.3),
        HARD: (REVIEW, 12, 2.35),  # 10 x 1.2
        GOOD: (REVIEW, 25, 2.5),  # 10 x 2.5
        EASY: (REVIEW, 33, 2.65),  # 10 x 2.5 x 1.3 = 32.5
    }
    assert states[AGAIN].due == at("2024-05-01 09:10")
    assert states[GOOD].due == day_of("2024-05-26 09:00")


def test_late_review_counts_half_the_delay_for_good_and_all_of_it_for_easy():
    # Due on 2024-05-01, answered on the study day 2024-05-05: 4 study days late.
    states = sm2.next_states(review_card(10), at("2024-05-05 21:00"), DEFAULTS)
    assert {r: s.interval_days for r, s in states.items()} == {
        AGAIN: 1,
        HARD: 12,  # 10 x 1.2: hard ignores the delay
        GOOD: 30,  # (10 + 4/2) x 2.5
        EASY: 46,  # (10 + 4) x 2.5 x 1.3 = 45.5
    }
    assert states[GOOD].due == day_of("2024-06-04 21:00")


def test_days_late_are_study_days_not_24_hour_periods():
    # Due on 2024-05-01, answered at 08:00 on 2024-05-02, less than 24 hours after 09:00: one day late.
    states = sm2.next_states(review_card(10), at("2024-05-02 08:00"), DEFAULTS)
    assert states[EASY].interval_days == 36  # (10 + 1) x 2.5 x 1.3 = 35.75


def test_early_review_is_scheduled_as_if_on_time():
    states = sm2.next_states(review_card(10), at("2024-04-28 09:00"), DEFAULTS)
    assert states[GOOD].interval_days == 25
    assert states[GOOD].due == day_of("2024-05-23 09:00")


def test_maximum_interval_caps_every_button():
    options = SchedulerOptions(maximum_interval_days=30)
    states = sm2.next_states(review_card(20), at("2024-05-01 09:00"), options)
    assert {r: s.interval_days for r, s in states.items()} == {AGAIN: 1, HARD: 24, GOOD: 30, EASY: 30}


def test_interval_modifier_scales_and_floors_still_apply():
    options = SchedulerOptions(interval_modifier=0.8)
    states = sm2.next_states(review_card(10), at("2024-05-01 09:00"), options)
    # hard 9.6 -> floor 11; good 20; easy 26.000000000000004 is 26, not 27
    assert {r: s.interval_days for r, s in states.items()} == {AGAIN: 1, HARD: 11, GOOD: 20, EASY: 26}


def test_lapse_multiplier_and_minimum_lapse_interval():
    options = SchedulerOptions(lapse_interval_multiplier=0.5, minimum_lapse_interval_days=2)
    run(
        review_card(95, due="2024-08-03 09:00", lapses=2),
        [
            (AGAIN, "2024-08-03 09:00", (RELEARNING, 0, 48, 2.3, "2024-08-03 09:10", 3)),  # 47.5 up
            (GOOD, "2024-08-03 09:10", (REVIEW, 0, 48, 2.3, "2024-09-20 09:10", 3)),
        ],
        options,
    )
    lapsed, _ = sm2.review(review_card(3), AGAIN, at("2024-05-01 09:00"), options)
    assert lapsed.interval_days == 2  # 1.5 -> 2, also the minimum


def test_relearning_steps_and_easy_out_of_relearning():
    options = SchedulerOptions(relearning_steps_minutes=(10.0, 60.0))
    run(
        review_card(20, due="2024-05-01 09:00"),
        [
            (AGAIN, "2024-05-01 09:00", (RELEARNING, 0, 1, 2.3, "2024-05-01 09:10", 1)),
            (HARD, "2024-05-01 09:10", (RELEARNING, 0, 1, 2.3, "2024-05-01 09:45", 1)),  # (10 + 60) / 2
            (GOOD, "2024-05-01 09:45", (RELEARNING, 1, 1, 2.3, "2024-05-01 10:45", 1)),
            (AGAIN, "2024-05-01 10:45", (RELEARNING, 0, 1, 2.3, "2024-05-01 10:55", 1)),  # no new lapse
            (EASY, "2024-05-01 10:55", (REVIEW, 0, 2, 2.3, "2024-05-03 10:55", 1)),  # kept interval + 1
        ],
        options,
    )


def test_without_relearning_steps_a_lapse_goes_straight_back_to_review():
    options = SchedulerOptions(relearning_steps_minutes=())
    card, _ = sm2.review(review_card(20), AGAIN, at("2024-05-01 09:00"), options)
    expected = (REVIEW, 1, day_of("2024-05-02 09:00"), 1)
    assert (card.state, card.interval_days, card.due, card.lapses) == expected


def test_without_learning_steps_a_new_card_graduates_on_any_answer():
    options = SchedulerOptions(learning_steps_minutes=())
    states = sm2.next_states(CardState(), at("2024-03-01 09:00"), options)
    assert {r: (s.state, s.interval_days) for r, s in states.items()} == {
        AGAIN: (REVIEW, 1),
        HARD: (REVIEW, 1),
        GOOD: (REVIEW, 1),
        EASY: (REVIEW, 4),
    }


def test_single_learning_step_hard_is_half_again_as_long_but_at_most_a_day_more():
    now = at("2024-03-01 09:00")
    short, _ = sm2.review(CardState(), HARD, now, SchedulerOptions(learning_steps_minutes=(10.0,)))
    assert short.due == now + timedelta(minutes=15)
    long, _ = sm2.review(CardState(), HARD, now, SchedulerOptions(learning_steps_minutes=(3000.0,)))
    # 3000 + 1440 minutes is 3.08 days: an interday step, due on the study day 3 days on.
    assert long.due == day_of("2024-03-04 09:00")


def test_learning_card_past_the_last_step_graduates_on_good():
    # The deck's steps were shortened after the card reached step 3.
    card = CardState(state=LEARNING, step=3, due=at("2024-03-01 09:00"), last_review=at("2024-03-01 08:00"))
    done, _ = sm2.review(card, GOOD, at("2024-03-01 09:00"), DEFAULTS)
    assert (done.state, done.interval_days) == (REVIEW, 1)


def test_custom_graduating_interval():
    options = SchedulerOptions(graduating_interval_days=3, easy_interval_days=5)
    states = sm2.next_states(
        CardState(state=LEARNING, step=1, due=at("2024-03-01 09:10")), at("2024-03-01 09:10"), options
    )
    assert states[GOOD].interval_days == 3
    assert states[EASY].interval_days == 5
    assert states[AGAIN].due == at("2024-03-01 09:11")


def test_ease_never_goes_below_the_minimum():
    card = review_card(10, ease=1.4)
    states = sm2.next_states(card, at("2024-05-01 09:00"), DEFAULTS)
    assert states[AGAIN].ease == sm2.MIN_EASE == 1.3
    assert states[HARD].ease == 1.3
    hard_again, _ = sm2.review(states[HARD], HARD, states[HARD].due, DEFAULTS)
    assert hard_again.ease == 1.3


def test_stability_and_difficulty_are_carried_unchanged():
    card = review_card(10, stability=12.5, difficulty=4.2)
    after, _ = sm2.review(card, GOOD, at("2024-05-01 09:00"), DEFAULTS)
    assert (after.stability, after.difficulty) == (12.5, 4.2)


def test_review_log_records_before_and_after():
    card = review_card(10)  # last reviewed 2024-04-21 09:00
    after, log = sm2.review(card, GOOD, at("2024-05-01 21:00"), DEFAULTS)
    assert log.rating is GOOD
    assert log.reviewed_at == at("2024-05-01 21:00")
    assert (log.state_before, log.state_after) == (REVIEW, REVIEW)
    assert (log.interval_before_days, log.interval_after_days) == (10, 25)
    assert log.due_after == after.due == day_of("2024-05-26 21:00")
    assert log.ease_after == 2.5
    assert log.elapsed_days == 10.5
    _, first = sm2.review(CardState(), GOOD, at("2024-05-01 21:00"), DEFAULTS)
    assert first.elapsed_days == 0.0
    assert (first.state_before, first.state_after) == (NEW, LEARNING)


def test_clock_moving_backwards_still_schedules_into_the_future():
    card = review_card(10, due="2024-05-01 09:00")  # last review 2024-04-21
    now = at("2024-01-01 00:00")
    for rating, state in sm2.next_states(card, now, DEFAULTS).items():
        assert state.due > now, rating
    _, log = sm2.review(card, GOOD, now, DEFAULTS)
    assert log.elapsed_days == 0.0


def test_accepts_any_timezone_and_answers_in_utc():
    from zoneinfo import ZoneInfo

    now = datetime(2024, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    card, _ = sm2.review(CardState(), GOOD, now, DEFAULTS)
    assert card.due == at("2024-03-01 09:10")
    assert card.due.tzinfo is UTC


def test_rating_may_be_a_plain_int():
    by_int, _ = sm2.review(CardState(), 3, at("2024-03-01 09:00"), DEFAULTS)
    by_enum, _ = sm2.review(CardState(), GOOD, at("2024-03-01 09:00"), DEFAULTS)
    assert by_int == by_enum
    with pytest.raises(ValueError):
        sm2.review(CardState(), 5, at("2024-03-01 09:00"), DEFAULTS)


class TestFuzz:
    def test_no_rng_means_no_fuzz(self):
        card = review_card(100)
        assert sm2.review(card, GOOD, at("2024-05-01 09:00"), DEFAULTS)[0].interval_days == 250

    def test_same_seed_same_schedule(self):
        card = review_card(100)
        first = sm2.review(card, GOOD, at("2024-05-01 09:00"), DEFAULTS, random.Random(7))
        second = sm2.review(card, GOOD, at("2024-05-01 09:00"), DEFAULTS, random.Random(7))
        assert first == second

    def test_fuzz_spreads_over_the_documented_range(self):
        # 250 days may move by 1 + 0.15 * 4.5 + 0.1 * 13 + 0.05 * 230 = 14.475 days: 236..264.
        assert fuzz_range(250, 1, 36500) == (236, 264)
        card = review_card(100)
        seen = {
            sm2.review(card, GOOD, at("2024-05-01 09:00"), DEFAULTS, random.Random(seed))[0].interval_days
            for seed in range(400)
        }
        assert min(seen) == 236 and max(seen) == 264
        assert len(seen) > 20

    def test_graduating_easy_interval_is_fuzzed_but_one_day_is_not(self):
        now = at("2024-03-01 09:00")
        easy = {
            sm2.review(CardState(), EASY, now, DEFAULTS, random.Random(s))[0].interval_days for s in range(50)
        }
        assert easy == {3, 4, 5}
        learning = CardState(state=LEARNING, step=1, due=now)
        good = {
            sm2.review(learning, GOOD, now, DEFAULTS, random.Random(s))[0].interval_days for s in range(50)
        }
        assert good == {1}

    def test_minute_steps_are_not_fuzzed(self):
        now = at("2024-03-01 09:00")
        card, _ = sm2.review(CardState(), GOOD, now, DEFAULTS, random.Random(3))
        assert card.due == now + timedelta(minutes=10)

    def test_one_draw_per_answer(self):
        rng = random.Random(11)
        sm2.review(review_card(100), GOOD, at("2024-05-01 09:00"), DEFAULTS, rng)
        reference = random.Random(11)
        reference.random()
        assert rng.random() == reference.random()


def test_review_does_not_touch_its_input():
    card = review_card(10)
    copy = replace(card)
    sm2.review(card, AGAIN, at("2024-05-01 09:00"), DEFAULTS)
    assert card == copy
