"""Predict cards, the pure part: the deck-file format, drawing a case, filling the question, reading
and checking typed answers, the automatic rating."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashapp.core.deckfile import DeckFileError, dump_deck, parse_deck
from flashapp.core.predict import (
    AnswerFormatError,
    AnswerSpec,
    Choices,
    IntRange,
    PredictSpec,
    PredictSpecError,
    check_answer,
    fill_template,
    format_value,
    parse_predict,
    predict_seed,
    rating_for,
    read_answer,
    template_placeholders,
)
from flashapp.core.render import render_card
from flashapp.core.scheduling import Rating
from flashapp.store.importing import validate_demo, validate_predict

DECK = textwrap.dedent(
    """\
    [deck]
    name = "Predict"

    [[cards]]
    id = "shapes"
    kind = "predict"
    concept = "attention.shapes"
    question = "One sequence: n={n}, m={m}, d={d}, h={heads}: output; weights?"
    answer = "shape"
    ranges = { n = [2, 6], m = [3, 8], heads = [1, 2, 4] }
    params = { batch = 1, d = 16 }
    tags = ["predict"]
    demo = "attention.cross"

    [[cards]]
    id = "flow"
    kind = "predict"
    concept = "flow_matching.straight_path"
    question = "t = {t:.2f}, x0 = ({x0a}, {x0b}), x1 = ({x1a}, {x1b}); {{x_t}}; velocity"
    answer = { kind = "vector", tolerance = 0.05 }
    ranges = { t = [0.25, 0.5], x0a = [-2, 2], x0b = [-2, 2], x1a = [-2, 2], x1b = { choices = [1, 2] } }
    extra = "x_t = (1 - t) x0 + t x1"
    """
)


def parse(text: str = DECK):
    return parse_deck(text, "deck.toml", validate_demo, validate_predict=validate_predict)


def test_a_predict_card_parses_into_its_spec():
    shapes, flow = parse().cards
    assert shapes.kind == "predict" and shapes.demo == "attention.cross" and shapes.params == {}
    spec = shapes.predict
    assert spec.task == "attention.shapes" and spec.answer == AnswerSpec("shape")
    assert spec.ranges == {"n": IntRange(2, 6), "m": IntRange(3, 8), "heads": Choices((1, 2, 4))}
    assert spec.params == {"batch": 1, "d": 16}
    # Two numbers make a range; any other list, or { choices = [...] }, a set of choices.
    assert flow.predict.ranges["t"] == Choices((0.25, 0.5))
    assert flow.predict.ranges["x1b"] == Choices((1, 2))
    assert flow.predict.answer == AnswerSpec("vector", 0.05)
    assert flow.card_ords() == [0] and flow.extra == "x_t = (1 - t) x0 + t x1"


def test_predict_cards_round_trip_through_dump():
    deck = parse()
    assert parse(dump_deck(deck)) == deck


def test_fields_keep_the_spec_and_render_the_template_or_the_drawn_case():
    spec = parse().cards[1].predict
    fields = parse().cards[1].fields()
    assert PredictSpec.from_fields(fields) == spec
    template = render_card("predict", fields, 0)
    assert template.question == "t = {t}, x0 = ({x0a}, {x0b}), x1 = ({x1a}, {x1b}); {x_t}; velocity"
    assert template.predict == spec and template.extra == "x_t = (1 - t) x0 + t x1"
    drawn = render_card("predict", fields, 0, seed=predict_seed(7, 0))
    values = spec.draw(predict_seed(7, 0))
    assert drawn.question.startswith(f"t = {values['t']:.2f}, x0 = ({values['x0a']}, ")
    assert "{" not in drawn.question.replace("{x_t}", "")


def test_a_damaged_spec_still_renders_as_text():
    fields = parse().cards[0].fields() | {"ranges": "{not json"}
    rendered = render_card("predict", fields, 0)
    assert rendered.predict is None and "cannot be checked" in rendered.answer


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'concept = "attention.shapes"\n',
            "",
            "deck.toml:4: card shapes: a predict card needs a non-empty 'concept'",
        ),
        ('answer = "shape"\n', "", "deck.toml:4: card shapes: a predict card needs an answer kind"),
        (
            'answer = "shape"',
            'answer = "matrix"',
            "deck.toml:9: card shapes: answer kind 'matrix' is not one of",
        ),
        (
            'answer = "shape"',
            'answer = "int"',
            "deck.toml:9: card shapes: attention.shapes computes a shape answer",
        ),
        ("d={d}", "d={dim}", "deck.toml:8: card shapes: question: placeholder {dim} has no range or param"),
        (
            "d={d}",
            "d={d",
            "deck.toml:8: card shapes: question: a single '{' that is not a {name} placeholder",
        ),
        (
            "n = [2, 6]",
            "n = [6, 2]",
            "deck.toml:10: card shapes: ranges: n: [lo, hi] needs lo <= hi, got [6, 2]",
        ),
        (
            "n = [2, 6]",
            "n = []",
            "deck.toml:10: card shapes: ranges: n must be [lo, hi] or a list of choices",
        ),
        ("batch = 1", "batch = 1, n = 3", "deck.toml:11: card shapes: 'n' is both in ranges and in params"),
        ("batch = 1, ", "", "deck.toml:10: card shapes: attention.shapes: parameter 'batch' needs a range"),
        (
            "d = 16",
            "d = 16, bias = true",
            "deck.toml:11: card shapes: attention.shapes: unknown parameter 'bias'",
        ),
        (
            "heads = [1, 2, 4]",
            "heads = [1, 3, 4]",
            "deck.toml:10: card shapes: attention.shapes: the ranges allow",
        ),
        (
            "m = [3, 8]",
            "m = [3, 800]",
            "deck.toml:10: card shapes: attention.shapes: parameter m=800 is out of range",
        ),
        (
            'concept = "attention.shapes"',
            'concept = "attention.shape"',
            "deck.toml:7: card shapes: unknown predict concept",
        ),
        (
            'demo = "attention.cross"',
            'demo = "attention.crosss"',
            "deck.toml:13: card shapes: unknown concept",
        ),
        (
            'kind = "predict"\nconcept = "attention.shapes"',
            'kind = "predict"\nconcept = "attention.shapes"\nfront = "x"',
            "deck.toml:8: card shapes: key 'front' is not allowed on a predict card",
        ),
        (
            'answer = { kind = "vector", tolerance = 0.05 }',
            'answer = { kind = "vector", options = ["a", "b"] }',
            "deck.toml:20: card flow: answer: options only apply to choice answers",
        ),
        ("t = {t:.2f}", "t = {t:d}", "deck.toml:19: card flow: question: Unknown format code 'd'"),
    ],
)
def test_predict_card_errors_name_the_line_and_the_card(old, new, message):
    assert old in DECK
    with pytest.raises(DeckFileError) as error:
        parse(DECK.replace(old, new, 1))
    assert str(error.value).startswith(message), str(error.value)


def test_choice_answers_need_their_options():
    with pytest.raises(PredictSpecError, match="a choice needs options"):
        AnswerSpec.from_toml({"kind": "choice", "options": ["only one"]})
    card = textwrap.dedent(
        """\
        [deck]
        name = "C"
        [[cards]]
        id = "overlap"
        kind = "predict"
        concept = "transposed_conv.overlap"
        question = "kernel {kernel}, stride {stride}: even or uneven?"
        answer = { kind = "choice", options = ["even", "lopsided"] }
        ranges = { kernel = [4, 6], stride = [2, 3] }
        """
    )
    with pytest.raises(DeckFileError, match="options must include 'uneven'"):
        parse(card)
    spec = parse(card.replace('"lopsided"', '"uneven"')).cards[0].predict
    assert spec.answer.options == ("even", "uneven")


def test_the_same_review_draws_the_same_case_and_the_next_one_another():
    spec = parse().cards[0].predict
    first = spec.draw(predict_seed(12, 3))
    assert spec.draw(predict_seed(12, 3)) == first
    cases = {tuple(sorted(spec.draw(predict_seed(12, reps)).items())) for reps in range(20)}
    assert len(cases) > 5


@given(st.integers(0, 10_000), st.integers(0, 50))
def test_drawn_values_stay_in_their_ranges(card_id, reps):
    spec = parse_predict(
        {
            "concept": "x",
            "question": "{a} {b} {c}",
            "answer": "int",
            "ranges": {"a": [-3, 3], "b": ["p", "q", "r"]},
            "params": {"c": 2.5},
        }
    )
    values = spec.draw(predict_seed(card_id, reps))
    assert -3 <= values["a"] <= 3 and values["b"] in ("p", "q", "r") and values["c"] == 2.5
    assert spec.question_for(values) == f"{values['a']} {values['b']} 2.5"


def test_templates_escape_braces_and_format_values():
    assert template_placeholders("{a}, {{literal}}, {b:.2f} and {a}") == ["a", "b"]
    assert fill_template("{a}, {{literal}}, {b:.2f}", {"a": 3, "b": 0.5}) == "3, {literal}, 0.50"
    assert fill_template("√{d} and \\frac{1}{2}", {"d": 8}) == "√8 and \\frac{1}{2}"  # not identifiers: kept
    assert fill_template("{a} {missing}", None) == "{a} {missing}"
    with pytest.raises(ValueError, match="single '}'"):
        template_placeholders("a } b")


@pytest.mark.parametrize(
    ("text", "kind", "parts", "expected"),
    [
        ("2x3", "shape", 1, ((2, 3),)),
        ("(2, 3)", "shape", 1, ((2, 3),)),
        (" 2 × 3 × 4 ", "shape", 1, ((2, 3, 4),)),
        ("torch.Size([1, 4, 8])", "shape", 1, ((1, 4, 8),)),
        ("[5]", "shape", 1, ((5,),)),
        ("2 x 4 x 8; 2x2x4x6", "shape", 2, ((2, 4, 8), (2, 2, 4, 6))),
        ("1,050,624", "int", 1, (1050624,)),
        ("1 050", "int", 1, (1050,)),
        ("1,05", "int", 1, None),
        ("288", "int", 1, (288,)),
        ("12.0", "int", 1, (12,)),
        ("-0.5", "float", 1, (-0.5,)),
        ("1/3", "float", 1, (1 / 3,)),
        ("−1e-2", "float", 1, (-0.01,)),
        ("0.2, 0.8", "vector", 1, ((0.2, 0.8),)),
        ("(1.5 -1)", "vector", 1, ((1.5, -1.0),)),
        ("1.5, -1; 2, 4", "vector", 2, ((1.5, -1.0), (2.0, 4.0))),
        ("Uneven", "choice", 1, ("uneven",)),
        ("1", "choice", 1, ("even",)),
    ],
)
def test_read_answer(text, kind, parts, expected):
    answer = AnswerSpec(kind, options=("even", "uneven") if kind == "choice" else ())
    if expected is None:
        with pytest.raises(AnswerFormatError):
            read_answer(text, answer, parts)
    elif kind == "float":
        assert read_answer(text, answer, parts) == pytest.approx(expected)
    else:
        assert read_answer(text, answer, parts) == expected


@pytest.mark.parametrize(
    ("text", "kind", "parts", "message"),
    [
        ("2y3", "shape", 1, "'2y3' is not a shape like 2x3"),
        ("2x3", "shape", 2, "expected 2 answers separated by ';', got 1"),
        ("12.5", "int", 1, "'12.5' is not a whole number"),
        ("1 2", "float", 1, "'1 2': expected one number"),
        ("abc", "float", 1, "'abc' is not a number"),
        ("maybe", "choice", 1, "'maybe' is not one of: even, uneven"),
        ("1/0", "float", 1, "'1/0' divides by zero"),
    ],
)
def test_unreadable_answers_say_why(text, kind, parts, message):
    with pytest.raises(AnswerFormatError, match=message.replace("(", r"\(").replace("[", r"\[")):
        read_answer(text, AnswerSpec(kind, options=("even", "uneven")), parts)


def test_check_answer_by_kind_and_tolerance():
    vector = AnswerSpec("vector", 0.01)
    assert check_answer(((0.27, 0.73),), ((0.2689, 0.7311),), vector).correct
    assert not check_answer(((0.25, 0.75),), ((0.2689, 0.7311),), vector).correct
    assert not check_answer(((0.27,),), ((0.2689, 0.7311),), vector).correct  # too few numbers
    shapes = check_answer(
        ((2, 4, 8), (2, 4, 6)), ((2, 4, 8), (2, 2, 4, 6)), AnswerSpec("shape"), ["out", "w"]
    )
    assert [part.correct for part in shapes.parts] == [True, False] and not shapes.correct
    assert shapes.parts[1].label == "w"
    gave_up = check_answer(None, (12,), AnswerSpec("int"))
    assert not gave_up.correct and gave_up.parts[0].typed is None
    assert check_answer(("UNEVEN",), ("uneven",), AnswerSpec("choice", options=("even", "uneven"))).correct


def test_ratings_come_from_the_check_and_the_time():
    assert rating_for(False, 1_000) == Rating.AGAIN
    assert rating_for(True, 9_999) == Rating.EASY
    assert rating_for(True, 10_000) == Rating.GOOD


def test_values_are_shown_as_typed():
    assert format_value((2, 4, 8), "shape") == "2 x 4 x 8"
    assert format_value((0.26894, 0.73106), "vector") == "0.2689, 0.7311"
    assert format_value(0.5, "float") == "0.5" and format_value(None, "int") == "–"
