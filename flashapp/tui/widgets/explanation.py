"""The engine's worked explanation as plain text: prose paragraphs wrap to the widget's width at word
boundaries without splitting a formula (`engine.text`, torch-free); indented paragraphs (formulas,
trees, tables) keep their lines.

The text is wrapped for the width Textual lays the widget out at (`get_content_height`) and draws it
at (`render`): one layout when the text or the width changes. (Wrapping on `Resize` and calling
`update` drew a frame at the old wrap, laid out twice, and could keep a height measured for the old
wrap: Textual reuses a box model while a layout it asked for is pending.)"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from engine.text import wrap_explanation


def explanation_content(text: str, width: int = 100) -> Content:
    # Engine text is plain text, never markup: Content, not a markup string.
    return Content(wrap_explanation(text, width)) if text.strip() else Content()


class Explanation(Widget):
    DEFAULT_CSS = """
    Explanation { height: auto; width: 100%; }
    """

    _text = ""
    _wrapped: tuple[int, Content] | None = None  # (width, the text wrapped to it)

    def show(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._wrapped = None
            self.refresh(layout=True)

    def _content(self, width: int) -> Content:
        if self._wrapped is None or self._wrapped[0] != width:
            self._wrapped = (width, explanation_content(self._text, width or 100))
        return self._wrapped[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._content(width).get_height(self.styles, width) if width else 0

    def render(self) -> Content:
        return self._content(self.content_region.width)
