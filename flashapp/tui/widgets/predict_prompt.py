"""A predict card's answer box: the user types a number, a shape like `2x3` or a choice; the engine
computes the truth in a thread worker (the first check loads torch); the outcome and the engine's
worked explanation replace the box. The study screen times the answer and rates the card from it.

Messages: `Submitted(typed)` once the typed text reads as an answer (None: nothing typed, "I don't
know"); `Graded(check, explanation)` when the engine has compared it; `Failed(error)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from flashapp.core.predict import (
    PART_SEPARATOR,
    AnswerFormatError,
    PredictCheck,
    PredictSpec,
    Value,
    check_answer,
    format_value,
    read_answer,
)
from flashapp.core.scheduling import Rating
from flashapp.tui.widgets.explanation import Explanation


def outcome_content(check: PredictCheck, kind: str, rating: Rating, seconds: float) -> Content:
    if check.correct:
        verdict = Content.styled(
            f"✓ Right: rated {rating.name.title()} ({seconds:.0f} s)", "bold $text-success"
        )
    else:
        verdict = Content.styled("✗ Not right: rated Again", "bold $text-error")
    width = max((len(part.label) for part in check.parts), default=0)
    lines = [verdict]
    for part in check.parts:
        label = f"{part.label:<{width}}  " if width else ""
        typed = (
            Content.styled("(nothing typed)", "dim")
            if part.typed is None
            else Content(format_value(part.typed, kind))
        )
        mark = Content.styled(" ✓", "$text-success") if part.correct else Content.styled(" ✗", "$text-error")
        lines.append(
            Content.assemble(
                (label, "bold"),
                ("you ", "dim"),
                typed,
                ("   engine ", "dim"),
                (format_value(part.truth, kind), "bold"),
                mark,
            )
        )
    return Content("\n").join(lines)


class PredictPrompt(Vertical):
    DEFAULT_CSS = """
    PredictPrompt { height: auto; margin: 1 0 0 0; }
    PredictPrompt #predict-format { color: $text-muted; height: auto; }
    PredictPrompt #predict-status { height: auto; color: $text-muted; }
    PredictPrompt #predict-status.-error { color: $text-error; }
    PredictPrompt #predict-outcome { height: auto; padding: 0 1; margin: 1 0 0 0; }
    PredictPrompt #predict-outcome { border-left: thick $success; }
    PredictPrompt #predict-outcome.-wrong { border-left: thick $error; }
    PredictPrompt #predict-explanation { height: auto; margin: 1 0 0 0; }
    """

    @dataclass
    class Submitted(Message):
        prompt: PredictPrompt
        typed: tuple[Any, ...] | None

    @dataclass
    class Graded(Message):
        prompt: PredictPrompt
        check: PredictCheck
        explanation: str

    @dataclass
    class Failed(Message):
        prompt: PredictPrompt
        error: str

    @dataclass
    class _Result(Message, bubble=False):
        token: int
        check: PredictCheck | None
        explanation: str
        error: str | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.spec: PredictSpec | None = None
        self.values: dict[str, Value] = {}
        self.labels: tuple[str, ...] = ()
        self.parts = 1
        self.pending = False  # submitted, waiting for the engine
        self._token = 0

    def compose(self) -> ComposeResult:
        yield Static(id="predict-format")
        yield Input(id="predict-answer")
        yield Static(id="predict-status")
        yield Static(id="predict-outcome")
        yield Explanation(id="predict-explanation")

    def start(self, spec: PredictSpec, values: dict[str, Value]) -> None:
        """A new case: clear the box and say what kind of answer it wants."""
        from engine.errors import ConceptError
        from engine.predict_registry import get_task

        self._token += 1
        self.spec, self.values, self.pending = spec, values, False
        answer_box = self.query_one("#predict-answer", Input)
        answer_box.value = ""
        answer_box.disabled = False
        for widget_id in ("#predict-answer", "#predict-format", "#predict-status"):
            self.query_one(widget_id).display = True
        try:
            self.labels = get_task(spec.task).parts
            problem = None
        except ConceptError as error:
            self.labels, problem = (), str(error)
        self.parts = max(1, len(self.labels))
        example = spec.answer.example()
        if self.labels:
            answer_box.placeholder = f" {PART_SEPARATOR} ".join(self.labels)
            hint = (
                f"Type {len(self.labels)} answers, {f' {PART_SEPARATOR} '.join(self.labels)}, each {example}."
            )
        else:
            answer_box.placeholder = example
            hint = f"Type {example}."
        self.query_one("#predict-format", Static).update(
            Content.assemble(
                hint, " Enter checks it with the engine; Enter on an empty box shows the answer."
            )
        )
        self._set_status("" if problem is None else problem, error=problem is not None)
        for widget_id in ("#predict-outcome", "#predict-explanation"):
            self.query_one(widget_id).display = False

    def focus_answer(self) -> None:
        self.query_one("#predict-answer", Input).focus()

    def demo_params(self) -> dict[str, Value]:
        """The drawn case as the demo's parameters (those it takes), for `r` after answering."""
        from engine.predict_registry import TASKS

        task = TASKS.get(self.spec.task) if self.spec else None
        return task.demo_params(self.values) if task is not None else {}

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#predict-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(Input.Submitted, "#predict-answer")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        """Read the typed text; a typo is refused with a message (the card is not graded yet)."""
        if self.spec is None or self.pending:
            return
        text = self.query_one("#predict-answer", Input).value
        typed: tuple[Any, ...] | None = None
        if text.strip():
            try:
                typed = read_answer(text, self.spec.answer, self.parts)
            except AnswerFormatError as error:
                self._set_status(f"{error}: type {self.spec.answer.example()}", error=True)
                return
        self.pending = True
        self.query_one("#predict-answer", Input).disabled = True
        self.post_message(self.Submitted(self, typed))

    def grade(self, typed: tuple[Any, ...] | None) -> None:
        """Ask the engine for the truth (in a thread) and compare."""
        if self.spec is None:
            return
        self._set_status("Checking with the engine… (the first check loads PyTorch)")
        self._solve(self._token, self.spec, dict(self.values), typed, self.labels)

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine")
    def _solve(
        self,
        token: int,
        spec: PredictSpec,
        values: dict[str, Value],
        typed: tuple[Any, ...] | None,
        labels: tuple[str, ...],
    ) -> None:
        try:
            from engine.predict import solve  # torch loads here, on the first check

            truth = solve(spec.task, values)
            check = check_answer(typed, truth.parts, spec.answer, labels)
        except Exception as error:  # noqa: BLE001 - shown on the card; studying goes on
            self.post_message(self._Result(token, None, "", f"The engine could not check this card: {error}"))
        else:
            self.post_message(self._Result(token, check, truth.explanation, None))

    @on(_Result)
    def _result(self, message: _Result) -> None:
        if message.token != self._token:
            return  # an older case: the card changed meanwhile
        self.pending = False
        if message.check is None:
            self._set_status(message.error or "", error=True)
            self.post_message(self.Failed(self, message.error or ""))
            return
        self._set_status("")
        self.post_message(self.Graded(self, message.check, message.explanation))

    def show_outcome(self, check: PredictCheck, rating: Rating, seconds: float, explanation: str) -> None:
        assert self.spec is not None
        for widget_id in ("#predict-answer", "#predict-format", "#predict-status"):
            self.query_one(widget_id).display = False
        outcome = self.query_one("#predict-outcome", Static)
        outcome.update(outcome_content(check, self.spec.answer.kind, rating, seconds))
        outcome.set_class(not check.correct, "-wrong")
        outcome.display = True
        worked = self.query_one("#predict-explanation", Explanation)
        worked.show(explanation)
        worked.display = True
