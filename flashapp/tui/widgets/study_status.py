"""The line above a card: what is left (new / learning / due), a progress bar, and the card's flag.

Each piece is redrawn only when what it shows changed, and the line is laid out again only when a
piece's width changed (most answers change a digit, not the width): see `in_place`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import ProgressBar, Static

from flashapp.tui.widgets.in_place import update_fitted

FLAG_STYLES = {1: ("red", "$text-error"), 2: ("orange", "$text-warning"), 3: ("green", "$text-success"),
               4: ("blue", "$text-primary")}  # fmt: skip


def counts_content(new: int, learning: int, due: int, current: str | None) -> Content:
    """Anki's three numbers; the queue the shown card comes from is underlined."""
    parts: list[Content] = []
    for queue, label, value, style in (
        ("new", "New", new, "$text-primary"),
        ("learning", "Learn", learning, "$text-error"),
        ("review", "Due", due, "$text-success"),
    ):
        number = Content.styled(str(value), f"bold {style}{' underline' if current == queue else ''}")
        parts.append(Content.assemble((f"{label} ", "dim"), number))
    return Content("  ").join(parts)


class StudyStatus(Horizontal):
    DEFAULT_CSS = """
    StudyStatus { height: 1; padding: 0 1; background: $panel; }
    StudyStatus #counts { width: auto; }
    StudyStatus ProgressBar { width: 1fr; max-width: 80; padding: 0 1 0 3; }
    StudyStatus ProgressBar Bar { width: 1fr; }
    StudyStatus #done, StudyStatus #flag { width: auto; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: dict[str, object] = {}  # what each piece shows now, by id

    def compose(self) -> ComposeResult:
        yield Static(id="counts")
        yield ProgressBar(total=1, show_eta=False, show_percentage=False)
        yield Static(id="done")
        yield Static(id="flag")

    def _changed(self, piece: str, shown: object) -> bool:
        if self._shown.get(piece) == shown:
            return False
        self._shown[piece] = shown
        return True

    def show(self, *, new: int, learning: int, due: int, current: str | None, studied: int) -> None:
        if self._changed("counts", (new, learning, due, current)):
            update_fitted(self.query_one("#counts", Static), counts_content(new, learning, due, current))
        remaining = new + learning + due
        if self._changed("done", (studied, remaining)):
            self.query_one(ProgressBar).update(total=max(1, studied + remaining), progress=studied)
            done = Content.styled(f" {studied}/{studied + remaining} ", "dim")
            update_fitted(self.query_one("#done", Static), done)

    def show_flag(self, flag: int) -> None:
        if not self._changed("flag", flag):
            return
        name, style = FLAG_STYLES.get(flag, ("", ""))
        self.query_one("#flag", Static).update(Content.styled(f"  ⚑ {name}", style) if flag else Content())
