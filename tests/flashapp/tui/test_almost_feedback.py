"""Practice tests and Learn show an answer accepted as "almost" as such, with the exact answer beside it."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical

from flashapp.core.practice.questions import Question
from flashapp.core.practice.scoring import check_answer
from flashapp.tui.screens.practice_results import review_widgets


class ReviewApp(App[None]):
    def __init__(self, check) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        yield Vertical(*review_widgets(self.check))


def text_of(app: App) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query("Static"))


async def test_the_review_of_a_test_marks_an_almost_answer_and_gives_the_exact_one():
    question = Question(1, "written", "What does softmax normalise?", "the scores", (3,))
    almost = check_answer(question, "score")
    assert almost.correct and almost.almost
    async with ReviewApp(almost).run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        shown = text_of(pilot.app)
        assert "≈ 1." in shown and "counted right (singular or plural)" in shown and "the scores" in shown
    exact = check_answer(question, "the scores")
    async with ReviewApp(exact).run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        shown = text_of(pilot.app)
        assert "✓ 1." in shown and "Almost" not in shown
