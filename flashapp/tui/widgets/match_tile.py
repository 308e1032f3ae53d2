"""A tile of the Match game: a term or a definition, wrapped to fit, with the key that picks it.

Classes: `-selected` (the first of a pair), `-wrong` (flashes after a wrong pair), `-cleared` (paired:
the tile is gone, its place kept so the board does not move).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

# Texts longer than this are cut with an ellipsis: a tile is a few lines of about 20 cells.
TILE_TEXT_CHARS = 100


def tile_content(key: str, text: str) -> Content:
    text = " ".join(text.strip().split("\n\n")[0].split())  # the first paragraph is what fits
    if len(text) > TILE_TEXT_CHARS:
        text = text[: TILE_TEXT_CHARS - 1].rstrip() + "…"
    return Content.assemble((key, "bold $text-primary"), "  ", text)


class MatchTile(Static):
    DEFAULT_CSS = """
    MatchTile {
        width: 1fr; height: 1fr; padding: 0 1;
        border: round $panel-lighten-2; background: $surface;
    }
    MatchTile:hover { border: round $primary; }
    MatchTile.-selected { border: heavy $primary; background: $primary 25%; }
    MatchTile.-wrong { border: heavy $error; background: $error 30%; }
    MatchTile.-cleared { visibility: hidden; }
    """

    @dataclass
    class Picked(Message):
        index: int

    def __init__(self, index: int, key: str, text: str) -> None:
        super().__init__(tile_content(key, text), classes="tile", id=f"tile-{index}")
        self.index = index

    def on_click(self) -> None:
        self.post_message(self.Picked(self.index))
