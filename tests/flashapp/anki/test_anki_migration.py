"""Revision 0003 adds the note_types table and notes.note_type_id to a collection in place."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import inspect, text

from flashapp.store import schema
from flashapp.store.collection import Collection
from flashapp.store.db import make_engine

DAY = "'2025-01-01'"
OLD_ROWS = [
    f"INSERT INTO decks (id, name, description, options, created_at) VALUES (1, 'Old', '', '{{}}', {DAY})",
    "INSERT INTO notes (id, source, key, deck_id, note_type, fields, tags, search_text, created_at, "
    "modified_at) VALUES (1, 'deckfile:Old', 'k', 1, 'basic', "
    f"""'{{"front": "F", "back": "B"}}', '', 'f b', {DAY}, {DAY})""",
    "INSERT INTO cards (id, note_id, deck_id, ord, position, queue, state, due, interval_days, ease, reps, "
    f"lapses, step, suspended, orphaned, flag, modified_at) VALUES (1, 1, 1, 0, 1, 0, 'new', {DAY}, 0, 2.5, "
    f"0, 0, 0, 0, 0, 0, {DAY})",
]


def test_a_0002_collection_upgrades_and_then_imports_anki_packages(tmp_path, anki_packages):
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0002_practice")
    with engine.begin() as connection:
        assert not inspect(connection).has_table("note_types")
        for statement in OLD_ROWS:
            connection.execute(text(statement))
    engine.dispose()

    with Collection.open(path, tz=UTC) as upgraded:
        assert schema.current_revision(upgraded.engine) == schema.HEAD_REVISION
        with upgraded.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("notes")}
            assert "note_type_id" in columns and inspect(connection).has_table("note_types")
            [foreign_key] = [
                fk
                for fk in inspect(connection).get_foreign_keys("notes")
                if fk["referred_table"] == "note_types"
            ]
            assert foreign_key["constrained_columns"] == ["note_type_id"]
        [card] = upgraded.cards()
        assert (card.front, card.back) == ("F", "B")
        upgraded.import_package(anki_packages["modern"])
        assert len(upgraded.cards()) > 1
        assert upgraded.check() == []
