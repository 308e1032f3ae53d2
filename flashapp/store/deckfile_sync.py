"""Bring a parsed deck file into the collection, keyed by each card's stable `id`.

- a known id whose text changed is updated in place: its cards keep their review history;
- an id missing from the file has its cards orphaned (suspended, never deleted), and restored if
  it comes back; likewise a cloze number that disappears;
- a new id adds a note and its cards, after every existing new card, in file order;
- an id that another deck file of the same deck tree holds (a card moved to a subdeck, or back) moves
  into this deck with its cards and their history;
- syncing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, Table, func, insert, select
from sqlalchemy.orm import Session

from flashapp.core.deckfile import CardSpec, DeckSpec
from flashapp.core.text import to_plain
from flashapp.store.decks import SEPARATOR, ensure_deck
from flashapp.store.models import Card, Note, queue_for

# New notes written per INSERT.
INSERT_CHUNK = 5000


@dataclass
class SyncReport:
    deck: str
    added: int = 0  # cards
    updated: int = 0  # notes whose text, tags or demo changed
    orphaned: int = 0  # cards taken out of study because they left the file
    restored: int = 0  # orphaned cards back in the file
    moved: int = 0  # notes taken over from another deck file of the same deck tree

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.orphaned or self.restored or self.moved)


def note_source(deck_name: str) -> str:
    return f"deckfile:{deck_name}"


def tag_text(tags: tuple[str, ...] | list[str]) -> str:
    return f" {' '.join(tags)} " if tags else ""


def search_text(fields: dict[str, str], tags: str) -> str:
    return " ".join([*(to_plain(value) for value in fields.values() if value), tags.strip()]).lower()


def _note_values(spec: CardSpec) -> dict:
    fields = spec.fields()
    tags = tag_text(spec.tags)
    return {
        "note_type": spec.kind,
        "fields": fields,
        "tags": tags,
        "search_text": search_text(fields, tags),
        "demo": spec.demo,
        "demo_params": spec.params or None,
    }


def sync_deck(session: Session, spec: DeckSpec, source_path: str | None, now: datetime) -> SyncReport:
    report = SyncReport(spec.name)
    deck = ensure_deck(session, spec.name, now, spec.description)
    deck.source_path = source_path
    if {**deck.options, **spec.options} != deck.options:
        deck.options = {**deck.options, **spec.options}

    source = note_source(spec.name)
    existing = {note.key: note for note in session.scalars(select(Note).where(Note.source == source))}
    wanted_keys = [card_spec.id for card_spec in spec.cards if card_spec.id not in existing]
    existing.update(_move_from_tree(session, spec.name, deck.id, wanted_keys, report))
    cards_by_note: dict[int, dict[int, Card]] = {}
    for card in session.scalars(select(Card).join(Note).where(Note.source == source)):
        cards_by_note.setdefault(card.note_id, {})[card.ord] = card

    new_specs = []
    for card_spec in spec.cards:
        note = existing.pop(card_spec.id, None)
        if note is None:
            new_specs.append(card_spec)
            continue
        values = _note_values(card_spec)
        if any(getattr(note, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(note, key, value)
            note.modified_at = now
            report.updated += 1
        cards = cards_by_note.get(note.id, {})
        wanted = card_spec.card_ords()
        for ord_, card in cards.items():
            _set_orphaned(card, ord_ not in wanted, now, report)
        missing = [ord_ for ord_ in wanted if ord_ not in cards]
        if missing:
            _insert_cards(session, [(note.id, deck.id, ord_) for ord_ in missing], now)
            report.added += len(missing)
    for note in existing.values():  # ids no longer in the file
        for card in cards_by_note.get(note.id, {}).values():
            _set_orphaned(card, True, now, report)

    # In chunks, one transaction still: memory for rows stays small however big the file.
    for first in range(0, len(new_specs), INSERT_CHUNK):
        chunk = new_specs[first : first + INSERT_CHUNK]
        rows = [
            {"source": source, "key": s.id, "deck_id": deck.id, "created_at": now, "modified_at": now}
            | _note_values(s)
            for s in chunk
        ]
        ids = _insert_notes(session, rows, source)
        card_rows = [(ids[s.id], deck.id, ord_) for s in chunk for ord_ in s.card_ords()]
        _insert_cards(session, card_rows, now)
        report.added += len(card_rows)
    return report


def _move_from_tree(
    session: Session, deck_name: str, deck_id: int, keys: list[str], report: SyncReport
) -> dict[str, Note]:
    """Notes with these keys that deck files of the same tree (same top-level deck) hold: moved here,
    their cards with them, so that splitting a deck file into subdecks keeps every card's history."""
    if not keys:
        return {}
    root = deck_name.split(SEPARATOR)[0]
    low, prefix = note_source(root), note_source(root + SEPARATOR)
    in_tree = (Note.source == low) | ((Note.source >= prefix) & (Note.source < prefix + "\U0010ffff"))
    moved: dict[str, Note] = {}
    for note in session.scalars(select(Note).where(in_tree, Note.key.in_(keys)).order_by(Note.id)):
        if note.key in moved or note.source == note_source(deck_name):
            continue
        for card in session.scalars(
            select(Card).where(Card.note_id == note.id, Card.deck_id == note.deck_id)
        ):
            card.deck_id = deck_id
        note.source, note.deck_id = note_source(deck_name), deck_id
        moved[note.key] = note
        report.moved += 1
    session.flush()
    return moved


def _set_orphaned(card: Card, orphaned: bool, now: datetime, report: SyncReport) -> None:
    if card.orphaned == orphaned:
        return
    card.orphaned = orphaned
    card.queue = queue_for(
        card.state, suspended=card.suspended, orphaned=orphaned, buried=card.buried_until is not None
    )
    card.modified_at = now
    if orphaned:
        report.orphaned += 1
    else:
        report.restored += 1


def _insert_notes(session: Session, rows: list[dict], source: str) -> dict[str, int]:
    """Insert note rows; {key: id}."""
    connection = session.connection()
    note_table = Note.__table__
    if connection.dialect.name == "sqlite":
        insert_plain(connection, note_table, rows)
        keys = {row["key"] for row in rows}
        found = connection.exec_driver_sql('SELECT "key", id FROM notes WHERE source = ?', (source,))
        return {key: note_id for key, note_id in found if key in keys}
    # Core executemany with RETURNING; rows may come back in any order, so match them by key.
    return dict(
        connection.execute(insert(note_table).returning(note_table.c.key, note_table.c.id), rows).all()
    )


def insert_plain(connection, table: Table, rows: list[dict]) -> None:
    """SQLite: one prepared INSERT run by the driver over every row, each value put in the form
    SQLAlchemy would store (times as its UTC text, JSON as text, the columns' Python defaults) but
    without its per-value processing, which costs more than SQLite's own work at 100k rows."""
    columns = [column for column in table.columns if not column.primary_key]
    names = ", ".join(f'"{column.name}"' for column in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    defaults = {
        column.name: column.default.arg
        for column in columns
        if column.default is not None and column.default.is_scalar
    }
    is_json = [isinstance(column.type, JSON) for column in columns]
    times: dict[datetime, str] = {}  # the same few instants over and over (`now`)

    def plain(value, json_column: bool):
        if json_column:
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, datetime):
            if value not in times:
                times[value] = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            return times[value]
        return int(value) if isinstance(value, bool) else value

    connection.exec_driver_sql(
        sql,
        [
            tuple(
                plain(row.get(column.name, defaults.get(column.name)), json_column)
                for column, json_column in zip(columns, is_json, strict=True)
            )
            for row in rows
        ],
    )


def _insert_cards(session: Session, rows: list[tuple[int, int, int]], now: datetime) -> None:
    """New cards for (note_id, deck_id, ord) rows, queued after every existing new card."""
    start = (session.scalar(select(func.max(Card.position))) or 0) + 1
    connection = session.connection()
    write = insert_plain if connection.dialect.name == "sqlite" else _insert_core
    write(
        connection,
        Card.__table__,
        [
            {
                "note_id": note_id,
                "deck_id": deck_id,
                "ord": ord_,
                "position": start + index,
                "queue": queue_for("new", suspended=False, orphaned=False, buried=False),
                "state": "new",
                "due": now,
                "modified_at": now,
            }
            for index, (note_id, deck_id, ord_) in enumerate(rows)
        ],
    )


def _insert_core(connection, table: Table, rows: list[dict]) -> None:
    connection.execute(insert(table), rows)
