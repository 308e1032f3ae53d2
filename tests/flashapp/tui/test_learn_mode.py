"""Learn mode in the TUI: rounds of multiple choice then written answers until every card is
mastered, feedback after each answer, "I was right", recall of long answers, rounds stored."""

from __future__ import annotations

from practice_fixtures import answer, opened
from sqlalchemy import select
from textual.widgets import Input

from flashapp.store.models import PracticeSession
from flashapp.tui.app import make_app
from flashapp.tui.practice_messages import PracticeStart
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.learn import LearnScreen

DECK = "Study::Basics"  # conftest's four cards; the first has a paragraph for an answer


async def learn_one(pilot, *, right: bool = True) -> str:
    """Answer the current question and go on; returns its kind ("recall" for a paragraph)."""
    screen: LearnScreen = pilot.app.screen
    question = screen.session.question()
    if question.recall:
        await pilot.press("enter")
        await pilot.pause()
        assert screen.phase == "recall"
        await pilot.press("y" if right else "n")
        kind = "recall"
    else:
        await answer(pilot, question, right=right)
        kind = question.kind
    await pilot.pause()
    assert screen.phase == "feedback"
    return kind


def almost_right(question) -> str | None:
    """The written question's answer with an "s" added, where that is almost right (a plural)."""
    from flashapp.core.practice.grading import grade_written
    from flashapp.core.typed_answer import Verdict

    variant = question.answer + "s"
    written = question.kind == "written" and not question.recall
    return variant if written and grade_written(variant, question.answer).verdict is Verdict.ALMOST else None


async def test_learn_a_deck_to_mastery_an_almost_right_answer_said_to_be_almost(
    study_collection, screen_text
):
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        app.screen.query_one("#decks").move_to(DECK)
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LearnScreen)
        assert "Not studied 4" in screen_text(app) and "Round 1" in screen_text(app)
        rounds: list[list[str]] = []
        almost_seen = False
        while screen.phase != "done":
            kinds = []
            while screen.phase not in ("round", "done"):
                first_try = not kinds and not rounds
                question = screen.session.question()
                if not almost_seen and almost_right(question) is not None:
                    # The first written answer that can be almost right ("BERTs" for BERT, a plural)
                    # is given so: said to be almost, and counted right.
                    screen.query_one("#written", Input).value = almost_right(question)
                    await pilot.press("enter")
                    await pilot.pause()
                    assert screen.phase == "feedback"
                    shown = screen_text(app)
                    assert "≈ Almost (singular or plural), counted right" in shown
                    assert f"The answer: {question.answer}" in shown
                    almost_seen = True
                    kinds.append(question.kind)
                else:
                    kinds.append(await learn_one(pilot, right=not first_try))
                if first_try:  # a wrong first answer: the right one is shown, the card comes back
                    assert "Not quite" in screen_text(app)
                await pilot.press("enter")
                await pilot.pause()
                if screen.phase == "question":  # the next question: no mark of the last answer left
                    assert not screen.query(".-right, .-wrong, .-selected, .feedback")
            rounds.append(kinds)
            if screen.phase == "round":
                assert "done." in screen_text(app)
                await pilot.press("enter")
                await pilot.pause()
        assert almost_seen, "no written question with a one-word answer came up"
        assert "All 4 cards mastered!" in screen_text(app)
        assert "Mastered 4" in screen_text(app)
        # Multiple choice first (the missed card again at the end), then two rounds of written answers.
        assert rounds[0] == ["multiple_choice"] * 5
        assert all(kind in ("written", "recall") for kinds in rounds[1:] for kind in kinds)
        assert len(rounds) == 3 and "recall" in rounds[1]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Mastered 4" in str(app.screen.query_one("#deck-info").render())
    with study_collection.reading() as session:
        stored = session.scalars(select(PracticeSession).order_by(PracticeSession.id)).all()
    assert [(row.kind, row.score, row.total) for row in stored] == [
        ("learn", 4, 5),
        ("learn", 4, 4),
        ("learn", 4, 4),
    ]
    assert study_collection.mastery(DECK).mastered == 4


async def test_learn_fits_a_small_terminal_i_was_right_and_learn_resumes_where_it_was_left(
    study_collection, screen_text
):
    """Three cases in one app, each on a Learn screen of its own: the first answers nothing."""
    size = (80, 24)
    app = make_app(study_collection, start=PracticeStart("learn", DECK))
    async with app.run_test(size=size) as pilot:
        # Case "fits": Learn fits a small terminal.
        await opened(pilot, LearnScreen, lambda screen: screen.session is not None)
        for widget in (app.screen.query_one("#levels"), app.screen.query_one("#question")):
            assert widget.region.right <= size[0] and widget.region.bottom <= size[1], "fits"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "fits"
        assert study_collection.practice_progress(DECK) == {}, "fits: nothing answered"

        # Case "I was right", on a Learn screen opened at 100x32.
        await pilot.resize_terminal(100, 32)
        await pilot.pause()
        app.open_practice(PracticeStart("learn", DECK))
        await opened(pilot, LearnScreen, lambda screen: screen.session is not None)
        screen = app.screen
        for _ in range(4):  # round 1: every multiple-choice answer right
            await learn_one(pilot)
            await pilot.press("enter")
            await pilot.pause()
        assert screen.phase == "round"
        await pilot.press("enter")
        await pilot.pause()
        question = screen.session.question()
        while question.recall:  # a typed answer, for the override
            await learn_one(pilot)
            await pilot.press("enter")
            await pilot.pause()
            question = screen.session.question()
        screen.query_one("#written", Input).value = question.answer + "zzzz"  # too many typos
        await pilot.press("enter")
        await pilot.pause()
        assert "o: I was right" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert "Counted right." in screen_text(app)
        assert screen.session.progress[question.card_ids[0]].streak == 1
        await pilot.press("escape")  # leaving stores the answers of the round so far
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # Learn opened again (a new screen, which reads the stored answers, as a new app's would).
        app.open_practice(PracticeStart("learn", DECK))
        await opened(pilot, LearnScreen, lambda screen: screen.session is not None)
        screen = app.screen
        assert screen.session.progress[question.card_ids[0]].streak == 1
        assert screen.session.question().kind == "written"  # past multiple choice already
