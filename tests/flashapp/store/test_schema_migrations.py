"""Alembic: the migrations build exactly the models' schema, and an old collection upgrades in place."""

from __future__ import annotations

from datetime import UTC

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from flashapp.store import schema
from flashapp.store.collection import Collection
from flashapp.store.db import make_engine
from flashapp.store.models import Base


def test_head_constant_matches_the_scripts(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        scripts = ScriptDirectory.from_config(schema.alembic_config(connection))
    assert scripts.get_current_head() == schema.HEAD_REVISION


def test_migrations_match_the_models(collection):
    with collection.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_first_revision_collection_upgrades_in_place(tmp_path, clock):
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0001_initial")
    with engine.begin() as connection:
        assert not inspect(connection).has_table("practice_sessions")
        connection.execute(
            text(
                "INSERT INTO decks (id, name, description, options, created_at) "
                "VALUES (1, 'Old', '', '{}', '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO notes (id, source, key, deck_id, note_type, fields, tags, search_text, "
                "created_at, modified_at) VALUES (1, 'deckfile:Old', 'k', 1, 'basic', "
                '\'{"front": "F", "back": "B", "extra": ""}\', \'\', \'f b\', '
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO cards (id, note_id, deck_id, ord, position, queue, state, due, interval_days, "
                "ease, reps, lapses, step, suspended, orphaned, flag, modified_at) VALUES (1, 1, 1, 0, 1, 2, "
                "'review', '2025-01-05 00:00:00', 4, 2.3, 3, 0, 0, 0, 0, 0, '2025-01-01 00:00:00')"
            )
        )
    engine.dispose()
    assert schema.current_revision(make_engine(f"sqlite:///{path}")) == "0001_initial"

    with Collection.open(path, clock=clock, tz=UTC) as upgraded:
        assert schema.current_revision(upgraded.engine) == schema.HEAD_REVISION
        with upgraded.engine.connect() as connection:
            assert inspect(connection).has_table("practice_sessions")
        [card] = upgraded.cards()
        assert (card.front, card.state, card.interval_days, card.ease) == ("F", "review", 4, 2.3)
        assert card.due.isoformat() == "2025-01-05T00:00:00+00:00"
        # An old collection is not refilled with the shipped decks.
        assert upgraded.deck_names() == ["Old"]
        assert upgraded.check() == []
