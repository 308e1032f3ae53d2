"""The one count function (`store.counts.deck_counts`): Anki v3's limits, the learn-ahead limit, index
range searches, a light module, and the same numbers in the study header, the queue and the deck tree."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, timedelta

import pytest

from flashapp.core.scheduling import Rating
from flashapp.store import counts, models
from flashapp.store.collection import Collection
from flashapp.store.study_session import StudySession
from tests.flashapp.store.test_study_queue import deck_file


@pytest.fixture
def study(db_path, clock, empty_collection_file):
    with Collection.open(
        empty_collection_file(db_path), shipped_decks=False, clock=clock, tz=UTC, fuzz=False
    ) as collection:
        yield collection


def row(collection, name):
    return next(r for r in collection.deck_counts() if r.name == name)


def make_reviews(collection, clock, deck: str, count: int) -> None:
    """`count` cards of `deck` in review, due today."""
    for card in collection.cards(deck=deck)[:count]:
        collection.answer(card.id, Rating.EASY)  # graduates: due in 4 days
    clock.now += timedelta(days=4)


def test_queue_codes_are_the_models(study):
    assert (counts.QUEUE_NEW, counts.QUEUE_LEARNING, counts.QUEUE_REVIEW) == (
        models.QUEUE_NEW, models.QUEUE_LEARNING, models.QUEUE_REVIEW,
    )  # fmt: skip


def test_new_cards_count_against_the_review_limit_unless_the_deck_says_otherwise(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("D", 30, "c", options="reviews_per_day = 10"))])
    make_reviews(study, clock, "D", 6)
    # 6 reviews leave 4 of the 10 for new cards (Anki v3's default).
    assert (row(study, "D").new, row(study, "D").due) == (4, 6)
    queue = study.study_queue("D")
    assert (len(queue.new), len(queue.review)) == (4, 6)
    # A new card studied today uses up the review limit too: 6 reviews + 1 new leave 3 new.
    study.answer(queue.new[0].id, Rating.EASY)
    assert (row(study, "D").new, row(study, "D").due) == (3, 6)
    study.set_deck_options("D", new_cards_ignore_review_limit=True)
    assert (row(study, "D").new, row(study, "D").due) == (19, 6)
    assert len(study.study_queue("D").new) == 19


def test_the_learning_count_follows_the_learn_ahead_limit(study, write_deck, clock):
    study.import_paths([write_deck(deck_file("D", 3, "c", options='learning_steps = ["30m"]'))])
    for card in study.cards():
        study.answer(card.id, Rating.AGAIN)  # due in 30 minutes
    assert row(study, "D").learning == 0
    clock.now += timedelta(minutes=10)  # 20 minutes left: within Anki's default limit
    assert row(study, "D").learning == 3
    study.set_learn_ahead_minutes(5)
    assert row(study, "D").learning == 0
    clock.now += timedelta(minutes=15)
    assert row(study, "D").learning == 3
    assert study.study_counts("D").learning == 3


def test_each_count_is_a_range_search_on_the_index(study):
    import sqlite3

    connection = sqlite3.connect(study.path)
    try:
        for name, given in (
            ("review", {"deck_id": 1, "before": "2026-03-02 00:00:00.000000", "cap": 200}),
            ("new", {"deck_id": 1, "cap": 20}),
            ("learning", {"deck_id": 1, "before": "2026-03-02 00:00:00.000000"}),
        ):
            plan = connection.execute(f"EXPLAIN QUERY PLAN {counts.SQL[name]}", given).fetchall()
            details = " ".join(str(line[-1]) for line in plan)
            assert "USING COVERING INDEX ix_cards_deck_queue_due (deck_id=? AND queue=?" in details, details
    finally:
        connection.close()


def test_the_count_and_queue_modules_load_no_sqlalchemy_and_no_ui():
    code = (
        "import sys, flashapp.store.counts\n"
        "import flashapp.store.queue\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'textual', 'torch', 'flashapp.store.models')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_header_queue_and_deck_tree_agree_through_a_random_session(study, write_deck, clock):
    """After every answer, undo, bury and suspend, the header's counts are the deck tree's, and the
    queue holds exactly that many cards: the session ends exactly when every count reaches 0."""
    rng = random.Random(5)
    files = [
        write_deck(deck_file("P", 8, "p", options="new_per_day = 6\nreviews_per_day = 9"), "p.toml"),
        write_deck(deck_file("P::A", 10, "a", options="new_per_day = 4", reversed_=True), "a.toml"),
        write_deck(deck_file("P::B", 10, "b", options="reviews_per_day = 3"), "b.toml"),
    ]
    study.import_paths(files)
    for card in rng.sample(study.cards(), 14):
        study.answer(card.id, rng.choice([Rating.GOOD, Rating.EASY]))
    clock.now += timedelta(days=3)
    for deck in ("P", "P::A", None):
        session = StudySession(study, deck)
        steps = 0
        while steps < 60:
            header = session.counts()
            tree = counts.totals(study.deck_counts(), deck)
            assert (header.new, header.learning, header.due) == (tree.new, tree.learning, tree.due)
            left = session.queue.counts(clock.now)
            assert (left.new, left.learning, left.review) == (header.new, header.learning, header.due)
            card = session.current()
            if card is None:
                assert (header.new, header.due, header.learning) == (0, 0, 0)
                break
            action = rng.choices(["answer", "undo", "bury", "suspend"], [8, 2, 1, 1])[0]
            if action == "undo" and session.undo() is not None:
                pass
            elif action == "bury":
                study.bury(card.id)
                session.take_out(card.id)
            elif action == "suspend":
                study.suspend(card.id)
                session.take_out(card.id)
            else:
                session.answer(card.id, rng.choice(list(Rating)))
            clock.now += timedelta(seconds=rng.choice([5, 40, 400]))
            steps += 1
        assert study.check() == []


def test_the_review_limit_option_in_deck_files():
    from flashapp.core.deckfile import DeckFileError, dump_deck, parse_deck

    text = (
        '[deck]\nname = "A"\nnew_cards_ignore_review_limit = true\n\n'
        '[[cards]]\nid = "a"\nfront = "f"\nback = "b"\n'
    )
    spec = parse_deck(text, "deck.toml")
    assert spec.options == {"new_cards_ignore_review_limit": True}
    assert parse_deck(dump_deck(spec), "deck.toml") == spec
    with pytest.raises(DeckFileError) as error:
        parse_deck(text.replace("= true", "= 1"), "deck.toml")
    assert "new_cards_ignore_review_limit must be true or false" in str(error.value)


def test_interday_learning_comes_first_under_the_review_limit_and_its_answers_count_as_reviews(
    study, write_deck, clock
):
    options = 'learning_steps = ["1d"]\nreviews_per_day = 2'
    study.import_paths([write_deck(deck_file("D", 4, "c", options=options))])
    for card in study.cards()[:3]:
        study.answer(card.id, Rating.AGAIN)  # a one-day step: due on the next study day
    assert row(study, "D").learning == 0
    clock.now += timedelta(days=1)
    # Three interday learning cards, a review limit of 2: two shown, and nothing left for new cards.
    assert (row(study, "D").new, row(study, "D").learning, row(study, "D").due) == (0, 2, 0)
    queue = study.study_queue("D")
    assert (len(queue.new), len(queue.learning)) == (0, 2)
    study.answer(queue.learning[0].id, Rating.GOOD)  # graduates; the answer uses up the review limit
    assert (row(study, "D").new, row(study, "D").learning) == (0, 1)
    study.set_deck_options("D", new_cards_ignore_review_limit=True)
    assert (row(study, "D").new, row(study, "D").learning) == (1, 1)
    assert study.study_counts("D").learning == len(study.study_queue("D").learning) == 1


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("hour", [0, 2, 3, 4, 23])
def test_a_study_day_start_is_told_from_a_step_inside_a_day(zone, hour):
    from datetime import date
    from zoneinfo import ZoneInfo

    from flashapp.core.scheduling import StudyCalendar

    calendar = StudyCalendar(ZoneInfo(zone), hour)
    for day in (date(2026, 3, 8), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1), date(2026, 6, 1)):
        start = calendar.start(day)
        assert counts.is_interday(start, calendar)
        for offset in (
            timedelta(minutes=1),
            timedelta(hours=1),
            timedelta(hours=-1),
            timedelta(microseconds=5),
        ):
            assert not counts.is_interday(start + offset, calendar), (day, offset)
