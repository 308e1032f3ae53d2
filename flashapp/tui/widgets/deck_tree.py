"""The deck tree: one row per deck, indented under its parent, with new / learning / due counts.

A folded deck hides its subdecks (its counts already include them). Deck names are data: every cell is
a `Text` object, never a markup string.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from flashapp.core.control import strip_control

if TYPE_CHECKING:
    from flashapp.store.counts import DeckCounts

SEPARATOR = "::"
COUNT_STYLES = {"new": "bold blue", "learning": "bold red", "due": "bold green"}
COUNT_WIDTH = 6


def parent_of(name: str) -> str | None:
    return name.rsplit(SEPARATOR, 1)[0] if SEPARATOR in name else None


class DeckTree(DataTable):
    DEFAULT_CSS = """
    DeckTree { height: auto; max-height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "select_cursor", "Study", id="study"),
        Binding("space", "toggle_fold", "Fold/unfold", id="fold"),
        Binding("left,minus", "fold", "Fold", show=False),
        Binding("right,plus", "unfold", "Unfold", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_cursor=True)
        self.folded: set[str] = set()
        self._decks: list[DeckCounts] = []

    def _add_columns(self) -> None:
        # The deck column takes the width the counts leave (each column also has 2 cells of padding).
        names = [len(self._cells(deck)[0]) for deck in self._decks]
        free = self.size.width - 3 * (COUNT_WIDTH + 2) - 4
        self.add_column(Text("Deck"), key="deck", width=max([free, *names]) if free > 0 else None)
        for key, label in (("new", "New"), ("learning", "Learn"), ("due", "Due")):
            self.add_column(Text(label, justify="right"), key=key, width=COUNT_WIDTH)

    def on_mount(self) -> None:
        self._add_columns()

    def on_resize(self) -> None:
        self._rebuild()

    @property
    def selected_deck(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def counts_for(self, name: str | None) -> DeckCounts | None:
        return next((deck for deck in self._decks if deck.name == name), None)

    def show_decks(self, decks: list[DeckCounts]) -> None:
        self._decks = decks
        self._rebuild()

    def _has_children(self, name: str) -> bool:
        return any(parent_of(deck.name) == name for deck in self._decks)

    def _hidden(self, name: str) -> bool:
        parent = parent_of(name)
        while parent is not None:
            if parent in self.folded:
                return True
            parent = parent_of(parent)
        return False

    def _rebuild(self) -> None:
        selected = self.selected_deck
        self.clear(columns=True)
        self._add_columns()
        for deck in self._decks:
            if not self._hidden(deck.name):
                self.add_row(*self._cells(deck), key=deck.name)
        if selected is not None:
            self.move_to(selected)

    def move_to(self, name: str) -> None:
        with suppress(RowDoesNotExist):  # a deck that is gone, or folded away
            self.move_cursor(row=self.get_row_index(name))

    def _cells(self, deck: DeckCounts) -> list[Text]:
        marker = "  "
        if self._has_children(deck.name):
            marker = "▸ " if deck.name in self.folded else "▾ "
        name = Text("  " * deck.depth)
        name.append(marker, style="dim")
        name.append(strip_control(deck.short_name), style="bold" if deck.depth == 0 else "")
        counts = [
            Text(str(value), style=COUNT_STYLES[key] if value else "dim", justify="right")
            for key, value in (("new", deck.new), ("learning", deck.learning), ("due", deck.due))
        ]
        return [name, *counts]

    def action_toggle_fold(self) -> None:
        deck = self.selected_deck
        if deck is not None and self._has_children(deck):
            self.folded ^= {deck}
            self._rebuild()

    def action_fold(self) -> None:
        deck = self.selected_deck
        if deck is None:
            return
        if self._has_children(deck) and deck not in self.folded:
            self.folded.add(deck)
            self._rebuild()
        elif (parent := parent_of(deck)) is not None:
            self.move_to(parent)  # on a leaf or a folded deck, left goes up to the parent

    def action_unfold(self) -> None:
        deck = self.selected_deck
        if deck in self.folded:
            self.folded.discard(deck)
            self._rebuild()
