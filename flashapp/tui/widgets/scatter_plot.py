"""Scatter plots in Braille dots, with optional paths: a flow's data and samples side by side, its
trajectories from noise to samples, an autoencoder's latent codes. Plots drawn side by side share one
scale, and both axes use the same units, so shapes are neither stretched nor hard to compare."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

from flashapp.tui.widgets.braille_canvas import PALETTE, BrailleCanvas, Scale, tick_text
from flashapp.tui.widgets.colour_scale import colour_at

Point = tuple[float, float]
Bounds = tuple[float, float, float, float]  # x low, x high, y low, y high

GAP = 3  # cells between plots side by side
MIN_PLOT_WIDTH = 26  # narrower than this, plots stack instead of standing side by side
PLOT_HEIGHT = 18  # lines per row of plots


@dataclass(frozen=True)
class PointSet:
    name: str
    points: Sequence[Point] = ()
    paths: Sequence[Sequence[Point]] = field(default_factory=tuple)  # drawn as lines, under the points
    colour: str | None = None


@dataclass(frozen=True)
class Plot:
    """One canvas: its caption and what is drawn on it."""

    caption: str
    sets: Sequence[PointSet]


def coloured_by(
    label: str, points: Sequence[Point], values: Sequence[float], bins: int = 3, scale: str = "viridis"
) -> list[PointSet]:
    """The points split into `bins` equal ranges of `values` (one value per point), each range a set
    coloured from `scale` as a matplotlib scatter with `c=values` would be, named by its upper end (the
    first name also carries `label`; fractions lose their leading 0: the legend reads "x<.38  <.62  ≤.85")."""
    kept = [(p, float(v)) for p, v in zip(points, values, strict=True) if math.isfinite(float(v))]
    if not kept:
        return []
    low, high = min(v for _, v in kept), max(v for _, v in kept)
    width = (high - low) / bins or 1.0
    sets = []
    for k in range(bins):
        members = [p for p, v in kept if min(bins - 1, int((v - low) / width)) == k]
        rgb = colour_at((k + 0.5) / bins, scale)
        end = f"{low + (k + 1) * width:.2g}".replace("0.", ".", 1 if 0 < low + (k + 1) * width < 1 else 0)
        name = f"{label if k == 0 else ''}{'≤' if k == bins - 1 else '<'}{end}"
        sets.append(PointSet(name, members, colour="#{:02x}{:02x}{:02x}".format(*rgb)))
    return sets


def _ok(point: Point) -> bool:
    return math.isfinite(point[0]) and math.isfinite(point[1])


def _all_points(plots: Sequence[Plot]) -> list[Point]:
    return [
        p
        for plot in plots
        for s in plot.sets
        for p in [*s.points, *(q for path in s.paths for q in path)]
        if _ok(p)
    ]


def bounds_of(points: Sequence[Point]) -> Bounds:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), max(xs), min(ys), max(ys)


def caption_needs_a_line(plot: Plot, width: int, bounds: Bounds) -> bool:
    """True when the caption leaves no room for the first legend entry beside it."""
    label_width = max(len(tick_text(bounds[3])), len(tick_text(bounds[2])))
    first = plot.sets[0].name if plot.sets else ""
    return bool(plot.caption) and label_width + 1 + len(plot.caption) + 2 + len(first) + 2 > width


def render_plot(
    plot: Plot,
    width: int,
    height: int,
    bounds: Bounds,
    colours: dict[str, str],
    caption_line: bool | None = None,
) -> list[Text]:
    """One plot as `height` lines of exactly `width` cells: y labels, canvas, x labels, legend."""
    x_low, x_high, y_low, y_high = bounds
    y_labels = (tick_text(y_high), tick_text(y_low))
    label_width = max(len(label) for label in y_labels)
    # A caption that leaves no room for the first legend entry gets a line of its own above the legend
    # (`caption_line`: decided for a whole row of plots, so their canvases keep one height).
    own_line = caption_needs_a_line(plot, width, bounds) if caption_line is None else caption_line
    canvas = BrailleCanvas(width - label_width - 1, height - 2 - own_line)
    # One data unit is the same number of dots across and down: a Braille dot is about square.
    span = max(x_high - x_low, y_high - y_low) or 1.0
    shorter = min(canvas.dot_width, canvas.dot_height)
    units_x, units_y = span * canvas.dot_width / shorter, span * canvas.dot_height / shorter
    centre_x, centre_y = (x_high + x_low) / 2, (y_high + y_low) / 2
    to_x = Scale(centre_x - units_x / 2, centre_x + units_x / 2, canvas.dot_width)
    to_y = Scale(centre_y - units_y / 2, centre_y + units_y / 2, canvas.dot_height, flip=True)
    for one in plot.sets:
        for path in one.paths:
            dots = [(to_x(x), to_y(y)) for x, y in path if _ok((x, y))]
            for (x0, y0), (x1, y1) in zip(dots, dots[1:], strict=False):
                canvas.line(x0, y0, x1, y1, colours[one.name])  # type: ignore[arg-type]
    for one in plot.sets:
        for x, y in one.points:
            if _ok((x, y)):
                canvas.dot(to_x(x), to_y(y), colours[one.name])  # type: ignore[arg-type]
    lines = []
    rows = canvas.lines()
    for row, line in enumerate(rows):
        label = y_labels[0] if row == 0 else y_labels[1] if row == len(rows) - 1 else ""
        text = Text(f"{label:>{label_width}}", style="dim")
        text.append("┤" if label else "│", style="dim")
        text.append_text(line)
        lines.append(text)
    low, high = tick_text(centre_x - units_x / 2), tick_text(centre_x + units_x / 2)
    axis = Text(" " * label_width + "└", style="dim")
    axis.append(
        f"{low}{' ' * max(1, canvas.columns - len(low) - len(high))}{high}"[: canvas.columns], style="dim"
    )
    lines.append(axis)
    legend = Text(" " * (label_width + 1))
    if own_line:
        caption = Text(" " * (label_width + 1))
        caption.append(_fit(plot.caption, width - label_width - 1), style="bold")
        lines.append(caption)
    elif plot.caption:
        legend.append(plot.caption + "  ", style="bold")
    for one in plot.sets:
        entry = Text("⣿ " if one.points else "━━ ", style=Style(color=colours[one.name]))
        entry.append(one.name)
        if legend.cell_len + entry.cell_len > width:  # whole entries only: never a cut-off number
            break
        legend.append_text(entry)
        legend.append("  ")
    legend.truncate(width)
    lines.append(legend)
    for line in lines:
        line.pad_right(width - line.cell_len)
    return lines


def _fit(text: str, width: int) -> str:
    """`text` if it fits in `width` cells, else cut at a word boundary with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[: max(0, width - 1)].rsplit(" ", 1)[0]
    return cut + "…"


def plots_per_row(count: int, width: int) -> int:
    """How many plots stand side by side at `width`: all of them, unless that makes them narrower than
    MIN_PLOT_WIDTH; then fewer per row, the rest in rows below."""
    per = max(1, count)
    while per > 1 and (width - GAP * (per - 1)) // per < MIN_PLOT_WIDTH:
        per -= 1
    return per


def render_scatter(plots: Sequence[Plot], width: int, height: int) -> Text:
    """The plots on one shared scale: side by side, each as wide as the width allows, or in rows of
    fewer plots when side by side they would be too narrow to read (`height` is shared by the rows)."""
    everything = _all_points(plots)
    per = plots_per_row(len(plots), width)
    rows = [plots[i : i + per] for i in range(0, len(plots), per)]
    row_height = height // max(1, len(rows))
    if not everything or row_height < 4 or width < 12 * per:
        return Text("(nothing to plot)", style="dim")
    bounds = bounds_of(everything)
    names = list(dict.fromkeys(s.name for plot in plots for s in plot.sets))
    given = {s.name: s.colour for plot in plots for s in plot.sets if s.colour}
    colours = {name: given.get(name) or PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    each = (width - GAP * (per - 1)) // per
    out = Text(no_wrap=True, overflow="crop")
    for number, row_plots in enumerate(rows):
        own_line = any(caption_needs_a_line(plot, each, bounds) for plot in row_plots)
        columns = [render_plot(plot, each, row_height, bounds, colours, own_line) for plot in row_plots]
        for line in range(row_height):
            if number or line:
                out.append("\n")
            for index, column in enumerate(columns):
                if index:
                    out.append(" " * GAP)
                out.append_text(column[line])
    return out


class ScatterPlot(Widget):
    DEFAULT_CSS = """
    ScatterPlot { height: 18; width: 100%; }
    """

    def __init__(self, plots: Sequence[Plot], *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.plots = list(plots)

    def on_resize(self, event: events.Resize) -> None:
        """One PLOT_HEIGHT per row of plots: more rows when the width makes them stack."""
        rows = (
            math.ceil(len(self.plots) / plots_per_row(len(self.plots), event.size.width)) if self.plots else 1
        )
        if self.styles.height is None or self.styles.height.value != PLOT_HEIGHT * rows:
            self.styles.height = PLOT_HEIGHT * rows

    def render(self) -> Text:
        return render_scatter(self.plots, self.size.width, self.size.height)
