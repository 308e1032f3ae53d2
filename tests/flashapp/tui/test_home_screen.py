"""The TUI shell: the home screen lists decks with counts, q quits, and torch is never imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from textual.widgets import DataTable

from flashapp.tui.app import make_app

DECK = """\
[deck]
name = "Home::[bold]Child[/bold]"

[[cards]]
id = "a"
front = "Q"
back = "A"
"""


async def test_home_shows_the_deck_tree_with_counts(collection, write_deck):
    collection.import_paths([write_deck(DECK)])
    app = make_app(collection)
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.screen.query_one("#decks", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        # The deck name is shown literally: "[bold]" is data, not markup.
        assert rows == [["Home", "1", "0", "0"], ["  [bold]Child[/bold]", "1", "0", "0"]]
        await pilot.press("q")
    assert app.return_code == 0


async def test_empty_collection_says_how_to_add_decks(collection):
    app = make_app(collection)
    async with app.run_test(size=(100, 32)):
        assert "flashapp import PATH" in str(app.screen.query_one("#empty").render())


def test_starting_the_tui_does_not_import_torch(tmp_path):
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from flashapp.store.collection import Collection
        from flashapp.tui.app import make_app

        async def main():
            with Collection.open({str(tmp_path / "t.db")!r}) as collection:
                app = make_app(collection)
                async with app.run_test(size=(100, 32)) as pilot:
                    await pilot.pause()
                    assert app.screen.query_one("#decks").row_count > 0
                    await pilot.press("q")

        asyncio.run(main())
        assert "torch" not in sys.modules, "the TUI imported torch"
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
