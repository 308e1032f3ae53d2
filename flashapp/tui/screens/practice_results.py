"""A practice test's results: the score, the time, and every question reviewed with the answer given
and the right one. `o` counts a written answer as right ("I was right") and stores the new score;
`r` retakes the missed cards; `n` sets up a new test.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, ListItem, ListView, Static

from flashapp.core.practice.questions import KIND_TITLES, PracticeSettings, PracticeTest
from flashapp.core.practice.scoring import AnswerCheck, check_answer, missed_card_ids, overridden, score
from flashapp.errors import UserError
from flashapp.tui.formatting import duration_text
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

# A review shows this much of a long text (the whole card is one key away in the browser).
REVIEW_CHARS = 400


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= REVIEW_CHARS else text[: REVIEW_CHARS - 1].rstrip() + "…"


def _row(label: str, text: str, style: str = "", *, clip: bool = True) -> Horizontal:
    return Horizontal(
        Static(Content(label), classes="review-label"),
        Static(Content.styled(_short(text) if clip else text.strip(), style), classes="review-value"),
        classes="review-row",
    )


def _side(text: str) -> str:
    return {"true": "True", "false": "False"}.get(text, text)


def review_widgets(check: AnswerCheck) -> list[Widget]:
    """One question of the review: right or wrong, the prompt, the answer given and the right one."""
    question = check.question
    mark = ("✓ ", "bold $text-success") if check.correct else ("✗ ", "bold $text-error")
    if check.correct and check.almost:
        mark = ("≈ ", "bold $text-warning")
    title = Content.assemble(mark, (f"{question.number}. {KIND_TITLES[question.kind]}", "bold"))
    widgets: list[Widget] = [Static(title, classes="review-title")]
    if question.kind == "matching":
        for index, (prompt, answer) in enumerate(question.pairs):
            chosen = check.chosen[index] if index < len(check.chosen) else ""
            right = chosen == answer
            widgets.append(_row(f"{index + 1}.", prompt))
            widgets.append(_row("  Your pair", chosen or "(none)", "" if right else "$text-error"))
            if not right:
                widgets.append(_row("  Right pair", answer, "$text-success"))
        return widgets
    widgets.append(_row("Question", question.prompt))
    if question.kind == "true_false":
        widgets.append(_row("Shown", question.shown))
    widgets.append(
        _row("Your answer", _side(check.given) or "(no answer)", "" if check.correct else "$text-error")
    )
    if check.almost and check.correct and not check.overridden:
        widgets.append(_row("Almost", f"counted right ({check.almost}); the answer: {_side(check.expected)}"))
    if not check.correct or check.overridden:
        widgets.append(_row("Right answer", _side(check.expected), "$text-success"))
        if question.right_answer_in_full:  # the whole answer, not only the short form asked
            widgets.append(_row("The card says", question.right_answer_in_full, "$text-success", clip=False))
    if question.computed is not None and question.computed.explanation.strip():
        widgets.append(_row("Worked out", question.computed.explanation.strip()))
    if check.overridden:
        widgets.append(
            Static(Content("Counted right: you said you were right (o takes it back)"), classes="hint")
        )
    elif question.kind == "written" and not check.correct:
        widgets.append(Static(Content("o: I was right"), classes="hint"))
    return widgets


def score_content(checks: list[AnswerCheck], duration_ms: int, notes: tuple[str, ...] = ()) -> Content:
    result = score(checks)
    style = (
        "$text-success"
        if result.percent >= 80
        else "$text-warning"
        if result.percent >= 50
        else "$text-error"
    )
    missed = result.total - result.right
    lines = [
        Content.assemble(
            (f"{result.percent}%", f"bold {style}"),
            "  ",
            (f"{result.right} of {result.total} right", "bold"),
            (f"  ·  {missed} missed" if missed else "  ·  nothing missed", "dim"),
            ("  ·  time ", "dim"),
            (duration_text(duration_ms), "bold"),
        )  # fmt: skip
    ]
    lines += [Content.styled(note, "dim") for note in notes]
    return Content("\n").join(lines)


class PracticeResultsScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    PracticeResultsScreen #results { height: 1fr; padding: 1 2 0 2; }
    PracticeResultsScreen #score { height: auto; margin: 0 0 1 0; }
    PracticeResultsScreen #review { height: 1fr; }
    PracticeResultsScreen #review > ListItem { padding: 0 1 1 1; height: auto; }
    PracticeResultsScreen .review-row { height: auto; }
    PracticeResultsScreen .review-label { width: 15; color: $text-muted; }
    PracticeResultsScreen .review-value { width: 1fr; }
    PracticeResultsScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("o", "override", "I was right", id="override"),
        Binding("r", "retake", "Retake missed", id="retake"),
        Binding("n", "new_test", "New test", id="new"),
        Binding("escape", "done", "Decks", id="done"),
    ]

    def __init__(
        self,
        collection: Collection,
        deck: str,
        test: PracticeTest,
        checks: list[AnswerCheck],
        *,
        settings: PracticeSettings,
        session_id: int | None,
        duration_ms: int,
        markdown: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck
        self.test = test
        self.checks = list(checks)
        self.settings = settings
        self.session_id = session_id
        self.duration_ms = duration_ms
        self.markdown = markdown or {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="results"):
            yield Static(id="score")
            yield ListView(
                *(ListItem(*review_widgets(check), id=f"review-{i}") for i, check in enumerate(self.checks)),
                id="review",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"Test results · {self.deck}"
        self._show_score()
        self.query_one(ListView).focus()

    def _show_score(self) -> None:
        self.query_one("#score", Static).update(score_content(self.checks, self.duration_ms, self.test.notes))

    @property
    def missed(self) -> list[int]:
        return missed_card_ids(self.checks)

    @property
    def highlighted(self) -> int | None:
        return self.query_one(ListView).index

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retake":
            return bool(self.missed)
        if action == "override":
            index = self.highlighted
            if index is None:
                return False
            check = self.checks[index]
            return check.question.kind == "written" and (not check.correct or check.overridden)
        return True

    def on_list_view_highlighted(self) -> None:
        self.refresh_bindings()

    async def action_override(self) -> None:
        """ "I was right" on the highlighted written answer; again takes it back."""
        index = self.highlighted
        if index is None:
            return
        check = self.checks[index]
        if check.question.kind != "written":
            return
        if check.overridden:
            changed = check_answer(check.question, check.given)
            changed = replace(changed, duration_ms=check.duration_ms)
        elif not check.correct:
            changed = overridden(check)
        else:
            return
        checks = [*self.checks[:index], changed, *self.checks[index + 1 :]]
        if self.session_id is not None:
            try:
                self.collection.rescore_practice(self.session_id, checks)
            except UserError as error:
                self.notify(str(error), severity="error", markup=False)
                return
        self.checks = checks
        item = self.query_one(f"#review-{index}", ListItem)
        await item.remove_children()
        await item.mount_all(review_widgets(changed))
        self._show_score()
        self.refresh_bindings()

    def action_retake(self) -> None:
        from flashapp.tui.screens.practice_test import PracticeTestScreen

        missed = self.missed
        if missed:
            self.app.switch_screen(PracticeTestScreen(self.collection, self.deck, self.settings, only=missed))

    def action_new_test(self) -> None:
        from flashapp.tui.screens.practice_setup import PracticeSetupScreen
        from flashapp.tui.screens.practice_test import PracticeTestScreen

        def start(settings: PracticeSettings | None) -> None:
            if settings is not None:
                self.app.switch_screen(PracticeTestScreen(self.collection, self.deck, settings))

        items = self.collection.practice_items(self.deck, predict=True)
        self.app.push_screen(
            PracticeSetupScreen(
                self.deck,
                self.settings,
                items=items,
                predict_cards=sum(item.predict is not None for item in items),
            ),
            start,
        )

    def action_done(self) -> None:
        self.dismiss()
