"""Practice material and results in the collection: items, stored sessions, overrides, Learn
progress, mastery counts and the best Match time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from flashapp.core.practice.generator import generate_test
from flashapp.core.practice.questions import PracticeItem, Question
from flashapp.core.practice.scoring import AnswerCheck, check_answer, overridden
from flashapp.errors import UserError
from flashapp.store.models import Card, Note, PracticeAnswer, PracticeSession

DECK = """\
[deck]
name = "Practice"

[[cards]]
id = "soft"
front = "What turns scores into weights?"
back = "**softmax**"

[[cards]]
id = "flow"
cloze = "Rectified flow follows {{c1::straight}} paths from $x_0$ to data."

[[cards]]
id = "enc"
kind = "reversed"
front = "Encoder"
back = "Reads the input sequence"

[[cards]]
id = "gone"
front = "Suspended"
back = "never asked"
"""


@pytest.fixture
def practice(collection, write_deck):
    collection.import_paths([write_deck(DECK)], backup=False)
    with collection.writing() as session:
        card = session.scalars(select(Card).join(Note).where(Note.key == "gone")).one()
        card.suspended = True
    return collection


def item_of(items: list[PracticeItem], text: str) -> PracticeItem:
    return next(item for item in items if text in item.question)


def test_practice_items(practice):
    items = practice.practice_items("Practice")
    assert len(items) == 3  # one item per reversed note, suspended cards left out
    soft = item_of(items, "scores")
    assert (soft.answer, soft.answer_markdown, soft.typed) == ("softmax", "**softmax**", "softmax")
    flow = item_of(items, "Rectified")
    assert flow.kind == "cloze" and flow.answer == flow.typed == "straight"  # the deletion, not the sentence
    assert "x₀" in flow.question and "$x_0$" in flow.question_markdown
    encoder = item_of(items, "Encoder")
    assert (encoder.typed, encoder.typed_prompt) == ("Encoder", "Reads the input sequence")
    with pytest.raises(UserError, match="unknown deck"):
        practice.practice_items("Nope")


def written_check(card_id: int, correct: bool) -> AnswerCheck:
    question = Question(1, "written", "q", "answer", (card_id,))
    return check_answer(question, "answer" if correct else "wrong")


def test_record_and_rescore_a_test(practice, clock):
    items = practice.practice_items("Practice")
    test = generate_test(items, deck="Practice", count=3, kinds=["written"], seed=1)
    checks = [check_answer(question, "nope") for question in test.questions]
    started = clock.now
    clock.now += timedelta(minutes=2)
    session_id = practice.record_practice("test", "Practice", started, checks, {"count": 3})
    checks[0] = overridden(checks[0])
    practice.rescore_practice(session_id, checks)
    with practice.reading() as session:
        row = session.get(PracticeSession, session_id)
        answers = session.scalars(select(PracticeAnswer).order_by(PracticeAnswer.id)).all()
        assert (row.kind, row.score, row.total, row.duration_ms) == ("test", 1, len(checks), 120_000)
        assert [answer.correct for answer in answers] == [True] + [False] * (len(checks) - 1)
        assert answers[0].card_id == test.questions[0].card_ids[0] and answers[0].given == "nope"
    with pytest.raises(UserError):
        practice.rescore_practice(session_id, checks[:1])


def test_learn_progress_and_mastery_from_stored_answers(practice, clock):
    items = practice.practice_items("Practice")
    soft, flow = item_of(items, "scores").card_id, item_of(items, "Rectified").card_id
    assert practice.mastery("Practice").as_dict() == {
        "not_studied": 4, "learning": 0, "familiar": 0, "mastered": 0,
    }  # fmt: skip
    mc = Question(1, "multiple_choice", "q", "a", (soft,), options=("a", "b", "c", "d"))
    practice.record_practice("learn", "Practice", clock.now, [check_answer(mc, 0)], {})
    clock.now += timedelta(seconds=1)
    practice.record_practice("learn", "Practice", clock.now, [written_check(soft, True)], {})
    clock.now += timedelta(seconds=1)
    practice.record_practice(
        "learn", "Practice", clock.now, [written_check(soft, True), written_check(flow, False)], {}
    )
    progress = practice.practice_progress("Practice")
    assert progress[soft].mastered and progress[flow].level == "learning"
    counts = practice.mastery("Practice")
    assert counts.as_dict() == {"not_studied": 2, "learning": 1, "familiar": 0, "mastered": 1}
    # A card reviewed at a long interval is mastered by its schedule alone.
    with practice.writing() as session:
        card = session.scalars(
            select(Card).where(Card.state == "new", ~Card.suspended, Card.id.not_in([soft, flow]))
        ).first()
        card.state, card.interval_days = "review", 30
    assert practice.mastery("Practice").mastered == 2


def test_the_best_match_time(practice, clock):
    assert practice.best_match_ms("Practice") is None
    for time_ms in (30_500, 21_000, 25_000):
        practice.record_practice("match", "Practice", clock.now, [], {}, duration_ms=time_ms)
    practice.record_practice("test", "Practice", clock.now, [], {}, duration_ms=1)
    assert practice.best_match_ms("Practice") == 21_000


PREDICT = """\
[deck]
name = "Predict"

[[cards]]
id = "plain"
front = "Plain?"
back = "yes"

[[cards]]
id = "scores"
kind = "predict"
concept = "softmax"
question = "What is softmax({s0}, {s1}, {s2})?"
answer = { kind = "vector", tolerance = 0.01 }
ranges = { s0 = [-2, 2], s1 = [-2, 2], s2 = [-2, 2] }
"""


def test_predict_cards_are_items_only_when_asked_for(collection, write_deck):
    collection.import_paths([write_deck(PREDICT, "predict.toml")], backup=False)
    assert [item.question for item in collection.practice_items("Predict")] == ["Plain?"]
    items = collection.practice_items("Predict", predict=True)
    [predict] = [item for item in items if item.predict is not None]
    assert predict.kind == "predict" and predict.question == "What is softmax({s0}, {s1}, {s2})?"
    assert predict.predict.task == "softmax"
