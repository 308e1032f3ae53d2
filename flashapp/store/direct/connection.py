"""Opening an SQLite collection with `sqlite3` the way `store/db.py` configures SQLAlchemy's: the same
pragmas, deferred BEGIN for reads and BEGIN IMMEDIATE for writes, times as SQLAlchemy stores them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from flashapp.core.scheduling.day import StudyCalendar
from flashapp.store.damage import (
    CollectionDamaged,
    damage_of,
    mark_damaged,
    recorded_damage,
    refuse_if_damaged,
)
from flashapp.store.db import BUSY_TIMEOUT_MS
from flashapp.store.schema import HEAD_REVISION
from flashapp.store.setting_values import (  # noqa: F401 (the names a test compares with store.settings')
    DEFAULT_LEARN_AHEAD_MINUTES,
    LEARN_AHEAD_MINUTES,
    MAX_LEARN_AHEAD_MINUTES,
    ROLLOVER_HOUR,
    learn_ahead_minutes_of,
    rollover_hour_of,
)
from flashapp.store.sql_text import db_time, read_json, read_time

__all__ = ["DirectCollection", "db_time", "direct_or_none", "py_time", "sqlite_path"]


# This package serves a collection at the newest schema only (`schema.HEAD_REVISION`, which this reads
# without loading SQLAlchemy); any other revision is the `Collection`'s, which upgrades it. A migration
# that changes what these commands read or write fails tests/flashapp/store/test_direct_study.py, which
# runs them on collections at the newest schema beside the `Collection` and checks the columns used.


def py_time(value: str | None) -> datetime | None:
    return read_time(value)


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
        self._learn_ahead: timedelta | None = None
        self._write_probed = False  # the damage probe runs before the first write (store.damage)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> DirectCollection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def calendar(self) -> StudyCalendar:
        if self._calendar is None:
            self._calendar = StudyCalendar(self.tz, rollover_hour_of(self._setting(ROLLOVER_HOUR)))
        return self._calendar

    @property
    def learn_ahead(self) -> timedelta:
        """The learn-ahead limit, read as `store.settings.learn_ahead_minutes` reads it."""
        if self._learn_ahead is None:
            self._learn_ahead = timedelta(minutes=learn_ahead_minutes_of(self._setting(LEARN_AHEAD_MINUTES)))
        return self._learn_ahead

    def _setting(self, key: str) -> object:
        row = self.connection.execute(
            "SELECT value FROM collection_settings WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else read_json(row[0])

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
        if not self._write_probed:
            self._probe_before_writing()
        with self._damage_named():
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def probe_before_writing(self) -> None:
        """The damage probe now, if not done yet (a caller about to attach other files first)."""
        if not self._write_probed:
            self._probe_before_writing()

    def _probe_before_writing(self) -> None:
        """Once per open collection, before its first write, as `Collection._probe_before_writing`: a
        damaged file is refused (and remembered) even where the write would not read the bad page."""
        with self._damage_named():
            refuse_if_damaged(self.connection, self.path)
        self._write_probed = True

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
    if row is None or row[0] != HEAD_REVISION:
        connection.close()
        return None
    return DirectCollection(connection, path, tz)
