"""Shared fixtures: a fresh collection on a temporary SQLite file with a fixed clock."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flashapp.store.collection import Collection
from flashapp.store.models import Review

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Clock:
    """A settable clock for tests: `clock()` returns `clock.now`."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True, scope="session")
def private_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reaches the user's own collection, log or backups, and parallel workers (pytest -n)
    never share one: each test process gets a data folder of its own."""
    saved = {name: os.environ.get(name) for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "FLASHAPP_DB")}
    data = tmp_path_factory.mktemp("user-data")
    os.environ["XDG_DATA_HOME"] = str(data / "share")
    os.environ["XDG_STATE_HOME"] = str(data / "state")
    os.environ.pop("FLASHAPP_DB", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "collection.db"


@pytest.fixture(scope="session")
def empty_collection_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty collection at the newest schema, migrated once per test process (each xdist worker has
    a base temporary folder of its own); tests copy it instead of running the migrations again."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Collection.open(path, shipped_decks=False, tz=UTC).close()
    # Closing the last connection checkpoints the WAL into the file; the copy must not need a -wal.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def empty_collection_file(empty_collection_template: Path):
    """empty_collection_file(path) -> path: a copy of the migrated empty collection at `path`, which
    `Collection.open` then opens without migrating or filling it from the shipped decks."""

    def copy(path: Path) -> Path:
        shutil.copyfile(empty_collection_template, path)
        return path

    return copy


@pytest.fixture
def collection(db_path: Path, clock: Clock, empty_collection_file) -> Iterator[Collection]:
    with Collection.open(empty_collection_file(db_path), shipped_decks=False, clock=clock, tz=UTC) as opened:
        yield opened


@pytest.fixture
def write_deck(tmp_path: Path):
    """write_deck(body, name="deck.toml") -> Path: a deck file from dedented TOML text."""

    def write(body: str, name: str = "deck.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(body), encoding="utf-8")
        return path

    return write


def logged_review(card_id: int, at: datetime, **changes: object) -> Review:
    """A review-log row written by hand (a good answer to a new card unless `changes` say otherwise)."""
    values: dict[str, object] = {
        "rating": 3, "state_before": "new", "state_after": "learning", "interval_before_days": 0,
        "interval_after_days": 0, "ease_after": 2.5, "previous": {},
    }  # fmt: skip
    return Review(card_id=card_id, reviewed_at=at, **(values | changes))


# --- PostgreSQL ------------------------------------------------------------------------------------
# Set FLASHAPP_TEST_PG to a server URL (postgresql+psycopg://postgres@127.0.0.1:5432/test): the tests
# that take `pg_url` then run against a scratch database made for this run and dropped after it.
# FLASHAPP_TEST_PG_PREFIX names the scratch databases (default "flashapp_test").
PG_ENV = "FLASHAPP_TEST_PG"


@pytest.fixture(scope="session")
def pg_scratch_url() -> Iterator[str]:
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(f"{PG_ENV} is not set: the PostgreSQL tests need a server URL")
    base = make_url(server)
    name = (
        f"{os.environ.get('FLASHAPP_TEST_PG_PREFIX', 'flashapp_test')}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    )
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any reason the server cannot be used
        admin.dispose()
        shown = base.render_as_string(hide_password=True)
        pytest.skip(f"no PostgreSQL server reachable at {shown}: {str(error).splitlines()[0]}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_scratch_url: str) -> Iterator[str]:
    """The scratch database, emptied before each test."""
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_scratch_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield pg_scratch_url
