"""Plain SQL text with named `:param` parameters, run on either kind of connection the store has.

The count function (`store.counts`) and the study queue (`store.queue`) are written once, as SQL text
that SQLite and PostgreSQL both read, and run through an executor:

- `SqliteRunner` on a standard-library `sqlite3` connection (the study commands' path, `store/direct/`,
  which starts without SQLAlchemy);
- `SqlAlchemyRunner` on an SQLAlchemy `Connection` or `Session` (SQLite or PostgreSQL), through `text()`.

`runner_for(connection)` picks one. What differs between the two is how instants are bound and read
(SQLAlchemy's `DateTime` stores naive UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' text on SQLite and as a
timestamp on PostgreSQL) and how JSON columns come back (text, or already decoded by the driver).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring  # the C function `json.dumps(ensure_ascii=False)` uses
from typing import Any, Protocol

__all__ = ["Runner", "SqlAlchemyRunner", "SqliteRunner", "db_time", "runner_for"]

TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite


def db_time(value: datetime) -> str:
    """An aware datetime as SQLite's `cards`/`reviews` columns hold it (naive UTC text)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: times must be timezone-aware UTC")
    return value.astimezone(UTC).strftime(TIME_FORMAT)


def read_time(value: str | datetime | None) -> datetime | None:
    """A stored instant (text on SQLite, a naive UTC datetime from a server) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_encode_json = json.JSONEncoder(ensure_ascii=False).encode  # `json.dumps(value, ensure_ascii=False)`


def db_json(value: Any) -> str:
    """A JSON column's text as the engine writes it (`store.db.make_engine`'s serializer):
    `json.dumps(value, ensure_ascii=False)`. A note's fields (a table of texts) and None are written
    here directly, the same text in a third of the time, since an import writes one per note."""
    if value is None:
        return "null"
    if type(value) is dict:
        parts = []
        for key, text in value.items():
            if type(key) is not str or type(text) is not str:
                return _encode_json(value)
            parts.append(f"{encode_basestring(key)}: {encode_basestring(text)}")
        return "{" + ", ".join(parts) + "}"
    return _encode_json(value)


def read_json(value: Any) -> Any:
    """A JSON column's value: text on SQLite, already decoded by PostgreSQL's driver."""
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


class Runner(Protocol):
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]: ...

    def time(self, instant: datetime) -> Any:
        """`instant` (aware) as a parameter compared with a stored instant."""
        ...


class SqliteRunner:
    """A `sqlite3` connection (named parameters are sqlite3's own)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        return self.connection.execute(sql, params or {}).fetchall()

    def time(self, instant: datetime) -> str:
        return db_time(instant)


@lru_cache(maxsize=256)  # the queue's IN lists vary with the decks studied
def _text(sql: str) -> Any:
    from sqlalchemy import text

    return text(sql)


class SqlAlchemyRunner:
    """An SQLAlchemy `Connection` or `Session` (the statement runs in its transaction)."""

    def __init__(self, connection: Any):
        self.connection = connection
        bind = connection.get_bind() if hasattr(connection, "get_bind") else connection
        self.sqlite = bind.dialect.name == "sqlite"

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        return [tuple(row) for row in self.connection.execute(_text(sql), dict(params or {}))]

    def time(self, instant: datetime) -> str | datetime:
        if self.sqlite:
            return db_time(instant)
        if instant.tzinfo is None:
            raise ValueError(f"naive datetime {instant!r}: times must be timezone-aware UTC")
        return instant.astimezone(UTC).replace(tzinfo=None)


def runner_for(connection: Any) -> Runner:
    """The runner for a `sqlite3` connection, an SQLAlchemy `Connection`/`Session`, or a runner."""
    if isinstance(connection, SqliteRunner | SqlAlchemyRunner):
        return connection
    if isinstance(connection, sqlite3.Connection):
        return SqliteRunner(connection)
    return SqlAlchemyRunner(connection)
