"""Ratings, card state and deck options: parsing, validation, the JSON form the store keeps."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from flashapp.core.scheduling import (
    CardState,
    Rating,
    SchedulerOptions,
    State,
    day_start_utc,
    format_interval,
    fsrs_scheduler,
    next_day_start_utc,
    sm2,
    study_day,
)

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
NAIVE = datetime(2024, 3, 1, 9, 0)


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("again", Rating.AGAIN),
        ("Hard", Rating.HARD),
        (" GOOD ", Rating.GOOD),
        ("easy", Rating.EASY),
        ("1", Rating.AGAIN),
        ("2", Rating.HARD),
        ("3", Rating.GOOD),
        ("4", Rating.EASY),
    ],
)
def test_rating_parse(text, rating):
    assert Rating.parse(text) is rating


@pytest.mark.parametrize("text", ["", "0", "5", "ok", "goodd", "-1", "again hard"])
def test_rating_parse_rejects_anything_else(text):
    with pytest.raises(ValueError, match=r"unknown rating .*: expected again, hard, good, easy or 1-4"):
        Rating.parse(text)


def test_state_values_are_the_stored_strings():
    assert [s.value for s in State] == ["new", "learning", "review", "relearning"]
    assert CardState(state="review", due=NOW).state is State.REVIEW


class TestNaiveDatetimes:
    def test_card_state(self):
        with pytest.raises(ValueError, match=r"naive datetime: due must be timezone-aware UTC"):
            CardState(state=State.REVIEW, due=NAIVE)
        with pytest.raises(ValueError, match=r"naive datetime: last_review must be timezone-aware UTC"):
            CardState(state=State.REVIEW, due=NOW, last_review=NAIVE)

    @pytest.mark.parametrize("scheduler", [sm2, fsrs_scheduler])
    def test_schedulers(self, scheduler):
        with pytest.raises(ValueError, match=r"naive datetime: now must be timezone-aware UTC"):
            scheduler.review(CardState(), Rating.GOOD, NAIVE, SchedulerOptions())
        with pytest.raises(ValueError, match=r"naive datetime: now must be timezone-aware UTC"):
            scheduler.next_states(CardState(), NAIVE, SchedulerOptions())

    def test_days_and_labels(self):
        for function in (study_day, day_start_utc, next_day_start_utc):
            with pytest.raises(ValueError, match=r"naive datetime: now_utc must be timezone-aware UTC"):
                function(NAIVE, UTC)
        with pytest.raises(ValueError, match=r"naive datetime: due must be timezone-aware UTC"):
            format_interval(NOW, NAIVE)


def test_aware_datetimes_in_other_zones_become_utc():
    plus_two = timezone(timedelta(hours=2))
    card = CardState(state=State.REVIEW, due=datetime(2024, 3, 1, 11, 0, tzinfo=plus_two))
    assert card.due == NOW and card.due.tzinfo is UTC


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"state": "suspended"}, "unknown card state 'suspended'"),
        ({"state": State.LEARNING}, "a card in state 'learning' needs a due datetime"),
        ({"reps": -1}, "card reps must be a whole number >= 0, got -1"),
        ({"lapses": 1.5}, "card lapses must be a whole number >= 0, got 1.5"),
        ({"interval_days": True}, "card interval_days must be a whole number >= 0, got True"),
        ({"ease": 0.0}, "card ease must be a positive number, got 0.0"),
        ({"stability": -1.0}, "card stability must be a positive number or None, got -1.0"),
        ({"difficulty": math.nan}, "card difficulty must be a positive number or None, got nan"),
    ],
)
def test_card_state_rejects_bad_values(fields, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        CardState(**fields)


def test_card_state_is_frozen():
    card = CardState()
    with pytest.raises(AttributeError):
        card.reps = 3  # type: ignore[misc]


class TestOptions:
    def test_defaults_are_ankis(self):
        options = SchedulerOptions()
        assert options.algorithm == "sm2"
        assert options.learning_steps_minutes == (1.0, 10.0)
        assert options.relearning_steps_minutes == (10.0,)
        assert (options.graduating_interval_days, options.easy_interval_days) == (1, 4)
        assert (options.starting_ease, options.easy_bonus, options.hard_multiplier) == (2.5, 1.3, 1.2)
        assert (options.lapse_interval_multiplier, options.minimum_lapse_interval_days) == (0.0, 1)
        assert (options.maximum_interval_days, options.desired_retention) == (36500, 0.9)
        assert (options.new_per_day, options.reviews_per_day, options.day_rollover_hour) == (20, 200, 4)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"algorithm": "anki"}, "option algorithm must be 'sm2' or 'fsrs', got 'anki'"),
            (
                {"learning_steps_minutes": (1.0, 0.0)},
                "option learning_steps_minutes must hold positive minutes",
            ),
            ({"learning_steps_minutes": "1 10"}, "option learning_steps_minutes must be a list of minutes"),
            (
                {"relearning_steps_minutes": (-5,)},
                "option relearning_steps_minutes must hold positive minutes",
            ),
            ({"relearning_steps_minutes": (math.inf,)}, "option relearning_steps_minutes must hold positive"),
            ({"graduating_interval_days": 0}, "option graduating_interval_days must be between 1 and 36500"),
            ({"easy_interval_days": 2.5}, "option easy_interval_days must be a whole number, got 2.5"),
            (
                {"graduating_interval_days": 3, "easy_interval_days": 2},
                "option easy_interval_days (2) must be >= graduating_interval_days (3)",
            ),
            ({"starting_ease": 1.2}, "option starting_ease must be in [1.3, 5.0], got 1.2"),
            ({"easy_bonus": 0.9}, "option easy_bonus must be in [1.0, 5.0], got 0.9"),
            ({"hard_multiplier": "1.2"}, "option hard_multiplier must be a number, got '1.2'"),
            ({"interval_modifier": math.nan}, "option interval_modifier must be a number, got nan"),
            ({"lapse_interval_multiplier": 1.5}, "option lapse_interval_multiplier must be in [0.0, 1.0]"),
            ({"minimum_lapse_interval_days": 0}, "option minimum_lapse_interval_days must be between 1"),
            ({"maximum_interval_days": 40000}, "option maximum_interval_days must be between 1 and 36500"),
            ({"desired_retention": 1.0}, "option desired_retention must be in (0.0, 1.0), got 1.0"),
            ({"desired_retention": 0}, "option desired_retention must be in (0.0, 1.0), got 0"),
            ({"new_per_day": -1}, "option new_per_day must be >= 0, got -1"),
            ({"reviews_per_day": True}, "option reviews_per_day must be a whole number, got True"),
            ({"day_rollover_hour": 24}, "option day_rollover_hour must be between 0 and 23, got 24"),
        ],
    )
    def test_bad_values_name_the_option(self, fields, message):
        with pytest.raises(ValueError) as error:
            SchedulerOptions(**fields)
        text = str(error.value)
        assert text.startswith(message)
        assert "\n" not in text

    def test_dict_round_trip_through_json(self):
        options = SchedulerOptions(
            algorithm="fsrs",
            learning_steps_minutes=(0.5, 5.0, 30.0),
            relearning_steps_minutes=(),
            desired_retention=0.85,
            day_rollover_hour=0,
        )
        data = json.loads(json.dumps(options.to_dict()))
        assert data["learning_steps_minutes"] == [0.5, 5.0, 30.0]
        assert SchedulerOptions.from_dict(data) == options

    def test_from_dict_fills_missing_keys_and_accepts_json_numbers(self):
        options = SchedulerOptions.from_dict({"algorithm": "fsrs", "learning_steps_minutes": [1, 10, 60]})
        assert options.learning_steps_minutes == (1.0, 10.0, 60.0)
        assert options.new_per_day == 20
        assert SchedulerOptions.from_dict({}) == SchedulerOptions()
        assert SchedulerOptions.from_dict({"starting_ease": 2, "new_per_day": 10.0}).new_per_day == 10

    def test_from_dict_rejects_unknown_keys(self):
        with pytest.raises(ValueError, match=r"^unknown scheduler option 'new_cards_per_day'$"):
            SchedulerOptions.from_dict({"new_cards_per_day": 10})

    def test_from_dict_rejects_non_objects(self):
        with pytest.raises(ValueError, match=r"scheduler options must be a JSON object, got list"):
            SchedulerOptions.from_dict([])  # type: ignore[arg-type]

    def test_options_are_hashable(self):
        assert len({SchedulerOptions(), SchedulerOptions.from_dict({})}) == 1


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(seconds=-30), "<1m"),
        (timedelta(seconds=0), "<1m"),
        (timedelta(seconds=59), "<1m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=5, seconds=30), "6m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=59), "59m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=1, minutes=30), "1.5h"),
        (timedelta(hours=23), "23h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=6), "6d"),
        (timedelta(days=29), "29d"),
        (timedelta(days=30), "1mo"),
        (timedelta(days=36), "1.2mo"),
        (timedelta(days=364), "12.1mo"),
        (timedelta(days=365), "1y"),
        (timedelta(days=767), "2.1y"),
        (timedelta(days=36500), "100y"),
    ],
)
def test_format_interval(delta, label):
    assert format_interval(NOW, NOW + delta) == label
