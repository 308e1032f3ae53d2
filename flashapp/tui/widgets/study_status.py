"""The line above a card: what is left (new / learning / due), a progress bar, and the card's flag.

One widget paints the whole line (it was a row of four, the progress bar two more): a change of a
count or of the flag repaints this one line and never lays the screen out again. What it paints is
what the row painted: the counts, then the bar filling the room left (at most 80 columns, with 3
columns before it and 1 after, drawn as Textual's `ProgressBar` draws it), the done/total figure
and the flag, each gap in the line's own background.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.renderables.bar import Bar

from flashapp.tui.widgets.one_line import OneLine

FLAG_STYLES = {1: ("red", "$text-error"), 2: ("orange", "$text-warning"), 3: ("green", "$text-success"),
               4: ("blue", "$text-primary")}  # fmt: skip
BAR_MAX_WIDTH = 80  # the progress bar's room, its gaps included
BAR_GAP_BEFORE, BAR_GAP_AFTER = 3, 1


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


def flag_content(flag: int) -> Content:
    name, style = FLAG_STYLES.get(flag, ("", ""))
    return Content.styled(f"  ⚑ {name}", style) if flag else Content()


class StudyStatus(OneLine):
    ALLOW_SELECT = False  # (a line of figures, painted as one: nothing to copy from it)
    COMPONENT_CLASSES = {"study-status--bar", "study-status--complete"}
    DEFAULT_CSS = """
    StudyStatus {
        height: 1;
        width: 100%;
        padding: 0 1;
        background: $panel;
        & > .study-status--bar { color: $primary; background: $surface; }
        & > .study-status--complete { color: $success; background: $surface; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.counts = Content()
        self.done = Content()
        self.flag = Content()
        self._progress = (0, 1)  # studied, total
        self._shown: dict[str, object] = {}  # what each piece shows now
        self._bar_drawn: dict[tuple[int, float, Style], list[Segment]] = {}  # the last bar drawn

    def _changed(self, piece: str, shown: object) -> bool:
        if self._shown.get(piece) == shown:
            return False
        self._shown[piece] = shown
        self.refresh()  # one line, its size fixed: a repaint, never a layout
        return True

    def show(self, *, new: int, learning: int, due: int, current: str | None, studied: int) -> None:
        if self._changed("counts", (new, learning, due, current)):
            self.counts = counts_content(new, learning, due, current)
        remaining = new + learning + due
        if self._changed("done", (studied, remaining)):
            self._progress = (studied, max(1, studied + remaining))
            self.done = Content.styled(f" {studied}/{studied + remaining} ", "dim")

    def show_flag(self, flag: int) -> None:
        if self._changed("flag", flag):
            self.flag = flag_content(flag)

    def segments(self, width: int) -> list[Segment]:
        base = self.visual_style
        gap = self.gap_style
        parse_style = self.app.stylesheet.parse_style  # (resolves the theme's $variables)

        def text(content: Content) -> list[Segment]:
            pieces = content.render(base, "", parse_style)
            return [Segment(piece, style.rich_style) for piece, style in pieces if piece]

        counts_width, done_width = self.counts.cell_length, self.done.cell_length
        flag_width = self.flag.cell_length
        room = min(BAR_MAX_WIDTH, max(0, width - counts_width - done_width - flag_width))
        segments = text(self.counts)
        if room:
            segments.append(Segment(" " * min(room, BAR_GAP_BEFORE), gap))
            bar_width = room - BAR_GAP_BEFORE - BAR_GAP_AFTER
            if bar_width > 0:
                segments += self._bar_segments(bar_width, base.rich_style)
            segments.append(Segment(" " * max(0, min(BAR_GAP_AFTER, room - BAR_GAP_BEFORE)), gap))
        return segments + text(self.done) + text(self.flag)

    def _bar_segments(self, width: int, base: Style) -> list[Segment]:
        """The bar's line at `width` columns, drawn again only when what it shows changes: on a big
        deck, one answer seldom moves it by half a column."""
        key = (width, self._drawn_percentage(width), base)
        segments = self._bar_drawn.get(key)
        if segments is None:
            console = self.app.console
            options = console.options.update(width=width, height=1)
            segments = console.render_lines(self._bar(width), options, style=base, pad=True)[0]
            self._bar_drawn = {key: segments}
        return segments

    def notify_style_update(self) -> None:
        self._bar_drawn = {}
        super().notify_style_update()

    def _drawn_percentage(self, width: int) -> float:
        """The part of the bar drawn highlighted, as the progress bar rounds it: to half a column."""
        studied, total = self._progress
        percentage = studied / total
        if width > 0:
            percentage = int(percentage * width * 2) / (width * 2)
        return percentage

    def _bar(self, width: int) -> Bar:
        """The bar as `textual.widgets.ProgressBar` draws it at `width` columns."""
        percentage = self._drawn_percentage(width)
        style = self.component_style("study-status--bar" if percentage < 1 else "study-status--complete")
        return Bar(
            highlight_range=(0, width * percentage),
            highlight_style=Style.from_color(style.color),
            background_style=Style.from_color(style.bgcolor),
        )
