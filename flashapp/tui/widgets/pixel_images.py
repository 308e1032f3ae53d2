"""Small images in half blocks, two pixels per character cell: U-Net inputs and masks, autoencoder
inputs and reconstructions. Images come in captioned groups laid out left to right, wrapping, and
shrink (averaging 2 x 2 blocks) when a group would not fit the width."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from flashapp.tui.widgets.colour_scale import block_style, colour_at, fraction_of, value_range

Pixels = Sequence[Sequence[float]]


@dataclass(frozen=True)
class Picture:
    label: str
    pixels: Pixels
    scale: str = "gray"
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class PictureGroup:
    caption: str
    pictures: Sequence[Picture]


def shrink(pixels: Pixels, factor: int) -> list[list[float]]:
    """Average `factor` x `factor` blocks (the last ones may be smaller)."""
    if factor == 1:
        return [list(map(float, row)) for row in pixels]
    out = []
    for top in range(0, len(pixels), factor):
        block_rows = pixels[top : top + factor]
        row = []
        for left in range(0, len(block_rows[0]), factor):
            block = [float(v) for r in block_rows for v in r[left : left + factor]]
            row.append(sum(block) / len(block))
        out.append(row)
    return out


def _group_width(group: PictureGroup, factor: int) -> int:
    widths = [max(math.ceil(len(p.pixels[0]) / factor), len(p.label)) for p in group.pictures if p.pixels]
    return sum(widths) + max(0, len(widths) - 1)


def layout(groups: Sequence[PictureGroup], width: int) -> tuple[int, list[list[PictureGroup]]]:
    """The shrink factor and the bands of groups (each band one line of groups) for `width` cells."""
    factor = 1
    while factor < 8 and any(_group_width(g, factor) > width for g in groups):
        factor *= 2
    bands: list[list[PictureGroup]] = [[]]
    used = 0
    for group in groups:
        need = _group_width(group, factor)
        if bands[-1] and used + 2 + need > width:
            bands.append([])
            used = 0
        used += need + (2 if bands[-1] else 0)
        bands[-1].append(group)
    return factor, [band for band in bands if band]


def _band_height(band: list[PictureGroup], factor: int) -> int:
    tallest = max(math.ceil(len(p.pixels) / factor) for g in band for p in g.pictures if p.pixels)
    return 1 + math.ceil(tallest / 2) + 1  # caption, half-block rows, labels


def _half_block_row(pixels: Pixels, top: int, low: float, high: float, scale: str) -> Text:
    """Pixel rows `top` and `top + 1` as one line of `▀` cells."""
    line = Text()
    lower = pixels[top + 1] if top + 1 < len(pixels) else None
    for col, value in enumerate(pixels[top]):
        upper_rgb = colour_at(fraction_of(value, low, high), scale)
        lower_rgb = None if lower is None else colour_at(fraction_of(lower[col], low, high), scale)
        line.append("▀", style=block_style(upper_rgb, lower_rgb))
    return line


class PixelImages(Widget):
    DEFAULT_CSS = """
    PixelImages { height: auto; width: 100%; }
    """

    def __init__(self, groups: Sequence[PictureGroup], *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.groups = [g for g in groups if any(p.pixels for p in g.pictures)]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.groups:
            return 1
        factor, bands = layout(self.groups, width)
        return sum(_band_height(band, factor) for band in bands) + len(bands) - 1

    def render(self) -> Text:
        if not self.groups:
            return Text("(no images)", style="dim")
        factor, bands = layout(self.groups, self.size.width)
        out = Text(no_wrap=True, overflow="crop")
        for number, band in enumerate(bands):
            if number:
                out.append("\n")
            self._band(out, band, factor)
        out.rstrip()
        return out

    def _band(self, out: Text, band: list[PictureGroup], factor: int) -> None:
        shrunk = [
            [(p, shrink(p.pixels, factor)) for p in group.pictures if p.pixels] for group in band
        ]  # per group: (picture, pixels at this size)
        widths = [_group_width(group, factor) for group in band]
        for group, width in zip(band, widths, strict=True):  # captions
            out.append(f"{group.caption[:width]:<{width}}  ", style="bold")
        out.append("\n")
        tallest = max(len(px) for pictures in shrunk for _, px in pictures)
        ranges = [[self._range(p) for p, _ in pictures] for pictures in shrunk]
        for top in range(0, tallest, 2):
            for pictures, spans in zip(shrunk, ranges, strict=True):
                for index, ((picture, pixels), (low, high)) in enumerate(zip(pictures, spans, strict=True)):
                    cell_width = max(len(pixels[0]), len(picture.label))
                    drawn = 0
                    if top < len(pixels):
                        out.append_text(_half_block_row(pixels, top, low, high, picture.scale))
                        drawn = len(pixels[0])
                    out.append(" " * (cell_width - drawn) + (" " if index < len(pictures) - 1 else ""))
                out.append("  ")
            out.append("\n")
        for pictures in shrunk:  # labels under each picture
            for index, (picture, pixels) in enumerate(pictures):
                cell_width = max(len(pixels[0]), len(picture.label))
                out.append(f"{picture.label:<{cell_width}}", style="dim")
                out.append(" " if index < len(pictures) - 1 else "")
            out.append("  ")
        out.append("\n")

    @staticmethod
    def _range(picture: Picture) -> tuple[float, float]:
        low, high = value_range((v for row in picture.pixels for v in row), picture.scale)
        return (low if picture.low is None else picture.low, high if picture.high is None else picture.high)
