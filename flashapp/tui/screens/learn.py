"""Learn mode: rounds of about 7 cards, multiple choice first, then written answers, until every card
of the deck is mastered (two right written answers in a row). Feedback comes after each answer; a
missed card comes back later in the round. Each round is stored as it ends, and Learn picks up where
the stored answers left it.
"""

from __future__ import annotations

import random
from time import monotonic
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from flashapp.core.practice.learn import LearnSession
from flashapp.core.practice.questions import PracticeItem, markdown_lookup
from flashapp.core.practice.scoring import AnswerCheck
from flashapp.errors import UserError
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.choice_option import card_text
from flashapp.tui.widgets.footer import Footer
from flashapp.tui.widgets.mastery_bar import MasteryBar
from flashapp.tui.widgets.question_view import QuestionView

if TYPE_CHECKING:
    from flashapp.store.collection import Collection


class LearnScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    LearnScreen #learn-status { height: auto; padding: 0 2; margin: 1 0 0 0; }
    LearnScreen #round { color: $text-muted; height: 1; }
    LearnScreen .feedback { height: auto; margin: 1 0; padding: 0 1; }
    LearnScreen .feedback.-right { border-left: thick $success; }
    LearnScreen .feedback.-wrong { border-left: thick $error; }
    LearnScreen .feedback .verdict { text-style: bold; }
    LearnScreen .feedback .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "continue", "Continue", id="continue"),
        Binding("y", "recalled(True)", "I knew it", id="knew"),
        Binding("n", "recalled(False)", "I didn't", id="did-not"),
        Binding("o", "override", "I was right", id="override"),
        Binding("r", "again", "Practise again", id="again"),
        Binding("escape", "back", "Decks", id="back"),
    ]

    # "question": answering; "recall": the answer shown, waiting for y/n; "feedback": after an answer;
    # "round": a round's summary; "done": every card mastered.
    phase: reactive[str] = reactive("question", bindings=True)

    def __init__(self, collection: Collection, deck: str, *, seed: int | None = None) -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck
        self.rng = random.Random(seed if seed is not None else random.SystemRandom().randrange(2**31))
        self.items: list[PracticeItem] = []
        self.markdown: dict[str, str] = {}
        self.session: LearnSession | None = None
        self.check: AnswerCheck | None = None
        self._recall_given = ""
        self._round_started_at = collection.clock()
        self._shown_at = monotonic()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="learn-status"):
            yield MasteryBar(id="levels")
            yield Static(id="round")
        yield QuestionView(id="question")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.sub_title = f"Learn · {self.deck}"
        try:
            self.items = self.collection.practice_items(self.deck)
            progress = self.collection.practice_progress(self.deck)
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss()
            return
        if not self.items:
            self.notify("This deck has no cards to learn.", severity="warning")
            self.dismiss()
            return
        self.markdown = markdown_lookup(self.items)
        self.session = LearnSession(self.items, self.rng, progress=progress)
        await self._next_round()

    # --- what is on screen -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phase = self.phase
        if action == "continue":
            return phase in ("feedback", "round", "done")
        if action == "recalled":
            return phase == "recall"
        if action == "override":
            check = self.check
            return (
                phase == "feedback"
                and check is not None
                and check.question.kind == "written"
                and not check.correct
            )
        if action == "again":
            return phase == "done"
        return True

    def _show_levels(self) -> None:
        if self.session is not None:
            self.query_one(MasteryBar).show(self.session.levels())

    def _show_round(self, text: Content) -> None:
        self.query_one("#round", Static).update(text)

    async def _next_round(self) -> None:
        session = self.session
        assert session is not None
        self._show_levels()
        if not session.start_round():
            await self._all_mastered()
            return
        self._round_started_at = self.collection.clock()
        await self._show_question()

    async def _show_question(self) -> None:
        session = self.session
        assert session is not None
        question = session.question()
        if question is None:
            return
        self.check = None
        self.phase = "question"
        done = len({check.question.card_ids[0] for check in session.round_checks if check.correct})
        self._show_round(
            Content.assemble(
                ("Round ", "dim"),
                (str(session.round_number), "bold"),
                ("  ·  ", "dim"),
                f"{done} of {len(session.round_cards)} cards done this round",
            )  # fmt: skip
        )
        await self.query_one(QuestionView).show(question, self.markdown)
        self._shown_at = monotonic()

    # --- answering ---------------------------------------------------------------------------------

    @on(QuestionView.Answered)
    async def _answered(self, event: QuestionView.Answered) -> None:
        question = event.question
        if question.recall:
            # A paragraph to recall: show it, and let the user say whether they knew it.
            self._recall_given = str(event.response)
            view = self.query_one(QuestionView)
            view.locked = True
            box = Vertical(
                Static(Content("The answer"), classes="verdict"),
                card_text(question.answer, self.markdown.get(question.answer)),
                Static(Content("Did you know it? y: yes · n: no"), classes="hint"),
                classes="feedback",
            )
            await view.mount(box)
            view.focus_keys()
            box.scroll_visible(animate=False)
            self.phase = "recall"
            return
        await self._grade(event.response)

    async def action_recalled(self, knew: bool) -> None:
        if self.phase == "recall":
            await self._grade(self._recall_given, override=knew, recall=True)

    async def _grade(self, response: object, *, override: bool = False, recall: bool = False) -> None:
        session = self.session
        assert session is not None
        question = session.question()
        assert question is not None
        check = session.answer(response, override=override)
        self.check = check
        self._show_levels()
        view = self.query_one(QuestionView)
        view.show_feedback(check)
        await self._show_verdict(check, recall=recall)
        self.phase = "feedback"

    async def _show_verdict(self, check: AnswerCheck, *, recall: bool = False) -> None:
        view = self.query_one(QuestionView)
        for old in view.query(".feedback"):
            await old.remove()
        widgets: list[Widget] = []
        if check.correct:
            praise = "You knew it." if recall else "Correct!"
            if check.overridden and not recall:
                praise = "Counted right."
            if check.almost:  # accepted, but said as it is: the exact answer beside it
                praise = f"≈ Almost ({check.almost}), counted right. The answer: {check.expected}"
                widgets.append(Static(Content.styled(praise, "$text-warning"), classes="verdict"))
            else:
                widgets.append(Static(Content.styled(f"✓ {praise}", "$text-success"), classes="verdict"))
        else:
            widgets += self._wrong_answer(check)
        hint = "Enter: continue"
        if check.question.kind == "written" and not check.correct and not recall:
            hint += " · o: I was right"
        widgets.append(Static(Content(hint), classes="hint"))
        box = Vertical(*widgets, classes="feedback " + ("-right" if check.correct else "-wrong"))
        await view.mount(box)
        box.scroll_visible(animate=False)

    def _wrong_answer(self, check: AnswerCheck) -> list[Widget]:
        question = check.question
        if question.kind == "multiple_choice":
            verdict = f"✗ Not quite: the answer is {question.correct_option + 1}, in green above."
            widgets: list[Widget] = [Static(Content.styled(verdict, "$text-error"), classes="verdict")]
            full = question.right_answer_in_full
            if full:
                widgets.append(card_text(full, self.markdown.get(full)))
            return widgets
        answer = check.expected
        verdict = "✗ Not quite. The answer:"
        if question.kind == "true_false":  # the card's own answer, not just "true" or "false"
            item = next(item for item in self.items if item.card_id == question.card_ids[0])
            answer = item.answer if question.prompt == item.question else item.question
            verdict = f"✗ Not quite: {'true' if check.expected == 'true' else 'false'}. The answer:"
        widgets = [
            Static(Content.styled(verdict, "$text-error"), classes="verdict"),
            card_text(answer, self.markdown.get(answer)),
        ]
        if question.kind == "written" and check.given.strip():
            widgets.append(Static(Content.assemble(("Your answer: ", "dim"), check.given)))
        return widgets

    async def action_override(self) -> None:
        session = self.session
        if self.phase != "feedback" or session is None:
            return
        fixed = session.override_last()
        if fixed is None:
            return
        self.check = fixed
        self._show_levels()
        await self._show_verdict(fixed)
        self.refresh_bindings()

    async def action_continue(self) -> None:
        session = self.session
        if session is None:
            return
        if self.phase == "feedback":
            if session.round_over:
                await self._end_round()
            else:
                await self._show_question()
        elif self.phase == "round":
            await self._next_round()
        elif self.phase == "done":
            self.dismiss()

    # --- rounds ------------------------------------------------------------------------------------

    def _store_round(self) -> None:
        session = self.session
        if session is None or not session.round_checks:
            return
        try:
            self.collection.record_practice(
                "learn", self.deck, self._round_started_at, list(session.round_checks),
                {"round": session.round_number, "cards": list(session.round_cards)},
            )  # fmt: skip
        except UserError as error:
            self.notify(f"Round not saved: {error}", severity="error", markup=False)
        session.round_checks.clear()

    async def _end_round(self) -> None:
        session = self.session
        assert session is not None
        right_first = session.round_right_first_time()
        cards = len(session.round_cards)
        self._store_round()
        if session.finished:
            await self._all_mastered()
            return
        levels = session.levels()
        view = self.query_one(QuestionView)
        await view.remove_children()
        await view.mount(
            Static(
                Content.assemble(
                    (f"Round {session.round_number} done. ", "bold"),
                    f"{right_first} of {cards} right the first time.\n\n",
                    (str(levels["mastered"]), "bold"),
                    f" of {len(self.items)} cards mastered, ",
                    (str(levels["familiar"]), "bold"),
                    " familiar.\n\n",
                    ("Enter: next round · Esc: back to the decks", "dim"),
                ),  # fmt: skip
                classes="feedback",
            )
        )
        view.focus_keys()
        self.phase = "round"

    async def _all_mastered(self) -> None:
        view = self.query_one(QuestionView)
        await view.remove_children()
        await view.mount(
            Static(
                Content.assemble(
                    ("All ", "bold"),
                    (str(len(self.items)), "bold"),
                    (" cards mastered!", "bold"),
                    "\n\nEvery card had two right written answers in a row.\n\n",
                    ("Enter: back to the decks · r: practise them all again", "dim"),
                ),  # fmt: skip
                classes="feedback -right",
            )
        )
        view.focus_keys()
        self._show_round(Content.styled(f"{self.deck}: learned", "dim"))
        self.phase = "done"

    async def action_again(self) -> None:
        """Every card mastered: a new pass over the deck from the start (the stored answers stay)."""
        if self.phase == "done":
            self.session = LearnSession(self.items, self.rng)
            await self._next_round()

    def action_back(self) -> None:
        self._store_round()  # the answers given so far count
        self.dismiss()
