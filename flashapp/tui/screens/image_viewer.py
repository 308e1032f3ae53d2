"""A card's images full-screen, one at a time, as large as the terminal allows (keeping their shape,
masks drawn as on the card): ← and → go through them, Esc closes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from flashapp.core.text import strip_control
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.card_image import CardImage
from flashapp.tui.widgets.card_view import ImageRef
from flashapp.tui.widgets.footer import Footer

VIEW_IMAGE_KEY = "v"


class ImageViewerScreen(StyledOnMount, ModalScreen[None]):
    DEFAULT_CSS = """
    ImageViewerScreen { background: $background; }
    ImageViewerScreen #image-title { dock: top; height: 1; padding: 0 1; color: $text-muted; }
    ImageViewerScreen #image-area { height: 1fr; width: 1fr; }
    ImageViewerScreen CardImage { width: auto; margin: 0; }
    """
    BINDINGS = [
        Binding("escape,q," + VIEW_IMAGE_KEY, "close", "Close", id="close"),
        Binding("right,n", "step(1)", "Next image", id="next-image"),
        Binding("left,p", "step(-1)", "Previous image", id="previous-image"),
    ]

    def __init__(self, images: list[ImageRef], find_image: Callable[[str], Path | None]) -> None:
        super().__init__()
        self.images = images
        self.find_image = find_image
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Static(id="image-title")
        with Middle(id="image-area"), Center():
            yield self._image_widget()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_title()

    def _image_widget(self) -> CardImage:
        ref = self.images[self.index]
        path = self.find_image(ref.name)
        # Bigger than the pane's default: all the rows the screen has, less the title and the footer.
        rows, columns = max(self.app.size.height - 3, 3), max(self.app.size.width - 2, 3)
        return CardImage(
            ref.name,
            path,
            alt=ref.alt,
            mask=ref.mask,
            find_file=self.find_image,
            max_rows=rows,
            max_columns=columns,
            enlarge=True,
        )

    def _show_title(self) -> None:
        name = strip_control(self.images[self.index].name)
        count = f"{self.index + 1}/{len(self.images)}  " if len(self.images) > 1 else ""
        self.query_one("#image-title", Static).update(Content.assemble(count, name, "  ·  Esc closes"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            return len(self.images) > 1
        return True

    async def action_step(self, step: int) -> None:
        if len(self.images) < 2:
            return
        self.index = (self.index + step) % len(self.images)
        holder = self.query_one(Center)
        await holder.remove_children()
        await holder.mount(self._image_widget())
        self._show_title()

    def action_close(self) -> None:
        self.dismiss(None)
