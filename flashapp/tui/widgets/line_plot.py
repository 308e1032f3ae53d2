"""A line plot in Braille dots: loss curves (live while a demo trains, then the full history),
quality against the number of steps. Axis ends are labelled; a legend names each series."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from flashapp.tui.widgets.braille_canvas import PALETTE, BrailleCanvas, Scale, tick_text


@dataclass(frozen=True)
class Series:
    name: str
    ys: Sequence[float]
    xs: Sequence[float] | None = None  # None: 1, 2, 3, ...

    def points(self) -> list[tuple[float, float]]:
        xs = self.xs if self.xs is not None else range(1, len(self.ys) + 1)
        return [(float(x), float(y)) for x, y in zip(xs, self.ys, strict=False) if math.isfinite(float(y))]


def render_line_plot(
    series: Sequence[Series], width: int, height: int, *, log_y: bool = False, log_x: bool = False,
    x_label: str = "",
) -> Text:  # fmt: skip
    """The plot as `height` lines of `width` cells: y labels, the canvas, an x axis, a legend."""
    points = [
        [(x, y) for x, y in s.points() if (not log_y or y > 0) and (not log_x or x > 0)] for s in series
    ]
    everything = [p for group in points for p in group]
    if not everything or width < 12 or height < 4:
        return Text("(nothing to plot)", style="dim")
    ys = [y for _, y in everything]
    xs = [x for x, _ in everything]
    y_low, y_high = min(ys), max(ys)
    labels = [tick_text(y_high), tick_text(_middle(y_low, y_high, log_y)), tick_text(y_low)]
    label_width = max(len(label) for label in labels)
    legend = _legend_lines(series, width, label_width + 1, log_y)
    rows = height - 1 - len(legend)
    if rows < 2:
        return Text("(nothing to plot)", style="dim")
    canvas = BrailleCanvas(width - label_width - 1, rows)
    to_x = Scale(min(xs), max(xs), canvas.dot_width, log=log_x)
    to_y = Scale(y_low, y_high, canvas.dot_height, log=log_y, flip=True)
    for index, group in enumerate(points):
        colour = PALETTE[index % len(PALETTE)]
        previous = None
        for x, y in group:
            dot = (to_x(x), to_y(y))
            if dot[0] is None or dot[1] is None:
                previous = None
                continue
            if previous is not None:
                canvas.line(*previous, *dot, colour)  # type: ignore[arg-type]
            else:
                canvas.dot(*dot, colour)  # type: ignore[arg-type]
            previous = dot
    out = Text()
    for row, line in enumerate(canvas.lines()):
        label = {0: labels[0], rows // 2: labels[1], rows - 1: labels[2]}.get(row, "")
        out.append(f"{label:>{label_width}}", style="dim")
        out.append("┤" if label else "│", style="dim")
        out.append_text(line)
        out.append("\n")
    x_low, x_high = tick_text(min(xs)), tick_text(max(xs))
    axis_width = canvas.columns
    middle = f" {x_label} " if x_label else ""
    gap = max(1, axis_width - len(x_low) - len(x_high) - len(middle))
    out.append(" " * label_width + "└", style="dim")
    out.append(f"{x_low}{' ' * (gap // 2)}{middle}{' ' * (gap - gap // 2)}{x_high}"[:axis_width], style="dim")
    out.append("\n")
    out.append(Text("\n").join(legend))
    return out


def _legend_lines(series: Sequence[Series], width: int, indent: int, log_y: bool) -> list[Text]:
    """The legend: whole entries only, on as many lines as they need (never a cut-off name), then the
    log scale's note where it fits ("(log scale)", else "(log)", else on a line of its own)."""
    lines = [Text(" " * indent)]
    for index, one in enumerate(series):
        entry = Text("━━ ", style=Style(color=PALETTE[index % len(PALETTE)]))
        entry.append(f"{one.name}   ")
        if lines[-1].cell_len > indent and lines[-1].cell_len + len(one.name) + 3 > width:
            lines.append(Text(" " * indent))
        lines[-1].append_text(entry)
    if log_y:
        note = next((n for n in ("(log scale)", "(log)") if lines[-1].cell_len + len(n) <= width), None)
        if note is None:
            lines.append(Text(" " * indent))
            note = "(log scale)"
        lines[-1].append(note, style="dim")
    for line in lines:
        line.truncate(width)
    return lines


def _middle(low: float, high: float, log: bool) -> float:
    if log and low > 0 and high > 0:
        return 10 ** ((math.log10(low) + math.log10(high)) / 2)
    return (low + high) / 2


class LinePlot(Widget):
    DEFAULT_CSS = """
    LinePlot { height: 12; width: 100%; }
    """

    def __init__(
        self,
        series: Sequence[Series] = (),
        *,
        log_y: bool = False,
        log_x: bool = False,
        x_label: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.series = list(series)
        self.log_y, self.log_x, self.x_label = log_y, log_x, x_label

    def set_series(self, series: Sequence[Series]) -> None:
        self.series = list(series)
        self.refresh()

    def render(self) -> Text:
        return render_line_plot(
            self.series, self.size.width, self.size.height, log_y=self.log_y, log_x=self.log_x,
            x_label=self.x_label,
        )  # fmt: skip
