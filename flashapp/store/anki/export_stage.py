"""A staging copy of the rows an export needs, for a collection SQLite cannot attach (a server
database, an in-memory one): the exported decks, their cards, notes and review log, the note types,
the media names and the collection settings, streamed a chunk at a time into an SQLite file with the
collection's own column names and SQLite's storage forms (times as naive UTC text, JSON as text), so
that `package_export` and `export_sql` run on it unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.store.models import Card, CollectionSetting, Deck, Media, Note, NoteType, Review

CHUNK = 5000
_CARDS = (
    Card.id, Card.note_id, Card.deck_id, Card.ord, Card.state, Card.due, Card.interval_days, Card.ease,
    Card.step, Card.stability, Card.difficulty, Card.last_review, Card.suspended, Card.position,
    Card.modified_at, Card.reps, Card.lapses, Card.flag, Card.orphaned,
)  # fmt: skip
_NOTES = (
    Note.id, Note.note_type_id, Note.note_type, Note.fields, Note.key, Note.source, Note.tags,
    Note.modified_at, Note.created_at,
)  # fmt: skip
_DECKS = (Deck.id, Deck.name, Deck.description, Deck.options, Deck.source_path)
_NOTE_TYPES = (
    NoteType.id, NoteType.name, NoteType.kind, NoteType.fields, NoteType.templates, NoteType.css,
    NoteType.properties,
)  # fmt: skip
_REVIEWS = (
    Review.id, Review.card_id, Review.reviewed_at, Review.rating, Review.interval_after_days,
    Review.interval_before_days, Review.ease_after, Review.duration_ms, Review.state_before,
    Review.previous,
)  # fmt: skip


def stored(value: Any) -> Any:
    """A value in the form SQLAlchemy stores it in SQLite."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def _json(value: Any) -> str:
    """A JSON column's value as SQLite stores it (a bare number or string too)."""
    return json.dumps(value, ensure_ascii=False)


def _copy(
    target: sqlite3.Connection, table: str, columns: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> None:
    names = [column.key for column in columns]
    target.execute(f"CREATE TABLE {table} ({names[0]} INTEGER PRIMARY KEY, {', '.join(names[1:])})")
    insert = f"INSERT INTO {table} VALUES ({', '.join('?' for _ in names)})"
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(stored(value) for value in row))
        if len(batch) >= CHUNK:
            target.executemany(insert, batch)
            batch.clear()
    target.executemany(insert, batch)


def stage_rows(session: Session, deck_ids: set[int], path: Path) -> None:
    """Copy the rows exporting `deck_ids` reads into a new SQLite file at `path`."""
    core = session.connection().execution_options(stream_results=True, yield_per=CHUNK)
    chosen = select(Card.id).where(Card.deck_id.in_(deck_ids), Card.orphaned.is_(False))
    target = sqlite3.connect(path, isolation_level=None)
    try:
        target.execute("PRAGMA journal_mode=OFF")
        target.execute("PRAGMA synchronous=OFF")
        target.execute("BEGIN")
        _copy(target, "cards", _CARDS, core.execute(select(*_CARDS).where(Card.id.in_(chosen))))
        notes = select(Card.note_id).where(Card.id.in_(chosen))
        _copy(target, "notes", _NOTES, core.execute(select(*_NOTES).where(Note.id.in_(notes))))
        _copy(target, "reviews", _REVIEWS, core.execute(select(*_REVIEWS).where(Review.card_id.in_(chosen))))
        target.execute("CREATE INDEX ix_reviews_card ON reviews (card_id)")
        _copy(target, "decks", _DECKS, core.execute(select(*_DECKS).where(Deck.id.in_(deck_ids))))
        _copy(target, "note_types", _NOTE_TYPES, core.execute(select(*_NOTE_TYPES)))
        _copy(target, "media", (Media.id, Media.name), core.execute(select(Media.id, Media.name)))
        target.execute("CREATE TABLE collection_settings (key TEXT PRIMARY KEY, value)")
        target.executemany(
            "INSERT INTO collection_settings VALUES (?, ?)",
            [
                (key, _json(value))
                for key, value in core.execute(select(CollectionSetting.key, CollectionSetting.value))
            ],
        )
        target.execute("COMMIT")
    finally:
        target.close()
