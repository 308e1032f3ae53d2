"""Home: the deck tree with counts, folding, today's line, opening the collection in the background,
and a whole study session in a fresh interpreter that never imports torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from textual.widgets import DataTable

from flashapp.errors import UserError
from flashapp.tui.app import make_app
from flashapp.tui.screens.browse import BrowseScreen
from flashapp.tui.screens.home import deck_query
from flashapp.tui.widgets.deck_tree import DeckTree

DECK = """\
[deck]
name = "Home::[bold]Child[/bold]"

[[cards]]
id = "a"
front = "Q"
back = "A"
"""

OTHER = """\
[deck]
name = "Home::Other::Deep"

[[cards]]
id = "b"
front = "Q2"
back = "A2"
"""


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_home_shows_the_deck_tree_with_counts_folds_it_b_browses_and_q_quits(collection, write_deck):
    """In one app: the deck tree with its counts, folding it, `b` browsing the selected deck, then
    (back on the deck tree) `q` quitting."""
    collection.import_paths([write_deck(DECK, "a.toml"), write_deck(OTHER, "b.toml")])
    app = make_app(collection)
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.screen.query_one("#decks", DataTable)
        # The deck name is shown literally: "[bold]" is data, not markup; a parent counts its subdecks.
        assert rows(table) == [
            ["▾ Home", "2", "0", "0"],
            ["    [bold]Child[/bold]", "1", "0", "0"],
            ["  ▾ Other", "1", "0", "0"],
            ["      Deep", "1", "0", "0"],
        ]
        assert "Nothing studied yet today." in str(app.screen.query_one("#today").render())

        # Case "folding": folding hides subdecks.
        tree = app.screen.query_one(DeckTree)
        await pilot.press("space")  # on Home
        assert [row[0].strip() for row in rows(tree)] == ["▸ Home"], "folding"
        await pilot.press("right", "down", "down")
        assert tree.selected_deck == "Home::Other", "folding"
        await pilot.press("left")
        assert [row[0].strip() for row in rows(tree)][-1] == "▸ Other", "folding"
        await pilot.press("down", "left")  # left on a folded deck goes up to its parent
        assert tree.selected_deck == "Home", "folding"

        await pilot.press("down", "b")
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen), "b"
        assert app.screen.query_one("#search").value == 'deck:"Home::[bold]Child[/bold]"'
        assert app.screen.query_one("#results", DataTable).row_count == 1, "b"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#decks", DataTable) is table, "b, then escape"
        await pilot.press("q")
    assert app.return_code == 0


async def test_empty_collection_says_how_to_add_decks(collection):
    app = make_app(collection)
    async with app.run_test(size=(100, 32)):
        assert "flashapp import PATH" in str(app.screen.query_one("#empty").render())


async def test_the_first_frame_comes_before_the_collection_opens(collection, write_deck):
    collection.import_paths([write_deck(DECK)])
    opened = []

    def open_collection():
        opened.append(True)
        return collection

    app = make_app(open_collection=open_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        # The opening worker starts after the first frame: wait for it to exist and finish, however
        # busy the machine (under pytest -n the first refresh can come late).
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.collection_ready:
                break
        assert opened and app.collection is collection
        assert app.screen.query_one("#decks", DataTable).row_count == 2


async def test_a_collection_that_cannot_open_ends_the_app_with_its_error():
    def open_collection():
        raise UserError("cannot open collection sqlite:///nope.db: file is not a database")

    app = make_app(open_collection=open_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 2
    assert "not a database" in str(app.open_error)


def test_deck_queries_quote_the_whole_name():
    from flashapp.core.search import parse_search

    for name in ("Plain", "With space", 'Say "hi"', "Back\\slash", "It's"):
        assert parse_search(deck_query(name)).decks == (name,)


def test_a_whole_study_session_does_not_import_torch(tmp_path):
    # Pilot waits as in this process (pilot_waits), not for 20 ms slices of idle CPU.
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import pilot_waits
        import textual.app, textual.pilot
        from flashapp.store.collection import Collection
        from flashapp.tui.app import make_app
        from flashapp.tui.screens.summary import SummaryScreen

        textual.app.wait_for_idle = textual.pilot.wait_for_idle = pilot_waits.wait_for_idle

        async def main():
            with Collection.open({str(tmp_path / "t.db")!r}) as collection:
                collection.set_deck_options("Attention and Transformers", new_per_day=3)
                app = make_app(collection)
                async with app.run_test(size=(100, 32)) as pilot:
                    await pilot.pause()
                    assert app.screen.query_one("#decks").row_count > 0
                    await pilot.press("enter")
                    for _ in range(20):
                        await pilot.pause()
                        if isinstance(app.screen, SummaryScreen):
                            break
                        await pilot.press("space", "4")
                    assert isinstance(app.screen, SummaryScreen), app.screen
                    await pilot.press("enter", "q")
                assert collection.today_stats().cards == 3

        asyncio.run(main())
        assert "torch" not in sys.modules, "the TUI imported torch"
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
