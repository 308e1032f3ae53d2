"""The home screen's first counts: read through `sqlite3` alone (`store/direct/`) while the `Collection`
is still opening, shown by the first frame, the same numbers as the `Collection`'s once it is open;
where that path does not serve the collection, the home screen waits for the `Collection` as before."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from concurrent.futures import Future
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable

from flashapp.cli import COMMAND_MODULES
from flashapp.core.scheduling import Rating
from flashapp.store.collection import Collection
from flashapp.store.damage import CollectionDamaged
from flashapp.tui import app as app_module
from flashapp.tui.app import make_app
from flashapp.tui.run import counts_in_thread, direct_deck_counts
from tests.conftest import NOW, Clock
from tests.flashapp.cli.test_cli_hardening import damage

DECK = """\
[deck]
name = "Lang::Verbs"

[[cards]]
id = "a"
front = "Q1"
back = "A1"

[[cards]]
id = "b"
front = "Q2"
back = "A2"

[[cards]]
id = "c"
front = "Q3"
back = "A3"
"""

OTHER = """\
[deck]
name = "Maths"

[[cards]]
id = "m"
front = "2+2"
back = "4"
"""


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell).strip() for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.fixture(scope="module")
def studied_template(tmp_path_factory, empty_collection_template) -> tuple[Path, list[list[str]]]:
    """A collection with new, learning and due cards (in a copy of the migrated empty collection), made
    once for this module's tests, which each copy it; and the tree rows its `Collection` counts give."""
    folder = tmp_path_factory.mktemp("studied")
    path = Path(shutil.copyfile(empty_collection_template, folder / "collection.db"))
    (folder / "a.toml").write_text(DECK, encoding="utf-8")
    (folder / "b.toml").write_text(OTHER, encoding="utf-8")
    clock = Clock()
    with Collection.open(path, shipped_decks=False, clock=clock, tz=UTC) as collection:
        collection.import_paths([folder / "a.toml", folder / "b.toml"])
        first, second = collection.cards(deck="Lang::Verbs")[:2]
        collection.answer(first.id, Rating.AGAIN)  # learning, due in minutes
        clock.now = NOW - timedelta(days=5)
        collection.answer(second.id, Rating.EASY)  # a review, due by now
        clock.now = NOW
        counts = collection.deck_counts()
    assert not path.with_name(path.name + "-wal").exists()  # closed: all of it in the file
    return path, [[d.short_name, str(d.new), str(d.learning), str(d.due)] for d in counts]


def studied_collection(db_path, studied_template) -> list[list[str]]:
    """A copy of `studied_template`'s collection at `db_path`; the tree rows its counts give."""
    template, expected = studied_template
    shutil.copyfile(template, db_path)
    return expected


async def wait_for(pilot, condition, tries: int = 400) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the app never got there")


def frames_noted(app) -> list[tuple[list[list[str]], str]]:
    """Each frame the app paints, as it is handed to the (headless) display: the deck tree's rows and
    the home screen's "empty" line then."""
    frames = []
    display = app._display

    def noted(screen, renderable) -> None:
        if renderable is not None and screen.query("#decks"):
            empty = screen.query_one("#empty")
            frames.append((rows(screen.query_one("#decks", DataTable)), str(empty.render())))
        display(screen, renderable)

    app._display = noted
    return frames


def shown(tree_rows: list[list[str]]) -> list[list[str]]:
    return [[row[0].lstrip("▾ "), *row[1:]] for row in tree_rows]


async def test_the_first_frame_shows_the_direct_counts_before_the_collection_opens(
    db_path, clock, studied_template
):
    expected = studied_collection(db_path, studied_template)
    assert any(row[2] != "0" for row in expected) and any(row[3] != "0" for row in expected)
    release = threading.Event()
    opened = []

    def slow_open() -> Collection:  # the store's imports, as slow as the test likes
        assert release.wait(10)
        opened.append(Collection.open(db_path, clock=clock, tz=UTC))
        return opened[0]

    read = Future()  # read already, as `run_tui`'s thread nearly always has when the app mounts
    read.set_result(direct_deck_counts(db_path, now=NOW, tz=UTC))
    app = make_app(open_collection=slow_open, first_counts=read)
    frames = frames_noted(app)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            table = app.screen.query_one("#decks", DataTable)
            await wait_for(pilot, lambda: table.row_count > 0)
            assert not app.collection_ready
            first = rows(table)
            assert shown(first) == expected
            assert shown(frames[0][0]) == expected  # the very first frame: no "Opening collection…"
            assert not app.screen.query_one("#empty").display
            # Keys that need the collection do nothing until it is open (no crash).
            await pilot.press("f", "o", "c", "enter")
            assert len(app.screen_stack) == 2 and app.return_code is None
            release.set()
            await wait_for(pilot, lambda: app.collection_ready)
            await pilot.pause()
            assert rows(table) == first  # the Collection's counts: the same numbers
            assert "Nothing studied yet today." not in str(app.screen.query_one("#today").render())
            assert "cards" in str(app.screen.query_one("#deck-info").render())
            await pilot.press("q")
        assert app.return_code == 0
    finally:
        release.set()
        for collection in opened:
            collection.close()


async def test_without_the_direct_path_the_home_screen_waits_for_the_collection(tmp_path, clock):
    # A collection still to create: the direct path does not serve it (and creates no file).
    path = tmp_path / "new.db"
    assert direct_deck_counts(path, now=NOW, tz=UTC) is None and not path.exists()
    assert direct_deck_counts("postgresql://127.0.0.1/nowhere", now=NOW, tz=UTC) is None
    release = threading.Event()
    opening = threading.Event()
    opened = []

    def slow_open() -> Collection:
        opening.set()
        assert release.wait(10)
        opened.append(Collection.open(path, clock=clock, tz=UTC))
        return opened[0]

    app = make_app(
        open_collection=slow_open,
        first_counts=counts_in_thread(lambda: direct_deck_counts(path, now=NOW, tz=UTC)),
    )
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_for(pilot, opening.is_set)  # no counts came: the app went on to open the collection
            await pilot.pause()
            assert app.screen.query_one("#decks", DataTable).row_count == 0
            assert "Opening collection" in str(app.screen.query_one("#empty").render())
            release.set()
            await wait_for(pilot, lambda: app.collection_ready)
            await pilot.pause()
            assert app.screen.query_one("#decks", DataTable).row_count > 0  # the shipped decks
    finally:
        release.set()
        for collection in opened:
            collection.close()


async def test_counts_read_past_the_first_frame_fill_the_tree_when_they_come(
    db_path, clock, studied_template, monkeypatch
):
    expected = studied_collection(db_path, studied_template)
    monkeypatch.setattr(app_module, "FIRST_COUNTS_WAIT_SECONDS", 0.01)
    release = threading.Event()
    still_reading = threading.Event()
    opened = []

    def slow_open() -> Collection:
        assert release.wait(10)
        opened.append(Collection.open(db_path, clock=clock, tz=UTC))
        return opened[0]

    def slow_counts():
        assert still_reading.wait(10)
        return direct_deck_counts(db_path, now=NOW, tz=UTC)

    app = make_app(open_collection=slow_open, first_counts=counts_in_thread(slow_counts))
    frames = frames_noted(app)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_for(pilot, lambda: bool(frames))
            assert frames[0] == ([], "Opening collection…")  # the first frame did not wait long
            still_reading.set()
            table = app.screen.query_one("#decks", DataTable)
            await wait_for(pilot, lambda: table.row_count > 0)
            assert shown(rows(table)) == expected and not app.collection_ready
            release.set()
            await wait_for(pilot, lambda: app.collection_ready)
    finally:
        still_reading.set()
        release.set()
        for collection in opened:
            collection.close()


async def test_damage_met_by_the_direct_path_ends_the_app_as_before(db_path, clock, studied_template):
    studied_collection(db_path, studied_template)
    damage(db_path, ["cards"])
    before = db_path.read_bytes()
    app = make_app(
        open_collection=lambda: Collection.open(db_path, clock=clock, tz=UTC),
        first_counts=counts_in_thread(lambda: direct_deck_counts(db_path, now=NOW, tz=UTC)),
    )
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.open_error is not None)
    assert isinstance(app.open_error, CollectionDamaged)
    assert "check --repair" in str(app.open_error)
    if app.collection_ready:
        app.collection.close()
    assert db_path.read_bytes() == before


# `flashapp --db FILE` up to its first frame, then out; the app's own thread for the Collection is not
# started (it would load the store after that frame, as it should).
FIRST_FRAME = """
import json, sys
import flashapp.tui.app as app_module
from flashapp.tui.app import FlashApp

app_module.FIRST_COUNTS_WAIT_SECONDS = 60  # the frame waits for the counts however loaded the machine
FlashApp.run = lambda self, run=FlashApp.run, **kwargs: run(self, headless=True, size=(100, 32))
FlashApp._open_in_background = lambda self, open_collection: None
display = FlashApp._display
seen = {}

def first_frame(self, screen, renderable):
    if renderable is not None and not seen:
        tree = screen.query_one("#decks")
        seen["rows"] = [[str(cell).strip() for cell in tree.get_row_at(i)] for i in range(tree.row_count)]
        seen["loaded"] = sorted(sys.modules)
        self.exit()
    display(self, screen, renderable)

FlashApp._display = first_frame
from flashapp.cli.main import main

print(json.dumps({"code": main(sys.argv[1:]), **seen}))
"""
# What the first frame must not wait for: the store's SQLAlchemy side, the FSRS package, the engine,
# and every command's module (the TUI runs none).
HEAVY = ("sqlalchemy", "alembic", "fsrs", "torch", "numpy", "engine", "markdown_it", "PIL")
STORE = ("flashapp.store.collection", "flashapp.store.models", "flashapp.store.queue")
# Loaded on first use, not for the first frame: the card types and schedulers (the counts need the
# study calendar alone), the practice modes' questions (the deck tree only asks for a mode), and the
# Markdown and math patterns of card text (deck names need `core.control` alone).
DEFERRED = (
    "flashapp.core.text",
    "flashapp.core.mathtext",
    "flashapp.core.scheduling.types",
    "flashapp.core.scheduling.sm2",
    "flashapp.core.scheduling.answering",
    "flashapp.core.practice.questions",
)


def test_the_first_frame_of_flashapp_shows_the_counts_and_loads_nothing_heavy(db_path, studied_template):
    studied_collection(db_path, studied_template)
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, "--db", str(db_path), "--tz", "UTC"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    with Collection.open(db_path, tz=UTC) as collection:  # the real clock, as the app's
        expected = [[d.short_name, str(d.new), str(d.learning), str(d.due)] for d in collection.deck_counts()]
    assert shown(report["rows"]) == expected
    loaded = report["loaded"]
    assert [name for name in loaded if name.split(".")[0] in HEAVY or name in STORE + DEFERRED] == []
    commands = {f"flashapp.cli.{name}" for name in COMMAND_MODULES.values()}
    assert commands.isdisjoint(loaded)
    assert "flashapp.store.direct.deck_tree" in loaded  # the counts' own path did run
