"""A damaged collection: how SQLite reports one, the one line a user gets, and the check that keeps
writes out of a damaged file.

SQLite reports a damaged file as "database disk image is malformed" (SQLITE_CORRUPT) or "file is not
a database" (SQLITE_NOTADB), sometimes only when a query reaches the bad page. Writing into such a file
can spread the damage, and a write may never read the bad page (an answer does not read the practice
tables), so the first write of an open collection runs `write_probe` first and is refused when it finds
anything: SQLite's `quick_check` on a small file, and on a large one (where `quick_check` would take
longer than a whole `answer` may) a look at the first byte of every table's and index's root page,
which `quick_check` then confirms.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from flashapp.errors import UserError

# How `check` words damage SQLite's integrity check found in the file's pages.
FILE_DAMAGE = "sqlite integrity: "

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


def damage_named(error: BaseException, db: str | Path | None) -> CollectionDamaged | None:
    """For an error that reached the CLI without being named (a path that reads the file outside the
    Collection's and the sqlite3 fast path's guards): CollectionDamaged for the collection `db` (as
    `--db` gave it), remembered beside the file, when `error` reports a damaged file; else None."""
    if (detail := damage_of(error)) is None:
        return None
    from flashapp.store.db import resolve_url, shown_url, sqlite_file

    try:
        url = resolve_url(db)
        file = sqlite_file(url)
    except Exception:  # noqa: BLE001 - naming the damage must not fail on the way out
        return CollectionDamaged(str(db), detail)
    mark_damaged(file, detail)
    return CollectionDamaged(file or shown_url(url), detail)


def quick_check_problem(connection) -> str | None:
    """The first problem SQLite's `quick_check` finds (a DB-API or SQLAlchemy connection), or None."""
    rows = _query(connection, "PRAGMA quick_check(1)")
    first = rows[0][0] if rows else "ok"
    if first == "ok":
        return None
    # One line: SQLite may put "*** in database main ***" and a newline before the page it names.
    lines = [line.strip() for line in str(first).splitlines() if line.strip() and not line.startswith("***")]
    return "; ".join(lines) or str(first).strip()


# Page types of SQLite's b-tree pages (interior and leaf, of indexes and of tables): the first byte of
# every root page, after the 100-byte file header on page 1.
_BTREE_PAGE_TYPES = frozenset({2, 5, 10, 13})
# Files up to this size get the whole `quick_check` before their first write: about 3 ms a MiB on an
# idle 2-core machine (14 ms under a load of 12), against `answer`'s 0.25 s for the whole process. The
# root-page look at a larger file takes under 2 ms (27 MiB, 14k cards, 100k reviews).
FULL_CHECK_BYTES = 4 << 20


def _query(connection, sql: str) -> list:
    """Every row of `sql` on an SQLAlchemy connection or a `sqlite3` one (the light CLI path)."""
    if hasattr(connection, "exec_driver_sql"):
        return connection.exec_driver_sql(sql).fetchall()
    return connection.execute(sql).fetchall()


def write_probe(connection, collection_file: Path) -> str | None:
    """Before the first write into `collection_file` (an SQLAlchemy or `sqlite3` connection to
    it, outside a transaction): the damage
    found, or None. A root page can be newer in the WAL than in the file: a root page that does not
    look like one is only reported when `quick_check` agrees."""
    try:
        size = collection_file.stat().st_size
    except OSError:
        return None
    if size <= FULL_CHECK_BYTES:
        return quick_check_problem(connection)
    page_size = int(_query(connection, "PRAGMA page_size")[0][0])
    roots = [row[0] for row in _query(connection, "SELECT rootpage FROM sqlite_master WHERE rootpage > 0")]
    with open(collection_file, "rb") as file:
        for root in sorted(roots):
            file.seek((root - 1) * page_size + (100 if root == 1 else 0))
            kind = file.read(1)
            if kind and kind[0] not in _BTREE_PAGE_TYPES:
                return quick_check_problem(connection)
    return None


def refuse_if_damaged(connection, collection_file: Path) -> None:
    """`write_probe`, and when it finds damage: remembered beside the file and raised as
    CollectionDamaged (the Collection and the sqlite3 fast path both call this before a first write)."""
    problem = write_probe(connection, collection_file)
    if problem is not None:
        mark_damaged(collection_file, problem)
        raise CollectionDamaged(collection_file, problem)


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
