"""Shared by the practice TUI tests: a small deck of short answers (conftest's `practice_collection`
holds it), how to answer a question, and waiting for a screen to open."""

from __future__ import annotations

from textual.widgets import Input

from flashapp.core.practice.questions import KIND_TITLES, Question
from flashapp.tui.widgets.question_view import QuestionView

PRACTICE_DECK = """\
[deck]
name = "Practice::Words"

[[cards]]
id = "bert"
front = "Encoder-only model?"
back = "BERT"

[[cards]]
id = "gpt"
front = "Decoder-only model?"
back = "GPT"

[[cards]]
id = "softmax"
front = "What turns attention scores into weights?"
back = "**softmax**"

[[cards]]
id = "year"
front = "Year of *Attention Is All You Need*?"
back = "2017"

[[cards]]
id = "fcn"
front = "Input size a fully convolutional net accepts?"
back = "any size"

[[cards]]
id = "unet"
kind = "reversed"
front = "U-Net"
back = "Encoder-decoder with skip connections"

[[cards]]
id = "flow"
cloze = "Rectified flow follows {{c1::straight}} paths."

[[cards]]
id = "heads"
kind = "type-in"
front = "Heads in the base Transformer?"
back = "8"
"""
DECK = "Practice::Words"


async def answer(pilot, question: Question, *, right: bool = True) -> None:
    """Answer the question on screen with the keys a user would press, once it is shown as a new
    one: its title, and a written answer's field empty (or holding the answer given before), open
    and focused."""
    screen = pilot.app.screen
    assert str(screen.query_one("#kind").render()) == f"{question.number}. {KIND_TITLES[question.kind]}"
    if question.kind == "written":
        typed = screen.query_one("#written", Input)
        before = screen.responses[screen.index] if hasattr(screen, "responses") else None  # a test's
        assert typed.value == (before or "") and not typed.disabled and typed.has_focus
    if question.kind in ("multiple_choice", "true_false"):  # answered by keys: one Tab stop, focused
        view = screen.query_one(QuestionView)
        stops = [widget for widget in screen.focus_chain if view in widget.ancestors_with_self]
        assert len(stops) == 1 and stops[0].has_focus, stops
    if question.kind == "multiple_choice":
        index = question.correct_option if right else (question.correct_option + 1) % 4
        await pilot.press(str(index + 1))
    elif question.kind == "true_false":
        await pilot.press("t" if (question.answer == "true") == right else "f")
    elif question.kind == "written":
        screen.query_one("#written", Input).value = question.answer if right else "no idea"
        await pilot.press("enter")
    else:
        letters = "abcdef"
        keys = [letters[question.choices.index(answer)] for _, answer in question.pairs]
        if not right:
            keys[0], keys[1] = keys[1], keys[0]
        await pilot.press(*keys, "enter")
    await pilot.pause()


async def hand_in(pilot) -> None:
    """On the review page that follows the last answer, hand the test in."""
    from flashapp.tui.screens.practice_review import PracticeReviewScreen

    assert isinstance(pilot.app.screen, PracticeReviewScreen)
    await pilot.press("h")
    await pilot.pause()


async def opened(pilot, screen_type: type, ready=lambda screen: True, tries: int = 500) -> None:
    """Pause until a `screen_type` screen is on top, drawn and `ready(screen)`: an app started on a
    screen pushes it after its first frame, which a loaded machine may not reach within one pause."""
    for _ in range(tries):
        screen = pilot.app.screen
        opened = isinstance(screen, screen_type) and ready(screen)
        if opened and any(strip.text.strip() for strip in screen._compositor.render_strips()):
            return
        await pilot.pause(0.01)
    raise AssertionError(f"{screen_type.__name__} did not open; the screen is {pilot.app.screen!r}")
