"""A widget that is one line of segments it builds itself (the study screen's key bar and status
line): it paints only that line, lays nothing out, and keeps its styles between repaints.

Textual forgets a widget's component styles on every `refresh()` and works them out again, through
every ancestor, on the next paint: a quarter of a millisecond per line for a few styles, on each
answer. The styles here change only when the CSS does (a theme change, a hover), which Textual
reports through `notify_style_update`.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget


class OneLine(Widget):
    """Subclasses give `segments(width)`; gaps between pieces are drawn in `gap_style`, the
    widget's background alone, as Textual paints the space between widgets."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._styles_kept: dict[str, Style] = {}

    def component_style(self, name: str) -> Style:
        """`get_component_rich_style(name)`, kept until the CSS changes."""
        style = self._styles_kept.get(name)
        if style is None:
            style = self._styles_kept[name] = self.get_component_rich_style(name)
        return style

    @property
    def gap_style(self) -> Style:
        style = self._styles_kept.get("")
        if style is None:
            style = self._styles_kept[""] = Style(bgcolor=self.rich_style.bgcolor)
        return style

    def notify_style_update(self) -> None:
        self._styles_kept.clear()
        super().notify_style_update()

    def segments(self, width: int) -> list[Segment]:
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if y != 0:
            return Strip.blank(width, self.gap_style)
        line = Strip(self.segments(width)).crop(0, width)
        return line.extend_cell_length(width, self.gap_style).simplify()
