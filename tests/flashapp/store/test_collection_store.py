"""The store: round trip through a file, SQLite pragmas, write transactions, import atomicity."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import event, func, select, text

from flashapp.errors import UserError
from flashapp.store.collection import Collection
from flashapp.store.models import Card, Deck, Note
from tests.conftest import logged_review

DECK = """\
[deck]
name = "Physics::Waves"
description = "Oscillations"

[[cards]]
id = "freq"
front = "Unit of frequency?"
back = "Hertz"
tags = ["units"]

[[cards]]
id = "rev"
kind = "reversed"
front = "Wavelength"
back = "Distance between crests"

[[cards]]
id = "cz"
cloze = "Speed = {{c1::frequency}} x {{c2::wavelength}}"
"""


def test_round_trip_through_the_file(collection, write_deck, collection_url, clock):
    collection.import_paths([write_deck(DECK)])
    collection.close()
    with Collection.open(collection_url, clock=clock, tz=UTC) as reopened:
        cards = reopened.cards()
        assert [(c.key, c.front) for c in cards] == [
            ("freq", "Unit of frequency?"),
            ("rev", "Wavelength"),
            ("rev", "Distance between crests"),
            ("cz", "Speed = [...] x wavelength"),
            ("cz", "Speed = frequency x [...]"),
        ]
        assert {c.deck for c in cards} == {"Physics::Waves"}
        assert cards[0].tags == ("units",)
        assert [c.name for c in reopened.deck_counts()] == ["Physics", "Physics::Waves"]
        with reopened.reading() as session:
            deck = session.scalar(select(Deck).where(Deck.name == "Physics::Waves"))
            assert deck.description == "Oscillations"
            assert session.scalar(select(Note).where(Note.key == "freq")).created_at == clock.now


@pytest.mark.sqlite_only
def test_sqlite_pragmas(collection):
    with collection.engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 5000}


@pytest.mark.sqlite_only
def test_writes_begin_immediate_and_reads_do_not(collection):
    with collection.writing():  # the first write's damage probe reads first (store.damage)
        pass
    statements: list[str] = []
    event.listen(collection.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with collection.writing() as session:
        session.execute(text("SELECT 1"))
    with collection.reading() as session:
        session.execute(text("SELECT 1"))
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_failed_write_rolls_back(collection, write_deck):
    collection.import_paths([write_deck(DECK)])
    with pytest.raises(RuntimeError), collection.writing() as session:
        session.execute(Card.__table__.update().values(reps=99))
        raise RuntimeError("crash mid-transaction")
    with collection.reading() as session:
        assert session.scalar(select(func.max(Card.reps))) == 0


def test_import_is_all_or_nothing(collection, write_deck):
    good = write_deck(DECK, "good.toml")
    bad = write_deck('[deck]\nname = "Bad"\n[[cards]]\nid = "x"\nfront = "only a front"\n', "bad.toml")
    with pytest.raises(UserError, match=r"bad.toml:3: card x: a basic card needs a non-empty 'back'"):
        collection.import_paths([good, bad])
    assert collection.cards() == []
    assert collection.deck_names() == []


def test_folder_import_and_bad_paths(collection, write_deck, tmp_path):
    write_deck(DECK, "a.toml")
    write_deck(DECK.replace("Physics::Waves", "Other"), "b.toml")
    report = collection.import_paths([tmp_path])
    assert report.added == 10
    assert collection.deck_names() == ["Other", "Physics", "Physics::Waves"]
    with pytest.raises(UserError, match="no such file or folder"):
        collection.import_paths([tmp_path / "missing.toml"])
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UserError, match=r"notes.txt: not a deck file"):
        collection.import_paths([tmp_path / "notes.txt"])


def test_two_files_defining_one_deck_are_refused(collection, write_deck):
    first, second = write_deck(DECK, "a.toml"), write_deck(DECK, "b.toml")
    with pytest.raises(UserError, match=r"b.toml: deck 'Physics::Waves' is also defined by .*a.toml"):
        collection.import_paths([first, second])


@pytest.mark.sqlite_only  # on PostgreSQL backups are the server's (pg_dump): test_postgres.py
def test_backup_before_import(collection, write_deck, db_path):
    collection.import_paths([write_deck(DECK)])
    backups = list((db_path.parent / "backups" / db_path.name).glob("*-import.db"))
    assert len(backups) == 1


def test_review_log_cascades_with_its_card(collection, write_deck, clock):
    collection.import_paths([write_deck(DECK)])
    with collection.writing() as session:
        card = session.scalars(select(Card)).first()
        session.add(logged_review(card.id, clock.now))
    assert collection.check() == []


def test_naive_datetimes_are_refused(collection, write_deck):
    from datetime import datetime

    collection.import_paths([write_deck(DECK)])
    with pytest.raises(Exception, match="naive datetime"), collection.writing() as session:
        session.scalars(select(Card)).first().due = datetime(2026, 1, 1)
        session.flush()


def test_unopenable_collection_is_a_user_error(tmp_path):
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match=r"is damaged \(file is not a database\)"):
        Collection.open(not_a_db)


def test_another_programs_database_is_left_alone(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    with pytest.raises(UserError, match="is a database but not a flashapp collection"):
        Collection.open(other)
    with sqlite3.connect(other) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["accounts"]


def test_a_new_collection_that_fails_to_fill_leaves_no_file(tmp_path, monkeypatch):
    bad_decks = tmp_path / "decks"
    bad_decks.mkdir()
    (bad_decks / "broken.toml").write_text('[deck]\nname = "B"\n[[cards]]\nid = "x"\n')
    monkeypatch.setattr("flashapp.store.collection.shipped_deck_files", lambda: [bad_decks / "broken.toml"])
    target = tmp_path / "new.db"
    with pytest.raises(UserError, match="broken.toml:3: card x"):
        Collection.open(target)
    assert list(tmp_path.glob("new.db*")) == []
