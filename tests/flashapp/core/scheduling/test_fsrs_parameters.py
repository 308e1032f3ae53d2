"""`SchedulerOptions.fsrs_parameters`: validated, read from deck files, and used by the FSRS scheduler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from flashapp.core.deckfile import DeckFileError, dump_deck, parse_deck
from flashapp.core.scheduling import CardState, Rating, SchedulerOptions, fsrs_scheduler

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SLOW = (0.1, 0.2, 0.5, 1.0, *DEFAULT_PARAMETERS[4:8], 0.5, *DEFAULT_PARAMETERS[9:])  # forgets fast


def test_empty_means_defaults_and_round_trips_through_json():
    assert SchedulerOptions().fsrs_parameters == ()
    options = SchedulerOptions(algorithm="fsrs", fsrs_parameters=list(SLOW))
    assert options.fsrs_parameters == SLOW
    assert SchedulerOptions.from_dict(options.to_dict()) == options
    assert options.to_dict()["fsrs_parameters"] == list(SLOW)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1.0, 2.0], "must hold 21 numbers"),
        ("0.2 1.3", "must be a list of numbers"),
        ([*SLOW[:-1], 5.0], r"fsrs_parameters\[20\] must be in"),
        ([float("nan"), *SLOW[1:]], r"fsrs_parameters\[0\]"),
        ([True, *SLOW[1:]], r"fsrs_parameters\[0\]"),
    ],
)
def test_bad_parameters_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        SchedulerOptions(fsrs_parameters=value)


def test_the_scheduler_uses_the_deck_parameters():
    card, rating = CardState(), Rating.GOOD
    for _ in range(3):  # learning steps, then a review interval
        card = fsrs_scheduler.review(card, rating, card.due or NOW, SchedulerOptions(algorithm="fsrs"))[0]
    default = fsrs_scheduler.review(card, Rating.GOOD, card.due, SchedulerOptions(algorithm="fsrs"))[0]
    fitted_options = SchedulerOptions(algorithm="fsrs", fsrs_parameters=SLOW)
    fitted = fsrs_scheduler.review(card, Rating.GOOD, card.due, fitted_options)[0]
    reference = fsrs.Scheduler(parameters=SLOW, enable_fuzzing=False)
    expected, _ = reference.review_card(
        fsrs_scheduler.fsrs_card(card, card.due, fitted_options), fsrs.Rating.Good, card.due
    )
    assert fitted.stability == pytest.approx(expected.stability)
    assert fitted.due == expected.due
    assert fitted.due - card.due < default.due - card.due - timedelta(days=1)


def test_deck_file_key_parses_validates_and_dumps():
    text = f'[deck]\nname = "D"\nfsrs_parameters = {list(SLOW)}\n\n[[cards]]\n'
    text += 'id = "a"\nfront = "f"\nback = "b"\n'
    deck = parse_deck(text, "d.toml")
    assert deck.options["fsrs_parameters"] == list(SLOW)
    assert parse_deck(dump_deck(deck), "d.toml") == deck
    with pytest.raises(DeckFileError, match=r"d.toml:3: \[deck\]: option fsrs_parameters must hold 21"):
        parse_deck(text.replace(f"{list(SLOW)}", "[1, 2]"), "d.toml")
