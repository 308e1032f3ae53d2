"""A labelled heatmap: a matrix drawn as coloured cells with row and column names.

Small matrices (attention weights, the transposed-convolution overlap map) show their values in the
cells; larger ones (a 64 x 32 positional encoding) fall back to colour only, two rows per line with
half blocks. Columns that still do not fit are averaged in neighbouring groups, so every column of the
matrix is represented and the column names above say which real columns each group starts at. A legend
gives the colour scale's ends. Masked cells (a causal mask's future) are drawn grey, outside the colour
scale, as the engine's figures hatch them, and the legend says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from flashapp.tui.widgets.colour_scale import (
    block_style,
    cell_style,
    colour_at,
    fraction_of,
    value_range,
)

MAX_VALUE_ROWS = 24  # more rows than this: colour only
MAX_ROW_LABEL = 16
MAX_COL_LABEL = 10
MASKED_RGB = (200, 200, 200)  # masked cells: grey, as the PNGs' hatched grey


class HeatmapGrid(Widget):
    DEFAULT_CSS = """
    HeatmapGrid { height: auto; width: 100%; }
    """

    def __init__(
        self,
        values: Sequence[Sequence[float]],
        rows: Sequence[str] | None = None,
        cols: Sequence[str] | None = None,
        *,
        scale: str = "viridis",
        low: float | None = None,
        high: float | None = None,
        integers: bool | None = None,
        masked: Sequence[Sequence[bool]] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.values = [[float(v) for v in row] for row in values]
        n_rows = len(self.values)
        n_cols = max((len(row) for row in self.values), default=0)
        self.row_names = [str(r)[:MAX_ROW_LABEL] for r in (rows if rows is not None else range(n_rows))]
        self.full_col_names = [str(c) for c in (cols if cols is not None else range(n_cols))]
        self.col_names = [name[:MAX_COL_LABEL] for name in self.full_col_names]
        flat = [v for row in self.values for v in row]
        auto_low, auto_high = value_range(flat, scale)
        self.low = auto_low if low is None else low
        self.high = auto_high if high is None else high
        self.scale = scale
        finite = [v for v in flat if math.isfinite(v)]
        self.integers = all(v.is_integer() for v in finite) if integers is None else integers
        self.masked = [[bool(m) for m in row] for row in masked] if masked is not None else []
        self._modes: dict[int, tuple[str, int, int]] = {}  # width -> _mode(width)

    def is_masked(self, row: int, col: int) -> bool:
        return row < len(self.masked) and col < len(self.masked[row]) and self.masked[row][col]

    def _rgb(self, value: float, masked: bool = False) -> tuple[int, int, int]:
        return MASKED_RGB if masked else colour_at(fraction_of(value, self.low, self.high), self.scale)

    # --- layout ----------------------------------------------------------------------------------

    def _groups(self, shown: int) -> list[range]:
        """The real columns behind each of `shown` drawn columns: consecutive groups covering them all."""
        n = len(self.col_names)
        return [range(j * n // shown, (j + 1) * n // shown) for j in range(shown)]

    def _column_values(self, row: Sequence[float], group: range) -> float:
        """The mean of a group of cells (of its finite ones if any; -inf when all are masked)."""
        cells = [row[c] for c in group if c < len(row)]
        finite = [v for v in cells if math.isfinite(v)]
        if finite:
            return sum(finite) / len(finite)
        return cells[0] if cells else math.nan

    def _format(self, value: float, decimals: int) -> str:
        if not math.isfinite(value):
            return "-inf" if value < 0 else "inf" if value > 0 else "nan"
        return str(int(value)) if self.integers else f"{value:.{decimals}f}"

    def _mode(self, width: int) -> tuple[str, int, int]:
        """("values", cell width, decimals), ("keyed", ...) when only numbered columns let the values
        fit, ("blocks", 2, 0) or ("half", 1, 0) for this width. Each width's answer is kept: layout and
        drawing ask it again and again, and it formats every value to find out."""
        mode = self._modes.get(width)
        if mode is None:
            mode = self._modes[width] = self._find_mode(width)
        return mode

    def _find_mode(self, width: int) -> tuple[str, int, int]:
        n_rows, n_cols = len(self.values), len(self.col_names)
        label = self._label_width()
        if n_rows <= MAX_VALUE_ROWS:
            for decimals in (2, 1):
                texts = [self._format(v, decimals) for row in self.values for v in row]
                cell = max(len(text) for text in [*self.col_names, *texts]) + 1
                if label + cell * n_cols <= width:
                    return "values", cell, decimals
            for decimals in (2, 1):  # long column names: numbered columns, and a key under the legend
                texts = [self._format(v, decimals) for row in self.values for v in row]
                cell = max(len(text) for text in [str(n_cols), *texts]) + 1
                if label + cell * n_cols <= width:
                    return "keyed", cell, decimals
            if label + 2 * n_cols <= width:
                return "blocks", 2, 0
        return "half", 1, 0

    def _label_width(self) -> int:
        return max((len(r) for r in self.row_names), default=0) + 1

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        mode, _, _ = self._mode(width)
        body = len(self.values) if mode != "half" else math.ceil(len(self.values) / 2)
        grouped = mode == "half" and width - self._label_width() < len(self.col_names)
        key = len(self._key_lines(width)) if mode == "keyed" else 0
        return body + 2 + grouped + key  # names above, legend below (a line on averaged columns, the key)

    def _key_lines(self, width: int) -> list[str]:
        """The numbered columns' names, "1 name  2 name ...", wrapped to `width` under the labels."""
        indent = " " * self._label_width()
        lines = [indent]
        for number, name in enumerate(self.full_col_names, start=1):
            entry = f"{number} {name}"
            if lines[-1] != indent and len(lines[-1]) + 2 + len(entry) > width:
                lines.append(indent)
            lines[-1] += ("  " if lines[-1] != indent else "") + entry
        return lines

    # --- drawing ---------------------------------------------------------------------------------

    def render(self) -> Text:
        width = self.size.width
        if not self.values or not self.col_names:
            return Text("(empty)", style="dim")
        mode, cell, decimals = self._mode(width)
        label = self._label_width()
        shown_cols = max(1, min(len(self.col_names), (width - label) // cell))
        grouped = mode == "half" and shown_cols < len(self.col_names)
        out = Text(no_wrap=True, overflow="crop")
        out.append(" " * label)
        if mode == "values":
            for name in self.col_names[:shown_cols]:
                out.append(f"{name:>{cell - 1}} ", style="bold")
        elif mode == "keyed":
            for number in range(1, shown_cols + 1):
                out.append(f"{number:>{cell - 1}} ", style="bold")
        else:
            out.append_text(self._sparse_header(shown_cols, cell, grouped))
        out.append("\n")
        if mode == "half":
            self._half_rows(out, label, shown_cols, grouped)
        else:
            for r, (name, row) in enumerate(zip(self.row_names, self.values, strict=False)):
                out.append(f"{name:>{label - 1}} ", style="bold")
                for c, value in enumerate(row[:shown_cols]):
                    rgb = self._rgb(value, self.is_masked(r, c))
                    shown = mode in ("values", "keyed")
                    text = f"{self._format(value, decimals):>{cell - 1}} " if shown else ""
                    out.append(text or " " * cell, style=cell_style(rgb))
                out.append("\n")
        out.append_text(
            self._legend(shown_cols < len(self.col_names) and not grouped, shown_cols if grouped else 0)
        )
        if mode == "keyed":
            out.append("\n" + "\n".join(self._key_lines(width)), style="dim")
        return out

    def _sparse_header(self, shown: int, cell: int, grouped: bool = False) -> Text:
        """Column names where they fit: every k-th one, k chosen so the names do not collide. Grouped
        columns are named by the first real column of their group, and the last real column's name
        closes the line, so the header tells the real range."""
        starts = [group.start for group in self._groups(shown)] if grouped else list(range(shown))
        names = [self.col_names[start] for start in starts]
        longest = max(len(c) for c in names) + 1
        every = max(1, math.ceil(longest / cell))
        line = [" "] * (shown * cell)
        last = self.col_names[-1] if grouped else ""
        free = len(line) - len(last) - 1 if last else len(line)
        for index in range(0, shown, every):
            name = names[index]
            start = index * cell
            if start + len(name) <= free:
                line[start : start + len(name)] = list(name)
        if last and len(last) <= len(line):
            line[len(line) - len(last) :] = list(last)
        return Text("".join(line), style="bold")

    def _half_rows(self, out: Text, label: int, shown: int, grouped: bool = False) -> None:
        groups = self._groups(shown) if grouped else [range(col, col + 1) for col in range(shown)]
        every = 2 if len(self.values) <= 48 else 4
        for top in range(0, len(self.values), 2):
            name = self.row_names[top] if top % (2 * every) == 0 or every == 2 else ""
            out.append(f"{name:>{label - 1}} ", style="bold")
            upper = self.values[top]
            lower = self.values[top + 1] if top + 1 < len(self.values) else None
            for group in groups:
                top_value = self._column_values(upper, group)
                a = self._rgb(top_value, all(self.is_masked(top, c) for c in group))
                bottom_value = self._column_values(lower, group) if lower else 0.0
                b = self._rgb(bottom_value, all(self.is_masked(top + 1, c) for c in group)) if lower else None
                out.append("▀", style=block_style(a, b))
            out.append("\n")

    def _legend(self, cut: bool, grouped_into: int = 0) -> Text:
        legend = Text(" " * self._label_width())
        legend.append(self._format(self.low, 2) + " ", style="dim")
        for step in range(12):
            legend.append(" ", style=cell_style(colour_at(step / 11, self.scale), text=False))
        legend.append(" " + self._format(self.high, 2), style="dim")
        if any(any(row) for row in self.masked):
            legend.append("   ")
            legend.append("  ", style=cell_style(MASKED_RGB, text=False))
            legend.append(" masked", style="dim")
        if cut:
            legend.append(f"   (first columns of {len(self.col_names)})", style="dim")
        if grouped_into:
            n = len(self.col_names)
            legend.append(
                f"\n{' ' * self._label_width()}all {n} columns, averaged into {grouped_into}", style="dim"
            )
        return legend
