"""Help: every key of every screen, the current screen's first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

HelpSection = tuple[str, list[Binding]]


def keys_content(sections: list[tuple[str, list[tuple[str, str]]]]) -> Content:
    lines: list[Content] = []
    for title, keys in sections:
        if lines:
            lines.append(Content())
        lines.append(Content.styled(title, "bold $text-primary"))
        lines += [Content.assemble((f"  {key:<14}", "bold"), description) for key, description in keys]
    return Content("\n").join(lines)


class HelpScreen(StyledOnMount, ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help {
        width: 80%; max-width: 72; height: 90%; padding: 0 2;
        border: round $primary; background: $surface;
    }
    HelpScreen #help-hint { color: $text-muted; height: 1; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="close")]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def _rows(self, bindings: list[Binding]) -> list[tuple[str, str]]:
        rows: dict[str, str] = {}
        for binding in bindings:
            # A binding whose footer label is short for room says it in full in its tooltip.
            description = binding.tooltip or binding.description or binding.action.replace("_", " ")
            for key in binding.key.split(","):
                shown = binding.key_display or self.app.get_key_display(Binding(key.strip(), ""))
                rows.setdefault(description, "")
                if shown not in rows[description].split(" / "):
                    rows[description] = f"{rows[description]} / {shown}" if rows[description] else shown
        return [(keys, description) for description, keys in rows.items()]

    def compose(self) -> ComposeResult:
        sections = [(title, self._rows(bindings)) for title, bindings in self.sections]
        with Vertical(id="help") as box:
            box.border_title = "Keys"
            with VerticalScroll():
                yield Static(keys_content(sections))
            yield Static(Content("Esc closes · ctrl+p opens the command palette"), id="help-hint")
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)
