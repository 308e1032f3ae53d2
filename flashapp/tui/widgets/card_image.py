"""An image on a card, drawn by textual-image: a graphics protocol (Kitty, Sixel) where the terminal
speaks one, else half-block cells; a one-line "[image: name]" when the file is missing or unreadable.
Sized to the pane: at most its own size (so a formula stays small), as wide as the pane allows and at
most `max_rows` tall (by default what the screen leaves for it), keeping its shape. Image Occlusion
masks are drawn onto it first (`flashapp.anki.occlusion`).

textual-image asks the terminal about graphics when it is first imported, which only works before
Textual takes the terminal over, and costs numpy's import plus the terminal's reply (~0.2 s). So the
app imports it before starting only on terminals known to draw images (`prepare_graphics`); anywhere
else it is imported on the first image, without asking, and draws half-blocks.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from flashapp.core.control import strip_control

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

    from flashapp.anki.occlusion import Mask

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
    CardImage > .image { width: auto; height: 14; }
    CardImage > .missing { color: $text-muted; }
    """

    def __init__(
        self,
        name: str,
        path: Path | None,
        *,
        alt: str = "",
        mask: Mask | None = None,
        find_file: Callable[[str], Path | None] | None = None,
        max_rows: int | None = None,
        max_columns: int | None = None,
        enlarge: bool = False,
    ) -> None:
        """`max_rows`/`max_columns`: the most it may cover (default: the pane's width and what the screen
        leaves); `enlarge`: grow a small image to that size too (the full-screen viewer)."""
        super().__init__()
        self.image_name = name
        self.path = path
        self.alt = alt
        self.mask = mask
        self.find_file = find_file
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.enlarge = enlarge
        self.natural: tuple[int, int] | None = None  # (columns, rows) at the image's own size

    def compose(self) -> ComposeResult:
        source: Path | Picture | None = None
        size = None
        if self.path is not None and self.mask is not None:
            source = load_picture(self.path, self.mask, self.find_file)
            size = source.size if source is not None else None
        elif self.path is not None:
            # No mask: textual-image reads the file itself; only its header is read here.
            source, size = self.path, picture_size(self.path)
        if source is not None and size is not None:
            try:
                image = image_widget_class()(source, classes="image")
            except Exception:  # noqa: BLE001 - any picture textual-image cannot take gets the placeholder
                image = None
            if image is not None:
                self.natural = natural_cells(size)
                image.styles.width, image.styles.height = fit_cells(
                    self.natural, self.max_columns or 100, self.max_rows or MAX_ROWS, enlarge=self.enlarge
                )
                yield image
                return
        if self.image_name.startswith("latex-") and self.alt:
            # Anki's LaTeX image, not in this collection: its source as math (plain text, not markup).
            yield Static(Content(strip_control(unquote(self.alt))), classes="math")
            return
        # The name comes from card text: a Content object, never markup.
        yield Static(Content.assemble("[image: ", strip_control(self.image_name), "]"), classes="missing")

    def on_resize(self) -> None:
        columns = self.max_columns if self.max_columns is not None else self.size.width
        if self.natural is None or columns <= 0:
            return
        max_rows = self.max_rows if self.max_rows is not None else max(MAX_ROWS, self.app.size.height - 12)
        columns, rows = fit_cells(self.natural, columns, max_rows, enlarge=self.enlarge)
        for image in self.query_children(".image"):
            if (image.styles.width, image.styles.height) != (columns, rows):
                image.styles.width, image.styles.height = columns, rows


# About how many pixels one terminal cell covers, and the tallest an image is drawn before the
# pane's size is known, in rows.
CELL_PIXELS = (8, 16)
MAX_ROWS = 14


def picture_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels from the file's header; None when PIL cannot read it."""
    try:
        from PIL import Image as PILImage

        with PILImage.open(path) as opened:
            width, height = opened.size
    except Exception:  # noqa: BLE001 - any file PIL cannot read gets the placeholder
        return None
    return (width, height) if width > 0 and height > 0 else None


def load_picture(
    path: Path, mask: Mask | None = None, find_file: Callable[[str], Path | None] | None = None
) -> Picture | None:
    """The image at `path` with its masks drawn on it; None when PIL cannot read it."""
    try:
        from PIL import Image as PILImage

        with PILImage.open(path) as opened:
            opened.load()
            if mask is None:
                picture = opened
            else:
                from flashapp.anki.occlusion import draw_mask  # only for a card that has masks

                picture = draw_mask(opened, mask, find_file)
            if picture is opened:
                picture = opened.copy()
    except Exception:  # noqa: BLE001 - any file PIL cannot read gets the placeholder
        return None
    if picture.width <= 0 or picture.height <= 0:
        return None
    return picture


def natural_cells(size: tuple[int, int]) -> tuple[int, int]:
    """(columns, rows) an image of `size` pixels covers at its own size."""
    width, height = size
    return max(1, round(width / CELL_PIXELS[0])), max(1, round(height / CELL_PIXELS[1]))


def fit_cells(
    natural: tuple[int, int], max_columns: int, max_rows: int, *, enlarge: bool = False
) -> tuple[int, int]:
    """The natural size scaled to fit `max_columns` x `max_rows`, keeping the shape: scaled down only,
    unless `enlarge`."""
    columns, rows = natural
    scale = min(max(max_columns, 1) / columns, max(max_rows, 1) / rows)
    if not enlarge:
        scale = min(scale, 1.0)
    return max(1, round(columns * scale)), max(1, round(rows * scale))
