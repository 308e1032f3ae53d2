"""Home: the deck tree with new / learning / due counts."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from flashapp.store.counts import DeckCounts


class HomeScreen(Screen[None]):
    DEFAULT_CSS = """
    HomeScreen #decks { height: 1fr; margin: 1 2; }
    HomeScreen #empty { margin: 1 2; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="decks", cursor_type="row", zebra_stripes=True)
        yield Static(id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        table.add_column(Text("Deck"), key="deck")
        for key, label in (("new", "New"), ("learning", "Learn"), ("due", "Due")):
            table.add_column(Text(label, justify="right"), key=key, width=6)
        self.refresh_decks()

    def refresh_decks(self) -> None:
        counts = self.app.collection.deck_counts()  # type: ignore[attr-defined]
        table = self.query_one("#decks", DataTable)
        table.clear()
        for row in counts:
            table.add_row(*self._cells(row), key=row.name)
        empty = self.query_one("#empty", Static)
        empty.update(Text("No decks yet. Import some with: flashapp import PATH") if not counts else Text(""))
        table.focus()

    @staticmethod
    def _cells(row: DeckCounts) -> list[Text]:
        # Deck names are user data: Text objects, never markup strings.
        name = Text("  " * row.depth + row.short_name, style="bold" if row.depth == 0 else "")
        styles = {"new": "blue", "learning": "red", "due": "green"}
        numbers = [
            Text(str(value), style=styles[key] if value else "dim", justify="right")
            for key, value in (("new", row.new), ("learning", row.learning), ("due", row.due))
        ]
        return [name, *numbers]
