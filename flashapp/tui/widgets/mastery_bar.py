"""Cards by mastery level as one bar and a legend: not studied, learning, familiar, mastered."""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content
from textual.widgets import Static

from flashapp.core.practice.levels import LEVEL_TITLES

LEVEL_STYLES = {
    "not_studied": "$panel-lighten-2",
    "learning": "$text-warning",
    "familiar": "$text-primary",
    "mastered": "$text-success",
}


def bar_widths(counts: Mapping[str, int], width: int) -> dict[str, int]:
    """Cells per level, adding up to `width` (largest remainders), at least one for a level with cards."""
    total = sum(counts.values())
    if total == 0 or width <= 0:
        return dict.fromkeys(LEVEL_STYLES, 0)
    exact = {level: counts.get(level, 0) * width / total for level in LEVEL_STYLES}
    cells = {level: int(value) for level, value in exact.items()}
    for level in sorted(exact, key=lambda level: exact[level] - cells[level], reverse=True):
        if sum(cells.values()) >= width:
            break
        cells[level] += 1
    for level in LEVEL_STYLES:  # a level with a card never disappears from the bar
        if counts.get(level, 0) and not cells[level]:
            widest = max(cells, key=lambda name: cells[name])
            cells[widest] -= 1
            cells[level] = 1
    return cells


def mastery_content(counts: Mapping[str, int], width: int = 40, *, legend: bool = True) -> Content:
    cells = bar_widths(counts, width)
    bar = Content.assemble(*((("█" * cells[level]), LEVEL_STYLES[level]) for level in LEVEL_STYLES))
    if not legend:
        return bar
    parts = [
        Content.assemble(
            ("■ ", LEVEL_STYLES[level]), f"{LEVEL_TITLES[level]} ", (str(counts.get(level, 0)), "bold")
        )
        for level in LEVEL_STYLES
    ]
    return Content.assemble(bar, "  ", Content("  ").join(parts))


class MasteryBar(Static):
    DEFAULT_CSS = """
    MasteryBar { height: auto; }
    """

    def __init__(self, *, width: int = 30, id: str | None = None) -> None:
        super().__init__(id=id)
        self.bar_width = width

    def show(self, counts: Mapping[str, int]) -> None:
        self.update(mastery_content(counts, self.bar_width))
