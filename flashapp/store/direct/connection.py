"""Opening an SQLite collection with `sqlite3` the way `store/db.py` configures SQLAlchemy's: the same
pragmas, deferred BEGIN for reads and BEGIN IMMEDIATE for writes, times as SQLAlchemy stores them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from flashapp.core.scheduling.day import DEFAULT_ROLLOVER_HOUR, StudyCalendar
from flashapp.store.damage import CollectionDamaged, damage_of, mark_damaged, recorded_damage
from flashapp.store.db import BUSY_TIMEOUT_MS
from flashapp.store.schema import HEAD_REVISION

# The schema revision the SQL of this package was written against: at any other head the commands take
# the `Collection`'s path (and a test says this package needs a look).
WRITTEN_FOR = "0006_hardening"

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite


def db_time(value: datetime) -> str:
    """An aware datetime as the `cards`/`reviews` columns hold it (naive UTC text)."""
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def py_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def sqlite_path(url_or_path: str | Path | None) -> Path | None:
    """The collection file for `--db` when it names an SQLite file plainly (a path, or `sqlite:///path`
    without options); None for anything else, which the `Collection` resolves."""
    if url_or_path is None or str(url_or_path) == "":
        from flashapp.store.db import default_collection_path

        return default_collection_path()
    text = str(url_or_path)
    if "://" in text:
        # Options, %-escapes and other drivers are left to SQLAlchemy's URL parsing (the Collection).
        if not text.startswith("sqlite:///") or "?" in text or "%" in text or text == "sqlite:///":
            return None
        text = text.removeprefix("sqlite:///")
        if text.startswith("file:") or text == ":memory:":
            return None
    if "\x00" in text:
        return None
    return Path(text).expanduser()


class DirectCollection:
    """An open SQLite collection: one `sqlite3` connection, the user's study calendar."""

    def __init__(self, connection: sqlite3.Connection, path: Path, tz: tzinfo):
        self.connection = connection
        self.path = path
        self.tz = tz
        self._calendar: StudyCalendar | None = None

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> DirectCollection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def calendar(self) -> StudyCalendar:
        if self._calendar is None:
            row = self.connection.execute(
                "SELECT value FROM collection_settings WHERE key = 'rollover_hour'"
            ).fetchone()
            hour = json.loads(row[0]) if row else None
            valid = isinstance(hour, int) and not isinstance(hour, bool) and 0 <= hour <= 23
            self._calendar = StudyCalendar(self.tz, hour if valid else DEFAULT_ROLLOVER_HOUR)
        return self._calendar

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._damage_named():
            self.connection.execute("BEGIN")
            try:
                yield self.connection
            finally:
                self.connection.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE, committed on success, rolled back on any error; refused in a collection
        marked damaged."""
        if (detail := recorded_damage(self.path)) is not None:
            raise CollectionDamaged(self.path, detail)
        with self._damage_named():
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    @contextmanager
    def _damage_named(self) -> Iterator[None]:
        """SQLite's "malformed" becomes CollectionDamaged, remembered beside the file (as the
        `Collection` does)."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            if (detail := damage_of(error)) is None:
                raise
            mark_damaged(self.path, detail)
            raise CollectionDamaged(self.path, detail) from None


def direct_or_none(url_or_path: str | Path | None, tz: tzinfo) -> DirectCollection | None:
    """The collection opened with `sqlite3` when this package can serve it, else None (the caller
    opens a `Collection`, which creates, upgrades, reports errors and handles other databases)."""
    if HEAD_REVISION != WRITTEN_FOR:
        return None
    path = sqlite_path(url_or_path)
    if path is None or not path.is_file() or recorded_damage(path) is not None:
        return None
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        # The pragmas of store/db.py, the busy timeout first: a writer at work makes us wait, not fail.
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        # The schema check: one query, as `schema.current_revision`.
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        connection.close()
        return None
    if row is None or row[0] != WRITTEN_FOR:
        connection.close()
        return None
    return DirectCollection(connection, path, tz)
