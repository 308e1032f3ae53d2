"""The TUI notices changes made by other processes (here: another connection, as a CLI import is) and
reads its counts and lists again."""

from __future__ import annotations

from datetime import UTC

from flashapp.store.collection import Collection
from flashapp.tui.app import make_app
from flashapp.tui.screens.browse import BrowseScreen
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.widgets.deck_tree import DeckTree

NEW_DECK = """\
[deck]
name = "From the CLI"

[[cards]]
id = "n1"
front = "Imported elsewhere"
back = "Yes"
"""


async def test_home_and_browse_refresh_after_another_process_imports(study_collection, db_path, write_deck):
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        app._check_changes()  # the first look only records where the collection stands
        tree = app.screen.query_one(DeckTree)
        assert tree.counts_for("From the CLI") is None
        with Collection.open(db_path, shipped_decks=False, tz=UTC) as other:
            other.import_paths([write_deck(NEW_DECK, "cli.toml")], backup=False)
        app._check_changes()
        await pilot.pause()
        assert tree.counts_for("From the CLI") is not None

        await pilot.press("b")
        await pilot.pause()
        browse = app.screen
        assert isinstance(browse, BrowseScreen)
        shown = len(browse.cards)
        with Collection.open(db_path, shipped_decks=False, tz=UTC) as other:
            other.add_note("Study::Basics", "basic", {"front": "Another", "back": "One"})
        app._check_changes()
        await pilot.pause()
        assert len(browse.cards) == shown + 1


def test_the_token_moves_only_when_something_changed(study_collection, db_path, write_deck):
    first = study_collection.change_token()
    assert study_collection.change_token() == first
    with Collection.open(db_path, shipped_decks=False, tz=UTC) as other:
        other.import_paths([write_deck(NEW_DECK, "cli.toml")], backup=False)
    assert study_collection.change_token() != first


async def test_a_change_check_while_the_app_closes_refreshes_nothing(study_collection, monkeypatch):
    """The change check runs on a timer, and a tick can come while the app takes its screens down: it
    refreshed the home screen after its deck tree had gone (NoMatches, a failed run). Here the check
    runs as the home screen unmounts, and every look sees a change."""
    moves = iter(range(1_000_000))
    monkeypatch.setattr(study_collection, "change_token", lambda: next(moves))
    ticks = []

    def tick_while_unmounting(home: HomeScreen) -> None:  # its widgets have gone; it is still on the stack
        ticks.append(home.app.is_running)
        home.app._check_changes()

    monkeypatch.setattr(HomeScreen, "on_unmount", tick_while_unmounting, raising=False)
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        app._check_changes()
    assert ticks == [False]  # the tick came during the close, and the app closed without an error
    assert app.return_code in (None, 0)
