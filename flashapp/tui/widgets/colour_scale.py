"""Colour scales for drawing numbers in the terminal: a few matplotlib maps as interpolated RGB stops,
so heatmaps and images here look like the engine's figures."""

from __future__ import annotations

import math
from collections.abc import Iterable

from rich.color import Color
from rich.style import Style

RGB = tuple[int, int, int]

# Stops sampled from matplotlib's maps at equal steps (viridis, RdBu_r, magma, gray).
SCALES: dict[str, tuple[RGB, ...]] = {
    "viridis": (
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37),
    ),
    "diverging": (
        (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240),
        (247, 247, 247), (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
    ),
    "magma": (
        (0, 0, 4), (28, 16, 68), (79, 18, 123), (129, 37, 129), (181, 54, 122),
        (229, 80, 100), (251, 135, 97), (254, 194, 135), (252, 253, 191),
    ),
    "gray": ((0, 0, 0), (255, 255, 255)),
}  # fmt: skip


def finite(values: Iterable[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def value_range(values: Iterable[float], scale: str) -> tuple[float, float]:
    """Low and high ends for `values`: symmetric around 0 on the diverging scale, never empty."""
    numbers = finite(values)
    if not numbers:
        return 0.0, 1.0
    low, high = min(numbers), max(numbers)
    if scale == "diverging":
        top = max(abs(low), abs(high)) or 1.0
        return -top, top
    if high == low:
        return low - 0.5, high + 0.5
    return low, high


def colour_at(fraction: float, scale: str = "viridis") -> RGB:
    """The colour at `fraction` (0..1, clamped) of the scale, linearly interpolated between stops."""
    stops = SCALES.get(scale, SCALES["viridis"])
    if not math.isfinite(fraction):
        fraction = 0.0
    position = min(max(fraction, 0.0), 1.0) * (len(stops) - 1)
    index = min(int(position), len(stops) - 2)
    t = position - index
    a, b = stops[index], stops[index + 1]
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def fraction_of(value: float, low: float, high: float) -> float:
    return 0.5 if high == low else (float(value) - low) / (high - low)


def ink_for(rgb: RGB) -> RGB:
    """Black text on light cells, white on dark ones."""
    red, green, blue = rgb
    return (0, 0, 0) if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else (255, 255, 255)


def cell_style(rgb: RGB, *, text: bool = True, bold: bool = False) -> Style:
    background = Color.from_rgb(*rgb)
    return Style(bgcolor=background, color=Color.from_rgb(*ink_for(rgb)) if text else None, bold=bold)


def block_style(top: RGB, bottom: RGB | None) -> Style:
    """For a `▀` half block: the top pixel in the foreground, the bottom one behind it."""
    return Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom) if bottom else None)
