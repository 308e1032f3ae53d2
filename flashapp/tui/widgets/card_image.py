"""An image on a card, drawn by textual-image: a graphics protocol (Kitty, Sixel) where the terminal
speaks one, else half-block cells; a one-line "[image: name]" when the file is missing or unreadable.

textual-image asks the terminal about graphics when it is first imported, which only works before
Textual takes the terminal over, and costs numpy's import plus the terminal's reply (~0.2 s). So the
app imports it before starting only on terminals known to draw images (`prepare_graphics`); anywhere
else it is imported on the first image, without asking, and draws half-blocks.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from flashapp.core.text import strip_control

_GRAPHICS_TERM_PROGRAMS = {"WezTerm", "iTerm.app", "ghostty", "mlterm", "contour", "rio"}
_GRAPHICS_ENV = ("KITTY_WINDOW_ID", "WEZTERM_PANE", "KONSOLE_VERSION", "GHOSTTY_RESOURCES_DIR")


def terminal_has_graphics(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the terminal is one known to speak the Kitty or Sixel graphics protocol."""
    if "TMUX" in environ or environ.get("TERM", "").startswith("screen"):
        return False  # multiplexers do not pass graphics through by default
    return (
        "kitty" in environ.get("TERM", "")
        or environ.get("TERM_PROGRAM", "") in _GRAPHICS_TERM_PROGRAMS
        or any(name in environ for name in _GRAPHICS_ENV)
    )


def prepare_graphics(environ: Mapping[str, str] = os.environ) -> None:
    """Call before the app starts: lets textual-image detect the terminal's graphics protocol."""
    if terminal_has_graphics(environ) and sys.__stdout__ is not None and sys.__stdout__.isatty():
        import textual_image.widget  # noqa: F401  (the import is the detection)


def image_widget_class() -> type[Widget]:
    """textual-image's widget for this terminal: its protocol one if detected, else half-blocks."""
    if "textual_image.widget" not in sys.modules:
        stdout = sys.__stdout__
        sys.__stdout__ = io.StringIO()  # not a tty: textual-image skips its terminal queries
        try:
            import textual_image.widget  # noqa: F401
        finally:
            sys.__stdout__ = stdout
    from textual_image import renderable
    from textual_image.widget import HalfcellImage, Image

    if renderable.Image in (renderable.TGPImage, renderable.SixelImage):
        return Image
    return HalfcellImage


class CardImage(Vertical):
    DEFAULT_CSS = """
    CardImage { height: auto; margin: 0 0 1 0; }
    CardImage > .image { width: auto; height: 14; max-width: 100%; }
    CardImage > .missing { color: $text-muted; }
    """

    def __init__(self, name: str, path: Path | None, *, alt: str = "") -> None:
        super().__init__()
        self.image_name = name
        self.path = path
        self.alt = alt

    def compose(self) -> ComposeResult:
        if self.path is not None:
            try:
                image = image_widget_class()(self.path, classes="image")
            except Exception:  # noqa: BLE001 - any file PIL cannot read gets the placeholder
                image = None
            if image is not None:
                size = _cells(self.path)
                if size is not None:  # a small image (a formula) stays small; a big one fits the pane
                    image.styles.width, image.styles.height = size
                yield image
                return
        if self.image_name.startswith("latex-") and self.alt:
            # Anki's LaTeX image, not in this collection: its source as math (plain text, not markup).
            yield Static(Content(strip_control(unquote(self.alt))), classes="math")
            return
        # The name comes from card text: a Content object, never markup.
        yield Static(Content.assemble("[image: ", self.image_name, "]"), classes="missing")


# About how many pixels one terminal cell covers, and the tallest an image is drawn, in rows.
CELL_PIXELS = (8, 16)
MAX_ROWS = 14


def _cells(path: Path) -> tuple[int, int] | None:
    """(columns, rows) for an image at about its own size, at most MAX_ROWS tall (keeping its shape);
    None when the file cannot be read (the widget then keeps its default size)."""
    try:
        from PIL import Image as PILImage

        with PILImage.open(path) as picture:
            width, height = picture.size
    except Exception:  # noqa: BLE001 - any file PIL cannot read keeps the default size
        return None
    if width <= 0 or height <= 0:
        return None
    rows = max(1, min(MAX_ROWS, round(height / CELL_PIXELS[1])))
    columns = max(1, round(width / CELL_PIXELS[0] * rows / max(height / CELL_PIXELS[1], 1e-9)))
    return columns, rows
