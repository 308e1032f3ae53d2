"""A damaged collection: how SQLite reports one, the one line a user gets, and the check that keeps
writes out of a damaged file.

SQLite reports a damaged file as "database disk image is malformed" (SQLITE_CORRUPT) or "file is not
a database" (SQLITE_NOTADB), sometimes only when a query reaches the bad page. Writing into such a file
can spread the damage, so a write transaction first asks SQLite's `quick_check` (once per open
collection) and refuses when it finds anything.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from flashapp.errors import UserError

# SQLite's own messages for SQLITE_CORRUPT and SQLITE_NOTADB (and a damaged schema table).
_DAMAGE_WORDS = ("disk image is malformed", "file is not a database", "malformed database schema")


class CollectionDamaged(UserError):
    """The collection file is damaged; the message names it and the way out."""

    def __init__(self, where: str | Path, detail: str):
        self.where, self.detail = str(where), detail
        super().__init__(
            f"collection {where} is damaged ({detail}); nothing was written. "
            "Run `flashapp check --repair` (it keeps a backup first) or `flashapp restore BACKUP` "
            "(`flashapp backups` lists them)"
        )


def damage_of(error: BaseException) -> str | None:
    """SQLite's words for the damage when `error` (or the driver error it wraps) reports a damaged
    file; None for every other error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.DatabaseError):
            message = str(current).strip()
            if any(word in message.lower() for word in _DAMAGE_WORDS):
                return message
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None


def quick_check_problem(connection) -> str | None:
    """The first problem SQLite's `quick_check` finds (a DB-API or SQLAlchemy connection), or None."""
    rows = connection.exec_driver_sql("PRAGMA quick_check(1)").fetchall()
    first = rows[0][0] if rows else "ok"
    return None if first == "ok" else str(first)


def marker_path(collection_file: Path) -> Path:
    """Beside the collection, never inside it: records that SQLite found the file damaged, so that
    later commands refuse to write until `check` finds it sound again or it is repaired or restored."""
    return collection_file.with_name(collection_file.name + ".damaged")


def mark_damaged(collection_file: Path | None, detail: str) -> None:
    if collection_file is None:
        return
    with contextlib.suppress(OSError):  # a read-only folder: the error itself still reaches the user
        marker_path(collection_file).write_text(detail + "\n", encoding="utf-8")


def recorded_damage(collection_file: Path | None) -> str | None:
    if collection_file is None:
        return None
    try:
        return marker_path(collection_file).read_text(encoding="utf-8").strip() or "damaged"
    except OSError:
        return None


def clear_damage(collection_file: Path | None) -> None:
    if collection_file is not None:
        marker_path(collection_file).unlink(missing_ok=True)
