"""TUI test helpers: a no-fuzz collection with a small study deck, and the text on screen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import pytest
from pilot_waits import install as install_pilot_waits
from textual.app import App

from flashapp.store.collection import Collection

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
def pilot_waits_on_the_app(request, monkeypatch) -> None:
    """Pilot's pauses and key presses wait until the app has handled what it was sent (pilot_waits),
    not for 20 ms slices of idle CPU. The concept demos' tests keep Textual's own wait."""
    if not request.node.path.name.startswith("test_demo_"):
        install_pilot_waits(monkeypatch)


@pytest.fixture
def study_collection(db_path, clock, write_deck, empty_collection_file) -> Iterator[Collection]:
    """Exact intervals (no fuzz), a fixed clock at 2026-03-02 12:00 UTC, and the four-card deck above
    (in a copy of the migrated empty collection: no migrations per test)."""
    path = empty_collection_file(db_path)
    with Collection.open(path, shipped_decks=False, clock=clock, tz=UTC, fuzz=False) as collection:
        collection.import_paths([write_deck(STUDY_DECK, "study.toml")], backup=False)
        yield collection


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
