"""One practice question on screen, for the test screen and Learn mode: its prompt as card text and
its way of answering. Multiple choice takes 1-4 (or a click), true/false t or f, a written answer
Enter, matching its pairs (see MatchingPairs). The answer goes up as `QuestionView.Answered`; the view
never shows which answer is right until `show_feedback` is called.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from flashapp.core.practice.questions import KIND_TITLES, Question
from flashapp.core.practice.scoring import AnswerCheck
from flashapp.tui.widgets.choice_option import ChoiceOption, card_text
from flashapp.tui.widgets.matching_pairs import MatchingPairs

CHOICE_KEYS = Binding.Group("Choose")
TRUE_FALSE = ("True", "False")


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

    async def show(
        self, question: Question, markdown: dict[str, str], response: object = None, *, hint: str = ""
    ) -> None:
        """Show `question`, with the answer given earlier (`response`) already chosen or typed."""
        self.question = question
        self.locked = False
        widgets: list[Widget] = [
            Static(Content(f"{question.number}. {KIND_TITLES[question.kind]}"), id="kind"),
            card_text(question.prompt, markdown.get(question.prompt), id="prompt"),
        ]
        if question.kind == "multiple_choice":
            widgets += [
                ChoiceOption(i, str(i + 1), option, markdown.get(option))
                for i, option in enumerate(question.options)
            ]
        elif question.kind == "true_false":
            widgets.append(Static(Content("Is this the answer?"), classes="hint"))
            shown = card_text(question.shown, markdown.get(question.shown))
            shown.id = "shown"
            widgets.append(shown)
            widgets.append(
                Horizontal(*(ChoiceOption(i, "tf"[i], label) for i, label in enumerate(TRUE_FALSE)), id="tf")
            )
        elif question.kind in ("written", "computed"):
            if question.computed is not None:
                hint = hint or question.computed.hint()
            elif question.recall:
                hint = hint or "Recall the answer (typing it is optional), then press Enter to compare."
            value = str(response) if response is not None else ""
            widgets.append(Input(value, placeholder="Your answer, then Enter", id="written"))
        else:
            matches = response if isinstance(response, dict) else None
            widgets.append(MatchingPairs(question, markdown, matches))
        if hint:
            widgets.append(Static(Content(hint), classes="hint", id="hint"))
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(widgets)
        self._mark_selected(response)
        self.scroll_home(animate=False)
        self.focus_answer()
        self.refresh_bindings()

    def focus_answer(self) -> None:
        if self.question is not None and self.question.kind in ("written", "computed") and not self.locked:
            self.query_one("#written", Input).focus()
        elif self.question is not None and self.question.kind == "matching" and not self.locked:
            self.query_one(MatchingPairs).focus()
        else:
            self.focus()

    def _mark_selected(self, response: object) -> None:
        chosen = None
        if self.question is not None and response is not None:
            if self.question.kind == "multiple_choice":
                chosen = int(response)  # type: ignore[call-overload]
            elif self.question.kind == "true_false":
                chosen = 0 if response else 1
        for option in self.query(ChoiceOption):
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
        for option in self.query(ChoiceOption):
            option.remove_class("-selected")
            option.set_class(option.index == right, "-right")
            option.set_class(option.index == chosen and chosen != right, "-wrong")
        for typed in self.query("#written").results(Input):
            typed.disabled = True
        self.focus()
        self.refresh_bindings()
