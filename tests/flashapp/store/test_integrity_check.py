"""`check` finds every kind of broken row (one test row each) and `check --repair` mends what can be
mended after a backup; damaged pages are salvaged into a new file."""

from __future__ import annotations

import shutil
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text

from flashapp.cli.main import main
from flashapp.core.scheduling import Rating
from flashapp.store.backup import list_backups
from flashapp.store.collection import Collection
from tests.conftest import Clock
from tests.flashapp.cli.test_cli_hardening import damage

DECK = """\
[deck]
name = "Check"

[[cards]]
id = "a"
front = "q"
back = "a"

[[cards]]
id = "b"
kind = "reversed"
front = "q2"
back = "a2"
"""

# (SQL that breaks one row, words of the problem check reports, whether --repair mends it)
BREAKS = [
    ("UPDATE cards SET state = 'limbo' WHERE id = 1", "unknown state 'limbo'", True),
    ("UPDATE cards SET due = 'yesterday-ish', state = 'review' WHERE id = 1", "is not a date", True),
    ("UPDATE cards SET state = 'review', due = NULL WHERE id = 1", "has no due date", True),
    ("UPDATE cards SET ease = 'abc' WHERE id = 1", "ease 'abc' is not a number", True),
    ("UPDATE cards SET ease = 0.2 WHERE id = 1", "ease 0.2 is not a number", True),
    ("UPDATE cards SET interval_days = 9999999 WHERE id = 1", "interval 9999999", True),
    ("UPDATE cards SET interval_days = -3 WHERE id = 1", "interval -3", True),
    ("UPDATE cards SET step = 7, state = 'learning', due = '2026-03-02 12:00:00' WHERE id = 1",
     "step 7 is out of range", True),
    ("UPDATE cards SET lapses = -1 WHERE id = 1", "lapses -1 is not a count", True),
    ("UPDATE cards SET last_review = 'soon' WHERE id = 1", "last review 'soon' is not a date", True),
    ("UPDATE cards SET queue = 9 WHERE id = 1", "queue 9 does not match", True),
    ("UPDATE cards SET reps = 40 WHERE id = 1", "reps 40 disagree with its review log", True),
    ("UPDATE reviews SET rating = 7", "rating 7 is not 1-4", True),
    ("UPDATE reviews SET rating = 'x' WHERE id = 1", "rating 'x' is not 1-4", True),
    ("UPDATE reviews SET rating = 0 WHERE id = 2", "rating 0 is not 1-4", True),
    ("UPDATE reviews SET rating = 5, previous = '{\"imported\": \"anki\"}'", "rating 5 is not 0-4", True),
    ("UPDATE reviews SET state_after = 'gone'", "is not a card state", True),
    ("UPDATE reviews SET state_before = 'x' WHERE id = 2", "state 'x' -> ", True),
    ("UPDATE reviews SET previous = '{not json'", "undo record is not valid JSON", True),
    ("UPDATE decks SET options = '{\"learning_steps_minutes\": [1e12]}'", "invalid options", True),
    ("UPDATE decks SET options = 'nope'", "options are not valid JSON", True),
    ("UPDATE notes SET fields = '[1'", "fields are not a JSON object", True),
    ("UPDATE notes SET fields = '[\"q\", \"a\", \"x\", \"y\"]' WHERE id = 2", "fields are not a JSON", True),
    ("PRAGMA foreign_keys=OFF; DELETE FROM cards WHERE note_id = 2", "note 2: has no cards", True),
    ("PRAGMA foreign_keys=OFF; DELETE FROM cards WHERE note_id = 2;"
     "UPDATE notes SET note_type = 'cloze', fields = '{\"text\": \"no deletion\"}' WHERE id = 2",
     "note 2: has no cards", True),
    ("UPDATE notes SET demo_params = '{'", "demo parameters are not valid JSON", True),
    ("INSERT INTO media (name, sha256, size, created_at) VALUES ('gone.png', 'x', 3, '2026-01-01')",
     "media 'gone.png': recorded but missing", True),
    ("PRAGMA foreign_keys=OFF; UPDATE cards SET deck_id = 999 WHERE id = 2",
     "its note or deck is missing", True),
    ("PRAGMA foreign_keys=OFF; UPDATE cards SET note_id = 999 WHERE id = 3",
     "its note or deck is missing", True),
    ("PRAGMA foreign_keys=OFF; UPDATE reviews SET card_id = 999", "review(s) belong to no card", True),
]  # fmt: skip


@pytest.fixture(scope="module")
def sound_folder(tmp_path_factory, empty_collection_template):
    """A folder holding a sound collection c.db (a deck, two answers 20 minutes apart from the clock's
    start), its deck file and its backups: built once, copied for each test that breaks it."""
    folder = tmp_path_factory.mktemp("sound")
    path = folder / "c.db"
    shutil.copyfile(empty_collection_template, path)
    (folder / "deck.toml").write_text(DECK, encoding="utf-8")
    clock = Clock()
    with Collection.open(path, shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([folder / "deck.toml"])
        collection.answer(1, Rating.GOOD)
        clock.now += timedelta(minutes=20)
        collection.answer(1, Rating.GOOD)
        assert collection.check() == []
    return folder


@pytest.fixture
def broken(tmp_path, clock, sound_folder):
    """A copy of the sound collection in tmp_path (with its backups), the test's clock where its
    building left it."""
    shutil.copytree(sound_folder, tmp_path, dirs_exist_ok=True)
    clock.now += timedelta(minutes=20)
    return tmp_path / "c.db"


def run_sql(path, sql: str) -> None:
    import sqlite3

    connection = sqlite3.connect(path)
    connection.executescript(sql)
    connection.commit()
    connection.close()


@pytest.mark.parametrize("sql, words, mended", BREAKS, ids=[b[1][:30] for b in BREAKS])
def test_each_broken_row_is_found_and_repaired_where_it_can_be(broken, clock, sql, words, mended):
    run_sql(broken, sql)
    with Collection.open(broken, clock=clock, tz=UTC) as collection:
        problems = collection.check()
        assert any(words in problem for problem in problems), problems
        done = collection.repair()
        assert done[0].startswith("backup taken")
        left = collection.check()
    if not mended:  # reported again: nothing safe to do but say so (or restore a backup)
        assert any(words in problem for problem in left)
    else:
        assert left == [] and len(done) > 1, (left, done)
        with Collection.open(broken, clock=clock, tz=UTC) as collection:
            collection.deck_counts()
            collection.cards()  # every command reads the mended rows again


def test_a_manual_entry_from_anki_is_sound(broken, clock):
    """Rating 0 is Anki's manual entry (rescheduled, set due); imported rows carry no undo record."""
    run_sql(broken, 'UPDATE reviews SET rating = 0, previous = \'{"imported": "anki", "anki_type": 4}\'')
    with Collection.open(broken, clock=clock, tz=UTC) as collection:
        assert collection.check() == []


def test_a_lost_update_shows_as_reps_against_the_log(broken, clock):
    # Two processes that both read reps=1 and both wrote reps=2: two log rows claim reps 1 before them.
    run_sql(broken, "UPDATE reviews SET previous = json_set(previous, '$.card.reps', 0) WHERE id = 2")
    with Collection.open(broken, clock=clock, tz=UTC) as collection:
        assert any("disagree with its review log" in p for p in collection.check())


def test_repair_salvages_damaged_pages_into_a_new_file(broken, clock, capsys):
    damage(broken, ["reviews"])
    assert main(["--db", str(broken), "check"]) == 1
    assert "sqlite integrity" in capsys.readouterr().out
    assert main(["--db", str(broken), "check", "--repair"]) == 0
    out = capsys.readouterr().out
    assert "readable rows recovered into a new file" in out and "ok" in out
    assert main(["--db", str(broken), "decks"]) == 0
    assert any(b.reason == "repair" for b in list_backups(broken))
    with Collection.open(broken) as collection, collection.reading() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_repair_mends_the_log_and_the_notes_as_anki_would(collection, clock, write_deck):
    """On either backend: a rating out of range goes to the nearest button, a state the log lost comes
    back from the next review or the card, a note's fields held as a list keep their text (extra ones
    joined into the last, tagged db-check), a note with no cards gets the cards its kind calls for, and
    a cloze note without a deletion (no card to make) is deleted."""
    collection.import_paths([write_deck(DECK)])
    collection.answer(1, Rating.GOOD)
    clock.now += timedelta(minutes=20)
    collection.answer(1, Rating.GOOD)
    with collection.reading() as session:
        states = session.execute(text("SELECT state_after FROM reviews ORDER BY id")).scalars().all()
        card_state = session.execute(text("SELECT state FROM cards WHERE id = 1")).scalar()
    with collection.writing() as session:
        session.execute(text("UPDATE reviews SET rating = 7 WHERE id = 1"))
        session.execute(text("UPDATE reviews SET rating = -3, state_after = 'gone' WHERE id = 2"))
        session.execute(text("UPDATE reviews SET state_before = 'x' WHERE id = 2"))
        session.execute(text('UPDATE notes SET fields = \'["q2", "a2", "x", "y"]\' WHERE id = 2'))
        session.execute(text("DELETE FROM cards WHERE note_id = 2"))
        session.execute(
            text("INSERT INTO notes (source, key, deck_id, note_type, fields, tags, search_text, created_at, "
                 "modified_at) SELECT source, 'c', deck_id, 'cloze', '{\"text\": \"none\"}', '', '', "
                 "created_at, modified_at FROM notes WHERE id = 1")
        )  # fmt: skip
    problems = collection.check()
    expected = [
        "review 1: rating 7",
        "review 2: rating -3",
        "review 2: state 'x' -> 'gone'",
        "note 2: fields are not a JSON object",
        "note 2: has no cards",
        "note 3: has no cards",
    ]
    for words in expected:
        assert any(problem.startswith(words) for problem in problems), (words, problems)
    done = collection.repair()
    assert collection.check() == [], done
    assert any("note 3: has no cards: deleted" in line for line in done)
    with collection.reading() as session:
        log = session.execute(text("SELECT rating, state_before, state_after FROM reviews ORDER BY id")).all()
        assert [tuple(row) for row in log] == [(4, "new", states[0]), (1, states[0], card_state)]
        note = collection.note_fields(2)
        cards = session.execute(text("SELECT ord, state FROM cards WHERE note_id = 2 ORDER BY ord")).all()
        assert session.execute(text("SELECT count(*) FROM notes WHERE id = 3")).scalar() == 0
    assert [tuple(card) for card in cards] == [(0, "new"), (1, "new")]  # a reversed note: both sides
    assert (note.fields["front"], note.fields["back"], note.fields["extra"]) == ("q2", "a2", "x; y")
    assert "db-check" in note.tags


def test_a_file_past_recovery_is_left_as_it_was_and_names_the_backups(broken, capsys):
    damage(broken)  # every page but the first and the version table's: the schema cannot be read
    before = broken.read_bytes()
    assert main(["--db", str(broken), "check", "--repair"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot repair" in err and "flashapp restore" in err
    assert broken.read_bytes() == before
    assert not broken.with_name(broken.name + ".recovered").exists()
    assert any(b.reason == "repair" for b in list_backups(broken))  # the backup was taken first
