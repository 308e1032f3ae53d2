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

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Table, func, insert, select
from sqlalchemy.orm import Session

from flashapp.core.deckfile import CardSpec, DeckSpec
from flashapp.store.deckfile_rows import (  # noqa: F401 (search_text, tag_text: other modules' names here)
    NEW_CARD_COLUMNS,
    NEW_NOTE_COLUMNS,
    NOTE_VALUE_COLUMNS,
    SyncReport,
    note_row,
    note_source,
    search_text,
    tag_text,
)
from flashapp.store.decks import SEPARATOR, ensure_deck
from flashapp.store.models import Card, Note, queue_for
from flashapp.store.sql_text import db_json, db_time

# New notes written per INSERT.
INSERT_CHUNK = 5000
# Notes moved from another deck file of the tree, loaded per query.
MOVE_CHUNK = 500


def _note_values(spec: CardSpec) -> dict:
    return dict(zip(NOTE_VALUE_COLUMNS, note_row(spec), strict=True))


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
    position = None
    for first in range(0, len(new_specs), INSERT_CHUNK):
        chunk = new_specs[first : first + INSERT_CHUNK]
        rows = [(source, s.id, deck.id, now, now, *note_row(s)) for s in chunk]
        ids = _insert_notes(session, NEW_NOTE_COLUMNS, rows, source)
        card_rows = [(ids[s.id], deck.id, ord_) for s in chunk for ord_ in s.card_ords()]
        position = _insert_cards(session, card_rows, now, position)
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
    own = note_source(deck_name)
    # The tree's other notes as (id, key) rows, matched here: an IN list of every new key (100,000 in a
    # big first import) cost SQLite more time and memory than the import's own inserts.
    wanted = set(keys)
    found = sorted(
        note_id
        for note_id, key in session.execute(select(Note.id, Note.key).where(in_tree, Note.source != own))
        if key in wanted
    )
    moved: dict[str, Note] = {}
    for first in range(0, len(found), MOVE_CHUNK):
        moved_notes = session.scalars(
            select(Note).where(Note.id.in_(found[first : first + MOVE_CHUNK])).order_by(Note.id)
        )
        _move_notes(session, list(moved_notes), deck_name, deck_id, moved, report)
    session.flush()
    return moved


def _move_notes(
    session: Session,
    notes: list[Note],
    deck_name: str,
    deck_id: int,
    moved: dict[str, Note],
    report: SyncReport,
) -> None:
    """Each note (the lowest id of a key first) and its cards into the deck."""
    for note in notes:
        if note.key in moved:
            continue
        for card in session.scalars(
            select(Card).where(Card.note_id == note.id, Card.deck_id == note.deck_id)
        ):
            card.deck_id = deck_id
        note.source, note.deck_id = note_source(deck_name), deck_id
        moved[note.key] = note
        report.moved += 1


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


def _insert_notes(session: Session, names: tuple[str, ...], rows: list[tuple], source: str) -> dict[str, int]:
    """Insert note rows (values in the order of `names`, "key" among them); {key: id}."""
    connection = session.connection()
    note_table = Note.__table__
    if connection.dialect.name == "sqlite":
        # The new rows' ids follow the highest id before them (SQLite gives max(rowid) + 1): reading
        # back only those keeps each chunk's cost its own, not the size of the deck so far.
        before = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM notes").scalar()
        insert_plain(connection, note_table, names, rows)
        key_at = names.index("key")
        keys = {row[key_at] for row in rows}
        # Rows past `before` are this chunk's alone (the write transaction holds the database).
        found = dict(connection.exec_driver_sql('SELECT "key", id FROM notes WHERE id > ?', (before,)).all())
        if not keys <= found.keys():  # rowids past 2^63 - 1 are reused: then read the whole source
            found = dict(
                connection.exec_driver_sql('SELECT "key", id FROM notes WHERE source = ?', (source,)).all()
            )
        return {key: found[key] for key in keys}
    # Core executemany with RETURNING; rows may come back in any order, so match them by key.
    return dict(
        connection.execute(
            insert(note_table).returning(note_table.c.key, note_table.c.id), _dicts(names, rows)
        ).all()
    )


def insert_plain(connection, table: Table, names: tuple[str, ...], rows: list[tuple]) -> None:
    """SQLite: one prepared INSERT run by the driver over every row (values in the order of `names`),
    each value put in the form SQLAlchemy would store (times as its UTC text, JSON as text, booleans as
    integers, the other columns' Python defaults) but without its per-value processing, which costs
    more than SQLite's own work at 100k rows. Only the columns that need it are converted per row."""
    columns = {column.name: column for column in table.columns if not column.primary_key}
    times: dict[datetime, str] = {}  # the same few instants over and over (`now`)

    def time_text(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value not in times:
            times[value] = db_time(value)
        return times[value]

    def converter(column):
        if isinstance(column.type, JSON):
            return db_json  # as the engine writes a JSON value
        # `UTCDateTime` decorates DateTime: the type it stores as.
        if isinstance(getattr(column.type, "impl_instance", column.type), DateTime):
            return time_text
        if isinstance(column.type, Boolean):
            return _int_or_none
        return None

    converters = [(at, f) for at, name in enumerate(names) if (f := converter(columns[name])) is not None]
    rest = [column for name, column in columns.items() if name not in names]
    for column in rest:
        if column.default is not None and not column.default.is_scalar:
            raise ValueError(f"{table.name}.{column.name}: a computed default needs a value")
    constants = tuple(
        (converter(column) or _same)(None if column.default is None else column.default.arg)
        for column in rest
    )
    all_names = ", ".join(f'"{name}"' for name in (*names, *(column.name for column in rest)))
    sql = f"INSERT INTO {table.name} ({all_names}) VALUES ({', '.join('?' * (len(names) + len(rest)))})"

    def stored(row: tuple) -> tuple:
        if converters:
            values = list(row)
            for at, convert in converters:
                values[at] = convert(values[at])
            return (*values, *constants)
        return row + constants

    connection.exec_driver_sql(sql, [stored(row) for row in rows])


def _int_or_none(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _same(value):
    return value


def _dicts(names: tuple[str, ...], rows: list[tuple]) -> list[dict]:
    return [dict(zip(names, row, strict=True)) for row in rows]


def _insert_cards(
    session: Session, rows: list[tuple[int, int, int]], now: datetime, start: int | None = None
) -> int:
    """New cards for (note_id, deck_id, ord) rows, queued after every existing new card (from position
    `start` when the caller knows it: the positions are read once per deck file, not once per chunk);
    the position after the last."""
    if start is None:
        start = (session.scalar(select(func.max(Card.position))) or 0) + 1
    connection = session.connection()
    write = insert_plain if connection.dialect.name == "sqlite" else _insert_core
    queue = queue_for("new", suspended=False, orphaned=False, buried=False)
    write(
        connection,
        Card.__table__,
        NEW_CARD_COLUMNS,
        [
            (note_id, deck_id, ord_, start + index, queue, "new", now, now)
            for index, (note_id, deck_id, ord_) in enumerate(rows)
        ],
    )
    return start + len(rows)


def _insert_core(connection, table: Table, names: tuple[str, ...], rows: list[tuple]) -> None:
    connection.execute(insert(table), _dicts(names, rows))
