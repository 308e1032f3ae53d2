"""`q` quits from the deck tree only; on every other screen it does what Escape does there, so work in
progress is never lost to a stray `q` (issue #12, point 6)."""

from __future__ import annotations

from practice_fixtures import DECK

from flashapp.tui.app import make_app
from flashapp.tui.screens.browse import BrowseScreen
from flashapp.tui.screens.card_info import CardInfoScreen
from flashapp.tui.screens.concepts import ConceptsScreen
from flashapp.tui.screens.edit_card import EditCardScreen
from flashapp.tui.screens.help import HelpScreen
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.learn import LearnScreen
from flashapp.tui.screens.match import MatchScreen
from flashapp.tui.screens.practice_confirm import PracticeConfirmScreen
from flashapp.tui.screens.practice_setup import PracticeSetupScreen
from flashapp.tui.screens.practice_test import PracticeTestScreen
from flashapp.tui.screens.study import StudyScreen

# (keys from the deck tree, the screen they open, the screen `q` goes back to)
SCREENS = [
    (["enter"], StudyScreen, HomeScreen),
    (["b"], BrowseScreen, HomeScreen),
    (["d"], ConceptsScreen, HomeScreen),
    (["question_mark"], HelpScreen, HomeScreen),
    (["l"], LearnScreen, HomeScreen),
    (["m"], MatchScreen, HomeScreen),
    # Modal dialogs take no app key: there `q` does nothing, and nothing is lost.
    (["t"], PracticeSetupScreen, PracticeSetupScreen),
    (["enter", "i"], CardInfoScreen, CardInfoScreen),
    (["enter", "e"], EditCardScreen, EditCardScreen),
]


async def q_in_a_practice_test_asks_before_ending_it(app, pilot) -> None:
    app.screen.query_one("#decks").move_to(DECK)
    await pilot.press("t")
    await pilot.pause()
    await pilot.click("#start")
    await pilot.pause()
    assert isinstance(app.screen, PracticeTestScreen)
    app.screen.set_focus(None)
    await pilot.press("q")
    await pilot.pause()
    assert app.is_running and isinstance(app.screen, PracticeConfirmScreen)
    await pilot.press("escape")  # keep going
    await pilot.pause()
    assert isinstance(app.screen, PracticeTestScreen)


async def test_q_elsewhere_does_what_escape_does_and_on_the_deck_tree_quits(practice_collection):
    """Each screen of SCREENS in turn, in one app: opened from the deck tree, `q` pressed, then back to
    the deck tree for the next (a failure names the screen); then a practice test, where `q` asks
    before ending it; last, back on the deck tree, `q` quits."""
    app = make_app(practice_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        for keys, opened, back in SCREENS:
            case = opened.__name__
            assert isinstance(app.screen, HomeScreen), f"{case}: not started from the deck tree"
            app.screen.query_one("#decks").move_to(DECK)
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            assert isinstance(app.screen, opened), f"{case}: {keys} opened {app.screen!r}"
            app.screen.set_focus(None)  # `q` typed into a text field is a letter, not a key binding
            await pilot.press("q")
            await pilot.pause()
            assert app.is_running, f"{case}: q ended the app"
            assert isinstance(app.screen, back), f"{case}: q went to {app.screen!r}, not {back.__name__}"
            for _ in range(len(keys)):  # back to the deck tree the way the keys came
                if isinstance(app.screen, HomeScreen):
                    break
                await pilot.press("escape")
                await pilot.pause()

        await q_in_a_practice_test_asks_before_ending_it(app, pilot)
        await pilot.press("escape", "l")  # end the test, leaving it
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "the deck tree"
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0, "the deck tree"  # None until the app exits
