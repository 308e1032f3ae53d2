"""`check` finds every kind of broken row (one test row each) and `check --repair` mends what can be
mended after a backup; damaged pages are salvaged into a new file."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import text

from flashapp.cli.main import main
from flashapp.core.scheduling import Rating
from flashapp.store.backup import list_backups
from flashapp.store.collection import Collection
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
    ("UPDATE reviews SET rating = 7", "rating 7 is not 1-4", False),
    ("UPDATE reviews SET state_after = 'gone'", "is not a card state", False),
    ("UPDATE reviews SET previous = '{not json'", "undo record is not valid JSON", True),
    ("UPDATE decks SET options = '{\"learning_steps_minutes\": [1e12]}'", "invalid options", True),
    ("UPDATE decks SET options = 'nope'", "options are not valid JSON", True),
    ("UPDATE notes SET fields = '[1'", "fields are not a JSON object", False),
    ("UPDATE notes SET demo_params = '{'", "demo parameters are not valid JSON", True),
    ("INSERT INTO media (name, sha256, size, created_at) VALUES ('gone.png', 'x', 3, '2026-01-01')",
     "media 'gone.png': recorded but missing", True),
    ("PRAGMA foreign_keys=OFF; UPDATE cards SET deck_id = 999 WHERE id = 2",
     "its note or deck is missing", True),
    ("PRAGMA foreign_keys=OFF; UPDATE cards SET note_id = 999 WHERE id = 3",
     "its note or deck is missing", True),
]  # fmt: skip


@pytest.fixture
def broken(tmp_path, write_deck, clock):
    path = tmp_path / "c.db"
    with Collection.open(path, shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([write_deck(DECK)])
        collection.answer(1, Rating.GOOD)
        clock.now += timedelta(minutes=20)
        collection.answer(1, Rating.GOOD)
        assert collection.check() == []
    return path


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
