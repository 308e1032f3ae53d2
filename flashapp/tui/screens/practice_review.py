"""The page before a test is handed in: every question with the answer given, nothing graded yet.

Enter on a question goes back to it (its answer can still change); `h` hands the test in; Escape (or
`q`) returns to the question the user was on. Dismissed with a question index, "hand_in", or None.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ListItem, ListView, Static

from flashapp.core.practice.questions import KIND_TITLES, Question
from flashapp.core.text import strip_control
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

PROMPT_CHARS = 60


def given_text(question: Question, response: object) -> str:
    """The answer given, as the user would name it (not graded)."""
    if response is None:
        return "(no answer)"
    if question.kind == "multiple_choice":
        index = int(response)  # type: ignore[call-overload]
        return f"{index + 1}. {question.options[index]}" if 0 <= index < len(question.options) else "?"
    if question.kind == "true_false":
        return "True" if response else "False"
    if question.kind == "matching" and isinstance(response, dict):
        return f"{len(response)} of {len(question.pairs)} pairs matched"
    return str(response)


def _clip(text: str, width: int = PROMPT_CHARS) -> str:
    text = " ".join(strip_control(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


class PracticeReviewScreen(StyledOnMount, ModalScreen[int | str | None]):
    DEFAULT_CSS = """
    PracticeReviewScreen { align: center middle; }
    PracticeReviewScreen #review-box {
        width: 100%; max-width: 96; height: 90%; padding: 0 1;
        border: round $primary; background: $surface;
    }
    PracticeReviewScreen #review-intro { height: auto; margin: 0 0 1 0; color: $text-muted; }
    PracticeReviewScreen #review-list { height: 1fr; }
    PracticeReviewScreen #review-list > ListItem { height: auto; padding: 0 1; }
    PracticeReviewScreen .-unanswered Label { color: $text-warning; }
    PracticeReviewScreen #hand-in { margin: 1 0 0 0; width: 100%; }
    """
    BINDINGS = [
        Binding("h", "hand_in", "Hand in", id="hand-in"),
        Binding("escape", "back", "Back to the test", id="back"),
    ]

    def __init__(self, questions: Sequence[Question], responses: Sequence[object], current: int = 0) -> None:
        super().__init__()
        self.questions = tuple(questions)
        self.responses = tuple(responses)
        self.current = current

    def compose(self) -> ComposeResult:
        unanswered = sum(response is None for response in self.responses)
        with Vertical(id="review-box") as box:
            box.border_title = "Review your answers"
            intro = "Enter: change an answer · h: hand in · Esc: back to the test."
            if unanswered:
                intro = f"{unanswered} unanswered (they count as missed). " + intro
            yield Static(Content(intro), id="review-intro")
            items = []
            for question, response in zip(self.questions, self.responses, strict=True):
                title = Content.assemble(
                    (f"{question.number}. ", "bold"),
                    (KIND_TITLES[question.kind], "dim"),
                    "  ",
                    _clip(question.prompt),
                )
                given = Content.assemble(
                    ("   Your answer: ", "dim"), _clip(given_text(question, response), 80)
                )
                items.append(
                    ListItem(Label(title), Label(given), classes="-unanswered" if response is None else "")
                )
            yield ListView(*items, id="review-list", initial_index=self.current)
            yield Button("Hand in", variant="primary", id="hand-in")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ListView).focus()

    @on(ListView.Selected)
    def _selected(self, event: ListView.Selected) -> None:
        event.stop()
        self.dismiss(event.index)

    @on(Button.Pressed, "#hand-in")
    def _hand_in_pressed(self) -> None:
        self.action_hand_in()

    def action_hand_in(self) -> None:
        self.dismiss("hand_in")

    def action_back(self) -> None:
        self.dismiss(None)
