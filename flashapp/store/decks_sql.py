"""Deck names and deck rows on a plain `sqlite3` connection, for the Anki package import (which runs
without SQLAlchemy; see `store.anki.package_import`). The rule is `store.decks.ensure_deck`'s: a deck
is created with every missing parent, a parent with no description and its own (empty) options."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from flashapp.store.sql_text import db_time

SEPARATOR = "::"


def parent_names(name: str) -> list[str]:
    """ "A::B::C" -> ["A", "A::B"]."""
    parts = name.split(SEPARATOR)
    return [SEPARATOR.join(parts[:i]) for i in range(1, len(parts))]


def deck_id_named(db: sqlite3.Connection, name: str) -> int | None:
    rows = db.execute("SELECT id FROM decks WHERE name = ?", (name,)).fetchall()  # no statement left open
    return int(rows[0][0]) if rows else None


def ensure_deck_id(db: sqlite3.Connection, name: str, now: datetime, description: str = "") -> int:
    """The id of the deck called `name`, created (with any missing parents, each with no description
    and empty options) if needed; an existing deck is left as it is."""
    created = db_time(now)
    for parent in parent_names(name):
        if deck_id_named(db, parent) is None:
            db.execute(
                "INSERT INTO decks (name, description, options, created_at) VALUES (?, '', '{}', ?)",
                (parent, created),
            )
    found = deck_id_named(db, name)
    if found is not None:
        return found
    cursor = db.execute(
        "INSERT INTO decks (name, description, options, created_at) VALUES (?, ?, '{}', ?)",
        (name, description, created),
    )
    return int(cursor.lastrowid)
