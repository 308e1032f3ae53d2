"""Asked before a screen with unsaved work closes: discard it, or keep editing. Dismissed with True to
discard."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer


class ConfirmDiscardScreen(StyledOnMount, ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmDiscardScreen { align: center middle; }
    ConfirmDiscardScreen #discard {
        width: 100%; max-width: 60; height: auto; padding: 1 2;
        border: round $warning; background: $surface;
    }
    ConfirmDiscardScreen #discard-buttons { height: auto; margin: 1 0 0 0; align-horizontal: right; }
    ConfirmDiscardScreen #discard-buttons Button { margin: 0 0 0 1; }
    """
    BINDINGS = [
        Binding("d", "answer(True)", "Discard", id="discard"),
        Binding("escape,k", "answer(False)", "Keep editing", id="keep"),
    ]

    def __init__(
        self,
        what: str = "Your changes are not saved.",
        *,
        keep: str = "Keep editing",
        discard: str = "Discard",
    ) -> None:
        super().__init__()
        self.what = what
        self.keep, self.discard = keep, discard
        # The footer's keys say what the buttons say ("Keep playing", "Leave" in a game).
        labels = {"keep": keep, "discard": discard}
        self._bindings = BindingsMap.from_keys(
            {
                key: [replace(binding, description=labels.get(binding.id or "", binding.description))
                      for binding in bindings]
                for key, bindings in self._bindings.key_to_bindings.items()
            }
        )  # fmt: skip

    def compose(self) -> ComposeResult:
        with Vertical(id="discard") as box:
            box.border_title = "Discard?"
            yield Static(Content(self.what))
            with Horizontal(id="discard-buttons"):
                yield Button(self.keep, id="keep")
                yield Button(self.discard, variant="error", id="discard-button")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "discard-button")

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)
