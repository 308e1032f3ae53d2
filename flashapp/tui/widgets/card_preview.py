"""The browser's preview of the highlighted card: its question and answer as the study screen shows them
(Markdown, math, images with their masks; hints open), and that card's images full-screen and sounds
played on request (also when the preview is hidden on a narrow terminal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from flashapp.errors import UserError
from flashapp.tui.audio_player import Playback, play_card_sounds, sound_names
from flashapp.tui.screens.image_viewer import ImageViewerScreen
from flashapp.tui.widgets.card_view import CardText, ImageRef, image_refs

if TYPE_CHECKING:
    from flashapp.store.collection import Collection


class CardPreview(VerticalScroll):
    DEFAULT_CSS = """
    CardPreview #preview-question { text-style: bold; }
    """

    def __init__(self, collection: Collection, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.collection = collection
        self.card_id: int | None = None
        self.playback = Playback()
        self._wanted: tuple | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        yield CardText(id="preview-question", hints_open=True)
        yield Static(Content.styled("─" * 20, "dim"))
        yield CardText(id="preview-answer", hints_open=True)

    def card_markdown(self, card_id: int, fallback: tuple[str, str] = ("", "")) -> tuple[str, str]:
        """(question, answer) Markdown of a card as studied; `fallback` when it cannot be rendered."""
        try:
            rendered = self.collection.study_card(card_id).rendered
        except UserError:
            return fallback
        return rendered.question, rendered.answer + (f"\n\n{rendered.extra}" if rendered.extra else "")

    def _find(self, card_id: int):
        return lambda name: self.collection.media_path(card_id, name)

    def show_card(self, card_id: int | None, fallback: tuple[str, str] = ("", "")) -> None:
        """Show the card (None: nothing). Re-mounting card text takes a moment: one update at a time,
        the newest wanted one next (a cancelled half-done mount would leave the preview stuck)."""
        question, answer = self.card_markdown(card_id, fallback) if card_id is not None else ("", "")
        find = self._find(card_id) if card_id is not None else None
        wanted_before = self._wanted
        self._wanted = (question, answer, find)
        if wanted_before is None and not self._busy:
            self.call_later(self._show_wanted)

    async def _show_wanted(self) -> None:
        self._busy = True
        try:
            while self._wanted is not None and self.is_attached:
                question, answer, find = self._wanted
                self._wanted = None
                await self.query_one("#preview-question", CardText).show(question, find)
                await self.query_one("#preview-answer", CardText).show(answer, find)
        finally:
            self._busy = False

    def view_images(self, card_id: int) -> str | None:
        """Open the card's images full-screen; the message to show when it has none."""
        question, answer = self.card_markdown(card_id)
        images: dict[str, ImageRef] = {}
        for image in image_refs(answer) + image_refs(question):  # a revealed occlusion before its mask
            images.setdefault(image.name, image)
        if not images:
            return "This card has no image"
        self.app.push_screen(ImageViewerScreen(list(images.values()), self._find(card_id)))
        return None

    def play_audio(self, card_id: int) -> str:
        """Play the card's sounds (the question's, else the answer's); the message to show."""
        question, answer = self.card_markdown(card_id)
        text = question if sound_names(question) else answer
        if not sound_names(text):
            return "This card has no sound"
        return play_card_sounds(text, self._find(card_id), self.playback)
