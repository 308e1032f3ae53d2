"""Browse: search with the search language, bad queries explained, open, suspend and edit a card."""

from __future__ import annotations

from textual.widgets import DataTable

from flashapp.tui.app import make_app
from flashapp.tui.messages import BrowseRequested
from flashapp.tui.screens.browse import BrowseScreen
from flashapp.tui.screens.card_info import CardInfoScreen
from flashapp.tui.screens.edit_card import EditCardScreen

EXTRA = """\
[deck]
name = "Other"

[[cards]]
id = "x"
front = "Cross attention takes K and V from where?"
back = "The encoder"
tags = ["attention"]
"""


def questions(screen: BrowseScreen) -> list[str]:
    table = screen.query_one("#results", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def open_browse(app, pilot, query: str = "") -> BrowseScreen:
    app.post_message(BrowseRequested(query))
    await pilot.pause()
    assert isinstance(app.screen, BrowseScreen)
    return app.screen


async def search(pilot, screen: BrowseScreen, query: str) -> None:
    screen.query_one("#search").value = query
    screen.run_search()
    await pilot.pause()


async def typed_searches_words_decks_tags_states_and_invalid_queries(app, pilot) -> None:
    """A search typed into the search box, then searches by words, decks, tags and states, then
    queries that cannot be read (a failure names its query)."""
    screen = await open_browse(app, pilot)
    assert len(questions(screen)) == 5
    # typed: `/` opens the search box, Enter searches and gives the results the focus
    await pilot.press("slash")
    await pilot.press(*"bert")
    await pilot.press("enter")
    await pilot.pause()
    assert questions(screen) == ["Encoder-only example?"], "typed bert"
    assert screen.query_one("#results").has_focus, "typed bert"

    await search(pilot, screen, "example")
    assert questions(screen) == ["Encoder-only example?", "Decoder-only example?"], "example"
    await search(pilot, screen, "deck:Other")
    assert questions(screen) == ["Cross attention takes K and V from where?"], "deck:Other"
    await search(pilot, screen, "tag:attention is:new")
    assert questions(screen) == ["Cross attention takes K and V from where?"], "tag:attention is:new"
    await search(pilot, screen, "is:due")
    assert questions(screen) == [], "is:due"
    status = screen.query_one("#browse-status")
    assert str(status.render()) == "0 cards", "is:due"

    await search(pilot, screen, "is:[bold]nope")
    assert "unknown is:[bold]nope" in str(status.render())
    assert status.has_class("-error"), "is:[bold]nope"
    await search(pilot, screen, 'deck:"unclosed')
    assert "No closing quotation" in str(status.render())


async def cancelling_an_edit_with_changes_asks_first(app, pilot, collection) -> None:
    from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen

    screen = await open_browse(app, pilot, "bert")
    card_id = screen.selected_card_id
    await pilot.press("e")
    await pilot.pause()
    editor = app.screen
    assert isinstance(editor, EditCardScreen)
    await pilot.press("escape")  # nothing changed: closes at once
    await pilot.pause()
    assert app.screen is screen
    await pilot.press("e")
    await pilot.pause()
    app.screen.query_one("#field-back").text = "changed but not saved"
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmDiscardScreen)
    await pilot.press("k")  # keep editing: the text is still there
    await pilot.pause()
    assert isinstance(app.screen, EditCardScreen)
    assert app.screen.query_one("#field-back").text == "changed but not saved"
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("d")  # discard
    for _ in range(50):
        if app.screen is screen:
            break
        await pilot.pause(0.02)
    assert app.screen is screen
    assert "changed" not in collection.card(card_id).back


async def suspend_open_and_edit_a_card(app, pilot, collection, screen_text) -> None:
    screen = await open_browse(app, pilot, "bert")
    card_id = screen.selected_card_id
    await pilot.press("s")
    await pilot.pause()
    assert collection.card(card_id).suspended
    assert "suspended" in str(screen.query_one("#results", DataTable).get_row_at(0)[3])
    await pilot.press("s")
    await pilot.pause()
    assert not collection.card(card_id).suspended

    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CardInfoScreen)
    assert "Not reviewed yet." in screen_text(app)
    await pilot.press("escape", "e")
    await pilot.pause()
    assert isinstance(app.screen, EditCardScreen)
    app.screen.query_one("#field-back").text = "BERT (Devlin et al., 2018)"
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.screen is screen
    assert "Devlin" in collection.card(card_id).back
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, BrowseScreen)


async def sort_flag_mark_bulk_delete_and_undo(app, pilot, collection) -> None:
    screen = await open_browse(app, pilot, "")
    table = screen.query_one("#results", DataTable)
    total = table.row_count
    await pilot.press("o")  # due -> interval
    assert screen.sort_key == "interval"
    await pilot.press("O")
    assert screen.sort_reverse
    await pilot.press("2")  # flag the highlighted card orange
    await pilot.pause()
    flagged = screen.selected_card_id
    assert "orange" in str(table.get_row(str(flagged))[9])
    await search(pilot, screen, "flag:2")
    assert [int(str(row)) for row in (table.get_row_at(i)[-1] for i in range(table.row_count))] == [flagged]
    await search(pilot, screen, "")
    table.focus()
    table.move_cursor(row=0)
    await pilot.press("space", "space")  # two cards marked
    assert len(screen.marked) == 2
    marked = set(screen.marked)
    await pilot.press("x")
    await pilot.pause()
    assert table.row_count == total - 2 and not marked & {c.id for c in collection.cards()}
    await pilot.press("u")
    await pilot.pause()
    assert table.row_count == total and marked <= {c.id for c in collection.cards()}
    await pilot.press("asterisk", "s")
    await pilot.pause()
    assert all(card.suspended for card in collection.cards())
    await pilot.press("u")
    await pilot.pause()
    assert not any(card.suspended for card in collection.cards())


async def the_preview_shows_the_selected_card_when_wide(app, pilot, screen_text) -> None:
    await pilot.resize_terminal(160, 40)
    await pilot.pause()
    await open_browse(app, pilot, "bert")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert "BERT" in screen_text(app)
    await back_to_the_decks(pilot)
    await pilot.resize_terminal(80, 24)
    await pilot.pause()
    screen = await open_browse(app, pilot, "bert")
    assert not screen.query_one("#preview").display or screen.query_one("#preview").region.width == 0


async def a_change_seen_before_the_screen_is_mounted_is_left_to_its_own_search(app, pilot) -> None:
    screen = BrowseScreen(app.collection, "bert")
    mounted = app.push_screen(screen)
    screen.collection_changed()  # the app's change check, ticking between the push and the mount
    await mounted
    await pilot.pause()
    assert questions(screen) == ["Encoder-only example?"], "a change before the mount"


async def back_to_the_decks(pilot) -> None:
    from flashapp.tui.screens.home import HomeScreen

    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HomeScreen)


async def test_browse_searches_edits_marks_and_previews(study_collection, write_deck, screen_text):
    """Six cases in one app (the functions above, named in a failure's traceback), each on a Browse
    screen of its own opened over the deck tree: searches (the study deck and one of another deck),
    cancelling an edit, suspending, opening and editing the card searched for, sorting, flagging,
    marking, deleting and their undo, the preview at two sizes, then a change seen before the
    screen is mounted."""
    study_collection.import_paths([write_deck(EXTRA, "other.toml")], backup=False)
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await typed_searches_words_decks_tags_states_and_invalid_queries(app, pilot)
        await back_to_the_decks(pilot)
        await cancelling_an_edit_with_changes_asks_first(app, pilot, study_collection)
        await back_to_the_decks(pilot)
        await suspend_open_and_edit_a_card(app, pilot, study_collection, screen_text)
        await sort_flag_mark_bulk_delete_and_undo(app, pilot, study_collection)
        await back_to_the_decks(pilot)
        await the_preview_shows_the_selected_card_when_wide(app, pilot, screen_text)
        await back_to_the_decks(pilot)
        await a_change_seen_before_the_screen_is_mounted_is_left_to_its_own_search(app, pilot)
