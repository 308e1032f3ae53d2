"""Flashcards mode in the TUI, driven by Pilot: flip, sort, star, go again, and the progress kept per
deck while the schedule stays untouched."""

from __future__ import annotations

from flashapp.tui.app import make_app
from flashapp.tui.screens.flashcards import FlashcardsScreen
from flashapp.tui.screens.home import HomeScreen

DECK = "Study::Basics"


async def test_the_home_key_opens_the_highlighted_deck_then_sorting_and_going_again(
    study_collection, screen_text
):
    """The home key's case, then the sorting case, in one app (the first marks nothing)."""
    before = [(card.id, card.state, card.due) for card in study_collection.cards()]
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        # Case "home key": f on the deck tree opens flashcards on the highlighted deck.
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FlashcardsScreen) and len(app.screen.round.cards) == 4, "home key"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "home key"

        # Case "sorting": flip, sort, star, go again.
        screen = FlashcardsScreen(study_collection, DECK)
        await app.push_screen(screen)
        await pilot.pause()
        assert "Card 1 of 4" in screen_text(app) and "What does attention compute?" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert "weighted average" in screen_text(app)  # the back
        await pilot.press("right")  # know
        await pilot.press("left")  # still learning
        await pilot.press("s")  # star the third
        await pilot.press("k", "j")
        await pilot.pause()
        assert screen.finished and "Round done." in screen_text(app)
        assert "know 2  ·  still learning 2" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert len(screen.round.cards) == 2 and "Card 1 of 2" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        known, starred = study_collection.flashcard_marks(DECK)
        assert sorted(known.values()) == [False, False, True, True] and len(starred) == 1
        after = [(card.id, card.state, card.due) for card in study_collection.cards()]
        assert after == before  # no rescheduling

        # A new session (a new screen, which reads the collection) picks up where the last one was left.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        screen = FlashcardsScreen(study_collection, DECK)
        await app.push_screen(screen)
        await pilot.pause()
        assert "Card 1 of 2" in screen_text(app)
        await pilot.press("asterisk")
        await pilot.pause()
        assert screen.round.cards == sorted(starred)
