"""Shared fixtures: a fresh collection on a temporary SQLite file with a fixed clock."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
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


# The cyclic collector's thresholds for the test processes (Python's default: 700, 10, 10). A test
# process holds some 130-250k long-lived objects (Textual, SQLAlchemy, torch, hypothesis) and a million
# or more once the demo tests have run; the TUI tests allocate millions more. At the default thresholds
# the collector's full passes, each walking all of them (0.4-0.7 s), came every few tests: a third of the
# TUI tests' CPU and 22 of the demo and engine tests' 84 s. At (100,000, 50, 50) a process makes a few
# full passes; the cycles each test leaves are still collected (a worker's peak memory +~200 MB).
# The whole suite on 2 cores: 118 s at (10,000, 10, 10), 111 s at these (quiet, back to back).
GC_FIRST_THRESHOLD = 100_000
GC_OLDER_THRESHOLD = 50


@pytest.fixture(autouse=True, scope="session")
def fewer_collector_passes() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(GC_FIRST_THRESHOLD, GC_OLDER_THRESHOLD, GC_OLDER_THRESHOLD)
    yield
    gc.set_threshold(*saved)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """An xdist worker leaves as soon as its session is over. Its results went to the controller as each
    test ended and its `workerfinished` at the session's end; what followed took 5-10 s of a 2-minute
    suite: pytest's last search for unraisable exceptions (five full collections of a heap of millions
    of objects) and a process the controller then waited on until its 10 s limit. The heap is frozen
    for those collections (objects from the tests are not searched again; unraisable exceptions raised
    during a test are still reported with it) and the process exits at its first exit handler."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    gc.freeze()
    atexit.register(_leave_at_once)


def _leave_at_once() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


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
def collection(collection_url: str, clock: Clock) -> Iterator[Collection]:
    """A new, empty collection with the test's clock, on SQLite (at `db_path`) or PostgreSQL."""
    with Collection.open(collection_url, shipped_decks=False, clock=clock, tz=UTC) as opened:
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
# of the store, the CLI and scheduling that take `collection` or `collection_url` then run twice, on
# SQLite and on PostgreSQL (ids end in [sqlite] / [postgres]); tests that take `pg_url` run on
# PostgreSQL only. Each test process makes its scratch databases on that server and drops them after
# the run; FLASHAPP_TEST_PG_PREFIX names them (default "flashapp_test"). Without the variable, or with
# no server reachable, the PostgreSQL variants are skipped and say why.
PG_ENV = "FLASHAPP_TEST_PG"
BOTH_BACKENDS = ("tests/flashapp/store/", "tests/flashapp/cli/", "tests/flashapp/core/scheduling/")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Store, CLI and scheduling tests that use a collection run on both backends; others on SQLite."""
    if "backend" not in metafunc.fixturenames and "module_backend" not in metafunc.fixturenames:
        return
    where = Path(metafunc.definition.path).resolve().relative_to(Path(__file__).resolve().parent.parent)
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
    if where.as_posix().startswith(BOTH_BACKENDS) and not sqlite_only:
        # A module that fills one collection for all its tests (`module_collection_url`) is run once
        # per backend; `backend` then follows the module's.
        name = "module_backend" if "module_backend" in metafunc.fixturenames else "backend"
        scope = "module" if name == "module_backend" else "function"
        metafunc.parametrize(name, ["sqlite", "postgres"], indirect=True, scope=scope)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about the SQLite file itself (its bytes, pages, WAL)"
    )


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test's collection lives in: "sqlite" or "postgres"."""
    if "module_backend" in request.fixturenames:
        return request.getfixturevalue("module_backend")
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="module")
def module_backend(request: pytest.FixtureRequest) -> str:
    """`backend` for a module's shared collection (`module_collection_url`)."""
    return getattr(request, "param", "sqlite")


@contextmanager
def _scratch_database(suffix: str) -> Iterator[str]:
    """A new empty database on the FLASHAPP_TEST_PG server, dropped afterwards; skips the test (with
    the reason) when the variable is unset or the server cannot be reached."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(f"{PG_ENV} is not set: the PostgreSQL variants need a server URL")
    base = make_url(server)
    prefix = os.environ.get("FLASHAPP_TEST_PG_PREFIX", "flashapp_test")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # Commits do not wait for the server's WAL flush (fsync): a crash of the server itself
            # could lose the last commits, which no test does; every client-side behaviour is the same.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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


@pytest.fixture(scope="session")
def pg_scratch_url() -> Iterator[str]:
    """An empty scratch database for this test process (`pg_url` empties it before each test)."""
    with _scratch_database("raw") as url:
        yield url


@pytest.fixture
def pg_url(pg_scratch_url: str) -> Iterator[str]:
    """The scratch database, emptied before each test."""
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_scratch_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield pg_scratch_url


class _EmptyPgCollection:
    """A scratch database migrated once per test process; `empty()` brings it back to a new, empty
    collection for the next test: every row deleted (children first) and the id sequences restarted,
    in one round trip of a few milliseconds (TRUNCATE takes a quarter of a second, a migration more)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine, inspect, text

        from flashapp.store.models import Base

        self.url = url
        Collection.open(url, shipped_decks=False, tz=UTC).close()
        self.engine = create_engine(url)
        tables = set(inspect(self.engine).get_table_names()) - {"alembic_version"}
        ordered = [table.name for table in reversed(Base.metadata.sorted_tables) if table.name in tables]
        assert set(ordered) == tables, f"tables the models do not know: {tables - set(ordered)}"
        with self.engine.connect() as connection:
            sequences = connection.execute(text("SELECT sequence_name FROM information_schema.sequences"))
            restarts = [f"SELECT setval('\"{name}\"', 1, false)" for name in sequences.scalars()]
        self.statements = "; ".join([f'DELETE FROM "{name}"' for name in ordered] + restarts)

    def empty(self) -> str:
        with self.engine.begin() as connection:
            connection.exec_driver_sql(self.statements)
        return self.url


@pytest.fixture(scope="session")
def _pg_collection_database() -> Iterator[_EmptyPgCollection]:
    with _scratch_database("coll") as url:
        database = _EmptyPgCollection(url)
        yield database
        database.engine.dispose()


@pytest.fixture(scope="module")
def module_collection_url(
    module_backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> str:
    """As `collection_url`, for a module that fills one collection for all its tests (a long
    simulated history): a new empty SQLite file of its own, or a PostgreSQL scratch collection of the
    process kept for such modules (so a test's `collection_url` beside them never empties it), emptied."""
    if module_backend == "postgres":
        return request.getfixturevalue("_pg_module_database").empty()
    path = tmp_path_factory.mktemp("module-collection") / "collection.db"
    shutil.copyfile(request.getfixturevalue("empty_collection_template"), path)
    return str(path)


@pytest.fixture(scope="session")
def _pg_module_database() -> Iterator[_EmptyPgCollection]:
    with _scratch_database("mod") as url:
        database = _EmptyPgCollection(url)
        yield database
        database.engine.dispose()


@pytest.fixture
def collection_url(
    backend: str, tmp_path: Path, empty_collection_file, request: pytest.FixtureRequest
) -> str:
    """Where a new, empty collection lives for this test: a copy of the SQLite template in tmp_path,
    or (backend "postgres") the process's PostgreSQL scratch collection, emptied."""
    if backend == "postgres":
        return request.getfixturevalue("_pg_collection_database").empty()
    return str(empty_collection_file(tmp_path / "collection.db"))
