"""Browse: search cards (free text, `deck:`, `tag:`, `is:new|due|suspended`, `flag:N`...), sort them by
any column, open one, edit it, and act on many at once.

Space marks a card (`*` marks every card shown, again clears); the actions work on the marked cards, or
on the highlighted one when none is marked: suspend, bury, tag, untag, move, forget, flag, delete. `u`
undoes the last action (deletes included). `o` sorts by the next column (or click a header), `O`
reverses. A query the search language rejects shows its message instead of results."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static

from flashapp.errors import UserError
from flashapp.tui.formatting import due_text
from flashapp.tui.screens.card_info import CardInfoScreen
from flashapp.tui.screens.edit_card import EditCardScreen
from flashapp.tui.screens.text_prompt import TextPromptScreen
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.card_preview import CardPreview
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.bulk_actions import BulkUndo
    from flashapp.store.card_views import CardInfo
    from flashapp.store.collection import Collection

RESULT_LIMIT = 500
SEARCH_DELAY = 0.25  # seconds of no typing before the search runs
STATE_STYLES = {"new": "blue", "learning": "red", "relearning": "red", "review": "green"}
FLAG_STYLES = {
    1: ("■ red", "red"),
    2: ("■ orange", "dark_orange"),
    3: ("■ green", "green"),
    4: ("■ blue", "blue"),
}
# Sortable columns, in the order `o` walks them: key -> (title, sort key of a card, its extras).
SORT_COLUMNS = ("due", "interval", "ease", "reps", "lapses", "added", "flag", "deck", "id")
UNDO_DEPTH = 10
# The question comes first, cut to fit beside the numbers (the preview and card info show it whole).
QUESTION_CHARS = 48
DECK_CHARS = 24
EPOCH = datetime(1970, 1, 1)


def first_line(text: str, width: int = 120) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1] + "…"


class BrowseScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    BrowseScreen #search { margin: 0 1; }
    BrowseScreen #browse-status { margin: 0 2; height: 1; color: $text-muted; }
    BrowseScreen #browse-status.-error { color: $text-error; }
    BrowseScreen #browse-body { height: 1fr; }
    BrowseScreen #results { width: 1fr; height: 1fr; }
    BrowseScreen #preview { width: 2fr; max-width: 80; height: 1fr; padding: 0 2; border-left: tall $panel; }
    BrowseScreen.-narrow #preview { display: none; }
    """
    # Narrower than 110 cells, the preview gives its room to the results. Set here, not on the app: an
    # app's breakpoints restyle every screen, the home screen's first frame among them.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("slash", "focus_search", "Search", id="search"),
        Binding("s,at", "toggle_suspend", "Suspend/unsuspend", id="suspend"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("space", "mark", "Mark", id="mark"),
        Binding("asterisk", "mark_all", "Mark all", id="mark-all", show=False),
        Binding("minus", "bulk('bury')", "Bury", id="bury", show=False),
        Binding("t", "tag(True)", "Tag", id="tag"),
        Binding("T", "tag(False)", "Untag", id="untag", show=False),
        Binding("m", "move", "Move", id="move"),
        Binding("f", "bulk('forget')", "Forget", id="forget", show=False),
        Binding("1", "bulk('flag', '1')", "Flag red", id="flag-1", show=False),
        Binding("2", "bulk('flag', '2')", "Flag orange", id="flag-2", show=False),
        Binding("3", "bulk('flag', '3')", "Flag green", id="flag-3", show=False),
        Binding("4", "bulk('flag', '4')", "Flag blue", id="flag-4", show=False),
        Binding("0", "bulk('flag', '0')", "Clear flag", id="flag-0", show=False),
        Binding("delete,x", "bulk('delete')", "Delete", id="delete"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("o", "sort(1)", "Sort", id="sort"),
        Binding("F", "flashcards", "Flashcards of this search", id="flashcards", show=False),
        Binding("O", "sort(0)", "Reverse sort", id="reverse", show=False),
        Binding("v", "view_image", "View image", id="view-image", show=False),
        Binding("p", "play_audio", "Play audio", id="play-audio", show=False),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, collection: Collection, query: str = "") -> None:
        super().__init__()
        self.collection = collection
        self.initial_query = query
        self.cards: dict[int, CardInfo] = {}
        self.order: list[int] = []  # the cards shown, in the order shown
        self.extras: dict[int, tuple[int, datetime]] = {}  # flag, added
        self.marked: set[int] = set()
        self.sort_key = "due"
        self.sort_reverse = False
        self.undo_stack: list[BulkUndo] = []
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            self.initial_query,
            placeholder="Search: words, -word, deck:NAME, tag:NAME, flag:N, is:new|learn|review|due|...",
            id="search",
        )
        yield Static(id="browse-status")
        with Horizontal(id="browse-body"):
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
            yield CardPreview(self.collection, id="preview")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Browse"
        table = self.query_one("#results", DataTable)
        table.add_column(Text("✓"), key="mark")
        table.add_column(Text("Question"), key="question")
        table.add_column(Text("Deck"), key="deck")
        table.add_column(Text("State"), key="state")
        table.add_column(Text("Due"), key="due")
        table.add_column(Text("Ivl", justify="right"), key="interval")
        table.add_column(Text("Ease", justify="right"), key="ease")
        table.add_column(Text("Reps", justify="right"), key="reps")
        table.add_column(Text("Laps", justify="right"), key="lapses")
        table.add_column(Text("Flag"), key="flag")
        table.add_column(Text("Added"), key="added")
        table.add_column(Text("ID", justify="right"), key="id")
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

    def collection_changed(self) -> None:
        """Another process changed the collection: search again (marks on cards still shown stay). A
        screen pushed but not yet mounted has no table to fill: its `on_mount` searches (the app's
        change check can tick in between, and its search failed on the table without columns)."""
        if self.is_mounted:
            self.run_search()

    def run_search(self) -> None:
        query = self.query_one("#search", Input).value.strip()
        status = self.query_one("#browse-status", Static)
        try:
            # Sorted by the database, so the first 500 are the first of the whole result.
            cards = self.collection.cards(
                search=query or None,
                limit=RESULT_LIMIT + 1,
                order=self.sort_key,
                descending=self.sort_reverse,
            )
        except UserError as error:
            status.set_class(True, "-error")
            status.update(Content(str(error)))  # it quotes the query: data, not markup
            return
        status.set_class(False, "-error")
        shown = cards[:RESULT_LIMIT]
        more = f" (first {RESULT_LIMIT} shown)" if len(cards) > RESULT_LIMIT else ""
        status.update(Content(f"{len(shown)} card{'s' if len(shown) != 1 else ''}{more}"))
        self.cards = {card.id: card for card in shown}
        self.extras = self.collection.browse_extras(list(self.cards))
        self.marked &= set(self.cards)
        self._fill_table()

    def _sort_value(self, card: CardInfo) -> tuple:
        flag, added = self.extras.get(card.id, (0, EPOCH))
        key = self.sort_key
        if key == "due":  # new cards after the scheduled ones, in their queue order
            return (card.state == "new", card.due or EPOCH, card.id)
        value = {
            "interval": card.interval_days, "ease": card.ease, "reps": card.reps, "lapses": card.lapses,
            "added": added, "flag": flag, "deck": card.deck, "id": card.id,
        }[key]  # fmt: skip
        return (value, card.id)

    def _fill_table(self) -> None:
        table = self.query_one("#results", DataTable)
        selected = self.selected_card_id
        table.clear()
        now, tz = self.collection.clock(), self.collection.tz
        cards = sorted(self.cards.values(), key=self._sort_value, reverse=self.sort_reverse)
        self.order = [card.id for card in cards]
        for card in cards:
            state = Text(card.state, style=STATE_STYLES.get(card.state, ""))
            if card.suspended:
                state = Text("suspended", style="yellow")
            flag, added = self.extras.get(card.id, (0, EPOCH))
            flag_text, flag_style = FLAG_STYLES.get(flag, ("", ""))
            table.add_row(
                Text("●" if card.id in self.marked else " ", style="bold"),
                Text(first_line(card.front, QUESTION_CHARS)),
                Text(first_line(card.deck, DECK_CHARS)),
                state,
                Text(due_text(card.due, card.state, now, tz)),
                Text(f"{card.interval_days}d" if card.state == "review" else "", justify="right"),
                Text(f"{card.ease:.2f}" if card.reps else "", justify="right"),
                Text(str(card.reps), justify="right"),
                Text(str(card.lapses), justify="right"),
                Text(flag_text, style=flag_style),
                Text(added.astimezone(tz).strftime("%Y-%m-%d") if added != EPOCH else ""),
                Text(str(card.id), justify="right"),
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
        known = card_id is not None and card_id in self.cards
        fallback = (self.cards[card_id].front, self.cards[card_id].back) if known else ("", "")
        self.query_one(CardPreview).show_card(card_id if known else None, fallback)

    # --- actions ---------------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#results")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        card_id = self.selected_card_id
        if card_id is not None:
            self.app.push_screen(CardInfoScreen(self.collection, card_id))

    def action_view_image(self) -> None:
        """The highlighted card's images full-screen."""
        card_id = self.selected_card_id
        message = "No card" if card_id is None else self.query_one(CardPreview).view_images(card_id)
        if message:
            self.notify(message, markup=False)

    def action_play_audio(self) -> None:
        card_id = self.selected_card_id
        message = "No card" if card_id is None else self.query_one(CardPreview).play_audio(card_id)
        self.notify(message, markup=False)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle_suspend(self) -> None:
        """Suspend the chosen cards, or unsuspend them when every one is suspended already."""
        ids = self.chosen()
        if ids:
            every = all(self.cards[card_id].suspended for card_id in ids if card_id in self.cards)
            self.run_bulk("unsuspend" if every else "suspend")

    def action_edit(self) -> None:
        card_id = self.selected_card_id
        if card_id is not None:
            self.app.push_screen(EditCardScreen(self.collection, self.cards[card_id].note_id), self._edited)

    def _edited(self, saved: bool | None) -> None:
        if saved:
            self.run_search()

    # --- many cards at once -----------------------------------------------------------------------------

    def chosen(self) -> list[int]:
        """The marked cards, or the highlighted one when none is marked."""
        if self.marked:
            return [card_id for card_id in self.order if card_id in self.marked]
        card_id = self.selected_card_id
        return [] if card_id is None else [card_id]

    def _refresh_mark(self, card_id: int) -> None:
        table = self.query_one("#results", DataTable)
        if str(card_id) in table.rows:
            mark = Text("●" if card_id in self.marked else " ", style="bold")
            table.update_cell(str(card_id), "mark", mark)

    def action_mark(self) -> None:
        card_id = self.selected_card_id
        if card_id is None:
            return
        self.marked ^= {card_id}
        self._refresh_mark(card_id)
        table = self.query_one("#results", DataTable)
        table.move_cursor(row=min(table.cursor_row + 1, table.row_count - 1))
        self._status_marks()

    def action_mark_all(self) -> None:
        self.marked = set() if self.marked >= set(self.order) else set(self.order)
        for card_id in self.order:
            self._refresh_mark(card_id)
        self._status_marks()

    def _status_marks(self) -> None:
        shown = len(self.order)
        marked = f"  ·  {len(self.marked)} marked" if self.marked else ""
        self.query_one("#browse-status", Static).update(
            Content(f"{shown} card{'s' if shown != 1 else ''}{marked}")
        )

    def run_bulk(self, action: str, value: str = "") -> None:
        ids = self.chosen()
        if not ids:
            return
        try:
            undo = self.collection.bulk(action, ids, value)
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.undo_stack = [*self.undo_stack[-(UNDO_DEPTH - 1) :], undo]
        cards = f"{len(ids)} card{'s' if len(ids) != 1 else ''}"
        done = {"suspend": "Suspended", "unsuspend": "Unsuspended", "bury": "Buried", "unbury": "Unburied",
                "forget": "Reset to new", "tag": "Tagged", "untag": "Untagged", "move": "Moved",
                "flag": "Flagged", "delete": "Deleted"}[action]  # fmt: skip
        self.notify(f"{done}: {cards} · u undoes", markup=False)
        if action == "delete":
            self.marked -= set(ids)
        self.run_search()

    def action_bulk(self, action: str, value: str = "") -> None:
        self.run_bulk(action, value)

    def action_tag(self, add: bool) -> None:
        def chosen(tags: str | None) -> None:
            if tags:
                self.run_bulk("tag" if add else "untag", tags)

        title = "Add tags" if add else "Remove tags"
        self.app.push_screen(
            TextPromptScreen(title, "Tags separated by spaces · Enter · Esc cancels"), chosen
        )

    def action_move(self) -> None:
        def chosen(deck: str | None) -> None:
            if deck:
                self.run_bulk("move", deck)

        card_id = self.selected_card_id
        current = self.cards[card_id].deck if card_id in self.cards else ""
        hint = "A deck name (Parent::Child; created if new) · Enter · Esc cancels"
        self.app.push_screen(TextPromptScreen("Move to deck", hint, current), chosen)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo here.")
            return
        undo = self.undo_stack.pop()
        self.collection.undo_bulk(undo)
        self.notify(
            f"Undone: {undo.action} of {undo.cards} card{'s' if undo.cards != 1 else ''}", markup=False
        )
        self.run_search()

    def action_flashcards(self) -> None:
        from flashapp.tui.screens.flashcards import FlashcardsScreen

        query = self.query_one("#search", Input).value.strip()
        self.app.push_screen(FlashcardsScreen(self.collection, search=query or None))

    # --- sorting --------------------------------------------------------------------------------------

    def action_sort(self, step: int) -> None:
        if step:
            index = SORT_COLUMNS.index(self.sort_key) if self.sort_key in SORT_COLUMNS else -1
            self.sort_key = SORT_COLUMNS[(index + 1) % len(SORT_COLUMNS)]
        else:
            self.sort_reverse = not self.sort_reverse
        self._announce_sort()
        self.run_search()

    @on(DataTable.HeaderSelected, "#results")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key not in SORT_COLUMNS:
            return
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self._announce_sort()
        self.run_search()

    def _announce_sort(self) -> None:
        self.notify(f"Sorted by {self.sort_key}{' (reversed)' if self.sort_reverse else ''}", timeout=2)

    def action_back(self) -> None:
        self.query_one(CardPreview).playback.stop()
        self.dismiss()
