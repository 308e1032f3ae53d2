"""Set up a practice test: how many questions, which kinds, which side to answer with, a timer.

Returns the chosen `PracticeSettings` through `dismiss`, or None when cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from flashapp.core.practice.generator import askable_cards
from flashapp.core.practice.questions import (
    ALL_QUESTION_KINDS,
    ANSWER_WITH,
    KIND_TITLES,
    QUESTION_KINDS,
    PracticeItem,
    PracticeSettings,
)
from flashapp.errors import UserError
from flashapp.tui.practice_messages import PracticeStart
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

ANSWER_WITH_TITLES = {"answer": "Answer", "question": "Question", "both": "Both"}


class PracticeSetupScreen(StyledOnMount, ModalScreen[PracticeSettings | None]):
    DEFAULT_CSS = """
    PracticeSetupScreen { align: center middle; }
    PracticeSetupScreen #setup {
        width: 100%; max-width: 76; height: auto; padding: 0 2;
        border: round $primary; background: $surface;
    }
    PracticeSetupScreen .row { height: auto; margin: 1 0 0 0; }
    PracticeSetupScreen .label { width: 14; color: $text-muted; }
    PracticeSetupScreen #count { width: 8; background: $panel; }
    PracticeSetupScreen #available { padding: 0 0 0 1; color: $text-muted; width: auto; }
    PracticeSetupScreen #kinds { height: auto; width: 1fr; }
    PracticeSetupScreen #kinds Checkbox { width: 1fr; }
    PracticeSetupScreen #answer-with { width: 1fr; }
    PracticeSetupScreen #timer { width: 1fr; }
    PracticeSetupScreen #error { color: $text-error; height: auto; margin: 1 0 0 0; display: none; }
    PracticeSetupScreen #buttons { height: auto; margin: 1 0; align-horizontal: right; }
    PracticeSetupScreen #buttons Button { margin: 0 0 0 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self,
        deck: str,
        settings: PracticeSettings | None = None,
        *,
        available: int | None = None,
        predict_cards: int = 0,
        items: Sequence[PracticeItem] | None = None,
    ):
        super().__init__()
        self.deck = deck
        self.settings = settings or PracticeSettings()
        self.available = available  # cards in the deck, shown beside the count
        # With the deck's items, the count beside the number says how many cards the chosen types can
        # ask about, and follows the choice.
        self.items = items
        # Computed questions need predict cards: the box shows only for a deck that has some.
        self.kinds = (
            ALL_QUESTION_KINDS if predict_cards or "computed" in self.settings.kinds else QUESTION_KINDS
        )

    def compose(self) -> ComposeResult:
        settings = self.settings
        with Vertical(id="setup") as box:
            box.border_title = f"Practice test · {self.deck}"
            with Horizontal(classes="row"):
                yield Label(Content("Questions"), classes="label")
                yield Input(str(settings.count), type="integer", id="count", max_length=4, compact=True)
                if self.available is not None or self.items is not None:
                    yield Static(
                        Content(self._available_text(settings.kinds, settings.answer_with)), id="available"
                    )
            with Horizontal(classes="row"):
                yield Label(Content("Types"), classes="label")
                with Vertical(id="kinds"):
                    for kind in self.kinds:
                        yield Checkbox(
                            KIND_TITLES[kind] + (" from predict cards" if kind == "computed" else ""),
                            kind in settings.kinds,
                            id=f"kind-{kind}",
                            compact=True,
                        )
            with Horizontal(classes="row"):
                yield Label(Content("Answer with"), classes="label")
                with RadioSet(id="answer-with", compact=True):
                    for side in ANSWER_WITH:
                        yield RadioButton(
                            ANSWER_WITH_TITLES[side], side == settings.answer_with, id=f"with-{side}"
                        )
            with Horizontal(classes="row"):
                yield Label(Content("Timer"), classes="label")
                yield Checkbox("Show the time taken", settings.timer, id="timer", compact=True)
            yield Static(id="error")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Start test", variant="primary", id="start")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#count", Input).focus()

    def _available_text(self, kinds: Sequence[str], answer_with: str) -> str:
        if self.items is None:
            return f"of {self.available} cards"
        if not kinds:
            return "pick a type of question"
        fit = askable_cards(self.items, kinds, answer_with)  # type: ignore[arg-type]
        return f"of {fit} cards these types can ask"

    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    def _choice_changed(self) -> None:
        if self.items is None or not self.is_mounted:
            return
        kinds = [kind for kind in self.kinds if self.query_one(f"#kind-{kind}", Checkbox).value]
        pressed = self.query_one(RadioSet).pressed_button
        answer_with = (pressed.id or "with-answer").removeprefix("with-") if pressed else "answer"
        self.query_one("#available", Static).update(Content(self._available_text(kinds, answer_with)))

    def chosen(self) -> PracticeSettings:
        """The settings on screen; ValueError with a message for the user when they do not make a test."""
        text = self.query_one("#count", Input).value.strip()
        if not text.lstrip("-").isdigit() or int(text) < 1:
            raise ValueError("The number of questions must be 1 or more.")
        kinds = tuple(kind for kind in self.kinds if self.query_one(f"#kind-{kind}", Checkbox).value)
        if not kinds:
            raise ValueError("Pick at least one type of question.")
        pressed = self.query_one(RadioSet).pressed_button
        answer_with = (pressed.id or "with-answer").removeprefix("with-") if pressed else "answer"
        timer = self.query_one("#timer", Checkbox).value
        return replace(self.settings, count=int(text), kinds=kinds, answer_with=answer_with, timer=timer)

    def _start(self) -> None:
        try:
            settings = self.chosen()
        except ValueError as error:
            message = self.query_one("#error", Static)
            message.update(Content(str(error)))
            message.display = True
            return
        self.dismiss(settings)

    @on(Input.Submitted, "#count")
    def _count_submitted(self) -> None:
        self._start()

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self._start()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_practice(app: App, collection: Collection, start: PracticeStart) -> None:
    """Open `start`'s mode: a test through this dialog (then the test screen), Learn, or Match."""
    if start.mode == "learn":
        from flashapp.tui.screens.learn import LearnScreen

        app.push_screen(LearnScreen(collection, start.deck))
    elif start.mode == "match":
        from flashapp.tui.screens.match import MatchScreen

        app.push_screen(MatchScreen(collection, start.deck))
    else:
        from flashapp.tui.screens.practice_test import PracticeTestScreen

        try:
            items = collection.practice_items(start.deck, predict=True)
        except UserError as error:
            app.notify(str(error), severity="error", markup=False)
            return

        def begin(settings: PracticeSettings | None) -> None:
            if settings is not None:
                app.push_screen(PracticeTestScreen(collection, start.deck, settings))

        predict_cards = sum(item.predict is not None for item in items)
        setup = PracticeSetupScreen(start.deck, start.settings, predict_cards=predict_cards, items=items)
        app.push_screen(setup, begin)
