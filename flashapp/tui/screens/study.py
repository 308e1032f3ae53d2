"""Study: one card at a time. Space shows the answer, 1-4 (or the buttons, which show each interval)
answer it, and the next card is there at once. Type-in cards take an answer first and compare it.

When only learning cards due later today are left, the screen waits for them ("Next card in 25m");
when nothing is left today, the summary opens.

Every key acts on the card on screen, by its id: a learning card that comes due while another card is
shown waits behind it (the header's Learn count goes up, once a second at most), and `u` takes back
this screen's own actions, newest first, never another process's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import NoScreen
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from flashapp.core.predict import predict_seed, rating_for
from flashapp.core.scheduling import Rating
from flashapp.core.typed_answer import check_typed_answer
from flashapp.errors import UserError
from flashapp.store.study_session import StudySession
from flashapp.tui import frozen_heap
from flashapp.tui.audio_player import Playback, play_card_sounds, sound_names
from flashapp.tui.formatting import wait_text, when_text
from flashapp.tui.layout_once import layout_once
from flashapp.tui.screens.card_info import CardInfoScreen
from flashapp.tui.screens.edit_card import EditCardScreen
from flashapp.tui.screens.image_viewer import ImageViewerScreen
from flashapp.tui.screens.summary import SummaryScreen
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.answer_buttons import AnswerButtons
from flashapp.tui.widgets.card_view import AnswerRule, CardText, sides_images
from flashapp.tui.widgets.key_bar import KeyBar
from flashapp.tui.widgets.predict_prompt import PredictPrompt
from flashapp.tui.widgets.study_status import StudyStatus
from flashapp.tui.widgets.type_in_diff import TypeInDiff

if TYPE_CHECKING:
    from flashapp.store.collection import Collection
    from flashapp.store.study_views import StudyCard

# Like Anki: a card left on screen longer than this counts as this long in the review log.
MAX_ANSWER_MS = 60_000
# How often the header's counts and the "Next card in ..." line follow the clock.
TICK_SECONDS = 1.0
QUEUE_OF_STATE = {"new": "new", "learning": "learning", "relearning": "learning", "review": "review"}
CARD_ACTIONS = {"suspend", "bury", "flag", "info", "edit"}
# The footer shows "1234 Answer" (compact, so the whole footer fits 80 columns); the buttons name each
# rating with its interval.
RATING_KEYS = Binding.Group("Answer", compact=True)
# The footer keys left out first when the line is too narrow for all of them (actions).
GIVE_WAY = ("info", "edit", "flag", "bury", "suspend")


class CardScroll(VerticalScroll):
    """The card's scroll area, which holds the focus while a card is studied. Its focus restyles it
    and every widget of the card (`:focus-within`): as the screen closes, the focus it loses does so
    no longer (a screen that comes back is restyled as it resumes)."""

    def watch_has_focus(self, has_focus: bool) -> None:
        try:
            shown = self.screen.is_current
        except NoScreen:  # already taken off the screen
            shown = False
        if has_focus or shown:
            super().watch_has_focus(has_focus)


@dataclass
class StudyParts:
    """The screen's widgets, built once and kept: a query for each on every card cost as much as the
    rest of showing it."""

    status: StudyStatus = field(default_factory=StudyStatus)
    scroll: VerticalScroll = field(default_factory=lambda: CardScroll(id="card"))
    question: CardText = field(default_factory=lambda: CardText(id="question"))
    rule: AnswerRule = field(default_factory=lambda: AnswerRule(id="answer-rule"))
    answer: CardText = field(default_factory=lambda: CardText(id="answer"))
    demo: Static = field(default_factory=lambda: Static(id="demo"))
    typed: Input = field(default_factory=lambda: Input(placeholder="Type the answer, then Enter", id="typed"))
    diff: TypeInDiff = field(default_factory=lambda: TypeInDiff(id="diff"))
    prompt: PredictPrompt = field(default_factory=lambda: PredictPrompt(id="predict"))
    waiting: Static = field(default_factory=lambda: Static(id="waiting"))
    buttons: AnswerButtons = field(default_factory=AnswerButtons)
    # A compact footer: room for the card keys at 80 columns; where even that is too narrow, the
    # keys a session needs least give way (whole; `?` lists them all).
    keys: KeyBar = field(default_factory=lambda: KeyBar(give_way=GIVE_WAY))


class StudyScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    StudyScreen #card { height: 1fr; padding: 1 2; align-horizontal: center; }
    StudyScreen #card > * { width: 100%; max-width: 100; }
    StudyScreen #question MarkdownParagraph { text-style: bold; }
    StudyScreen #answer-rule { margin: 0; color: $primary-darken-1; }
    StudyScreen #demo { color: $text-muted; margin: 1 0 0 0; }
    StudyScreen #typed { margin: 1 0 0 0; }
    StudyScreen #waiting { color: $text-muted; text-align: center; margin: 2 0; }
    """
    BINDINGS = [
        Binding("space", "reveal", "Show answer", id="reveal"),
        Binding("enter", "reveal", "Show answer", show=False),
        Binding("enter", "finish", "End session", id="finish"),
        Binding("1", "rate(1)", "Again", id="again", group=RATING_KEYS),
        Binding("2", "rate(2)", "Hard", id="hard", group=RATING_KEYS),
        Binding("3", "rate(3)", "Good", id="good", group=RATING_KEYS),
        Binding("4", "rate(4)", "Easy", id="easy", group=RATING_KEYS),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("at", "suspend", "Suspend", id="suspend", key_display="@"),
        Binding("minus", "bury", "Bury", id="bury", key_display="-"),
        Binding("f", "flag", "Flag", id="flag"),
        Binding("i", "info", "Info", id="info"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("r", "demo", "Run demo", id="demo"),
        # Short labels: the 80-column footer has little room left; the hint chip names its own key.
        Binding("h", "hint", "Show hint", id="hint", show=False),
        Binding("p", "play_audio", "Audio", id="play-audio", tooltip="Play the card's sound"),
        Binding("v", "view_image", "Image", id="view-image", tooltip="View the card's image full-screen"),
        Binding("space,enter", "continue", "Next card", id="continue"),  # a predict card, once graded
        Binding("escape", "back", "Decks", id="back"),
    ]

    # repaint=False: the widgets that show these states repaint themselves; a repaint of the screen
    # would redraw every widget on it.
    revealed: reactive[bool] = reactive(False, bindings=True, repaint=False)
    waiting: reactive[bool] = reactive(False, bindings=True, repaint=False)
    graded: reactive[bool] = reactive(False, bindings=True, repaint=False)  # a predict card, graded

    def __init__(self, collection: Collection, deck: str | None) -> None:
        super().__init__()
        layout_once(self)
        self.collection = collection
        self.deck = deck
        self.session = StudySession(collection, deck)
        self.card: StudyCard | None = None
        self.flag = 0
        self._shown_at = monotonic()
        self._undo: list[tuple[str, int]] = []  # ("answer" | "suspend" | "bury", card id), newest last
        self._tick_timer: Timer | None = None
        self._shown_counts: tuple[int, int, int] | None = None
        self._predict_ms = 0
        self._demo_opened_at = 0.0
        self._playback = Playback()
        self._demo_shown: str | None = None  # the concept the demo line names
        self._heap_held = False  # a hold on the frozen heap (`frozen_heap`), from the first card on
        self._same_shape = False  # the card shown took the last one's place at its size
        self.parts = StudyParts()

    def compose(self) -> ComposeResult:
        parts = self.parts
        yield Header()
        yield parts.status
        with parts.scroll:
            yield from (parts.question, parts.rule, parts.answer, parts.demo, parts.typed)
            yield from (parts.diff, parts.prompt, parts.waiting)
        yield parts.buttons
        yield parts.keys

    async def on_mount(self) -> None:
        self.sub_title = self.deck or "All decks"
        self._tick_timer = self.set_interval(TICK_SECONDS, self.tick)
        await self.show_next()
        # What exists once the first card is on screen (the app, its screens, the session) stays for
        # the session: frozen, the collector's full passes no longer walk it (each walked ~120k objects,
        # a 70-90 ms pause on some answer). New objects are collected as usual; `on_unmount` gives the
        # hold back (`frozen_heap`: the heap thaws when no one else, such as the start-up, holds it).
        self.call_after_refresh(self._hold_heap)

    def _hold_heap(self) -> None:
        if self.is_attached and not self._heap_held:
            frozen_heap.freeze()
            self._heap_held = True

    async def tick(self) -> None:
        """Follow the clock: a learning card coming due changes the counts, or ends a wait."""
        if self.waiting:
            await self._poll_learning()
            return
        counts = self.session.counts()
        if self.card is not None and (counts.new, counts.learning, counts.review) != self._shown_counts:
            self._show_status()

    # --- what is on screen ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self.card is not None and not self.revealed and not self.graded
        if action == "rate":
            return self.card is not None and self.revealed and self.card.rendered.predict is None
        if action == "continue":
            return self.graded
        if action == "demo":  # a predict card's demo would give its answer away: only once graded
            card = self.card
            if card is None or card.info.demo is None:
                return False
            return card.rendered.predict is None or self.graded
        if action in CARD_ACTIONS:
            return self.card is not None
        if action == "undo":
            return bool(self._undo)
        if action == "finish":
            return self.waiting
        if action in ("hint", "play_audio", "view_image"):
            return self.card is not None and self._card_has(action)
        return True

    async def show_next(self) -> None:
        card = self.session.current()
        if card is not None:
            self._stop_waiting()
            await self.show_card(card)
            return
        due = self.session.next_due()
        if due is not None:
            self._wait_for_learning()
        else:
            self.finish()

    async def show_card(self, card: StudyCard, *, revealed: bool = False) -> None:
        with self.parts.keys.held():  # its keys change once, in the same frame as the card
            await self._show_card(card, revealed=revealed)

    async def _show_card(self, card: StudyCard, *, revealed: bool) -> None:
        self._playback.stop()  # as Anki: a card's sound ends when the next card shows
        self.card = card
        self.flag = card.flag
        rendered = card.rendered

        def find_image(name: str):
            return self.collection.media_path(card.id, name)

        predict = rendered.predict
        answer = rendered.answer + (f"\n\n{rendered.extra}" if rendered.extra.strip() else "")
        if predict is not None:  # the engine's outcome is the answer; the card's extra goes under it
            answer = rendered.extra
        # A predict card's case is drawn per review: the same card at the same repetition, the same case.
        case = predict.draw(predict_seed(card.id, card.info.reps)) if predict is not None else {}
        question = predict.question_for(case) if predict is not None else rendered.question
        same_question = await self.parts.question.show(question, find_image)
        same_answer = await self.parts.answer.show(answer, find_image)
        self._same_shape = same_question and same_answer
        demo = card.info.demo
        concept = demo["concept"] if demo else None
        if concept != self._demo_shown:  # most cards have none: no update, no layout
            self._demo_shown = concept
            demo_line = Content.assemble("▶ r runs this concept's demo: ", concept) if concept else Content()
            self.parts.demo.update(demo_line)
        prompt = self.parts.prompt
        prompt.display = predict is not None
        self.graded = False
        if predict is not None:
            prompt.start(predict, case)
        typed = self.parts.typed
        typed.value = ""
        self.parts.diff.display = False
        self.parts.waiting.display = False
        buttons = self.parts.buttons
        buttons.show_intervals(card.labels)
        typed_answer = card.note_type == "type-in" and rendered.expected is not None
        buttons.set_show_label(type_in=typed_answer or predict is not None)
        self._show_status()
        self._set_revealed(revealed)
        self.parts.scroll.scroll_home(animate=False)
        self._shown_at = monotonic()
        self.refresh_bindings()

    def _set_revealed(self, revealed: bool) -> None:
        with self.parts.keys.held():
            self._show_revealed(revealed)

    def _show_revealed(self, revealed: bool) -> None:
        self.revealed = revealed
        card = self.card
        is_cloze = card is not None and card.note_type == "cloze"
        type_in = card is not None and card.note_type == "type-in" and card.rendered.expected is not None
        self.parts.question.display = card is not None and not (revealed and is_cloze)
        # The answer waits concealed in its place where it can (then the reveal repaints it, and
        # the next card does not lay the screen out either), else hidden.
        conceal = not revealed and self._can_conceal()
        rule, answer = self.parts.rule, self.parts.answer
        rule.conceal(conceal)
        answer.conceal(conceal)
        rule.display = (revealed or conceal) and not is_cloze
        answer.display = revealed or conceal
        self.parts.demo.display = revealed and card is not None and card.info.demo is not None
        typed = self.parts.typed
        typed.display = type_in and not revealed
        self.parts.buttons.show_revealed(revealed)
        self.parts.buttons.display = card is not None
        if typed.display:
            typed.focus()
        elif card is not None and card.rendered.predict is not None and not revealed:
            self.parts.prompt.focus_answer()
        elif self.focused is not (scroll := self.parts.scroll):
            scroll.focus()  # (focusing again repaints the whole card area)

    def _can_conceal(self) -> bool:
        """Whether the card's answer can wait concealed in place rather than hidden: a plain card
        (text alone, nothing else shown or hidden by the reveal), the screen laid out for it already
        (the last card's answer was on screen, at the same size), with room for the answer without
        scrolling (concealed, it must not stretch the card area)."""
        card = self.card
        if card is None or card.note_type in ("cloze", "type-in") or card.rendered.predict is not None:
            return False
        parts = self.parts
        return (
            self._same_shape
            and card.info.demo is None
            and parts.answer.display
            and parts.rule.display
            and parts.question.display
            and parts.answer.concealable
            and parts.scroll.max_scroll_y == 0
        )

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._check_concealed_fits)

    def _check_concealed_fits(self) -> None:
        """After a resize: a concealed answer that no longer fits (it would stretch the card area
        and show a scroll bar) is hidden instead."""
        if self.parts.answer.concealed and self.parts.scroll.max_scroll_y > 0:
            self._set_revealed(False)  # (`_can_conceal` now says no)

    def _show_status(self) -> None:
        counts = self.session.counts()
        self._shown_counts = (counts.new, counts.learning, counts.review)
        current = QUEUE_OF_STATE.get(self.card.info.state) if self.card else None
        status = self.parts.status
        status.show(
            new=counts.new,
            learning=counts.learning,
            due=counts.review,
            current=current,
            studied=self.session.stats.studied,
        )
        status.show_flag(self.flag if self.card else 0)

    def _wait_for_learning(self) -> None:
        self.card = None
        self.waiting = True
        self._set_revealed(False)
        self._show_status()
        self._update_wait_message()
        self.refresh_bindings()

    def _update_wait_message(self) -> None:
        due = self.session.next_due()
        if due is None:
            return
        now = self.collection.clock()
        message = Content.assemble(
            ("Nothing more for now.\n\n", "bold"),
            "Next card in ",
            (wait_text(now, due), "bold"),
            f" ({when_text(due, now, self.collection.tz)}): it will show up here by itself.\n",
            "Enter ends the session now; Esc goes back to the decks.",
        )
        waiting = self.parts.waiting
        waiting.update(message)
        waiting.display = True

    async def _poll_learning(self) -> None:
        if self.session.current() is not None:
            await self.show_next()
        elif self.session.next_due() is None:
            self._stop_waiting()
            self.finish()
        else:
            self._update_wait_message()

    def _stop_waiting(self) -> None:
        self.waiting = False

    def finish(self) -> None:
        """Nothing left today: show the summary."""
        self._stop_waiting()
        self.card = None
        self._set_revealed(False)
        next_due = self.session.next_due()
        summary = SummaryScreen(
            deck=self.deck,
            stats=self.session.stats,
            upcoming=self.collection.upcoming_reviews(self.deck),
            now=self.collection.clock(),
            tz=self.collection.tz,
            can_undo=bool(self._undo),
            later_today=None if next_due is None else (next_due, self.session.queue.counts().learning),
        )
        self.app.push_screen(summary, self._summary_closed)

    async def _summary_closed(self, choice: str | None) -> None:
        if choice == "undo":
            await self.action_undo()
        else:
            self.dismiss()

    # --- actions -------------------------------------------------------------------------------------

    def _error(self, error: UserError) -> None:
        self.notify(str(error), severity="error", markup=False)

    @on(Input.Submitted, "#typed")
    async def _typed(self) -> None:
        await self.action_reveal()

    @on(AnswerButtons.ShowAnswer)
    async def _show_pressed(self) -> None:
        await self.action_reveal()

    @on(AnswerButtons.Rated)
    async def _rating_pressed(self, event: AnswerButtons.Rated) -> None:
        await self.action_rate(int(event.rating))

    async def action_reveal(self) -> None:
        card = self.card
        if card is None or self.revealed:
            return
        if card.rendered.predict is not None:
            self.parts.prompt.submit()  # graded by the engine, not revealed
            return
        if card.note_type == "type-in" and card.rendered.expected is not None:
            result = check_typed_answer(self.parts.typed.value, card.rendered.expected)
            diff = self.parts.diff
            diff.show_result(result)
            diff.display = True
        self._set_revealed(True)

    async def action_rate(self, value: int) -> None:
        card = self.card
        if card is None or not self.revealed:
            return
        duration_ms = min(MAX_ANSWER_MS, int((monotonic() - self._shown_at) * 1000))
        try:
            self.session.answer(card.id, Rating(value), duration_ms)
        except UserError as error:
            self._error(error)
            return
        self._undo.append(("answer", card.id))
        await self.show_next()
        self._backup_if_due()

    def _backup_if_due(self) -> None:
        """The study backup (every 30 minutes) copies the whole file: in a thread, after the frame."""
        job = self.session.backup_job()
        if job is not None:
            self.call_after_refresh(self.run_worker, job, thread=True, group="study-backup")

    async def action_undo(self) -> None:
        if not self._undo:
            return
        kind, card_id = self._undo.pop()
        try:
            if kind == "answer":
                self.session.undo()
            elif kind == "suspend":
                self.collection.suspend(card_id, False)
            else:
                self.collection.bury(card_id, False)
        except UserError as error:
            self._error(error)
            return
        self.session.put_first(card_id)
        self.notify({"answer": "Answer undone", "suspend": "Unsuspended", "bury": "Unburied"}[kind])
        await self.show_next()

    async def _take_out(self, kind: str) -> None:
        card = self.card
        if card is None:
            return
        try:
            if kind == "suspend":
                self.collection.suspend(card.id)
            else:
                self.collection.bury(card.id)
        except UserError as error:
            self._error(error)
            return
        self.session.take_out(card.id)
        self._undo.append((kind, card.id))
        self.notify(
            "Card suspended (u undoes)" if kind == "suspend" else "Card buried until tomorrow (u undoes)"
        )
        await self.show_next()

    async def action_suspend(self) -> None:
        await self._take_out("suspend")

    async def action_bury(self) -> None:
        await self._take_out("bury")

    def action_flag(self) -> None:
        if self.card is None:
            return
        flag = (self.flag + 1) % 5
        try:
            self.collection.set_flag(self.card.id, flag)
        except UserError as error:
            self._error(error)
            return
        self.flag = flag
        self.parts.status.show_flag(flag)

    def action_info(self) -> None:
        if self.card is not None:
            self.app.push_screen(CardInfoScreen(self.collection, self.card.id))

    def action_edit(self) -> None:
        if self.card is not None:
            self.app.push_screen(EditCardScreen(self.collection, self.card.info.note_id), self._edited)

    async def _edited(self, saved: bool | None) -> None:
        if saved and self.card is not None:
            self.session.refresh()
            if self.graded:  # answered already: the edit shows next time
                await self.show_next()
                return
            await self.show_card(self.collection.study_card(self.card.id), revealed=self.revealed)

    # --- hints, sounds and images (the card's own widgets do the work) --------------------------------

    def _sides(self) -> list[CardText]:
        """The sides on screen, the newest first: the answer (once shown), then the question."""
        question, answer = self.parts.question, self.parts.answer
        return [answer, question] if self.revealed else [question]

    def _card_has(self, action: str) -> bool:
        sides = self._sides()
        if action == "hint":
            return any(side.has_closed_hints for side in sides)
        if action == "play_audio":
            return any(sound_names(side.markdown) for side in sides)
        return any(side.images() for side in sides)

    def action_hint(self) -> None:
        for side in self._sides():
            side.reveal_hints()
        self.refresh_bindings()

    def action_play_audio(self) -> None:
        card = self.card
        if card is None:
            return
        side = next((side for side in self._sides() if sound_names(side.markdown)), None)
        if side is not None:
            message = play_card_sounds(
                side.markdown, lambda name: self.collection.media_path(card.id, name), self._playback
            )
            self.notify(message, markup=False)

    def action_view_image(self) -> None:
        card = self.card
        images = sides_images(self._sides())
        if card is not None and images:
            self.app.push_screen(
                ImageViewerScreen(images, lambda name: self.collection.media_path(card.id, name))
            )

    # --- predict cards and demos ----------------------------------------------------------------------

    @on(PredictPrompt.Submitted)
    def _predict_submitted(self, event: PredictPrompt.Submitted) -> None:
        self._predict_ms = min(MAX_ANSWER_MS, int((monotonic() - self._shown_at) * 1000))
        event.prompt.grade(event.typed)

    @on(PredictPrompt.Graded)
    def _predict_graded(self, event: PredictPrompt.Graded) -> None:
        card = self.card
        if card is None or card.rendered.predict is None or self.graded:
            return
        current = self.session.current()
        if current is None or current.id != card.id:
            return
        rating = rating_for(event.check.correct, self._predict_ms)
        try:
            self.session.answer(card.id, rating, self._predict_ms)
        except UserError as error:
            self._error(error)
            return
        self._undo.append(("answer", card.id))
        self._backup_if_due()
        self.graded = True
        event.prompt.show_outcome(event.check, rating, self._predict_ms / 1000, event.explanation)
        self.parts.buttons.display = False
        self.parts.answer.display = bool(card.rendered.extra.strip())
        self.parts.demo.display = card.info.demo is not None
        self._show_status()
        self.parts.scroll.focus()

    async def action_continue(self) -> None:
        if self.graded:
            await self.show_next()

    def action_demo(self) -> None:
        card = self.card
        if card is None or card.info.demo is None:
            return
        from flashapp.tui.screens.demo import DemoScreen

        params = dict(card.info.demo.get("params") or {})
        if card.rendered.predict is not None:
            params = self.parts.prompt.demo_params()
        self._demo_opened_at = monotonic()
        self.app.push_screen(DemoScreen(card.info.demo["concept"], params), self._demo_closed)

    def _demo_closed(self, _result: object = None) -> None:
        # Time spent in the demo is not time spent answering.
        self._shown_at += monotonic() - self._demo_opened_at

    def action_finish(self) -> None:
        if self.waiting:
            self.finish()

    def on_unmount(self) -> None:
        self.session.close()
        if self._heap_held:
            self._heap_held = False
            frozen_heap.release()

    def action_back(self) -> None:
        self._playback.stop()
        self._stop_waiting()
        if self._tick_timer is not None:
            self._tick_timer.stop()
        self.dismiss()
