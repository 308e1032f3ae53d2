"""Schema versioning: every collection is brought to the newest Alembic revision when opened.

Opening an up-to-date collection only reads `alembic_version` (no Alembic import), which keeps
start-up fast; an older collection is upgraded in place, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

# SQLAlchemy loads with the functions that use it: the study commands' SQLite path reads
# HEAD_REVISION from here and starts without it.
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions; a test keeps the two in step.
HEAD_REVISION = "0008_i14s_notes_created"


def alembic_config(connection: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    """The collection's revision, None for a database without Alembic's table: one query, no schema
    inspection (this runs on every start of every command)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as error:
            if _is_missing_table(error):
                return None
            raise


def _is_missing_table(error: DBAPIError) -> bool:
    message = str(error.orig).lower()
    return "no such table" in message or "does not exist" in message


def has_other_tables(engine: Engine) -> bool:
    """Tables but no Alembic version: some other program's database."""
    from sqlalchemy import inspect

    with engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


# pg_advisory_xact_lock's key for creating and upgrading the schema (any fixed number; "flashapp").
SCHEMA_LOCK_KEY = 0x666C617368617070


def upgrade(engine: Engine, revision: str = "head", then: Callable[[Connection], None] | None = None) -> bool:
    """Bring the database to `revision` (default: the newest), in place, and run `then` in the same
    transaction (on a server, where DDL is transactional: a new collection and its first decks are
    committed together); False when another process brought it there first.

    SQLite's BEGIN IMMEDIATE lets one process at a time in. On a server, several machines starting
    on a new database at once would each create the tables (and all but one fail on a duplicate
    key): each takes one advisory lock first, and the ones after the first find the work done."""
    from alembic import command
    from sqlalchemy import text

    from flashapp.store.db import IMMEDIATE

    with engine.execution_options(**IMMEDIATE).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            if revision == "head" and _server_revision(connection) == HEAD_REVISION:
                return False
        command.upgrade(alembic_config(connection), revision)
        if then is not None:
            then(connection)
    return True


def _server_revision(connection: Connection) -> str | None:
    """The revision on PostgreSQL, without an error (which would end the transaction) when the
    version table is not there yet."""
    from sqlalchemy import text

    if connection.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_current(engine: Engine, then: Callable[[Connection], None] | None = None) -> bool:
    """Upgrade when behind (then `then`, see `upgrade`); True when this process did anything (a new
    or upgraded collection)."""
    if current_revision(engine) == HEAD_REVISION:
        return False
    return upgrade(engine, then=then)
