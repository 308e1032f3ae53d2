"""A practice test, one question at a time (Knowt's way: no feedback until the end).

Answering moves on to the next question; PageUp and PageDown go back and forth, so an answer can be
changed before the end. When every question has an answer the review page lists them all (any can
still be changed, F2 opens it at any time); only its "Hand in" hands the test in: stored in the
collection, and the results screen takes this one's place. Esc asks whether to hand in now.
"""

from __future__ import annotations

import random
from dataclasses import replace
from time import monotonic
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, ProgressBar, Static

from flashapp.core.practice.computed import Solver
from flashapp.core.practice.generator import generate_test
from flashapp.core.practice.questions import PracticeItem, PracticeSettings, PracticeTest, markdown_lookup
from flashapp.core.practice.scoring import AnswerCheck, check_answer
from flashapp.errors import UserError
from flashapp.tui.screens.practice_confirm import PracticeConfirmScreen
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer
from flashapp.tui.widgets.question_view import QuestionView

if TYPE_CHECKING:
    from flashapp.store.collection import Collection


def clock_text(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes:02d}:{seconds:02d}"


class PracticeTestScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    PracticeTestScreen #test-status { height: 1; padding: 0 2; margin: 1 0 0 0; }
    PracticeTestScreen #position { width: 1fr; }
    PracticeTestScreen #clock { width: auto; color: $text-muted; }
    PracticeTestScreen #test-progress { padding: 0 2; height: 1; }
    PracticeTestScreen #test-progress Bar { width: 1fr; }
    """
    BINDINGS = [
        Binding("pageup", "go(-1)", "Previous", id="previous", priority=True),
        Binding("pagedown", "go(1)", "Next", id="next", priority=True),
        Binding("f2", "review", "Review", id="review"),
        Binding("escape", "end", "End test", id="end"),
    ]

    def __init__(
        self,
        collection: Collection,
        deck: str,
        settings: PracticeSettings,
        *,
        only: list[int] | None = None,
    ) -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck
        self.settings = settings
        self.only = only  # a retake: these cards only
        self.items: list[PracticeItem] = []
        self.test: PracticeTest | None = None
        self.markdown: dict[str, str] = {}
        self.responses: list[object] = []
        self.durations_ms: list[int] = []
        self.index = 0
        self.started_at = collection.clock()
        self._started = monotonic()
        self._shown_at = self._started

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="test-status"):
            yield Static(id="position")
            yield Static(id="clock")
        yield ProgressBar(show_eta=False, id="test-progress")
        yield QuestionView(id="question")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.sub_title = f"Practice test · {self.deck}" + (" · retake" if self.only else "")
        computed = "computed" in self.settings.kinds
        try:
            self.items = self.collection.practice_items(self.deck, predict=computed)
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss()
            return
        if computed and any(item.predict is not None for item in self.items):
            # The engine computes the answers: torch loads in a thread while the screen says so.
            self.query_one("#position", Static).update(
                Content.styled("Computing answers with the engine…", "dim")
            )
            self._generate_with_engine()
        else:
            await self._begin(self._generate(None))

    def _generate(self, solve: Solver | None) -> PracticeTest:
        settings = self.settings
        seed = settings.seed if settings.seed is not None else random.SystemRandom().randrange(2**31)
        count = len(self.only) if self.only else settings.count
        return generate_test(
            self.items, deck=self.deck, count=count, kinds=settings.kinds, seed=seed,
            answer_with=settings.answer_with, only=self.only, solve=solve,
        )  # fmt: skip

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine")
    def _generate_with_engine(self) -> None:
        from flashapp.store.practice import engine_truth

        try:
            test = self._generate(engine_truth)
        except Exception as error:  # noqa: BLE001 - reported on screen, the test is not started
            self.app.call_from_thread(self._engine_failed, error)
        else:
            self.app.call_from_thread(self._begin, test)

    def _engine_failed(self, error: Exception) -> None:
        self.notify(f"The engine could not compute the answers: {error}", severity="error", markup=False)
        if self.is_attached:
            self.dismiss()

    async def _begin(self, test: PracticeTest) -> None:
        if not self.is_attached:
            return  # left while the engine was computing
        self.test = test
        settings = self.settings
        if not test.questions:
            self.notify("This deck has no cards to make such questions from.", severity="warning")
            self.dismiss()
            return
        for note in test.notes:
            self.notify(note, markup=False)
        self.markdown = markdown_lookup(self.items)
        total = len(test.questions)
        self.responses = [None] * total
        self.durations_ms = [0] * total
        self.query_one(ProgressBar).update(total=total, progress=0)
        self.query_one("#clock", Static).display = settings.timer
        if settings.timer:
            self.set_interval(1.0, self._tick)
        self.started_at = self.collection.clock()
        self._started = monotonic()
        await self.go_to(0)

    # --- moving through the test -------------------------------------------------------------------

    @property
    def questions(self):
        return self.test.questions if self.test is not None else ()

    async def go_to(self, index: int) -> None:
        self._note_time()
        self.index = index
        question = self.questions[index]
        await self.query_one(QuestionView).show(question, self.markdown, self.responses[index])
        self._shown_at = monotonic()
        self._show_status()
        self.refresh_bindings()

    def _note_time(self) -> None:
        if self.questions:
            self.durations_ms[self.index] += int((monotonic() - self._shown_at) * 1000)
            self._shown_at = monotonic()

    def _show_status(self) -> None:
        total = len(self.questions)
        answered = sum(response is not None for response in self.responses)
        self.query_one("#position", Static).update(
            Content.assemble(
                ("Question ", "dim"),
                (f"{self.index + 1}", "bold"),
                (f" of {total}", "dim"),
                ("  ·  ", "dim"),
                (f"{answered} answered", ""),
            )  # fmt: skip
        )
        self.query_one(ProgressBar).update(progress=answered)
        self._tick()

    def _tick(self) -> None:
        if self.settings.timer:
            self.query_one("#clock", Static).update(Content(f"⏱ {clock_text(monotonic() - self._started)}"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            target = self.index + int(parameters[0])  # type: ignore[call-overload]
            return 0 <= target < len(self.questions)
        return True

    async def action_go(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.questions):
            await self.go_to(target)

    @on(QuestionView.Answered)
    async def _answered(self, event: QuestionView.Answered) -> None:
        self.responses[self.index] = event.response
        total = len(self.questions)
        waiting = [i for i in range(total) if self.responses[i] is None]
        if not waiting:
            self.action_review(start=0)
            return
        following = [i for i in waiting if i > self.index] or waiting
        await self.go_to(following[0])

    def action_review(self, start: int | None = None) -> None:
        """The review page (on question `start`, else the current one): go back to one, or hand in."""
        from flashapp.tui.screens.practice_review import PracticeReviewScreen

        if self.test is None:
            return

        async def chosen(choice: int | str | None) -> None:
            if choice == "hand_in":
                self.hand_in()
            elif isinstance(choice, int):
                await self.go_to(choice)

        self.app.push_screen(
            PracticeReviewScreen(self.questions, self.responses, self.index if start is None else start),
            chosen,
        )

    def action_end(self) -> None:
        if self.test is None:  # still computing: nothing to hand in
            self.dismiss()
            return
        unanswered = sum(response is None for response in self.responses)

        def chosen(choice: str | None) -> None:
            if choice == "submit":
                self.hand_in()
            elif choice == "leave":
                self.dismiss()

        self.app.push_screen(PracticeConfirmScreen(unanswered, len(self.questions)), chosen)

    # --- the end -----------------------------------------------------------------------------------

    def hand_in(self) -> None:
        """Check every answer, store the test, and show the results in this screen's place."""
        from flashapp.tui.screens.practice_results import PracticeResultsScreen

        if self.test is None:
            return
        self._note_time()
        checks: list[AnswerCheck] = [
            replace(check_answer(question, response), duration_ms=duration)
            for question, response, duration in zip(
                self.questions, self.responses, self.durations_ms, strict=True
            )
        ]
        elapsed_ms = int((monotonic() - self._started) * 1000)
        stored = self.settings.to_json() | {"seed": self.test.seed, "retake": bool(self.only)}
        session_id = None
        try:
            session_id = self.collection.record_practice(
                "test", self.deck, self.started_at, checks, stored, duration_ms=elapsed_ms
            )
        except UserError as error:
            self.notify(f"Results not saved: {error}", severity="error", markup=False)
        results = PracticeResultsScreen(
            self.collection, self.deck, self.test, checks,
            settings=self.settings, session_id=session_id, duration_ms=elapsed_ms, markdown=self.markdown,
        )  # fmt: skip
        self.app.switch_screen(results)
