"""Snapshots at 100x32 of the four screens a session goes through: home, question, answer, summary.

Deterministic: fixed clock, no fuzz, the answer timer advanced by hand. After a deliberate change of
look, regenerate with `pytest tests/flashapp/tui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from flashapp.tui.app import make_app

SIZE = (100, 32)


async def study(pilot) -> None:
    pilot.app.screen.query_one("#decks").move_to("Study::Basics")
    await pilot.press("enter")
    await pilot.pause()


def test_home(snap_compare, study_collection):
    assert snap_compare(make_app(study_collection), terminal_size=SIZE)


def test_question(snap_compare, study_collection, frozen_timer):
    assert snap_compare(make_app(study_collection), terminal_size=SIZE, run_before=study)


def test_answer(snap_compare, study_collection, frozen_timer):
    async def reveal(pilot) -> None:
        await study(pilot)
        await pilot.press("space")

    assert snap_compare(make_app(study_collection), terminal_size=SIZE, run_before=reveal)


def test_summary(snap_compare, study_collection, frozen_timer):
    async def finish(pilot) -> None:
        await study(pilot)
        for rating in ("1", "3", "4", "4", "4", "3"):
            frozen_timer.now += 8.0
            await pilot.press("space", rating)
            await pilot.pause()

    assert snap_compare(make_app(study_collection), terminal_size=SIZE, run_before=finish)
