"""Predict cards in a study session, driven by Pilot: the drawn case, a typo refused, the engine's
grading stored as an ordinary review (wrong: Again; right: Good, or Easy within 10 s), undo, and `r`
only once the card is graded."""

from __future__ import annotations

import shutil
import time
from datetime import UTC

import pytest
from sqlalchemy import select

from flashapp.core.predict import predict_seed
from flashapp.core.scheduling import Rating
from flashapp.store.collection import Collection
from flashapp.store.models import Review
from flashapp.tui.app import make_app
from flashapp.tui.screens.demo import DemoScreen
from flashapp.tui.screens.study import StudyScreen
from flashapp.tui.widgets.predict_prompt import PredictPrompt

PREDICT_DECK = """\
[deck]
name = "Predict"

[[cards]]
id = "mha-params"
kind = "predict"
concept = "attention.multihead_params"
question = "How many parameters does nn.MultiheadAttention({d_model}, {heads}) have?"
answer = "int"
ranges = { d_model = [8, 16, 32], heads = [1, 2] }
demo = "attention.multihead"

[[cards]]
id = "softmax"
kind = "predict"
concept = "softmax"
question = "softmax({s0}, {s1}, {s2})?"
answer = { kind = "vector", tolerance = 0.01 }
params = { s0 = 0, s1 = 0, s2 = 0 }
"""


@pytest.fixture
def predict_collection(db_path, clock, deck_collection_template):
    """The deck above in a copy of a collection it was imported into once per test process."""
    shutil.copyfile(deck_collection_template(PREDICT_DECK), db_path)
    with Collection.open(db_path, shipped_decks=False, clock=clock, tz=UTC, fuzz=False) as collection:
        yield collection


def footer_keys(screen) -> set[str]:
    return {key for key, active in screen.active_bindings.items() if active.enabled and active.binding.show}


async def wait_graded(pilot, study: StudyScreen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not study.graded:
        assert time.monotonic() < deadline, "the engine did not grade the card"
        await pilot.pause(0.05)


async def type_answer(pilot, text: str) -> None:
    await pilot.press(*text, "enter")


def ratings(collection: Collection) -> list[Rating]:
    with collection.reading() as session:
        return [Rating(r.rating) for r in session.scalars(select(Review).order_by(Review.id))]


async def test_right_quickly_is_easy_wrong_is_again_and_right_slowly_is_good(
    predict_collection, frozen_timer, screen_text
):
    app = make_app(predict_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        card = study.card
        assert card.info.key == "mha-params"
        case = card.rendered.predict.draw(predict_seed(card.id, card.info.reps))
        question = f"How many parameters does nn.MultiheadAttention({case['d_model']}, {case['heads']}) have?"
        assert question in screen_text(app)
        assert "r" not in footer_keys(study)  # the demo would give the answer away

        frozen_timer.now += 4.0
        d = case["d_model"]
        await type_answer(pilot, str(4 * d * d + 4 * d))
        await wait_graded(pilot, study)
        text = screen_text(app)
        assert "✓ Right: rated Easy (4 s)" in text and "4·d² + 4·d" in text
        assert ratings(predict_collection) == [Rating.EASY]
        assert {"space", "r", "u"} <= footer_keys(study)

        await pilot.press("r")  # the demo opens on the drawn case
        await pilot.pause()
        assert isinstance(app.screen, DemoScreen) and app.screen.initial["d_model"] == d
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("space")  # next card
        await pilot.pause()
        assert study.card.info.key == "softmax" and not study.graded
        frozen_timer.now += 3.0
        await type_answer(pilot, "0.5, 0.25, 0.25")
        await wait_graded(pilot, study)
        assert "✗ Not right: rated Again" in screen_text(app)
        assert ratings(predict_collection) == [Rating.EASY, Rating.AGAIN]

        await pilot.press("u")  # undo: the same card, the same case, a fresh answer box
        await pilot.pause()
        assert study.card.info.key == "softmax" and not study.graded
        frozen_timer.now += 15.0
        await type_answer(pilot, "1/3, 1/3, 1/3")
        await wait_graded(pilot, study)
        assert "✓ Right: rated Good (15 s)" in screen_text(app)
    assert ratings(predict_collection) == [Rating.EASY, Rating.GOOD]


async def test_the_same_review_shows_the_same_case_a_typo_is_refused_and_an_empty_answer_shows_the_truth(
    predict_collection, screen_text
):
    """Two cases in one app, each on a study screen of its own opened from the deck tree; the first
    answers nothing."""
    app = make_app(predict_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        # Case "same case": the same review shows the same case.
        await pilot.press("enter")
        await pilot.pause()
        first = screen_text(app).split("\n")[3]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen), "same case"
        assert screen_text(app).split("\n")[3] == first and "nn.MultiheadAttention(" in first, "same case"
        assert ratings(predict_collection) == [], "same case"
        await pilot.press("escape")
        await pilot.pause()

        # Case "typo": a typo is refused, and an empty answer shows the truth.
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen), "typo"
        await type_answer(pilot, "lots")
        await pilot.pause()
        prompt = study.query_one(PredictPrompt)
        assert "'lots' is not a number" in str(prompt.query_one("#predict-status").content), "typo"
        assert not study.graded and ratings(predict_collection) == [], "typo"
        answer_box = prompt.query_one("#predict-answer")
        answer_box.value = ""
        await pilot.press("enter")  # nothing typed: "I don't know"
        await wait_graded(pilot, study)
        assert "(nothing typed)" in screen_text(app) and "rated Again" in screen_text(app), "typo"
        assert ratings(predict_collection) == [Rating.AGAIN], "typo"
