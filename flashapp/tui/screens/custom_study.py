"""Custom study's dialog (c on the deck tree): what to study outside the day's queue. Dismissed with
a `CustomStudy` choice, or None."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from flashapp.core.text import strip_control
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

MODE_TITLES = {
    "ahead": "Study ahead: reviews due in the next N days",
    "forgotten": "Review forgotten cards: answered Again in the last N days",
    "search": "Study by tag or search (tag:NAME, words, is:...)",
    "new": "Extra new cards today: N more",
    "cram": "Cram the deck: no rescheduling",
}


@dataclass(frozen=True)
class CustomStudy:
    deck: str
    mode: str
    number: int = 1  # days (ahead, forgotten) or cards (new, cram)
    search: str = ""

    @property
    def reschedules(self) -> bool:
        return self.mode != "cram"


class CustomStudyScreen(StyledOnMount, ModalScreen[CustomStudy | None]):
    DEFAULT_CSS = """
    CustomStudyScreen { align: center middle; }
    CustomStudyScreen #custom {
        width: 100%; max-width: 76; height: auto; padding: 0 2; border: round $primary; background: $surface;
    }
    CustomStudyScreen .row { height: auto; margin: 1 0 0 0; }
    CustomStudyScreen .label { width: 12; color: $text-muted; }
    CustomStudyScreen #number { width: 10; }
    CustomStudyScreen #search { width: 1fr; }
    CustomStudyScreen #custom-error { color: $text-error; height: auto; display: none; }
    CustomStudyScreen #custom-buttons { height: auto; margin: 1 0; align-horizontal: right; }
    CustomStudyScreen #custom-buttons Button { margin: 0 0 0 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, deck: str) -> None:
        super().__init__()
        self.deck = deck

    def compose(self) -> ComposeResult:
        with Vertical(id="custom") as box:
            box.border_title = f"Custom study · {strip_control(self.deck)}"
            with RadioSet(id="mode", compact=True):
                for index, (mode, title) in enumerate(MODE_TITLES.items()):
                    yield RadioButton(title, index == 0, id=f"mode-{mode}")
            with Horizontal(classes="row"):
                yield Label(Content("N"), classes="label")
                yield Input("1", type="integer", id="number", compact=True)
            with Horizontal(classes="row"):
                yield Label(Content("Search"), classes="label")
                yield Input(placeholder="tag:attention", id="search", compact=True)
            yield Static(id="custom-error")
            with Horizontal(id="custom-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Study", variant="primary", id="start")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @property
    def mode(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "mode-ahead").removeprefix("mode-") if pressed else "ahead"

    @on(RadioSet.Changed)
    def _mode_changed(self) -> None:
        defaults = {"ahead": "1", "forgotten": "1", "new": "10", "cram": "50"}
        if self.mode in defaults:
            self.query_one("#number", Input).value = defaults[self.mode]

    def _error(self, text: str) -> None:
        error = self.query_one("#custom-error", Static)
        error.update(Content(text))
        error.display = True

    def _start(self) -> None:
        mode = self.mode
        search = self.query_one("#search", Input).value.strip()
        text = self.query_one("#number", Input).value.strip()
        if mode == "search":
            if not search:
                self._error("Type a search, e.g. tag:attention.")
                return
            self.dismiss(CustomStudy(self.deck, mode, search=search))
            return
        if not text.isdigit() or int(text) < 1:
            self._error("N must be a whole number, 1 or more.")
            return
        self.dismiss(CustomStudy(self.deck, mode, int(text)))

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self._start()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._start()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
