"""Computed questions from predict cards: drawn cases, the injected solver's truth, checking typed
answers within tolerance, and predict cards kept out of the other kinds."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.practice.computed import Truth, computed_question
from flashapp.core.practice.generator import generate_test
from flashapp.core.practice.markdown import render_test_markdown
from flashapp.core.practice.questions import QUESTION_KINDS, PracticeItem
from flashapp.core.practice.scoring import check_answer
from flashapp.core.predict import parse_predict

SOFTMAX = parse_predict(
    {
        "concept": "softmax",
        "question": "What is softmax({s0}, {s1}, {s2})?",
        "answer": {"kind": "vector", "tolerance": 0.01},
        "ranges": {"s0": [-3, 3], "s1": [-3, 3], "s2": [-3, 3]},
    }
)
SHAPES = parse_predict(
    {
        "concept": "two.shapes",
        "question": "Shapes for n = {n}?",
        "answer": "shape",
        "ranges": {"n": [2, 9]},
    }
)
solved: list[tuple[str, dict]] = []


def fake_engine(task: str, values) -> Truth:
    """The truth as the engine would give it, for two tasks."""
    solved.append((task, dict(values)))
    if task == "softmax":
        scores = [values["s0"], values["s1"], values["s2"]]
        total = sum(math.exp(s) for s in scores)
        return Truth((tuple(math.exp(s) / total for s in scores),), "softmax explained")
    if task == "two.shapes":
        return Truth(((values["n"], 2), (2, values["n"])), "", ("first", "second"))
    raise ValueError(f"unknown task {task}")


def predict_item(card_id: int, spec=SOFTMAX) -> PracticeItem:
    template = spec.question_for(None)
    return PracticeItem(card_id, "predict", template, "Predict it", predict=spec)


def ordinary(n: int) -> list[PracticeItem]:
    return [PracticeItem(i, "basic", f"Question {i}", f"answer {i}", f"a{i}") for i in range(1, n + 1)]


def test_a_computed_question_and_its_checking():
    question = computed_question(predict_item(50), fake_engine, seed=4)
    assert question.kind == "computed" and question.card_ids == (50,)
    assert "{" not in question.prompt and question.prompt.startswith("What is softmax(")
    weights = question.computed.truth[0]
    assert math.isclose(sum(weights), 1.0)
    assert check_answer(question, question.answer).correct
    close = ", ".join(f"{w + 0.004:.3f}" for w in weights)  # within the tolerance
    assert check_answer(question, close).correct
    off = ", ".join(f"{w + 0.05:.3f}" for w in weights)
    assert not check_answer(question, off).correct
    assert not check_answer(question, "no idea").correct  # unreadable: wrong, not an error
    assert question.to_json()["truth"] == [list(weights)]
    assert question.to_json()["explanation"] == "softmax explained"


def test_several_parts_are_typed_with_a_separator():
    question = computed_question(predict_item(7, SHAPES), fake_engine, seed=1)
    n = question.computed.truth[0][0]
    assert question.answer == f"{n} x 2 ; 2 x {n}"
    assert check_answer(question, f"{n}x2; 2x{n}").correct
    assert not check_answer(question, f"2x{n}; {n}x2").correct
    assert "first ; second" in question.computed.hint()


def test_a_case_the_engine_refuses_is_left_out():
    broken = parse_predict(
        {"concept": "nope", "question": "Q {n}?", "answer": "int", "ranges": {"n": [1, 2]}}
    )
    assert computed_question(predict_item(1, broken), fake_engine, seed=0) is None


def test_same_seed_same_cases_and_predict_cards_only_as_computed():
    items = ordinary(12) + [predict_item(100 + i) for i in range(4)]
    kinds = [*QUESTION_KINDS, "computed"]
    first = generate_test(items, deck="D", count=10, kinds=kinds, seed=9, solve=fake_engine)
    again = generate_test(items, deck="D", count=10, kinds=kinds, seed=9, solve=fake_engine)
    assert first == again
    for question in first.questions:
        asks_predict = any(card_id >= 100 for card_id in question.card_ids)
        assert asks_predict == (question.kind == "computed")
    assert "computed" in {q.kind for q in first.questions}
    page = render_test_markdown(first)
    computed = next(q for q in first.questions if q.kind == "computed")
    assert f"{computed.number}. {computed.answer}" in page  # the answer key has the engine's answer


def test_without_an_engine_there_are_no_computed_questions():
    items = ordinary(4) + [predict_item(100)]
    test = generate_test(items, deck="D", count=2, kinds=["computed"], seed=0)
    assert test.questions == () and test.notes
    mixed = generate_test(items, deck="D", count=3, kinds=["computed", "written"], seed=0)
    assert {q.kind for q in mixed.questions} == {"written"}


@settings(max_examples=60, deadline=None)
@given(
    ordinary_count=st.integers(0, 10),
    predict_count=st.integers(0, 5),
    count=st.integers(1, 10),
    seed=st.integers(0, 2**32),
)
def test_computed_questions_are_always_right_with_the_engine_answer(
    ordinary_count, predict_count, count, seed
):
    items = ordinary(ordinary_count) + [predict_item(100 + i) for i in range(predict_count)]
    test = generate_test(
        items, deck="D", count=count, kinds=["computed", "written"], seed=seed, solve=fake_engine
    )
    assert len(test.questions) == count or test.notes
    for question in test.questions:
        assert check_answer(question, question.answer).correct
