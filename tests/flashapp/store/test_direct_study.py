"""`store/direct/` (the study commands on sqlite3 alone) against the `Collection` on the same files:
the same deck tree, the same queue and next card, byte-for-byte the same rows after an answer; and the
fallbacks (None or Unhandled) wherever the `Collection` must act."""

from __future__ import annotations

import random
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flashapp.core.scheduling import Rating
from flashapp.store import schema
from flashapp.store.collection import Collection
from flashapp.store.damage import mark_damaged
from flashapp.store.direct import connection as direct_connection
from flashapp.store.direct.connection import direct_or_none, sqlite_path
from flashapp.store.direct.deck_tree import deck_rows
from flashapp.store.direct.study import Unhandled, answer, study_card, study_queue
from tests.conftest import Clock

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DECKS = {  # name: (cards, options line, reversed)
    "Lang": (6, "new_per_day = 4\nreviews_per_day = 5", False),
    "Lang::Verbs": (8, "new_per_day = 3", True),
    "Lang::Nouns": (7, 'reviews_per_day = 3\nlearning_steps = ["1m", "22m", "45m"]', False),
    "Maths": (9, 'scheduler = "fsrs"\nlearning_steps = ["3m", "24m"]', True),
}


def deck_text(name: str, count: int, options: str, reversed_: bool) -> str:
    kind = 'kind = "reversed"\n' if reversed_ else ""
    prefix = name.lower().replace("::", "-")
    cards = "".join(
        f'\n[[cards]]\nid = "{prefix}-{i}"\n{kind}front = "{name} front {i} $x^{i}$"\nback = "back {i}"\n'
        for i in range(count)
    )
    return f'[deck]\nname = "{name}"\n{options}\n{cards}'


def studied_collection(folder: Path, seed: int, tz, template: Path) -> tuple[Path, datetime]:
    """A collection after a few days of random study in `tz`: cards in every state, reviews logged
    today, burials, siblings; returns (file, the instant to compare at). `template`: the migrated empty
    collection (`empty_collection_template`), copied rather than migrated again."""
    clock = Clock(START)
    path = folder / f"c{seed}.db"
    shutil.copyfile(template, path)
    rng = random.Random(seed)
    with Collection.open(path, shipped_decks=False, clock=clock, tz=tz, fuzz=True) as collection:
        files = []
        for i, (name, (count, options, reversed_)) in enumerate(DECKS.items()):
            files.append(folder / f"d{seed}-{i}.toml")
            files[-1].write_text(deck_text(name, count, options, reversed_), encoding="utf-8")
        collection.import_paths(files, backup=False)
        for _ in range(4):  # days
            for _ in range(rng.randint(5, 15)):
                card_id = collection.study_queue().next_card_id(clock.now)
                if card_id is None:
                    break
                collection.answer(card_id, rng.choice(list(Rating)), rng.randint(0, 9000))
                clock.now += timedelta(minutes=rng.randint(0, 12))
            clock.now += timedelta(hours=rng.choice([14, 20, 23, 26]))
    return path, clock.now + timedelta(minutes=rng.randint(0, 30))


def full_side(path: Path, now: datetime, tz) -> Collection:
    return Collection.open(path, shipped_decks=False, clock=lambda: now, tz=tz, fuzz=True)


def table(path: Path, name: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT * FROM {name} ORDER BY id").fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize(("seed", "zone"), [(1, "UTC"), (2, "Europe/Berlin"), (3, "America/New_York")])
def test_the_deck_tree_the_queue_and_the_next_card_agree_with_the_collection(
    tmp_path, seed, zone, empty_collection_template
):
    tz = ZoneInfo(zone)
    path, now = studied_collection(tmp_path, seed, tz, empty_collection_template)
    direct = direct_or_none(path, tz)
    assert direct is not None
    for minutes in (0, 4, 9, 13, 19, 23, 28, 37, 44):  # learning cards come into the learn-ahead window
        later = now + timedelta(minutes=minutes)
        with full_side(path, later, tz) as collection:
            # deck_counts first: it lifts the burials that ended, as study_queue does.
            expected = [(r.name, r.new, r.learning, r.due, r.total) for r in collection.deck_counts()]
            queue = collection.study_queue()
            expected_next = queue.next_card_id(later), queue.counts(later)
            expected_header = collection.study_counts()
        got_queue = study_queue(direct, None, later)
        assert [(r.name, r.new, r.learning, r.due, r.total) for r in deck_rows(direct, later)] == expected
        assert got_queue.next_card_id(later) == expected_next[0]
        assert got_queue.counts(later).learning == expected_next[1].learning
        assert got_queue.built_counts == expected_header == queue.built_counts
    with full_side(path, now, tz) as collection, direct:
        for deck in [None, *DECKS]:
            ours, theirs = study_queue(direct, deck, now), collection.study_queue(deck)
            for part in ("learning", "review", "new"):
                assert [c.id for c in getattr(ours, part)] == [c.id for c in getattr(theirs, part)], (
                    deck,
                    part,
                )
            assert ours.counts() == ours.counts(None)
            assert (ours.counts().new, ours.counts().learning, ours.counts().review) == (
                theirs.counts().new,
                theirs.counts().learning,
                theirs.counts().review,
            )
            assert ours.next_card_id(now) == theirs.next_card_id(now)
            assert ours.next_learning_due() == theirs.next_learning_due()
            if (card_id := ours.next_card_id(now)) is not None:
                assert (
                    study_card(direct, card_id, now, fuzz=True).to_json()
                    == collection.study_card(card_id).to_json()
                )


@pytest.mark.parametrize("seed", [4, 5])
def test_an_answer_writes_the_rows_the_collection_writes(tmp_path, seed, empty_collection_template):
    path, now = studied_collection(tmp_path, seed, UTC, empty_collection_template)
    theirs_file, ours_file = tmp_path / "theirs.db", tmp_path / "ours.db"
    shutil.copy(path, theirs_file)
    shutil.copy(path, ours_file)
    with full_side(theirs_file, now, UTC) as collection:
        queue = collection.study_queue()
        # The next card, and a card with a sibling to bury (reversed notes), answered with every rating.
        targets = [queue.next_card_id(now), *(c.id for c in queue.new[:3])]
    with direct_or_none(ours_file, UTC) as direct:
        assert [c.id for c in study_queue(direct, None, now).new] == [c.id for c in queue.new]
    buried = []
    for rating, card_id in zip([Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.HARD], targets, strict=False):
        with full_side(theirs_file, now, UTC) as collection:
            expected = collection.answer(card_id, rating, 1234)
        with direct_or_none(ours_file, UTC) as direct:
            got = answer(direct, card_id, rating, now, fuzz=True, duration_ms=1234)
        assert got == expected
        buried += got.buried_siblings
        now += timedelta(seconds=30)
    assert buried  # siblings were buried, by the same rule on both sides
    for name in ("cards", "reviews", "notes", "decks"):
        assert table(ours_file, name) == table(theirs_file, name), name
    # And the Collection takes the direct answer back like its own.
    with full_side(ours_file, now, UTC) as collection:
        assert collection.undo().card_id == targets[-1]
        assert collection.check() == []


def test_burials_that_ended_are_lifted_as_the_collection_lifts_them(tmp_path, empty_collection_template):
    path, now = studied_collection(tmp_path, 8, UTC, empty_collection_template)
    with full_side(path, now, UTC) as collection:
        buried = [card.id for card in collection.cards()[:3]]
        for card_id in buried:
            collection.bury(card_id)
        collection.suspend(buried[1])
        before = collection.deck_counts()
    copies = [tmp_path / "copy.db", tmp_path / "counted.db", tmp_path / "counted_direct.db"]
    for copy in copies:
        shutil.copy(path, copy)
    tomorrow = now + timedelta(days=1)
    with full_side(copies[0], tomorrow, UTC) as collection:
        expected = [c.id for c in collection.study_queue().new]
        expected_counts = collection.deck_counts()
    with direct_or_none(path, UTC) as direct:
        assert [c.id for c in study_queue(direct, None, tomorrow).new] == expected
    assert table(path, "cards") == table(copies[0], "cards")
    # The deck tree lifts them too (on either path), so it shows what the queue will hold.
    with full_side(copies[1], tomorrow, UTC) as collection:
        assert collection.deck_counts() == expected_counts
    with direct_or_none(copies[2], UTC) as direct:
        assert deck_rows(direct, tomorrow) == expected_counts
    assert table(copies[1], "cards") == table(copies[2], "cards") == table(path, "cards")
    assert before != expected_counts  # the lifted cards count again


def test_a_suspended_card_is_refused_and_nothing_is_written(tmp_path, empty_collection_template):
    path, now = studied_collection(tmp_path, 6, UTC, empty_collection_template)
    with full_side(path, now, UTC) as collection:
        card_id = collection.cards()[0].id
        collection.suspend(card_id)
    before = table(path, "cards"), table(path, "reviews")
    with direct_or_none(path, UTC) as direct, pytest.raises(Exception, match="is suspended"):
        answer(direct, card_id, Rating.GOOD, now, fuzz=False, duration_ms=0)
    assert (table(path, "cards"), table(path, "reviews")) == before


def test_the_collection_takes_over_where_it_must(tmp_path, empty_collection_template):
    path, now = studied_collection(tmp_path, 7, UTC, empty_collection_template)
    with direct_or_none(path, UTC) as direct:
        with pytest.raises(Unhandled):
            study_queue(direct, "No such deck", now)  # the Collection words the error
        with pytest.raises(Unhandled):
            answer(direct, 10**9, Rating.GOOD, now, fuzz=False, duration_ms=0)  # unknown card, likewise
    assert direct_or_none(tmp_path / "missing.db", UTC) is None  # created (and filled) by the Collection
    assert direct_or_none("postgresql+psycopg://u@localhost/db", UTC) is None
    assert direct_or_none(f"sqlite:///{path}?mode=ro", UTC) is None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0005_older'")
    assert direct_or_none(path, UTC) is None  # to upgrade: the Collection does it
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_newer'")
    assert direct_or_none(path, UTC) is None  # written by a newer flashapp: not this package's to read
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (schema.HEAD_REVISION,))
    assert direct_or_none(path, UTC) is not None
    mark_damaged(path, "disk image is malformed")
    assert direct_or_none(path, UTC) is None  # the Collection refuses it, with its message


def test_sqlite_paths_are_read_as_the_collection_reads_them(tmp_path):
    assert sqlite_path(str(tmp_path / "c.db")) == tmp_path / "c.db"
    assert sqlite_path(f"sqlite:///{tmp_path}/c.db") == tmp_path / "c.db"
    assert sqlite_path("~/c.db") == Path("~/c.db").expanduser()
    assert sqlite_path("sqlite://") is None and sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("sqlite:///a%20b.db") is None and sqlite_path("sqlite+pysqlite:///c.db") is None


def test_the_columns_read_and_written_here_are_the_newest_schemas():
    """The direct path follows `schema.HEAD_REVISION` (a new migration does not turn it off): every
    column it names must exist at the newest schema, and its review insert must fill every column the
    schema requires; a migration that breaks this fails here (and the comparisons above)."""
    from flashapp.store import models, settings
    from flashapp.store.card_state import SNAPSHOT_COLUMNS
    from flashapp.store.direct import study

    cards = models.Card.__table__.columns
    assert set(study._CARD_COLUMNS) | set(SNAPSHOT_COLUMNS) <= set(cards.keys())
    reviews = models.Review.__table__.columns
    assert set(study._REVIEW_COLUMNS) <= set(reviews.keys())
    required = {c.name for c in reviews if not c.nullable and c.default is None and c.server_default is None}
    assert required - {"id"} <= set(study._REVIEW_COLUMNS)
    assert (
        direct_connection.ROLLOVER_HOUR,
        direct_connection.LEARN_AHEAD_MINUTES,
        direct_connection.DEFAULT_LEARN_AHEAD_MINUTES,
        direct_connection.MAX_LEARN_AHEAD_MINUTES,
    ) == (
        settings.ROLLOVER_HOUR,
        settings.LEARN_AHEAD_MINUTES,
        settings.DEFAULT_LEARN_AHEAD_MINUTES,
        settings.MAX_LEARN_AHEAD_MINUTES,
    )


def test_the_learn_ahead_setting_is_read_on_the_direct_path(tmp_path, empty_collection_template):
    path, now = studied_collection(tmp_path, 9, UTC, empty_collection_template)
    for minutes in (0, 45):
        with full_side(path, now, UTC) as collection:
            collection.set_learn_ahead_minutes(minutes)
            expected = [(r.name, r.learning) for r in collection.deck_counts()]
        with direct_or_none(path, UTC) as direct:
            assert direct.learn_ahead == timedelta(minutes=minutes)
            assert [(r.name, r.learning) for r in deck_rows(direct, now)] == expected
