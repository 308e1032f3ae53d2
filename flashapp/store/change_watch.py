"""Notice changes that other processes (a CLI import, another window) make to the collection.

On SQLite a connection of its own reads `PRAGMA data_version`, which moves whenever any other
connection commits: no table is read, so checking every second or two costs microseconds. Elsewhere
(PostgreSQL) the token is a few indexed maxima and a count: new reviews, changed cards or notes,
added or removed decks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from flashapp.store.models import Card, Deck, Note, Review


class ChangeWatch:
    def __init__(self, engine: Engine, sqlite_path: Path | None) -> None:
        self.engine = engine
        self._sqlite: sqlite3.Connection | None = None
        if sqlite_path is not None:
            # It never writes; it only reads the header's change counter.
            self._sqlite = sqlite3.connect(str(sqlite_path), check_same_thread=False)

    def token(self) -> Any:
        """A value that differs after another connection changed the collection."""
        if self._sqlite is not None:
            return self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        with self.engine.connect() as connection:
            return tuple(
                connection.execute(
                    select(
                        select(func.max(Review.id)).scalar_subquery(),
                        select(func.max(Card.modified_at)).scalar_subquery(),
                        select(func.max(Note.modified_at)).scalar_subquery(),
                        select(func.count(Deck.id)).scalar_subquery(),
                    )
                ).one()
            )

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
