"""The practice test in the TUI, driven by Pilot: set-up, one question at a time, hand-in, results with
the review, "I was right", the retake of the missed cards, and what the collection stores."""

from __future__ import annotations

from practice_fixtures import DECK, answer, hand_in, opened
from sqlalchemy import select
from textual.widgets import Checkbox, Input, ListView, RadioButton

from flashapp.core.practice.questions import PracticeSettings
from flashapp.store.models import PracticeAnswer, PracticeSession
from flashapp.tui.app import make_app
from flashapp.tui.practice_messages import PracticeStart
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.practice_confirm import PracticeConfirmScreen
from flashapp.tui.screens.practice_results import PracticeResultsScreen
from flashapp.tui.screens.practice_review import PracticeReviewScreen
from flashapp.tui.screens.practice_setup import PracticeSetupScreen
from flashapp.tui.screens.practice_test import PracticeTestScreen
from flashapp.tui.widgets.choice_option import ChoiceOption


def sessions(collection) -> list[PracticeSession]:
    with collection.reading() as session:
        return list(session.scalars(select(PracticeSession).order_by(PracticeSession.id)))


def start(settings: PracticeSettings) -> PracticeStart:
    return PracticeStart("test", DECK, settings)


async def begin(pilot, settings: PracticeSettings) -> PracticeTestScreen:
    """A practice test of `settings` opened in the running app, its set-up accepted as it is."""
    pilot.app.open_practice(start(settings))
    await opened(pilot, PracticeSetupScreen)
    await pilot.press("enter")
    await pilot.pause()
    return pilot.app.screen


async def test_a_whole_test_then_going_back_leaving_early_handing_in_early_review_page_and_setup_count(
    practice_collection, screen_text
):
    """Both parts in one app: the app starts on a test's set-up (as `flashapp test` starts it), and the
    second part's cases follow from the deck tree the first part leaves it on."""
    settings = PracticeSettings(count=5, seed=7)
    app = make_app(practice_collection, start=start(settings))
    async with app.run_test(size=(100, 32)) as pilot:
        await a_whole_test_then_its_results_stored_overridden_and_retaken(
            app, pilot, practice_collection, screen_text
        )
        await going_back_leaving_early_handing_in_early_the_review_page_and_the_setup_count(
            app, pilot, practice_collection, screen_text
        )


async def a_whole_test_then_its_results_stored_overridden_and_retaken(
    app, pilot, practice_collection, screen_text
):
    """Started by `make_app`'s `start` with a test of 5 questions (seed 7), on its set-up."""
    await opened(pilot, PracticeSetupScreen)
    setup = app.screen
    assert isinstance(setup, PracticeSetupScreen)
    assert setup.query_one("#count", Input).value == "5"
    assert all(box.value for box in setup.query(Checkbox) if box.id.startswith("kind-"))
    await pilot.press("enter")
    await pilot.pause()
    test = app.screen
    assert isinstance(test, PracticeTestScreen)
    questions = test.questions
    assert len(questions) == 5 and {q.kind for q in questions} == {
        "multiple_choice", "true_false", "written", "matching",
    }  # fmt: skip
    wrong = {next(i for i, q in enumerate(questions) if q.kind == "written")}
    wrong.add(next(i for i, q in enumerate(questions) if q.kind == "multiple_choice"))
    for index, question in enumerate(questions):
        assert test.index == index
        # Nothing tells the answer before the end.
        assert not app.screen.query(".-right") and "✓" not in screen_text(app)
        await answer(pilot, question, right=index not in wrong)
    # Answering the last question hands nothing in: the review page lists every answer, and
    # going back to one of them still changes it.
    review = app.screen
    assert isinstance(review, PracticeReviewScreen) and sessions(practice_collection) == []
    assert "Review your answers" in screen_text(app)
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, PracticeTestScreen)
    await pilot.press("f2")
    await pilot.pause()
    await hand_in(pilot)
    results = app.screen
    assert isinstance(results, PracticeResultsScreen)
    text = screen_text(app)
    assert "60%  3 of 5 right  ·  2 missed" in text
    assert [check.correct for check in results.checks] == [i not in wrong for i in range(5)]

    [stored] = sessions(practice_collection)
    assert (stored.kind, stored.score, stored.total) == ("test", 3, 5)
    assert stored.settings["seed"] == 7 and stored.settings["count"] == 5

    # "I was right" on the written answer: the score goes up, in the collection too.
    written = min(i for i in wrong if questions[i].kind == "written")
    results.query_one(ListView).index = written
    await pilot.press("o")
    await pilot.pause()
    assert "80%  4 of 5 right" in screen_text(app)
    assert sessions(practice_collection)[0].score == 4
    with practice_collection.reading() as session:
        answers = session.scalars(select(PracticeAnswer).order_by(PracticeAnswer.id)).all()
    assert [a.correct for a in answers] == [i != min(wrong - {written}, default=-1) for i in range(5)]

    # Retake the missed ones: a new test on the missed multiple-choice card alone.
    missed = results.missed
    [mc] = [i for i in wrong if i != written]
    assert missed == list(questions[mc].card_ids)
    await pilot.press("r")
    await pilot.pause()
    retake = app.screen
    assert isinstance(retake, PracticeTestScreen) and retake.only == missed
    assert [q.card_ids for q in retake.questions] == [tuple(missed)]
    await answer(pilot, retake.questions[0])
    await hand_in(pilot)
    assert isinstance(app.screen, PracticeResultsScreen)
    assert "100%  1 of 1 right" in screen_text(app)
    assert sessions(practice_collection)[1].settings["retake"] is True
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)


async def going_back_leaving_early_handing_in_early_the_review_page_and_the_setup_count(
    app, pilot, practice_collection, screen_text
):
    """Four cases, each a practice test opened from the deck tree (as `make_app`'s `start` opens one)
    and left back to it; each assertion names its case. The sessions stored before them (`before`)
    are the first part's."""
    assert isinstance(app.screen, HomeScreen)
    before = len(sessions(practice_collection))

    def stored() -> list[PracticeSession]:
        return sessions(practice_collection)[before:]

    # Case "setup": the set-up's count follows the chosen types, and a test of nothing is refused.
    app.open_practice(start(PracticeSettings()))
    await opened(pilot, PracticeSetupScreen)
    setup = app.screen
    assert "of 8 cards these types can ask" in screen_text(app), "setup"
    for kind in ("multiple_choice", "true_false", "matching"):
        setup.query_one(f"#kind-{kind}", Checkbox).value = False
    await pilot.pause()
    # Written, every card of this deck has a short answer to type.
    assert "of 8 cards these types can ask" in screen_text(app), "setup: written"
    # Answering with the question: only the reversed card's term is a short one to type.
    setup.query_one("#with-question", RadioButton).value = True
    await pilot.pause()
    assert "of 1 cards these types can ask" in screen_text(app), "setup: with the question"
    setup.query_one("#kind-matching", Checkbox).value = True
    await pilot.pause()
    assert "of 8 cards these types can ask" in screen_text(app), "setup: matching"

    # A test of nothing is refused: no type of question, then no questions (answering as by default).
    setup.query_one(f"#with-{PracticeSettings().answer_with}", RadioButton).value = True
    for box in setup.query(Checkbox):
        box.value = False
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, PracticeSetupScreen), "setup: no type"
    assert "Pick at least one type of question." in screen_text(app), "setup: no type"
    setup.query_one("#kind-written", Checkbox).value = True
    setup.query_one("#count", Input).value = "0"
    setup.query_one("#count", Input).focus()
    await pilot.press("enter")
    await pilot.pause()
    assert "The number of questions must be 1 or more." in screen_text(app), "setup: no questions"
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen), "setup"
    assert stored() == [], "setup"

    # Case "going back": going back, changing an answer, and leaving early (nothing stored).
    settings = PracticeSettings(count=3, kinds=("multiple_choice",), seed=3, timer=True)
    test = await begin(pilot, settings)
    first = test.questions[0]
    await answer(pilot, first, right=False)
    assert test.index == 1, "going back"
    assert "⏱ 00:" in str(test.query_one("#clock").render()), "going back"
    await pilot.press("pageup")
    await pilot.pause()
    assert test.index == 0, "going back"
    chosen = [option.index for option in test.query(ChoiceOption) if option.has_class("-selected")]
    assert chosen == [(first.correct_option + 1) % 4], "going back"  # the answer given is kept
    await answer(pilot, first)  # changed: now right, and on to the first unanswered one
    assert test.index == 1 and test.responses[0] == first.correct_option, "going back"
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, PracticeConfirmScreen), "going back"
    await pilot.press("l")  # leave without saving
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen), "going back"
    assert stored() == [], "going back"

    # Case "hand in early": handing in early counts the unanswered as missed.
    settings = PracticeSettings(count=4, kinds=("true_false",), seed=5)
    await answer(pilot, (await begin(pilot, settings)).questions[0])
    await pilot.press("escape")
    await pilot.pause()
    assert "3 of 4 questions are unanswered" in screen_text(app), "hand in early"
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(app.screen, PracticeResultsScreen), "hand in early"
    assert "(no answer)" in screen_text(app), "hand in early"
    [stored_test] = stored()
    assert (stored_test.score, stored_test.total) == (1, 4), "hand in early"
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen), "hand in early"

    # Case "review page": the review page goes back to a question, and its answer changes.
    settings = PracticeSettings(count=2, kinds=("multiple_choice",), seed=3)
    test = await begin(pilot, settings)
    first, second = test.questions
    await answer(pilot, first, right=False)
    await answer(pilot, second)
    assert isinstance(app.screen, PracticeReviewScreen), "review page"
    wrong = (first.correct_option + 1) % 4
    assert f"Your answer: {wrong + 1}. {first.options[wrong]}" in screen_text(app), "review page"
    await pilot.press("enter")  # the first question, highlighted first
    await pilot.pause()
    assert app.screen is test and test.index == 0, "review page"
    await answer(pilot, first)
    # Every one answered: the review again.
    assert isinstance(app.screen, PracticeReviewScreen), "review page"
    await hand_in(pilot)
    assert isinstance(app.screen, PracticeResultsScreen), "review page"
    assert "100%  2 of 2 right" in screen_text(app), "review page"
    assert [(row.score, row.total) for row in stored()] == [(1, 4), (2, 2)]
