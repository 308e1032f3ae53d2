"""The engine's worked explanation as plain text: prose paragraphs wrap to the widget's width at word
boundaries without splitting a formula (`engine.text`, torch-free); indented paragraphs (formulas,
trees, tables) keep their lines."""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widgets import Static

from engine.text import wrap_explanation


def explanation_content(text: str, width: int = 100) -> Content:
    # Engine text is plain text, never markup: Content, not a markup string.
    return Content(wrap_explanation(text, width)) if text.strip() else Content()


class Explanation(Static):
    DEFAULT_CSS = """
    Explanation { height: auto; width: 100%; }
    """

    _text = ""

    def show(self, text: str) -> None:
        self._text = text
        self._refill()

    def on_resize(self, event: events.Resize) -> None:
        self._refill()

    def _refill(self) -> None:
        width = self.content_region.width or self.size.width or 100
        self.update(explanation_content(self._text, width))
