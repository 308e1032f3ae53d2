"""Ask for one line of text (tags to add, a deck to move cards to). Dismissed with the text, or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer


class TextPromptScreen(StyledOnMount, ModalScreen[str | None]):
    DEFAULT_CSS = """
    TextPromptScreen { align: center middle; }
    TextPromptScreen #prompt-box {
        width: 100%; max-width: 64; height: auto; padding: 0 2 1 2;
        border: round $primary; background: $surface;
    }
    TextPromptScreen #prompt-hint { color: $text-muted; margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, title: str, hint: str = "", value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box") as box:
            box.border_title = self.title_text
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static(Content(self.hint or "Enter to confirm · Esc to cancel"), id="prompt-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
