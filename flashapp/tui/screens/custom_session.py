"""A custom study session over a list of cards (see `store/custom_study.py`): show, flip, answer 1-4.

It reschedules as ordinary study does (study ahead, forgotten, search, extra new), or not at all
(cram: the answers are only for you). A card answered Again comes back later in the session. The
cards never leave their decks, so ending the session, or leaving it half-way, leaves them there.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Static

from flashapp.core.scheduling import Rating
from flashapp.core.text import strip_control
from flashapp.errors import UserError
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.card_view import CardText
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection
    from flashapp.tui.screens.custom_study import CustomStudy


class CustomSessionScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    CustomSessionScreen #custom-status { height: 1; padding: 0 2; margin: 1 0 0 0; }
    CustomSessionScreen #custom-card { height: 1fr; margin: 0 2 1 2; padding: 1 2; border: round $primary; }
    CustomSessionScreen #custom-card.-back { border: round $success; }
    CustomSessionScreen #custom-end { height: auto; padding: 1 2; display: none; }
    """
    BINDINGS = [
        Binding("space,enter", "flip", "Show answer", id="flip"),
        Binding("1", "rate(1)", "Again", id="again"),
        Binding("2", "rate(2)", "Hard", id="hard"),
        Binding("3", "rate(3)", "Good", id="good"),
        Binding("4", "rate(4)", "Easy", id="easy"),
        Binding("escape", "leave", "Leave", id="leave"),
    ]
    flipped = reactive(False, bindings=True)

    def __init__(self, collection: Collection, choice: CustomStudy, card_ids: list[int]) -> None:
        super().__init__()
        self.collection = collection
        self.choice = choice
        self.queue: deque[int] = deque(card_ids)
        self.total = len(card_ids)
        self.answered = 0
        self.again = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="custom-status")
        with VerticalScroll(id="custom-card"):
            yield CardText(id="custom-question")
            yield CardText(id="custom-answer")
        yield Static(id="custom-end")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        kind = "cram, no rescheduling" if not self.choice.reschedules else f"custom study: {self.choice.mode}"
        self.sub_title = f"{strip_control(self.choice.deck)} · {kind}"
        await self._show()

    async def _show(self) -> None:
        done = not self.queue
        self.query_one("#custom-card").display = not done
        end = self.query_one("#custom-end", Static)
        end.display = done
        left = len(self.queue)
        self.query_one("#custom-status", Static).update(
            Content.assemble(
                (f"{left} left", "bold"),
                ("  ·  ", "dim"),
                f"{self.answered} answered",
                ("  ·  ", "dim"),
                f"again {self.again}",
                ("" if self.choice.reschedules else "  ·  cram: nothing rescheduled", "dim"),
            )  # fmt: skip
        )
        if done:
            end.update(
                Content(
                    f"Session over: {self.answered} answers, {self.again} again. "
                    "Every card is where it was, in its own deck. Esc goes back."
                )
            )
            return
        card_id = self.queue[0]
        try:
            rendered = self.collection.study_card(card_id).rendered
        except UserError as error:
            question, answer = str(error), ""
        else:
            question = rendered.question
            answer = rendered.answer + (f"\n\n{rendered.extra}" if rendered.extra else "")
        find = lambda name, card=card_id: self.collection.media_path(card, name)  # noqa: E731
        await self.query_one("#custom-question", CardText).show(question, find)
        await self.query_one("#custom-answer", CardText).show(answer if self.flipped else "", find)
        self.query_one("#custom-card").set_class(self.flipped, "-back")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":
            return self.flipped and bool(self.queue)
        if action == "flip":
            return not self.flipped and bool(self.queue)
        return True

    async def action_flip(self) -> None:
        self.flipped = True
        await self._show()

    async def action_rate(self, rating: int) -> None:
        if not self.flipped or not self.queue:
            return
        card_id = self.queue.popleft()
        if self.choice.reschedules:
            try:
                self.collection.answer(card_id, Rating(rating))
            except UserError as error:
                self.notify(str(error), severity="error", markup=False)
        self.answered += 1
        if rating == Rating.AGAIN:
            self.again += 1
            self.queue.append(card_id)  # once more before the session ends
        self.flipped = False
        await self._show()

    def action_leave(self) -> None:
        self.dismiss()  # answers are saved as given: nothing is lost
