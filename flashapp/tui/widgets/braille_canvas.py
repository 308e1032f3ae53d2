"""A character grid of Braille cells, 2 x 4 dots each, for drawing points and lines in the terminal:
a plot 60 characters wide has 120 x (4 x rows) dots. Each cell takes the colour of the last thing
drawn in it."""

from __future__ import annotations

import math

from rich.style import Style
from rich.text import Text

_BRAILLE = 0x2800
_DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][column] within a cell

PALETTE = ("#4e9ad8", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7")


class BrailleCanvas:
    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.rows = max(1, columns), max(1, rows)
        self._bits = [[0] * self.columns for _ in range(self.rows)]
        self._colours: list[list[str | None]] = [[None] * self.columns for _ in range(self.rows)]

    @property
    def dot_width(self) -> int:
        return 2 * self.columns

    @property
    def dot_height(self) -> int:
        return 4 * self.rows

    def dot(self, x: int, y: int, colour: str) -> None:
        """Set dot (x, y), y counted from the top; dots outside the canvas are ignored."""
        if 0 <= x < self.dot_width and 0 <= y < self.dot_height:
            row, column = y // 4, x // 2
            self._bits[row][column] |= _DOT_BITS[y % 4][x % 2]
            self._colours[row][column] = colour

    def line(self, x0: int, y0: int, x1: int, y1: int, colour: str) -> None:
        """Bresenham's line between two dots (both ends included)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        step_x, step_y = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        for _ in range(dx - dy + 1):
            self.dot(x0, y0, colour)
            if x0 == x1 and y0 == y1:
                return
            twice = 2 * error
            if twice >= dy:
                error += dy
                x0 += step_x
            if twice <= dx:
                error += dx
                y0 += step_y

    def lines(self) -> list[Text]:
        out = []
        for bits, colours in zip(self._bits, self._colours, strict=True):
            text = Text()
            for value, colour in zip(bits, colours, strict=True):
                text.append(chr(_BRAILLE + value) if value else " ", Style(color=colour) if colour else None)
            out.append(text)
        return out


class Scale:
    """Maps data values onto dot positions along one axis (optionally logarithmic)."""

    def __init__(self, low: float, high: float, dots: int, *, log: bool = False, flip: bool = False):
        self.log = log
        self.low, self.high = (_log(low), _log(high)) if log else (low, high)
        if self.high == self.low:
            self.low, self.high = self.low - 0.5, self.high + 0.5
        self.dots, self.flip = dots, flip

    def __call__(self, value: float) -> int | None:
        if self.log:
            if value <= 0:
                return None
            value = _log(value)
        if not math.isfinite(value):
            return None
        fraction = (value - self.low) / (self.high - self.low)
        position = round(fraction * (self.dots - 1))
        return self.dots - 1 - position if self.flip else position


def _log(value: float) -> float:
    return math.log10(value) if value > 0 else -300.0


def tick_text(value: float) -> str:
    """A short axis label: 0.0123, 1.5, 1200, 3.2e+05."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        return f"{value:.1e}"
    if magnitude >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"
