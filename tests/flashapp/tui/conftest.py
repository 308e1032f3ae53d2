"""TUI test helpers: no-fuzz collections with a small study deck or the practice deck, the text on
screen, Pilot's waits (pilot_waits), and style sheets parsed once per test process (css_parse_cache)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path

import pytest
from css_parse_cache import SharedParseCache
from pilot_waits import install as install_pilot_waits
from practice_fixtures import PRACTICE_DECK
from textual.app import App

from flashapp.store.collection import Collection
from tests.conftest import Clock

STUDY_DECK = """\
[deck]
name = "Study::Basics"

[[cards]]
id = "q1"
front = "What does attention compute?"
back = "A weighted average of the **values**, weights from $\\\\mathrm{softmax}(QK^\\\\top/\\\\sqrt{d_k})$."

[[cards]]
id = "q2"
front = "Encoder-only example?"
back = "BERT"

[[cards]]
id = "q3"
front = "Decoder-only example?"
back = "GPT"

[[cards]]
id = "q4"
front = "Who wrote *Attention Is All You Need*?"
back = "Vaswani et al., 2017"
"""


@pytest.fixture(autouse=True)
def pilot_waits_on_the_app(monkeypatch) -> None:
    """Pilot's pauses and key presses wait until the app has handled what it was sent (pilot_waits),
    not for 20 ms slices of idle CPU."""
    install_pilot_waits(monkeypatch)


@pytest.fixture(autouse=True, scope="session")
def css_parsed_once() -> Iterator[SharedParseCache]:
    """Each TCSS source is parsed once per test process, not again by every app (css_parse_cache)."""
    with SharedParseCache().installed() as cache:
        yield cache


@pytest.fixture(scope="session")
def deck_collection_template(
    empty_collection_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    """deck_collection_template(deck) -> a collection file with the deck file `deck` (TOML text)
    imported at the tests' fixed clock, made once per test process (the deck file stays beside it)."""
    made: dict[str, Path] = {}

    def template(deck: str) -> Path:
        if deck not in made:
            folder = tmp_path_factory.mktemp("deck-template")
            path = Path(shutil.copyfile(empty_collection_template, folder / "collection.db"))
            deck_file = folder / "deck.toml"
            deck_file.write_text(deck, encoding="utf-8")
            with Collection.open(path, shipped_decks=False, clock=Clock(), tz=UTC, fuzz=False) as collection:
                collection.import_paths([deck_file], backup=False)
            assert not path.with_name(path.name + "-wal").exists()  # closed: all of it in the file
            made[deck] = path
        return made[deck]

    return template


def _open_copy(template: Path, db_path: Path, clock: Clock) -> Iterator[Collection]:
    shutil.copyfile(template, db_path)
    with Collection.open(db_path, shipped_decks=False, clock=clock, tz=UTC, fuzz=False) as collection:
        yield collection


@pytest.fixture
def study_collection(db_path, clock, deck_collection_template) -> Iterator[Collection]:
    """Exact intervals (no fuzz), a fixed clock at 2026-03-02 12:00 UTC, and the four-card deck above
    (a copy of a collection it was imported into once per test process: no migrations or import)."""
    yield from _open_copy(deck_collection_template(STUDY_DECK), db_path, clock)


@pytest.fixture
def practice_collection(db_path, clock, deck_collection_template) -> Iterator[Collection]:
    """As `study_collection`, with practice_fixtures' deck of short answers."""
    yield from _open_copy(deck_collection_template(PRACTICE_DECK), db_path, clock)


@pytest.fixture
def frozen_timer(monkeypatch):
    """The study screen's answer timer, advanced by hand: `frozen_timer.now += 4.0` is four seconds."""

    class Timer:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

    timer = Timer()
    monkeypatch.setattr("flashapp.tui.screens.study.monotonic", timer)
    return timer


def _screen_text(app: App) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


@pytest.fixture
def screen_text():
    """screen_text(app) -> what the terminal shows now, as plain text lines."""
    return _screen_text
