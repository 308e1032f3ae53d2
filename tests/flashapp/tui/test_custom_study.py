"""Custom study, driven by Pilot: a cram session that reschedules nothing, extra new cards that do,
forgotten cards found, and every card back in (never out of) its deck when the session ends."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, RadioButton

from flashapp.core.scheduling import Rating
from flashapp.tui.app import make_app
from flashapp.tui.screens.custom_session import CustomSessionScreen
from flashapp.tui.screens.custom_study import CustomStudyScreen
from flashapp.tui.screens.home import HomeScreen

DECK = "Study::Basics"


def states(collection):
    return [(card.id, card.deck, card.state, card.due, card.reps) for card in collection.cards()]


async def choose(pilot, mode: str, number: str = "", search: str = "") -> None:
    """Custom study on the highlighted deck ("Study", the parent of the deck's one subdeck)."""
    await pilot.press("c")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, CustomStudyScreen)
    dialog.query_one(f"#mode-{mode}", RadioButton).value = True
    await pilot.pause()
    if number:
        dialog.query_one("#number", Input).value = number
    if search:
        dialog.query_one("#search", Input).value = search
    await pilot.click("#start")
    await pilot.pause()


async def answer_all(pilot, rating: str = "3") -> None:
    screen = pilot.app.screen
    while screen.queue:
        await pilot.press("space", rating)
        await pilot.pause()


async def test_cram_reschedules_nothing_then_extra_new_cards_and_forgotten_cards_reschedule(
    study_collection, clock, screen_text
):
    """Two cases in one app, each a custom session opened from the deck tree: the cram session leaves
    the collection as it found it (checked before the second case starts)."""
    # Case "cram": a cram session reschedules nothing, and the cards stay in their deck.
    before = states(study_collection)
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await choose(pilot, "cram", "50")
        session = app.screen
        assert isinstance(session, CustomSessionScreen) and session.total == 4
        await pilot.press("space", "1")  # again: it comes back at the end
        await pilot.pause()
        assert len(session.queue) == 4
        await answer_all(pilot)
        assert "Session over: 5 answers, 1 again." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert states(study_collection) == before, "cram"

        # Case "extra new": extra new cards and forgotten cards reschedule.
        await choose(pilot, "new", "2")
        session = app.screen
        assert session.total == 2
        first = session.queue[0]
        await pilot.press("space", "4")  # easy: a review card now
        await pilot.pause()
        assert study_collection.card(first).state == "review"
        await pilot.press("escape")  # leave half-way: nothing is lost or left out of its deck
        await pilot.pause()
    assert {card.deck for card in study_collection.cards()} == {DECK}
    forgotten = study_collection.cards()[1].id
    study_collection.answer(forgotten, Rating.AGAIN)
    clock.now += timedelta(hours=2)
    assert study_collection.custom_study_cards(DECK, "forgotten", days=1) == [forgotten]
    assert study_collection.custom_study_cards(DECK, "ahead", days=30) == [first]
    clock.now += timedelta(days=3)
    assert study_collection.custom_study_cards(DECK, "forgotten", days=1) == []
