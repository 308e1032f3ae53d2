"""The engine's worked explanation as plain text: prose paragraphs flow to the width, indented ones
(formulas, trees, tables) keep their lines."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def explanation_content(text: str) -> Content:
    paragraphs = []
    for paragraph in text.strip().split("\n\n"):
        if paragraph.startswith("  "):  # pre-formatted, as `DemoResult.summary` treats it
            paragraphs.append(Content(paragraph))
        else:
            paragraphs.append(Content(" ".join(paragraph.split())))
    # Engine text is plain text, never markup: Content, not a markup string.
    return Content("\n\n").join(paragraphs)


class Explanation(Static):
    DEFAULT_CSS = """
    Explanation { height: auto; width: 100%; }
    """

    def show(self, text: str) -> None:
        self.update(explanation_content(text))
