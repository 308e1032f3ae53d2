"""The store on PostgreSQL (FLASHAPP_TEST_PG): every write path, long names, no password shown, and
two processes answering one card and undoing without losing an update or undoing twice."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from flashapp.cli.main import main
from flashapp.core.scheduling import Rating
from flashapp.store.collection import Collection
from tests.flashapp.store.pg_race import launch, race

DECK = """\
[deck]
name = "Shared::Deck"

[[cards]]
id = "a"
front = "q"
back = "a"

[[cards]]
id = "r"
kind = "reversed"
front = "front"
back = "back"
"""


@pytest.fixture
def pg_collection(pg_collection_url, clock, write_deck):
    url = pg_collection_url
    with Collection.open(url, shipped_decks=False, clock=clock, tz=UTC, fuzz=False) as collection:
        collection.import_paths([write_deck(DECK)])
        yield collection


def test_every_write_path_on_postgres(pg_collection, clock):
    c = pg_collection
    first, second = (card.id for card in c.cards()[:2])
    c.answer(first, Rating.GOOD)
    clock.now += timedelta(minutes=10)
    c.answer(first, Rating.GOOD)
    assert c.undo() is not None
    c.suspend(second)
    c.suspend(second, False)
    c.bury(second)
    c.bury(second, False)
    c.set_flag(first, 2)
    note_id = c.cards()[0].note_id
    c.edit_note(note_id, {"front": "edited", "back": "a", "extra": ""})
    c.forget(first)
    assert c.check() == []
    assert {card.front for card in c.cards()} >= {"edited"}


def test_long_names_have_no_arbitrary_limit(pg_collection, write_deck):
    name = "::".join(["P" * 250, "C" * 40])
    pg_collection.import_paths([write_deck(DECK.replace("Shared::Deck", name), "long.toml")])
    assert name in pg_collection.deck_names()


def test_backups_and_check_on_postgres_never_print_the_password(pg_collection_url, capsys, pg_collection):
    from sqlalchemy.engine import make_url

    url = make_url(pg_collection_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    assert main(["--db", url, "backups"]) == 0
    assert main(["--db", url, "check"]) == 0  # trust auth: the password is not needed, only shown
    out, err = capsys.readouterr()
    assert "s3cret-pw" not in out + err and "pg_dump" in out and "***" in out


def test_two_processes_answering_and_undoing_beside_a_browser_lose_nothing(pg_collection, pg_collection_url):
    """Two processes answer one card and undo while a third runs bulk actions on its note's cards
    (and undoes them), edits the note and changes the deck's options: before the row locks and the
    undo that keeps newer values, this lost 27 answers and deadlocked 4 times in 10 s."""
    pg_collection.close()
    tally = race(pg_collection_url, seconds=4, workers=2, browsers=1)
    assert tally["answers"] > 10 and tally["undos"] > 0 and tally["bulk_actions_and_edits"] > 5, tally
    assert tally["failures"] == [] and tally["lost_updates"] == 0 and tally["double_undos"] == 0, tally
    assert tally["check"] == []


def test_a_connection_error_never_prints_the_password(pg_url, capsys):
    """The server answers, but the database does not exist: one line naming the server, no password."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(password="s3cret-pw", database="no_such_db_i13").render_as_string(False)
    assert main(["--db", url, "decks"]) == 2
    out, err = capsys.readouterr()
    assert "s3cret-pw" not in out + err and "***" in err and err.count("\n") == 1
    assert "no_such_db_i13" in err


def test_machines_starting_on_one_new_database_at_once_get_one_full_collection(pg_url):
    """Each creates the tables and fills the shipped decks unless another already has: before the
    advisory lock all but one failed on a duplicate key, and the others saw an empty collection."""
    ran = launch([["first_open", pg_url]] * 3, timeout=120)  # three processes, started at once
    assert all(job["status"] == 0 for job in ran), ran
    seen = [job["result"] for job in ran]
    assert seen[0][0] > 0 and seen == [seen[0]] * 3


def test_a_first_run_that_fails_while_filling_leaves_no_collection(pg_url, monkeypatch, write_deck):
    """On a server the schema and the shipped decks commit together: a failure (or a kill) halfway
    leaves a database the next start creates afresh, never an empty collection that looks finished."""
    from flashapp.store import collection as collection_module
    from flashapp.store import schema
    from flashapp.store.db import make_engine

    broken = write_deck('[deck]\nname = "Broken"\n\n[[cards]]\nid = "a"\nfront = "q"\n', "broken.toml")
    monkeypatch.setattr(collection_module, "shipped_deck_files", lambda: [broken])
    with pytest.raises(Exception, match="back"):
        Collection.open(pg_url)
    engine = make_engine(pg_url)
    assert schema.current_revision(engine) is None and not schema.has_other_tables(engine)
    engine.dispose()
    monkeypatch.undo()
    with Collection.open(pg_url) as collection:
        assert len(collection.cards()) > 0


def test_an_import_leaves_the_planner_the_new_row_counts(pg_collection_url, clock, write_deck):
    """Until the server's planner knows a deck's size, `stats --deck` took a 100k-card deck for 2 rows
    and spent 10 s on one query; an import ANALYZEs the tables it filled (reltuples is exact for tables
    of this size, whose every row ANALYZE reads)."""
    from sqlalchemy import create_engine, text

    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "q{i}"\nback = "a{i}"\n' for i in range(257))
    deck = '[deck]\nname = "Counted"\n' + cards
    with Collection.open(pg_collection_url, shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([write_deck(deck, "counted.toml")])
    engine = create_engine(pg_collection_url)
    with engine.connect() as connection:
        estimate = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'cards' AND relkind = 'r'")
        ).scalar_one()
    engine.dispose()
    assert estimate == 257
