"""Where a study session reads and writes (store/study_session_store.py): sqlite3 on an SQLite file,
the Collection elsewhere, with the same results; study backups handed to the caller."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from flashapp.core.scheduling import Rating
from flashapp.errors import UserError
from flashapp.store.backup import list_backups
from flashapp.store.collection import Collection
from flashapp.store.study_session import StudySession
from flashapp.store.study_session_store import CollectionStore, SqliteStore

DECK = """\
[deck]
name = "S"

[[cards]]
id = "a"
kind = "reversed"
front = "alpha"
back = "one"

[[cards]]
id = "b"
front = "beta"
back = "two"

[[cards]]
id = "c"
front = "gamma"
back = "three"
"""


@pytest.fixture
def study_file(db_path, clock, write_deck, empty_collection_file):
    with Collection.open(
        empty_collection_file(db_path), shipped_decks=False, clock=clock, tz=UTC, fuzz=False
    ) as collection:
        collection.import_paths([write_deck(DECK)], backup=False)
        yield collection, db_path


def test_a_session_studies_alike_on_either_store_and_its_counts_are_the_collections(
    collection, write_deck, clock, backend
):
    collection.import_paths([write_deck(DECK)], backup=False)
    session = StudySession(collection, "S")
    assert isinstance(session.store, SqliteStore if backend == "sqlite" else CollectionStore)
    first = session.current()
    collection.set_flag(first.id, 3)
    session.refresh()
    assert session.current().flag == 3  # the flag comes with the card read
    ratings = iter([Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.GOOD, Rating.GOOD, Rating.GOOD])
    answered = []
    while (card := session.current()) is not None and len(answered) < 6:
        session.answer(card.id, next(ratings), duration_ms=1000)
        answered.append(card.id)
        counts, expected = session.counts(), collection.study_counts("S")
        assert (counts.new, counts.learning, counts.due) == (expected.new, expected.learning, expected.due)
        clock.now += timedelta(minutes=1)
    # b (Again, due in a minute) comes back before the new c; a's reverse card was buried by a's answer.
    keys = [collection.card(card_id).key for card_id in answered]
    assert keys[:4] == ["a", "b", "b", "c"]
    sibling = next(c.id for c in collection.cards("S") if c.key == "a" and c.id != first.id)
    assert sibling not in answered
    assert collection.review_history(first.id)[0].rating == Rating.GOOD
    assert collection.changed  # the app backs up on closing after a change
    session.close()


def test_the_study_backup_is_handed_over_when_due_and_never_taken_by_an_answer(study_file, clock):
    collection, path = study_file
    session = StudySession(collection, "S")
    assert isinstance(session.store, SqliteStore)
    card = session.current()
    session.answer(card.id, Rating.AGAIN)
    assert list_backups(path) == []  # the answer itself wrote no backup
    job = session.backup_job()  # none yet: due now
    assert job is not None and session.backup_job() is None  # handed over once
    job()
    assert [backup.reason for backup in list_backups(path)] == ["study"]
    clock.now += timedelta(minutes=29)
    assert session.backup_job() is None
    clock.now += timedelta(minutes=1)
    job = session.backup_job()
    assert job is not None
    job()
    assert [backup.reason for backup in list_backups(path)] == ["study", "study"]
    session.close()


def test_a_session_remembers_the_newest_backup_of_the_folder(study_file, clock):
    collection, path = study_file
    collection.backup("manual")
    clock.now += timedelta(minutes=10)
    session = StudySession(collection, "S")
    assert session.backup_job() is None  # 10 minutes old
    clock.now += timedelta(minutes=20)
    assert session.backup_job() is not None
    session.close()


def test_an_unknown_deck_is_worded_by_the_collection(study_file):
    collection, _ = study_file
    with pytest.raises(UserError, match="unknown deck"):
        StudySession(collection, "Nope")


def test_an_in_memory_collection_studies_through_the_collection(clock, write_deck):
    with Collection.open("sqlite://", shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([write_deck(DECK)], backup=False)
        session = StudySession(collection, "S")
        assert isinstance(session.store, CollectionStore) and session.backup_job() is None
        card = session.current()
        session.answer(card.id, Rating.GOOD)
        assert collection.review_history(card.id)[0].rating == Rating.GOOD


@pytest.mark.parametrize("seed", range(6))
def test_counts_from_the_queue_after_an_answer_are_the_collections(
    db_path, clock, write_deck, seed, empty_collection_file
):
    """After each answer the session's counts are what counting again finds, whether it counted
    again (an answer that buried a sibling, a learning card coming due) or took them from its queue
    (most answers), under daily limits that bind or not, in nested decks, with interday learning."""
    import random

    from tests.flashapp.store.test_study_queue import deck_file

    options = [
        "reviews_per_day = 12",  # the review limit binds; new cards count against it
        "reviews_per_day = 30\nnew_per_day = 4",
        'learning_steps = ["1m", "1d"]\nreviews_per_day = 9',  # interday learning under the review limit
        "reviews_per_day = 10\nnew_cards_ignore_review_limit = true\nnew_per_day = 3",
        'learning_steps = ["1d", "2d"]\nreviews_per_day = 4\nnew_per_day = 6',
        "new_per_day = 5\nreviews_per_day = 7",
        "",
    ]
    rng = random.Random(seed)
    with Collection.open(
        empty_collection_file(db_path), shipped_decks=False, clock=clock, tz=UTC, fuzz=False
    ) as collection:
        decks = [("P", 12, "p"), ("P::C", 10, "c"), ("P::D", 8, "d")]
        files = []
        for name, count, key in decks:
            text = deck_file(name, count, key, options=rng.choice(options), reversed_=rng.random() < 0.4)
            files.append(write_deck(text, f"{key}.toml"))
        collection.import_paths(files, backup=False)
        for card in rng.sample(collection.cards(), 25):  # reviews and learning cards due later
            collection.answer(card.id, rng.choice([Rating.AGAIN, Rating.GOOD, Rating.EASY]))
        clock.now += timedelta(days=rng.choice([1, 2, 5]))
        deck = rng.choice(["P", "P::C", None])
        session = StudySession(collection, deck)
        reads = []
        counted = session.store.study_counts

        def noted(deck):
            reads.append(deck)
            return counted(deck)

        session.store.study_counts = noted
        answers = 0
        while (card := session.current()) is not None and answers < 60:
            session.answer(card.id, rng.choice(list(Rating)))
            answers += 1
            clock.now += timedelta(seconds=rng.choice([5, 40, 400, 2000]))
            shown, expected = session.counts(), collection.study_counts(deck)
            assert (shown.new, shown.learning, shown.due) == (
                expected.new,
                expected.learning,
                expected.due,
            ), answers
        assert answers >= 10 and len(reads) < answers  # most answers were not counted again
        session.close()
