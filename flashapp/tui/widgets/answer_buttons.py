"""The bar under a card: "Show answer" before the reveal, then Again / Hard / Good / Easy, each showing
the interval it would give ("Good 10m")."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button

from flashapp.core.scheduling import Rating

VARIANTS = {Rating.AGAIN: "error", Rating.HARD: "warning", Rating.GOOD: "success", Rating.EASY: "primary"}


class AnswerButtons(Horizontal):
    DEFAULT_CSS = """
    AnswerButtons { height: 3; width: 100%; align-horizontal: center; }
    AnswerButtons Button { width: 1fr; max-width: 24; min-width: 12; margin: 0 1; }
    AnswerButtons #show { max-width: 40; }
    AnswerButtons .rating { display: none; }
    """

    revealed: reactive[bool] = reactive(False, repaint=False)  # the buttons repaint themselves

    @dataclass
    class Rated(Message):
        rating: Rating

    class ShowAnswer(Message):
        pass

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._labels: dict[Rating, str] = {}
        self._type_in = False

    def compose(self) -> ComposeResult:
        yield Button(Content.assemble("Show answer ", ("space", "dim")), id="show", compact=False)
        for rating in Rating:
            yield Button(
                rating.name.title(), id=f"rate-{rating.value}", classes="rating", variant=VARIANTS[rating]
            )
        for button in self.query(Button):
            button.can_focus = False  # keys drive the session; the buttons are for the mouse

    def watch_revealed(self, revealed: bool) -> None:
        # Each button shown or hidden in place: a class on the bar would restyle all five per card.
        for button in self.query(Button):
            button.display = revealed if button.has_class("rating") else not revealed

    def set_show_label(self, *, type_in: bool) -> None:
        if type_in == self._type_in:  # a button's label set again repaints it
            return
        self._type_in = type_in
        text, key = ("Check answer ", "enter") if type_in else ("Show answer ", "space")
        self.query_one("#show", Button).label = Content.assemble(text, (key, "dim"))

    def show_intervals(self, labels: dict[Rating, str]) -> None:
        for rating in Rating:
            if self._labels.get(rating) == labels.get(rating, ""):
                continue
            self._labels[rating] = labels.get(rating, "")
            label = Content.assemble((rating.name.title(), "bold"), "  ", labels.get(rating, ""))
            self.query_one(f"#rate-{rating.value}", Button).label = label

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "show":
            self.post_message(self.ShowAnswer())
        else:
            self.post_message(self.Rated(Rating(int((event.button.id or "").removeprefix("rate-")))))
