"""Browse: search cards (free text, `deck:`, `tag:`, `is:new|due|suspended`...), see their state, open
one, suspend or edit it. A query the search language rejects shows its message instead of results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from flashapp.errors import UserError
from flashapp.tui.formatting import due_text
from flashapp.tui.screens.card_info import CardInfoScreen
from flashapp.tui.screens.edit_card import EditCardScreen

if TYPE_CHECKING:
    from flashapp.store.card_views import CardInfo
    from flashapp.store.collection import Collection

RESULT_LIMIT = 500
SEARCH_DELAY = 0.25  # seconds of no typing before the search runs
STATE_STYLES = {"new": "blue", "learning": "red", "relearning": "red", "review": "green"}


def first_line(text: str, width: int = 120) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1] + "…"


class BrowseScreen(Screen[None]):
    DEFAULT_CSS = """
    BrowseScreen #search { margin: 0 1; }
    BrowseScreen #browse-status { margin: 0 2; height: 1; color: $text-muted; }
    BrowseScreen #browse-status.-error { color: $text-error; }
    BrowseScreen #browse-body { height: 1fr; }
    BrowseScreen #results { width: 1fr; height: 1fr; }
    BrowseScreen #preview-question { text-style: bold; }
    BrowseScreen #preview { width: 2fr; max-width: 80; height: 1fr; padding: 0 2; border-left: tall $panel; }
    BrowseScreen.-narrow #preview { display: none; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("slash", "focus_search", "Search", id="search"),
        Binding("s,at", "toggle_suspend", "Suspend/unsuspend", id="suspend"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, collection: Collection, query: str = "") -> None:
        super().__init__()
        self.collection = collection
        self.initial_query = query
        self.cards: dict[int, CardInfo] = {}
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            self.initial_query,
            placeholder="Search: words, -word, deck:NAME, tag:NAME, is:new|learn|review|due|suspended|buried",
            id="search",
        )
        yield Static(id="browse-status")
        with Horizontal(id="browse-body"):
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="preview"):
                yield Static(id="preview-question")
                yield Static(Content.styled("─" * 20, "dim"))
                yield Static(id="preview-answer")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Browse"
        table = self.query_one("#results", DataTable)
        table.add_column(Text("ID", justify="right"), key="id")
        table.add_column(Text("Deck"), key="deck")
        table.add_column(Text("State"), key="state")
        table.add_column(Text("Due"), key="due")
        table.add_column(Text("Question"), key="question")
        self.run_search()
        table.focus()

    # --- searching -------------------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self.run_search)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.run_search()
        self.query_one("#results", DataTable).focus()

    def run_search(self) -> None:
        query = self.query_one("#search", Input).value.strip()
        status = self.query_one("#browse-status", Static)
        try:
            cards = self.collection.cards(search=query or None, limit=RESULT_LIMIT + 1)
        except UserError as error:
            status.set_class(True, "-error")
            status.update(Content(str(error)))  # it quotes the query: data, not markup
            return
        status.set_class(False, "-error")
        shown = cards[:RESULT_LIMIT]
        more = f" (first {RESULT_LIMIT} shown)" if len(cards) > RESULT_LIMIT else ""
        status.update(Content(f"{len(shown)} card{'s' if len(shown) != 1 else ''}{more}"))
        self.cards = {card.id: card for card in shown}
        self._fill_table(shown)

    def _fill_table(self, cards: list[CardInfo]) -> None:
        table = self.query_one("#results", DataTable)
        selected = self.selected_card_id
        table.clear()
        now, tz = self.collection.clock(), self.collection.tz
        for card in cards:
            state = Text(card.state, style=STATE_STYLES.get(card.state, ""))
            if card.suspended:
                state = Text("suspended", style="yellow")
            table.add_row(
                Text(str(card.id), justify="right"),
                Text(card.deck),
                state,
                Text(due_text(card.due, card.state, now, tz)),
                Text(first_line(card.front)),
                key=str(card.id),
            )
        if selected is not None and str(selected) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected)))
        self._show_preview()

    @property
    def selected_card_id(self) -> int | None:
        table = self.query_one("#results", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    @on(DataTable.RowHighlighted, "#results")
    def _highlighted(self) -> None:
        self._show_preview()

    def _show_preview(self) -> None:
        if self.has_class("-narrow"):
            return
        card_id = self.selected_card_id
        card = self.cards.get(card_id) if card_id is not None else None
        # Plain text (math already Unicode), as Content: card text is never markup.
        self.query_one("#preview-question", Static).update(Content("" if card is None else card.front))
        self.query_one("#preview-answer", Static).update(Content("" if card is None else card.back))

    # --- actions ---------------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#results")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        card_id = self.selected_card_id
        if card_id is not None:
            self.app.push_screen(CardInfoScreen(self.collection, card_id))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle_suspend(self) -> None:
        card_id = self.selected_card_id
        if card_id is None:
            return
        suspended = not self.cards[card_id].suspended
        try:
            self.collection.suspend(card_id, suspended)
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.notify("Card suspended" if suspended else "Card unsuspended")
        self.run_search()

    def action_edit(self) -> None:
        card_id = self.selected_card_id
        if card_id is not None:
            self.app.push_screen(EditCardScreen(self.collection, self.cards[card_id].note_id), self._edited)

    def _edited(self, saved: bool | None) -> None:
        if saved:
            self.run_search()

    def action_back(self) -> None:
        self.dismiss()
