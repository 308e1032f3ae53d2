"""Database engine construction: URL resolution, SQLite pragmas, and `BEGIN IMMEDIATE` for writes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flashapp.errors import UserError

# SQLAlchemy loads with the functions that need it: `default_collection_path` and the constants also
# serve the study commands' SQLite path (`store/direct/`), which starts without it.
if TYPE_CHECKING:
    from sqlalchemy import Engine

BUSY_TIMEOUT_MS = 5000
# Writes pass this execution option; the `begin` hook then takes SQLite's write lock up front, so two
# writers never deadlock upgrading a read lock halfway through a review.
IMMEDIATE = {"flashapp_begin_immediate": True}


def default_collection_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("flashapp", appauthor=False)) / "collection.db"


def resolve_url(url_or_path: str | Path | None) -> str:
    """An SQLAlchemy URL for a path, a URL, or None (the default collection in the user data folder)."""
    if url_or_path is None or str(url_or_path) == "":
        url_or_path = default_collection_path()
    text = str(url_or_path)
    if "://" in text:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(text)
        except (ArgumentError, ValueError):
            raise UserError(
                f"--db {shown_url(text)!r} is neither a file path nor a URL like "
                "postgresql+psycopg://user@host/db"
            ) from None
        return text
    if "\x00" in text:
        raise UserError("--db: a path cannot hold a NUL character")
    path = Path(text).expanduser()
    return f"sqlite:///{path}"


def shown_url(url: str) -> str:
    """`url` as messages may show it: the password replaced by ***."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not parseable: still never echo what could be user:password@.
        return url.split("@")[-1] if "@" in url else url


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    # An SQLite URI filename (`sqlite:///file:/path/c.db?mode=ro&uri=true`) names the same file.
    return Path(parsed.database.removeprefix("file:"))


def make_engine(url: str) -> Engine:
    from sqlalchemy import create_engine

    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # Card text is mostly non-ASCII math; keep it readable (and LIKE-searchable) in JSON columns.
    from flashapp.store.sql_text import db_json

    engine = create_engine(url, json_serializer=db_json)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Autocommit at the driver level: SQLAlchemy's `begin` hook below issues BEGIN itself, which
        # is how SQLite gets a real BEGIN IMMEDIATE (the driver would otherwise send a deferred BEGIN).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get("flashapp_begin_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
