"""Snapshots at 100x32 of the practice screens: a test question, the results, and the Match board with a
tile picked. Deterministic: fixed seeds, clock and game timer. After a deliberate change of look,
regenerate with `pytest tests/flashapp/tui/test_practice_snapshots.py --snapshot-update`."""

from __future__ import annotations

import pytest
from practice_fixtures import DECK, answer, hand_in

from flashapp.core.practice.questions import PracticeSettings
from flashapp.tui.app import make_app
from flashapp.tui.practice_messages import PracticeStart

SIZE = (100, 32)


@pytest.fixture(autouse=True)
def frozen_clocks(monkeypatch):
    for module in ("practice_test", "match"):
        monkeypatch.setattr(f"flashapp.tui.screens.{module}.monotonic", lambda: 1000.0)
    monkeypatch.setattr("random.SystemRandom.randrange", lambda self, stop: 5)


def test_question(snap_compare, practice_collection):
    start = PracticeStart(
        "test", DECK, PracticeSettings(count=5, kinds=("multiple_choice",), seed=2, timer=True)
    )

    async def begin(pilot) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(practice_collection, start=start), terminal_size=SIZE, run_before=begin)


def test_results(snap_compare, practice_collection):
    start = PracticeStart("test", DECK, PracticeSettings(count=3, kinds=("written", "true_false"), seed=4))

    async def finish(pilot) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for number, question in enumerate(pilot.app.screen.questions):
            await answer(pilot, question, right=number != 0)
        await hand_in(pilot)

    assert snap_compare(make_app(practice_collection, start=start), terminal_size=SIZE, run_before=finish)


def test_match_board(snap_compare, practice_collection):
    async def wrong_pick(pilot) -> None:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()

    start = PracticeStart("match", DECK)
    assert snap_compare(make_app(practice_collection, start=start), terminal_size=SIZE, run_before=wrong_pick)
