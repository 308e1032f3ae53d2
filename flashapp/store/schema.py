"""Schema versioning: every collection is brought to the newest Alembic revision when opened.

Opening an up-to-date collection only reads `alembic_version` (no Alembic import), which keeps
start-up fast; an older collection is upgraded in place, inside one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

# SQLAlchemy loads with the functions that use it: the study commands' SQLite path reads
# HEAD_REVISION from here and starts without it.
if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions; a test keeps the two in step.
HEAD_REVISION = "0007_i14_stats_index"


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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (default: the newest), in place."""
    from alembic import command

    from flashapp.store.db import IMMEDIATE

    with engine.execution_options(**IMMEDIATE).begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def ensure_current(engine: Engine) -> bool:
    """Upgrade when behind; True when anything was done (a new or upgraded collection)."""
    if current_revision(engine) == HEAD_REVISION:
        return False
    upgrade(engine)
    return True
