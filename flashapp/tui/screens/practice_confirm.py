"""Leaving a practice test before the end: hand it in as it is, leave without saving, or go on."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer


class PracticeConfirmScreen(StyledOnMount, ModalScreen[str | None]):
    """Dismissed with "submit", "leave", or None (keep going)."""

    DEFAULT_CSS = """
    PracticeConfirmScreen { align: center middle; }
    PracticeConfirmScreen #confirm {
        width: 100%; max-width: 64; height: auto; padding: 1 2;
        border: round $warning; background: $surface;
    }
    PracticeConfirmScreen #buttons { height: auto; margin: 1 0 0 0; align-horizontal: right; }
    PracticeConfirmScreen #buttons Button { margin: 0 0 0 1; }
    """
    BINDINGS = [
        Binding("s", "choose('submit')", "Hand in", id="submit"),
        Binding("l", "choose('leave')", "Leave", id="leave"),
        Binding("escape", "choose('')", "Keep going", id="keep"),
    ]

    def __init__(self, unanswered: int, total: int) -> None:
        super().__init__()
        self.unanswered = unanswered
        self.total = total

    def compose(self) -> ComposeResult:
        left = f"{self.unanswered} of {self.total} questions are unanswered; they count as missed."
        with Vertical(id="confirm") as box:
            box.border_title = "End the test?"
            yield Static(Content(left if self.unanswered else "Every question has an answer."))
            with Horizontal(id="buttons"):
                yield Button("Keep going", id="keep")
                yield Button("Leave without saving", variant="error", id="leave")
                yield Button("Hand in", variant="primary", id="submit")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#submit", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose("" if event.button.id == "keep" else event.button.id or "")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)
