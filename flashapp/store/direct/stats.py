"""`flashapp stats` on sqlite3 alone: `store.statistics.deck_statistics` itself (the one statistics
function, plain SQL text) on the command's `sqlite3` connection, in one read transaction, with a
second connection reading the same snapshot beside it (the two cores count at once)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from flashapp.store.db import BUSY_TIMEOUT_MS
from flashapp.store.direct.connection import DirectCollection
from flashapp.store.statistics import deck_statistics

# The statistics read a million index entries: through a memory map, not a read call per page.
MAP_SIZE = f"PRAGMA mmap_size = {1 << 30}"
PROBE = "SELECT version_num FROM alembic_version"  # any read: it fixes a read transaction's snapshot


def statistics(collection: DirectCollection, deck: str | None, now: datetime) -> dict[str, Any]:
    """Every figure for `deck` and its subdecks (None: every deck), as `Collection` statistics give
    them; `store.queue.UnknownDeck` (a UserError) for a deck that does not exist."""
    collection.connection.execute(MAP_SIZE)
    with _reader(collection.path) as reader, collection.reading() as connection:
        connection.execute(PROBE).fetchall()
        return deck_statistics(connection, deck, now, collection.tz, beside=_same_snapshot(reader))


@contextmanager
def _reader(path: Path) -> Iterator[tuple[sqlite3.Connection, int] | None]:
    """A second connection to the collection and the data version its first read transaction saw
    (None if it cannot be opened: the statistics then run on one connection)."""
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        yield None
        return
    try:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute(MAP_SIZE)
        version = _data_version(connection)
        connection.execute("COMMIT")
    except sqlite3.Error:
        connection.close()
        yield None
        return
    try:
        yield connection, version
    finally:
        if connection.in_transaction:
            connection.execute("COMMIT")
        connection.close()


def _same_snapshot(reader: tuple[sqlite3.Connection, int] | None) -> sqlite3.Connection | None:
    """The second connection in a read transaction on the snapshot the first one reads, or None.
    The first one's snapshot was taken after the reader's first read transaction began; if no
    commit came since (the data version is the same in a new one), both read the same state."""
    if reader is None:
        return None
    connection, version = reader
    try:
        if _data_version(connection) == version:
            return connection
        connection.execute("COMMIT")
    except sqlite3.Error:
        pass
    return None


def _data_version(connection: sqlite3.Connection) -> int:
    """Begins a read transaction, fixes its snapshot and returns its data version (which changes
    between two read transactions of a connection exactly when another one committed between them)."""
    connection.execute("BEGIN")
    connection.execute(PROBE).fetchall()
    return connection.execute("PRAGMA data_version").fetchone()[0]
