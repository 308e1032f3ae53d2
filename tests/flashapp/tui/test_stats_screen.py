"""The Stats screen: opened from the home screen, the palette and help; its panels filled by workers;
a snapshot at 100x32 after a few answers (fixed clock, UTC)."""

from __future__ import annotations

from flashapp.core.scheduling import Rating
from flashapp.tui.app import make_app
from flashapp.tui.screens.stats import StatsScreen

SIZE = (100, 32)


def answer_some(collection) -> None:
    for rating in (Rating.GOOD, Rating.AGAIN, Rating.GOOD):
        card = collection.next_card()
        collection.answer(card.id, rating, duration_ms=6000)


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


async def test_home_key_palette_and_help_open_stats_and_workers_fill_it(study_collection):
    """In one app: `s` on the deck tree opens Statistics for the deck, filled by its workers; then
    `open_stats` (every deck), help listing Statistics, and the palette's Statistics command."""
    answer_some(study_collection)
    app = make_app(study_collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen), "s"
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "Today (2026-03-02): 3 cards, 3 answers in 0.3 min, again 1" in text
        assert "Forecast" in text, "s"
        await pilot.press("escape")
        assert not isinstance(app.screen, StatsScreen), "s, then escape"

        await pilot.pause()
        app.open_stats(None)
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen) and app.screen.deck is None, "open_stats(None)"
        await app.workers.wait_for_complete()
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Statistics" in screen_text(app) and "Fit FSRS" in screen_text(app), "help"
        from flashapp.tui.commands import FlashCommands

        commands = {title: run for title, _, run in FlashCommands(app.screen)._commands()}
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, StatsScreen), "help, then escape twice"
        commands["Statistics"]()
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen), "the palette's Statistics"


def test_stats_snapshot(snap_compare, study_collection):
    answer_some(study_collection)

    async def open_stats(pilot) -> None:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(study_collection), terminal_size=SIZE, run_before=open_stats)
