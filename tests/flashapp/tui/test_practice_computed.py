"""Computed questions in the TUI: the engine computes the answers in a thread, the answer is typed
and checked within the card's tolerance, and the results show the worked solution."""

from __future__ import annotations

from datetime import UTC

import pytest
from practice_fixtures import opened
from textual.widgets import Input

from flashapp.core.practice.questions import PracticeSettings
from flashapp.shipped import shipped_deck_files
from flashapp.store.collection import Collection
from flashapp.tui.app import make_app
from flashapp.tui.practice_messages import PracticeStart
from flashapp.tui.screens.practice_results import PracticeResultsScreen
from flashapp.tui.screens.practice_setup import PracticeSetupScreen

DECK = "Attention and Transformers"


@pytest.fixture
def shipped(db_path, clock, empty_collection_file):
    """The shipped decks, imported as a new collection imports them, into a copy of the migrated empty
    collection (the migrations are not what is tested here)."""
    empty_collection_file(db_path)
    with Collection.open(db_path, shipped_decks=False, clock=clock, tz=UTC, fuzz=False) as collection:
        collection.import_paths(shipped_deck_files(), backup=False)
        yield collection


async def test_a_test_of_computed_questions(shipped, screen_text):
    settings = PracticeSettings(count=2, kinds=("computed",), seed=8)
    app = make_app(shipped, start=PracticeStart("test", DECK, settings))
    async with app.run_test(size=(100, 32)) as pilot:
        await opened(pilot, PracticeSetupScreen)  # pushed after the first frame
        assert app.screen.query_one("#kind-computed").value  # offered: the deck has predict cards
        await pilot.press("enter")
        await pilot.pause()
        test = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        questions = test.questions
        assert [q.kind for q in questions] == ["computed", "computed"]
        assert questions[0].computed.hint() in screen_text(app)
        test.query_one("#written", Input).value = questions[0].answer
        await pilot.press("enter")
        await pilot.pause()
        test.query_one("#written", Input).value = "12345"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("h")  # hand in from the review page
        await pilot.pause()
        results = app.screen
        assert isinstance(results, PracticeResultsScreen)
        assert [check.correct for check in results.checks] == [True, False]
        assert "Worked out" in screen_text(app) and "50%  1 of 2 right" in screen_text(app)
