"""Card info: where a card stands (state, due, interval, ease, flag) and its whole review history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from flashapp.store.editing import FLAG_NAMES
from flashapp.tui.formatting import due_text, duration_text

if TYPE_CHECKING:
    from flashapp.store.card_views import CardInfo
    from flashapp.store.collection import Collection
    from flashapp.store.study_views import ReviewEntry


def facts_content(info: CardInfo, flag: int, due: str) -> Content:
    facts = [
        ("Deck", info.deck),
        ("Note", f"{info.key} (note {info.note_id})"),
        ("Tags", " ".join(info.tags) or "–"),
        ("State", info.state + ("  (suspended)" if info.suspended else "")),
        ("Due", due),
        ("Interval", f"{info.interval_days} d"),
        ("Ease", f"{info.ease * 100:.0f}%"),
        ("Reviews", f"{info.reps}, lapses {info.lapses}"),
        ("Flag", FLAG_NAMES[flag] if flag else "–"),
    ]
    # Everything here may come from card text or deck names: Content pieces, never markup.
    return Content("\n").join(Content.assemble((f"{label:<10}", "dim"), value) for label, value in facts)


def first_lines(text: str, lines: int = 3) -> str:
    kept = text.strip().splitlines()[:lines]
    return "\n".join(kept) + (" …" if len(text.strip().splitlines()) > lines else "")


class CardInfoScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    CardInfoScreen { align: center middle; }
    CardInfoScreen #info {
        width: 90%; max-width: 100; height: 90%; padding: 0 2;
        border: round $primary; background: $surface;
    }
    CardInfoScreen #info-scroll { height: 1fr; }
    CardInfoScreen .heading { text-style: bold; color: $primary; margin: 1 0 0 0; }
    CardInfoScreen #history { height: auto; max-height: 20; }
    CardInfoScreen #close-hint { color: $text-muted; dock: bottom; height: 1; }
    """
    BINDINGS = [
        Binding("escape,i,enter", "close", "Close", id="close"),
    ]

    def __init__(self, collection: Collection, card_id: int) -> None:
        super().__init__()
        self.collection = collection
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        collection = self.collection
        info = collection.card(self.card_id)
        now = collection.clock()
        due = due_text(info.due, info.state, now, collection.tz)
        with Vertical(id="info") as box:
            box.border_title = f"Card {info.id}"
            with VerticalScroll(id="info-scroll"):
                yield Static(Content.styled("Question", ""), classes="heading")
                yield Static(Content(first_lines(info.front)))
                yield Static(Content.styled("Answer", ""), classes="heading")
                yield Static(Content(first_lines(info.back)))
                yield Static(Content.styled("Scheduling", ""), classes="heading")
                yield Static(facts_content(info, collection.card_flag(info.id), due))
                yield Static(Content.styled("Review history", ""), classes="heading")
                yield self._history_table(collection.review_history(self.card_id))
            yield Static(Content("Esc closes"), id="close-hint")
        yield Footer(compact=True)

    def _history_table(self, history: list[ReviewEntry]) -> DataTable | Static:
        if not history:
            return Static(Content.styled("Not reviewed yet.", "dim"))
        table: DataTable = DataTable(id="history", cursor_type="none", zebra_stripes=True)
        table.add_columns(*(Text(label) for label in ("When", "Rating", "State", "Interval", "Ease", "Time")))
        tz = self.collection.tz
        for entry in history:
            table.add_row(
                Text(f"{entry.reviewed_at.astimezone(tz):%Y-%m-%d %H:%M}"),
                Text(entry.rating.name.title()),
                Text(f"{entry.state_before} → {entry.state_after}"),
                Text(f"{entry.interval_after_days} d", justify="right"),
                Text(f"{entry.ease_after * 100:.0f}%", justify="right"),
                Text(duration_text(entry.duration_ms), justify="right"),
            )
        return table

    def action_close(self) -> None:
        self.dismiss(None)
