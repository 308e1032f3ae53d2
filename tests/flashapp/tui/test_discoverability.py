"""Help lists every key, the command palette offers the main actions, and every screen fits at 80x24
and 200x50."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from flashapp.tui.app import make_app
from flashapp.tui.commands import FlashCommands
from flashapp.tui.screens.browse import BrowseScreen
from flashapp.tui.screens.help import HelpScreen
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.study import StudyScreen
from flashapp.tui.screens.summary import SummaryScreen
from flashapp.tui.widgets.answer_buttons import AnswerButtons
from flashapp.tui.widgets.key_bar import KeyBar


async def help_lists_every_key_of_every_screen_and_starts_with_the_current_one(
    app, pilot, screen_text
) -> None:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    text = str(app.screen.query_one("#help VerticalScroll Static").render())  # all of it, scrolled or not
    for title in ("Decks", "Studying", "Session summary", "Browse", "Everywhere", "Flashcards",
                  "Add notes", "Deck options", "Custom study", "Test review page"):  # fmt: skip
        assert title in text
    for line in ("⏎", "space / ⏎", "Show answer", "Again", "Easy", "Undo", "@", "Suspend", "Bury",
                 "Flag", "Info", "Edit", "Browse", "Quit", "Command palette", "Mark", "Still learning",
                 "Cloze gap", "Custom study", "Options", "Hand in"):  # fmt: skip
        assert line in text, line
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)

    # Help starts with the current screen's keys: from the study screen, "Studying" comes first.
    await pilot.press("enter", "question_mark")
    await pilot.pause()
    assert screen_text(app).split("Studying")[0].count("Decks") == 0


async def slash_opens_the_palette_which_offers_study_browse_and_keys(app, pilot) -> None:
    """The palette's commands; with a deck named "[b]x[/b]" beside the study deck, whose name the
    palette shows as it is, not as markup."""
    provider = FlashCommands(app.screen)
    hits = [hit async for hit in provider.search("study x")]
    assert any(hit.match_display.plain == "Study [b]x[/b]" for hit in hits), "a deck name is not markup"
    found = [hit.text async for hit in provider.search("study basics")]
    assert "Study Study::Basics" in found
    discovered = [hit.text async for hit in provider.discover()]
    assert {"Browse cards", "Keys", "Decks", "Study all decks"} <= set(discovered)
    await pilot.press("slash")  # `/` opens the palette
    await pilot.pause()
    assert type(app.screen).__name__ == "CommandPalette"
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)
    hit = [hit async for hit in provider.search("browse")][0]
    hit.command()
    await pilot.pause()
    assert isinstance(app.screen, BrowseScreen)


async def test_help_and_the_palette_offer_every_key_and_the_main_actions(
    study_collection, write_deck, screen_text
):
    """Two cases in one app (the functions above, named in a failure's traceback): the palette from
    the deck tree, then help from the deck tree and from a study screen."""
    deck = '[deck]\nname = "[b]x[/b]"\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'
    study_collection.import_paths([write_deck(deck)], backup=False)
    app = make_app(study_collection)
    async with app.run_test(size=(100, 50)) as pilot:
        await slash_opens_the_palette_which_offers_study_browse_and_keys(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await help_lists_every_key_of_every_screen_and_starts_with_the_current_one(app, pilot, screen_text)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_every_screen_fits(study_collection, size):
    app = make_app(study_collection)
    async with app.run_test(size=size) as pilot:

        def inside(widget) -> bool:
            region = widget.region
            return region.width > 0 and region.right <= size[0] and region.bottom <= size[1]

        assert inside(app.screen.query_one("#decks")) and inside(app.screen.query_one(Footer))
        await pilot.press("enter", "space")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        buttons = study.query_one(AnswerButtons)
        for rating in range(1, 5):
            key = buttons.key_region(f"rate-{rating}")
            assert key.width >= 12 and key.right <= size[0] and key.bottom <= size[1]
        assert inside(study.query_one("#answer")) and inside(study.query_one(KeyBar))
        for rating in ("1", "4", "4", "4", "4"):
            await pilot.press(rating, "space")
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert inside(app.screen.query_one("#summary"))
        await pilot.press("enter", "b")
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen)
        assert inside(app.screen.query_one("#results"))


FULL_DECK = """\
[deck]
name = "Full"

[[cards]]
id = "first"
front = "Where do Q, K and V come from? [sound:first.mp3] ![plot](plot.png)"
back = "Q from the target, K and V from the source."
demo = "attention.cross"
params = { n = 3, m = 5, d = 4 }

[[cards]]
id = "second"
front = "And the weights? [sound:second.mp3] ![plot](plot.png)"
back = "softmax(QK/sqrt(d))"
demo = "attention.cross"
params = { n = 3, m = 5, d = 4 }
"""


def footer_line(app, bar: KeyBar) -> str:
    strip = app.screen._compositor.render_strips()[bar.region.y]
    return "".join(segment.text for segment in strip)


def drawn_whole(line: str, bar: KeyBar) -> list[str]:
    """Each key as drawn on the footer line, checked to be drawn whole (its key and its label)."""
    drawn = []
    for start, end, key in bar._spans:
        text = key.display + (f" {key.description}" if key.description else "")
        assert end <= len(line) and line[start:end] == text, (line, text)
        drawn.append(text)
    return drawn


async def test_at_80_columns_every_footer_key_is_drawn_whole_and_help_stays(collection, write_deck):
    collection.import_paths([write_deck(FULL_DECK, "full.toml")], backup=False)
    app = make_app(collection)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#decks").move_to("Full")
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        bar = study.query_one(KeyBar)
        seen = []
        for keys in ((), ("space",), ("3",), ("space",)):  # question, answer, the next (with u Undo), answer
            await pilot.press(*keys)
            await pilot.pause()
            line = footer_line(app, bar)
            drawn = drawn_whole(line, bar)
            assert "? Help" in drawn and "esc Decks" in drawn and "r Run demo" in drawn, line
            seen.append(drawn)
        assert "u Undo" in seen[2] and "u Undo" in seen[3]
        # Too many keys for 80 columns: the least needed gave way, whole, and still work.
        assert "i Info" not in seen[2] and "e Edit" not in seen[2]
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "CardInfoScreen"


def test_keys_give_way_whole_in_the_screens_order_then_from_the_right():
    from flashapp.tui.widgets.key_bar import kept_entries

    widths = [10, 8, 8, 8, 9]
    actions = [frozenset({name}) for name in ("reveal", "undo", "info", "edit", "help")]
    assert kept_entries(widths, actions, 43, ("info",)) == [True] * 5
    assert kept_entries(widths, actions, 42, ("info", "edit")) == [True, True, False, True, True]
    assert kept_entries(widths, actions, 30, ("info", "edit")) == [True, True, False, False, True]
    assert kept_entries(widths, actions, 20, ("info", "edit")) == [True, True, False, False, False]
