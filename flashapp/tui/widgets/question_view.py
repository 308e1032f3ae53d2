"""One practice question on screen, for the test screen and Learn mode: its prompt as card text and
its way of answering. Multiple choice takes 1-4 (or a click), true/false t or f, a written answer
Enter, matching its pairs (see MatchingPairs). The answer goes up as `QuestionView.Answered`; the view
never shows which answer is right until `show_feedback` is called.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from flashapp.core.practice.questions import KIND_TITLES, Question
from flashapp.core.practice.scoring import AnswerCheck
from flashapp.tui.widgets.choice_option import ChoiceOption, card_text, show_card_text
from flashapp.tui.widgets.in_place import update_fitted
from flashapp.tui.widgets.matching_pairs import MatchingPairs

CHOICE_KEYS = Binding.Group("Choose")
TRUE_FALSE = ("True", "False")


class _AnswerKeys(Widget, can_focus=True):
    """Where the focus rests while the answer is a key (1-4, t, f) or after it: the keys go up to the
    view's bindings as from the view itself. A focus change restyles the widget that gains or loses it
    with everything inside it: this one holds nothing, the view the whole question."""

    DEFAULT_CSS = "_AnswerKeys { height: 0; width: 0; }"


class QuestionView(VerticalScroll):
    DEFAULT_CSS = """
    QuestionView { height: 1fr; padding: 0 2; }
    QuestionView > * { max-width: 100; }
    QuestionView #kind { color: $text-muted; margin: 1 0 0 0; }
    QuestionView #prompt { margin: 0 0 1 0; }
    QuestionView #prompt MarkdownParagraph, QuestionView #prompt.plain-text { text-style: bold; }
    QuestionView .hint { color: $text-muted; margin: 0 0 1 0; }
    QuestionView #shown { margin: 0 0 1 2; padding: 0 1; border-left: thick $primary; height: auto; }
    QuestionView #written { margin: 0 0 1 0; }
    QuestionView .answers { height: auto; }
    QuestionView #tf { height: auto; }
    QuestionView #tf > ChoiceOption { width: 1fr; margin: 0 1 1 0; }
    """
    BINDINGS = [
        *(Binding(str(i + 1), f"choose({i})", "Choose", group=CHOICE_KEYS) for i in range(4)),
        Binding("t", "true_false(True)", "True", id="true"),
        Binding("f", "true_false(False)", "False", id="false"),
    ]

    @dataclass
    class Answered(Message):
        question: Question
        response: object

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.question: Question | None = None
        self.locked = False  # answered, feedback shown: no more answers
        # The widgets that stay from one question to the next: the title, the prompt, each kind's
        # way of answering (made when a question of that kind first comes, hidden while another kind
        # is on screen) and the hint line.
        self._keys: _AnswerKeys | None = None
        self._title: Static | None = None
        self._prompt: Widget | None = None
        self._hint: Static | None = None
        self._answers: dict[str, Widget] = {}

    async def show(
        self, question: Question, markdown: dict[str, str], response: object = None, *, hint: str = ""
    ) -> None:
        """Show `question`, with the answer given earlier (`response`) already chosen or typed.

        The widgets on screen take the new question's text in place, and each kind's way of
        answering is made once and then shown or hidden: mounting a new set of widgets for every
        question restyles every one of them, several times the cost of the rest. Anything else
        the screen added (Learn's feedback) goes; matching pairs are made anew for each question."""
        self.question = question
        self.locked = False
        if question.kind in ("written", "computed"):
            if question.computed is not None:
                hint = hint or question.computed.hint()
            elif question.recall:
                hint = hint or "Recall the answer (typing it is optional), then press Enter to compare."
        with self.app.batch_update():
            await self._keep_own_widgets()
            assert self._title is not None and self._prompt is not None and self._hint is not None
            update_fitted(self._title, Content(f"{question.number}. {KIND_TITLES[question.kind]}"))
            self._prompt = await show_card_text(self._prompt, question.prompt, markdown.get(question.prompt))
            shown = await self._show_answers(question, markdown, response)
            for answers in self._answers.values():
                answers.display = answers is shown
            if hint:
                update_fitted(self._hint, Content(hint))
            self._hint.display = bool(hint)
        self._mark_selected(response)
        self.scroll_home(animate=False)
        self.focus_answer()
        self.refresh_bindings()

    async def _keep_own_widgets(self) -> None:
        """The key catcher, title, prompt and hint in place (made again if the screen took them
        away), and nothing but them and the ways of answering."""
        own = [self._keys, self._title, self._prompt, self._hint]
        if not all(widget is not None and widget.parent is self for widget in own):
            await self.remove_children()
            self._answers.clear()
            self._keys = _AnswerKeys()
            self._title = Static(id="kind")
            self._prompt = card_text("", id="prompt")
            self._hint = Static(classes="hint", id="hint")
            await self.mount_all([self._keys, self._title, self._prompt, self._hint])
            return
        keep = {*own, *self._answers.values()}
        others = [child for child in self.children if child not in keep]
        if others:
            await self.remove_children(others)

    async def _show_answers(self, question: Question, markdown: dict[str, str], response: object) -> Widget:
        """The way of answering `question`, made or given its text."""
        kind = question.kind if question.kind != "computed" else "written"
        answers = self._answers.get(kind)
        if kind == "matching":
            matches = response if isinstance(response, dict) else None
            pairs = MatchingPairs(question, markdown, matches)
            await self.mount(pairs, before=self._hint)
            return pairs
        value = str(response) if response is not None else ""
        if answers is None:
            if kind == "multiple_choice":
                answers = Vertical(classes="answers", id="choices")
            elif kind == "true_false":
                answers = Vertical(
                    Static(Content("Is this the answer?"), classes="hint"),
                    card_text(question.shown, markdown.get(question.shown), id="shown"),
                    Horizontal(
                        *(ChoiceOption(i, "tf"[i], label) for i, label in enumerate(TRUE_FALSE)), id="tf"
                    ),
                    classes="answers",
                )
            else:
                answers = Input(value, placeholder="Your answer, then Enter", id="written")
            await self.mount(answers, before=self._hint)
            self._answers[kind] = answers
        elif kind == "true_false":
            await show_card_text(answers.query_one("#shown"), question.shown, markdown.get(question.shown))
        elif isinstance(answers, Input):
            answers.disabled = False
            answers.value = value
            answers.selection = Selection(0, len(value))  # as a new field's focus leaves it
        if kind == "multiple_choice":
            options = list(answers.query_children(ChoiceOption))
            if len(options) > len(question.options):
                await answers.remove_children(options[len(question.options) :])
            for option, text in zip(options, question.options, strict=False):
                await option.show(text, markdown.get(text))
            missing = question.options[len(options) :]
            if missing:
                first = len(options)
                await answers.mount_all(
                    ChoiceOption(i, str(i + 1), text, markdown.get(text))
                    for i, text in enumerate(missing, start=first)
                )
        elif kind == "true_false":
            for option in answers.query(ChoiceOption):
                option.remove_class("-selected", "-right", "-wrong")
        return answers

    def _options(self) -> list[ChoiceOption]:
        """The options of the question on screen (none but a multiple-choice or true/false one's)."""
        kind = self.question.kind if self.question is not None else None
        answers = self._answers.get(kind) if kind in ("multiple_choice", "true_false") else None
        return list(answers.query(ChoiceOption)) if answers is not None else []

    def _key_catcher(self) -> _AnswerKeys | None:
        """The key catcher (`_AnswerKeys`), once it is in the view."""
        return self._keys if self._keys is not None and self._keys.parent is self else None

    def allow_focus(self) -> bool:
        """One Tab stop for the question: the key catcher inside it once that is there, the view
        itself before."""
        return self._key_catcher() is None

    def focus_answer(self) -> None:
        if self.question is not None and self.question.kind in ("written", "computed") and not self.locked:
            self.query_one("#written", Input).focus()
        elif self.question is not None and self.question.kind == "matching" and not self.locked:
            self.query_one(MatchingPairs).focus()
        else:
            self.focus_keys()

    def focus_keys(self) -> None:
        """Focus for keys that go to the view and the screen, not to a field (see `_AnswerKeys`)."""
        catcher = self._key_catcher()
        if catcher is not None:
            catcher.focus(scroll_visible=False)
        else:
            self.focus()

    def _mark_selected(self, response: object) -> None:
        chosen = None
        if self.question is not None and response is not None:
            if self.question.kind == "multiple_choice":
                chosen = int(response)  # type: ignore[call-overload]
            elif self.question.kind == "true_false":
                chosen = 0 if response else 1
        for option in self._options():
            option.set_class(option.index == chosen, "-selected")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("choose", "true_false"):
            return True
        question = self.question
        if question is None or self.locked:
            return False
        if action == "true_false":
            return question.kind == "true_false"
        if question.kind == "multiple_choice":
            return int(parameters[0]) < len(question.options)  # type: ignore[call-overload]
        return question.kind == "true_false" and int(parameters[0]) < 2  # type: ignore[call-overload]

    def action_choose(self, index: int) -> None:
        question = self.question
        if question is None or self.locked:
            return
        if question.kind == "multiple_choice" and 0 <= index < len(question.options):
            self._answer(index)
        elif question.kind == "true_false" and index in (0, 1):
            self._answer(index == 0)

    def action_true_false(self, value: bool) -> None:
        self.action_choose(0 if value else 1)

    def _answer(self, response: object) -> None:
        if self.question is None or self.locked:
            return
        self._mark_selected(response)
        self.post_message(self.Answered(self.question, response))

    @on(ChoiceOption.Chosen)
    def _chosen(self, event: ChoiceOption.Chosen) -> None:
        event.stop()
        self.action_choose(event.index)

    @on(Input.Submitted, "#written")
    def _written(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(event.value)

    @on(MatchingPairs.Submitted)
    def _matched(self, event: MatchingPairs.Submitted) -> None:
        event.stop()
        self._answer(event.matches)

    def show_feedback(self, check: AnswerCheck) -> None:
        """After the answer: the right option in green, a wrong choice in red; answering is over."""
        self.locked = True
        question = check.question
        right = chosen = None
        if question.kind == "multiple_choice":
            right = question.correct_option
            chosen = question.options.index(check.given) if check.given in question.options else None
        elif question.kind == "true_false":
            right = 0 if question.answer == "true" else 1
            chosen = 0 if check.given == "true" else 1
        for option in self._options():
            option.remove_class("-selected")
            option.set_class(option.index == right, "-right")
            option.set_class(option.index == chosen and chosen != right, "-wrong")
        typed = self._answers.get("written")
        if question.kind in ("written", "computed") and typed is not None:
            typed.disabled = True
        self.focus_keys()
        self.refresh_bindings()
