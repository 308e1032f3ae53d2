"""`flashapp import` of deck files alone into an SQLite collection file at the newest schema, on the
`sqlite3` connection of `store/direct/` (no SQLAlchemy: importing it and mapping the models cost a
100,000-card import about a tenth of its time, and the ORM's unit of work more).

The rules are `store/deckfile_sync.py`'s, row for row (its docstring lists them): the same notes and
cards, ids, positions, times and JSON text, and the same report. The steps are the `Collection`'s
(`Collection.import_paths`): every file read and checked first (`store.importing.read_deck_files`),
the backup, then every deck written in one BEGIN IMMEDIATE transaction.
`tests/flashapp/store/test_direct_deckfile_import.py` runs both on the same files and compares every
table. Packages among the paths, PostgreSQL, a collection to create or upgrade: the `Collection`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from flashapp.core.deckfile import CardSpec, DeckSpec
from flashapp.core.gc_pause import gc_paused
from flashapp.store.backup import backup_collection
from flashapp.store.deckfile_rows import (
    NEW_CARD_COLUMNS,
    NEW_NOTE_COLUMNS,
    NOTE_VALUE_COLUMNS,
    ImportReport,
    SyncReport,
    note_row,
    note_source,
)
from flashapp.store.decks_sql import SEPARATOR, ensure_deck_id
from flashapp.store.direct.connection import DirectCollection
from flashapp.store.importing import read_deck_files
from flashapp.store.queue_codes import queue_for
from flashapp.store.sql_text import db_json, db_time, read_json

# New notes written per executemany (one transaction still): rows held in memory stay few.
INSERT_CHUNK = 5000
# Notes moved from another deck file of the tree, read per query.
MOVE_CHUNK = 500
# Which of a note's values (NOTE_VALUE_COLUMNS) are JSON text in the table.
_JSON_AT = tuple(at for at, name in enumerate(NOTE_VALUE_COLUMNS) if name in ("fields", "demo_params"))


def import_deck_files(
    direct: DirectCollection, paths: Sequence[str | Path], *, now: datetime, backup: bool = True
) -> ImportReport:
    """Import deck files and folders of them into `direct`'s collection, all or nothing."""
    specs = read_deck_files(paths)
    if backup:
        backup_collection(direct.path, now, "import")
    with direct.writing() as db, gc_paused():  # rows of new notes and cards: no cycles to look for
        reports = tuple(sync_deck(db, spec, path, now) for spec, path in specs)
    return ImportReport(files=tuple(path for _, path in specs), decks=reports)


class _Note:
    """A stored note: its id, deck and the values a deck file sets (decoded as the ORM reads them)."""

    __slots__ = ("id", "deck_id", "values")

    def __init__(self, row: tuple):
        self.id, self.deck_id = row[0], row[1]
        values = list(row[2:])
        for at in _JSON_AT:
            values[at] = read_json(values[at])
        self.values = tuple(values)


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in columns)


_NOTE_COLUMNS = _names(("id", "deck_id", *NOTE_VALUE_COLUMNS))


def sync_deck(db: sqlite3.Connection, spec: DeckSpec, source_path: str | None, now: datetime) -> SyncReport:
    """`deckfile_sync.sync_deck` on a `sqlite3` connection inside its write transaction."""
    report = SyncReport(spec.name)
    stamp = db_time(now)
    deck_id = _deck_for(db, spec, source_path, now)
    source = note_source(spec.name)
    existing = {
        row[0]: _Note(row[1:])
        for row in db.execute(f'SELECT "key", {_NOTE_COLUMNS} FROM notes WHERE source = ?', (source,))
    }
    wanted_keys = [card_spec.id for card_spec in spec.cards if card_spec.id not in existing]
    existing.update(_move_from_tree(db, spec.name, deck_id, wanted_keys, report))
    # (card id, state, suspended, orphaned, buried) by note and ordinal
    cards_by_note: dict[int, dict[int, tuple]] = {}
    for note_id, ord_, *card in db.execute(
        "SELECT c.note_id, c.ord, c.id, c.state, c.suspended, c.orphaned, c.buried_until IS NOT NULL "
        "FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.source = ?",
        (source,),
    ):
        cards_by_note.setdefault(note_id, {})[ord_] = card

    new_specs = []
    orphaning: list[tuple] = []
    for card_spec in spec.cards:
        note = existing.pop(card_spec.id, None)
        if note is None:
            new_specs.append(card_spec)
            continue
        values = note_row(card_spec)
        if values != note.values:
            _update_note(db, note, values, stamp)
            report.updated += 1
        cards = cards_by_note.get(note.id, {})
        wanted = card_spec.card_ords()
        for ord_, card in cards.items():
            _set_orphaned(orphaning, card, ord_ not in wanted, stamp, report)
        missing = [ord_ for ord_ in wanted if ord_ not in cards]
        if missing:
            _insert_cards(db, [(note.id, deck_id, ord_) for ord_ in missing], stamp)
            report.added += len(missing)
    for note in existing.values():  # ids no longer in the file
        for card in cards_by_note.get(note.id, {}).values():
            _set_orphaned(orphaning, card, True, stamp, report)
    db.executemany("UPDATE cards SET orphaned = ?, queue = ?, modified_at = ? WHERE id = ?", orphaning)

    position = None
    for first in range(0, len(new_specs), INSERT_CHUNK):
        chunk = new_specs[first : first + INSERT_CHUNK]
        ids = _insert_notes(db, chunk, (source, deck_id, stamp, stamp))
        if isinstance(ids, range) and all(s.kind not in _SEVERAL_CARD_KINDS for s in chunk):
            position = _insert_first_cards(db, ids, deck_id, stamp, position)
            report.added += len(ids)
            continue
        card_rows = [
            (note_id, deck_id, ord_) for note_id, s in zip(ids, chunk, strict=True) for ord_ in s.card_ords()
        ]
        position = _insert_cards(db, card_rows, stamp, position)
        report.added += len(card_rows)
    return report


def _deck_for(db: sqlite3.Connection, spec: DeckSpec, source_path: str | None, now: datetime) -> int:
    """The deck's id (created with its parents if needed: `decks.ensure_deck`'s rule), its description,
    source file and options (the file's on top of the stored ones) set."""
    deck_id = ensure_deck_id(db, spec.name, now, spec.description)
    [options_text] = db.execute("SELECT options FROM decks WHERE id = ?", (deck_id,)).fetchone()
    options = read_json(options_text)
    merged = {**options, **spec.options}
    db.execute(
        "UPDATE decks SET description = ?, source_path = ?, options = ? WHERE id = ?",
        (spec.description, source_path, db_json(merged) if merged != options else options_text, deck_id),
    )
    return deck_id


def _stored(values: tuple) -> tuple:
    """A note's values (NOTE_VALUE_COLUMNS) as the table holds them: JSON as its text."""
    kind, fields, tags, text, demo, params = values
    return kind, db_json(fields), tags, text, demo, db_json(params)


def _update_note(db: sqlite3.Connection, note: _Note, values: tuple, stamp: str) -> None:
    """The columns whose value changed (as the ORM writes only those), and the note's modified time."""
    stored = _stored(values)
    changed = [at for at, (old, new) in enumerate(zip(note.values, values, strict=True)) if old != new]
    assignments = ", ".join(f'"{NOTE_VALUE_COLUMNS[at]}" = ?' for at in changed)
    db.execute(
        f"UPDATE notes SET {assignments}, modified_at = ? WHERE id = ?",
        (*(stored[at] for at in changed), stamp, note.id),
    )


def _set_orphaned(updates: list[tuple], card: tuple, orphaned: bool, stamp: str, report: SyncReport) -> None:
    card_id, state, suspended, was_orphaned, buried = card
    if bool(was_orphaned) == orphaned:
        return
    queue = queue_for(state, suspended=bool(suspended), orphaned=orphaned, buried=bool(buried))
    updates.append((int(orphaned), queue, stamp, card_id))
    if orphaned:
        report.orphaned += 1
    else:
        report.restored += 1


def _move_from_tree(
    db: sqlite3.Connection, deck_name: str, deck_id: int, keys: list[str], report: SyncReport
) -> dict[str, _Note]:
    """`deckfile_sync._move_from_tree`: notes with these keys that other deck files of the same tree
    hold, moved here with their cards (the lowest id of a key first)."""
    if not keys:
        return {}
    root = deck_name.split(SEPARATOR)[0]
    low, prefix = note_source(root), note_source(root + SEPARATOR)
    wanted = set(keys)
    found = sorted(
        note_id
        for note_id, key in db.execute(
            'SELECT id, "key" FROM notes WHERE (source = ? OR (source >= ? AND source < ?)) AND source != ?',
            (low, prefix, prefix + "\U0010ffff", note_source(deck_name)),
        )
        if key in wanted
    )
    source = note_source(deck_name)
    moved: dict[str, _Note] = {}
    for first in range(0, len(found), MOVE_CHUNK):
        ids = found[first : first + MOVE_CHUNK]
        rows = db.execute(
            f'SELECT "key", {_NOTE_COLUMNS} FROM notes WHERE id IN ({", ".join("?" * len(ids))}) ORDER BY id',
            ids,
        ).fetchall()
        for key, *row in rows:
            if key in moved:
                continue
            note = _Note(tuple(row))
            db.execute(
                "UPDATE cards SET deck_id = ? WHERE note_id = ? AND deck_id = ?",
                (deck_id, note.id, note.deck_id),
            )
            db.execute("UPDATE notes SET source = ?, deck_id = ? WHERE id = ?", (source, deck_id, note.id))
            note.deck_id = deck_id
            moved[key] = note
            report.moved += 1
    return moved


_INSERT_NOTE = (
    f"INSERT INTO notes ({_names(NEW_NOTE_COLUMNS)}) VALUES ({', '.join('?' * len(NEW_NOTE_COLUMNS))})"
)
_INSERT_NOTE_WITH_ID = _INSERT_NOTE.replace("INSERT INTO notes (", "INSERT INTO notes (id, ").replace(
    "VALUES (", "VALUES (?, "
)
MAX_ROWID = 2**63 - 1


def _insert_notes(db: sqlite3.Connection, specs: list[CardSpec], head: tuple) -> range | list[int]:
    """New notes for `specs`, each row `head` (NEW_NOTE_COLUMNS before the key: source, deck id and
    times) with the card's key and values; their ids, in the order of `specs`."""
    # SQLite gives a new row max(rowid) + 1 (until that passes 2^63 - 1, when it picks an unused one at
    # random): the ids are written as SQLite would pick them, so they need not be read back.
    before = db.execute("SELECT coalesce(max(id), 0) FROM notes").fetchone()[0]
    source, *rest = head
    if before + len(specs) < MAX_ROWID:
        first = before + 1
        db.executemany(
            _INSERT_NOTE_WITH_ID,
            [(at, source, s.id, *rest, *_stored(note_row(s))) for at, s in enumerate(specs, first)],
        )
        return range(first, first + len(specs))
    db.executemany(_INSERT_NOTE, [(source, s.id, *rest, *_stored(note_row(s))) for s in specs])
    found = dict(db.execute('SELECT "key", id FROM notes WHERE source = ?', (source,)).fetchall())
    return [found[s.id] for s in specs]


# A new card: NEW_CARD_COLUMNS, then the schema's defaults (`models.Card`) for the rest.
_INSERT_CARD = (
    f"INSERT INTO cards ({', '.join(NEW_CARD_COLUMNS)}, interval_days, ease, reps, lapses, step, "
    f"suspended, orphaned, flag) VALUES ({', '.join('?' * len(NEW_CARD_COLUMNS))}, 0, 2.5, 0, 0, 0, 0, 0, 0)"
)


# Kinds whose note may have more than the one card of ordinal 0 (`CardSpec.card_ords`).
_SEVERAL_CARD_KINDS = ("reversed", "cloze")
_INSERT_FIRST_CARDS = (
    f"INSERT INTO cards ({', '.join(NEW_CARD_COLUMNS)}, interval_days, ease, reps, lapses, step, "
    "suspended, orphaned, flag) SELECT id, ?, 0, id + ?, ?, ?, ?, ?, 0, 2.5, 0, 0, 0, 0, 0, 0 "
    "FROM notes WHERE id BETWEEN ? AND ? ORDER BY id"
)


def _insert_first_cards(
    db: sqlite3.Connection, note_ids: range, deck_id: int, stamp: str, start: int | None
) -> int:
    """`_insert_cards` of one card of ordinal 0 for each of these new notes (consecutive ids), made
    from the notes' rows in one statement: the same rows, in the same order (so the same ids)."""
    if start is None:
        start = (db.execute("SELECT max(position) FROM cards").fetchone()[0] or 0) + 1
    queue = queue_for("new", suspended=False, orphaned=False, buried=False)
    first, last = note_ids[0], note_ids[-1]
    db.execute(_INSERT_FIRST_CARDS, (deck_id, start - first, queue, "new", stamp, stamp, first, last))
    return start + len(note_ids)


def _insert_cards(
    db: sqlite3.Connection, rows: list[tuple[int, int, int]], stamp: str, start: int | None = None
) -> int:
    """New cards for (note_id, deck_id, ord) rows after every existing new card (from position `start`
    when the caller knows it); the position after the last."""
    if start is None:
        start = (db.execute("SELECT max(position) FROM cards").fetchone()[0] or 0) + 1
    queue = queue_for("new", suspended=False, orphaned=False, buried=False)
    db.executemany(
        _INSERT_CARD,
        [
            (note_id, deck_id, ord_, start + index, queue, "new", stamp, stamp)
            for index, (note_id, deck_id, ord_) in enumerate(rows)
        ],
    )
    return start + len(rows)
