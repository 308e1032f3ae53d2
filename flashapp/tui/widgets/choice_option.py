"""One answer to pick: its key ("1", "t") and its text, formatted as card text. Clicking picks it.

Classes: `-selected` (the answer given so far), `-right` / `-wrong` (feedback after answering).
`show` puts another answer's text in the same option (the next question's, in place).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from flashapp.tui.widgets.card_view import CardText
from flashapp.tui.widgets.in_place import update_fitted


def card_text(text: str, markdown: str | None = None, *, id: str | None = None) -> Static | CardText:
    """Card Markdown as card text, or plain text as it is (never read as markup either way)."""
    if markdown:
        return CardText(markdown, id=id)
    return Static(Content(text), id=id, classes="plain-text")


async def show_card_text(shown: Widget, text: str, markdown: str | None = None) -> Widget:
    """`card_text(text, markdown)` in the place of `shown` (one made by `card_text`): the same widget
    given the new text where it is of the same sort (Markdown, or plain text), else a new one mounted
    in its place. The widget that shows it now."""
    if markdown and isinstance(shown, CardText):
        await shown.show(markdown)
        return shown
    if not markdown and isinstance(shown, Static) and shown.has_class("plain-text"):
        update_fitted(shown, Content(text))
        return shown
    parent = shown.parent
    assert isinstance(parent, Widget)
    place = parent.children.index(shown)
    await shown.remove()  # first: the new one takes its id
    replacement = card_text(text, markdown, id=shown.id)
    if place < len(parent.children):
        await parent.mount(replacement, before=place)
    else:
        await parent.mount(replacement)
    return replacement


class ChoiceOption(Horizontal):
    DEFAULT_CSS = """
    ChoiceOption {
        height: auto; margin: 0 0 1 0; padding: 0 1;
        border: round $panel-lighten-2; background: $surface;
    }
    ChoiceOption:hover { border: round $primary; }
    ChoiceOption > .choice-key { width: 4; color: $text-primary; text-style: bold; }
    ChoiceOption > CardText, ChoiceOption > .plain-text { width: 1fr; }
    ChoiceOption.-selected { border: round $primary; background: $primary 15%; }
    ChoiceOption.-right { border: round $success; background: $success 15%; }
    ChoiceOption.-wrong { border: round $error; background: $error 15%; }
    """

    @dataclass
    class Chosen(Message):
        index: int

    def __init__(self, index: int, key: str, text: str, markdown: str | None = None) -> None:
        super().__init__(classes="choice")
        self.index = index
        self.key = key
        self.text = text  # plain text, shown as is when there is no card Markdown for it
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        yield Static(Content(self.key), classes="choice-key")
        yield card_text(self.text, self.markdown)

    async def show(self, text: str, markdown: str | None = None) -> None:
        """This option with another answer's text, unmarked (no longer selected, right or wrong)."""
        self.text, self.markdown = text, markdown
        self.remove_class("-selected", "-right", "-wrong")
        await show_card_text(self.children[1], text, markdown)

    def on_click(self) -> None:
        self.post_message(self.Chosen(self.index))
