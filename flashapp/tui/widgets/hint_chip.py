"""A hint on a card (Anki's `{{hint:Field}}`, its "show hint" link): a chip naming the field until it is
revealed (the study screen's `h`, or a click), then the hint itself."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from flashapp.core.text import strip_control

HINT_KEY = "h"
_MARKDOWN_ESCAPE = re.compile(r"\\(.)")


class HintChip(Vertical):
    DEFAULT_CSS = """
    HintChip { height: auto; margin: 0 0 1 0; }
    HintChip > .chip { width: auto; padding: 0 1; background: $boost; color: $text-accent; }
    HintChip > .label { color: $text-muted; }
    HintChip > .body { padding: 0 0 0 2; border-left: tall $accent; }
    """

    revealed: reactive[bool] = reactive(False)

    def __init__(self, label: str, body: Widget, *, revealed: bool = False) -> None:
        super().__init__()
        # The label is the field's name from the card's template: text, never markup.
        self.label = strip_control(_MARKDOWN_ESCAPE.sub(r"\1", label)) or "Hint"
        self.body = body
        self.body.add_class("body")
        self.set_reactive(HintChip.revealed, revealed)

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble("▸ ", self.label, f"  ({HINT_KEY} shows the hint)"), classes="chip")
        yield Static(Content.assemble((self.label, "italic")), classes="label")
        yield self.body

    def on_mount(self) -> None:
        self._show(self.revealed)

    def watch_revealed(self, revealed: bool) -> None:
        if self.is_mounted:
            self._show(revealed)

    def _show(self, revealed: bool) -> None:
        self.query_one(".chip").display = not revealed
        self.query_one(".label").display = revealed
        self.body.display = revealed

    def on_click(self) -> None:
        self.revealed = True
