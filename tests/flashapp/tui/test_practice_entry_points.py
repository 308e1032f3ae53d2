"""How practice is found: the deck tree's keys, its mastery line, the command palette, the help.

Every case runs in one app, one after the other, each from the deck tree and back to it (the
functions below, named in a failure's traceback); none but the mastery line's writes to the
collection, and the match screen's help, after it, reads none of it."""

from __future__ import annotations

from practice_fixtures import DECK, answer, hand_in, opened

from flashapp.tui.app import make_app
from flashapp.tui.commands import FlashCommands
from flashapp.tui.practice_messages import PracticeStart
from flashapp.tui.screens.help import HelpScreen
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.learn import LearnScreen
from flashapp.tui.screens.match import MatchScreen
from flashapp.tui.screens.practice_setup import PracticeSetupScreen
from flashapp.tui.screens.practice_test import PracticeTestScreen


async def back_home(pilot) -> None:
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HomeScreen)


async def help_lists_the_practice_keys(app, pilot, screen_text) -> None:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    text = str(app.screen.query_one("#help VerticalScroll Static").render())  # all of it, scrolled or not
    for line in ("Practice test", "Test results", "Learn", "Match", "I was right", "Retake missed",
                 "Hand in", "Pick", "Play again", "Test", "1 / 2 / 3 / 4"):  # fmt: skip
        assert line in text, line


async def the_palette_offers_each_mode_for_each_deck(app, pilot, screen_text) -> None:
    provider = FlashCommands(app.screen)
    found = [hit.text async for hit in provider.search("match words")]
    assert f"Match {DECK}" in found
    discovered = [hit.text async for hit in provider.discover()]
    assert {f"Practice test: {DECK}", f"Learn {DECK}", f"Match {DECK}"} <= set(discovered)
    hit = next(hit for hit in [hit async for hit in provider.search("learn words")] if "Learn" in hit.text)
    hit.command()
    await pilot.pause()
    assert isinstance(app.screen, LearnScreen)


async def deck_tree_keys_open_practice_on_the_selected_deck(app, pilot, screen_text) -> None:
    """Each key in turn: pressed on the deck tree, then Escape back to it."""
    for key, screen in (("t", PracticeSetupScreen), ("l", LearnScreen), ("m", MatchScreen)):
        assert isinstance(app.screen, HomeScreen), f"{key}: not started from the deck tree"
        app.screen.query_one("#decks").move_to(DECK)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, screen), f"{key} opened {app.screen!r}, not {screen.__name__}"
        assert app.screen.deck == DECK, f"{key}: {app.screen.deck!r}"
        await pilot.press("escape")
        await pilot.pause()


async def help_on_the_match_screen_starts_with_its_keys(app, pilot, screen_text) -> None:
    app.open_practice(PracticeStart("match", DECK))  # as make_app's `start` opens it
    await opened(pilot, MatchScreen)
    await pilot.press("question_mark")
    await pilot.pause()
    assert screen_text(app).split("Decks")[0].count("Match") >= 1
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, MatchScreen)


async def the_mastery_line_follows_practice(app, pilot, screen_text) -> None:
    app.screen.query_one("#decks").move_to(DECK)
    await pilot.pause()
    assert "Not studied 9  ■ Learning 0  ■ Familiar 0  ■ Mastered 0" in screen_text(app)
    await pilot.press("t")
    await pilot.pause()
    app.screen.query_one("#kind-multiple_choice").value = False
    app.screen.query_one("#kind-true_false").value = False
    app.screen.query_one("#kind-matching").value = False
    app.screen.query_one("#count").value = "2"
    await pilot.click("#start")
    await pilot.pause()
    test = app.screen
    assert isinstance(test, PracticeTestScreen) and [q.kind for q in test.questions] == ["written"] * 2
    for question in test.questions:
        await answer(pilot, question)
    await hand_in(pilot)
    await pilot.press("escape")
    await pilot.pause()
    # Two cards with one right written answer each: familiar.
    assert "Not studied 7  ■ Learning 0  ■ Familiar 2  ■ Mastered 0" in screen_text(app)


async def test_help_the_palette_the_deck_tree_keys_match_help_and_the_mastery_line(
    practice_collection, screen_text
):
    app = make_app(practice_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await help_lists_the_practice_keys(app, pilot, screen_text)
        await back_home(pilot)
        await the_palette_offers_each_mode_for_each_deck(app, pilot, screen_text)
        await back_home(pilot)
        await deck_tree_keys_open_practice_on_the_selected_deck(app, pilot, screen_text)
        await the_mastery_line_follows_practice(app, pilot, screen_text)
        await pilot.resize_terminal(100, 40)  # the match screen's help, at the height it was checked at
        await pilot.pause()
        await help_on_the_match_screen_starts_with_its_keys(app, pilot, screen_text)
