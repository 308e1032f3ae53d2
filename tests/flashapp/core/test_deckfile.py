"""Deck-file parsing: valid files, each kind of malformed input with its exact message, round-trip."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.deckfile import CardSpec, DeckFileError, DeckSpec, dump_deck, parse_deck
from flashapp.core.predict import AnswerSpec, Choices, IntRange, PredictSpec

VALID = textwrap.dedent(
    '''\
    [deck]
    name = "Parent::Child"
    description = "A test deck"
    scheduler = "fsrs"
    new_per_day = 15
    learning_steps = ["30s", "10m", "1h"]
    desired_retention = 0.85

    [[cards]]
    id = "basic-one"
    front = "What is $\\\\sqrt{4}$?"
    back = """Two.

    - a list item
    [not a table header]
    back = not a key"""
    tags = ["math", "easy"]

    [[cards]]
    id = "rev"
    kind = "reversed"
    front = "Self-attention"
    back = "Q, K and V from one sequence"
    demo = "attention.self"
    params = { n = 5, d = 8 }

    [[cards]]
    id = "cz"
    cloze = "Flow goes from {{c1::noise::t=0}} to {{c2::data}}; {{c1::again}}."
    extra = "t runs from 0 to 1."

    [[cards]]
    id = "typed"
    kind = "type-in"
    front = "Output size of ConvTranspose2d(k=4, s=2, p=1) on 8x8?"
    back = "16x16"
    '''
)


def parse(text: str, validate_demo=None) -> DeckSpec:
    return parse_deck(text, "deck.toml", validate_demo)


def test_valid_file_parses_every_kind():
    deck = parse(VALID)
    assert deck.name == "Parent::Child"
    assert deck.description == "A test deck"
    assert deck.options == {
        "algorithm": "fsrs",
        "new_per_day": 15,
        "learning_steps_minutes": [0.5, 10.0, 60.0],
        "desired_retention": 0.85,
    }
    basic, rev, cz, typed = deck.cards
    assert basic.kind == "basic" and basic.tags == ("math", "easy")
    assert basic.front == "What is $\\sqrt{4}$?"
    assert basic.back.endswith("back = not a key")
    assert rev.kind == "reversed" and rev.card_ords() == [0, 1]
    assert rev.demo == "attention.self" and rev.params == {"n": 5, "d": 8}
    assert cz.kind == "cloze" and cz.card_ords() == [1, 2] and cz.extra == "t runs from 0 to 1."
    assert typed.kind == "type-in" and typed.back == "16x16"


def replace_line(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[deck]\nname = "x"\n[[cards]\n', "deck.toml:3: invalid TOML:"),
        ("[[cards]]\nid = 'a'\nfront='f'\nback='b'\n", "deck.toml:1: missing [deck] table with a name"),
        ('[deck]\nname = ""\n', "deck.toml:2: [deck]: name must be a non-empty string"),
        ('[deck]\nname = "A::::B"\n', "deck.toml:2: [deck]: name 'A::::B' has an empty part between '::'"),
        ('[deck]\nname = "A"\ncolour = "red"\n', "deck.toml:3: [deck]: unknown key 'colour'"),
        (
            '[deck]\nname = "A"\nscheduler = "leitner"\n',
            "deck.toml:3: [deck]: scheduler must be 'sm2' or 'fsrs'",
        ),
        (
            '[deck]\nname = "A"\nlearning_steps = ["1m", "soon"]\n',
            "deck.toml:3: [deck]: learning_steps: 'soon' is not a duration like '30s', '10m', '1h' or '1d'",
        ),
        ('[deck]\nname = "A"\nextra = 1\n', "deck.toml:3: [deck]: unknown key 'extra'"),
        ('notes = []\n[deck]\nname = "A"\n', "deck.toml:1: unknown top-level key 'notes'"),
        ('[deck]\nname = "A"\n[notes]\nx = 1\n', "deck.toml:1: unknown top-level key 'notes'"),
    ],
)
def test_deck_level_errors(text, message):
    with pytest.raises(DeckFileError) as error:
        parse(text)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "rev"\n', "", "deck.toml:19: missing id"),
        ('id = "rev"', 'id = "Rev Card"', "deck.toml:20: card Rev Card: id 'Rev Card' must match"),
        ('kind = "reversed"', 'kind = "essay"', "deck.toml:21: card rev: unknown kind 'essay'; kinds: basic"),
        (
            'back = "Q, K and V from one sequence"\n',
            "",
            "deck.toml:19: card rev: a reversed card needs a non-empty 'back' string",
        ),
        (
            'front = "Self-attention"',
            'front = ""',
            "deck.toml:22: card rev: a reversed card needs a non-empty",
        ),
        (
            'front = "Self-attention"',
            "front = 3",
            "deck.toml:22: card rev: a reversed card needs a non-empty",
        ),
        (
            'extra = "t runs from 0 to 1."',
            'front = "stray"',
            "deck.toml:30: card cz: key 'front' is not allowed on a cloze card",
        ),
        (
            "{{c1::noise::t=0}} to {{c2::data}}; {{c1::again}}",
            "noise to data",
            "deck.toml:29: card cz: cloze text has no deletion like {{c1::answer}}",
        ),
        (
            "{{c1::noise::t=0}} to {{c2::data}}; {{c1::again}}",
            "{{c0::noise}}",
            "deck.toml:29: card cz: cloze numbers start at c1, not c0",
        ),
        (
            "{{c1::noise::t=0}} to {{c2::data}}; {{c1::again}}",
            "{{c1::noise}} to {{c2::data",
            "deck.toml:29: card cz: unclosed or malformed cloze deletion",
        ),
        (
            'tags = ["math", "easy"]',
            'tags = ["two words"]',
            "deck.toml:17: card basic-one: tags must be a list",
        ),
        ('tags = ["math", "easy"]', 'tags = "math"', "deck.toml:17: card basic-one: tags must be a list"),
        ('demo = "attention.self"\n', "", "deck.toml:24: card rev: params given without a demo"),
        ("params = { n = 5, d = 8 }", "params = 5", "deck.toml:25: card rev: params must be a table"),
        ('id = "cz"', 'id = "rev"', "deck.toml:28: card rev: duplicate card id (first used at line 20)"),
    ],
)
def test_card_level_errors(old, new, message):
    with pytest.raises(DeckFileError) as error:
        parse(replace_line(old, new))
    assert str(error.value).startswith(message)


def test_demo_validator_problems_name_the_card_and_line():
    def validate(concept, params):
        return None if concept == "attention.self" and params.get("n", 1) < 50 else f"bad demo {concept}"

    parse(VALID, validate)
    with pytest.raises(DeckFileError) as error:
        parse(replace_line('demo = "attention.self"', 'demo = "attention.nope"'), validate)
    assert str(error.value) == "deck.toml:24: card rev: bad demo attention.nope"


def test_error_carries_its_parts():
    with pytest.raises(DeckFileError) as error:
        parse(replace_line('id = "cz"', 'id = "rev"'))
    assert (error.value.path, error.value.line, error.value.card_id) == ("deck.toml", 28, "rev")


# --- round trip ----------------------------------------------------------------------------------

texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)
ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
tags = st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), max_size=3, unique=True)


choice_values = st.one_of(
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    texts,
    st.booleans(),
)


def _choice_key(value):
    return (type(value).__name__, value)


# The strategies the composites below draw from are built once, here: one built inside a composite is
# built and validated again at every draw, and draws the same values.
names = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), min_size=1, max_size=4, unique=True)
how_given = st.sampled_from(["range", "choices", "param"])
range_starts = st.integers(-50, 50)
range_widths = st.integers(0, 50)
choice_lists = st.lists(choice_values, min_size=1, max_size=4, unique_by=_choice_key)
answer_kinds = st.sampled_from(["int", "float", "shape", "vector", "choice"])
answer_numbers = st.floats(0, 100, allow_nan=False)


def _option_key(option: str) -> str:
    return " ".join(option.lower().split())


options_lists = st.lists(texts, min_size=2, max_size=4, unique_by=_option_key)
tasks = st.from_regex(r"[a-z][a-z_.]{0,20}", fullmatch=True)


@st.composite
def predict_specs(draw) -> PredictSpec:
    drawn_names = draw(names)
    ranges, params = {}, {}
    for name in drawn_names:
        how = draw(how_given)
        if how == "range":
            lo = draw(range_starts)
            ranges[name] = IntRange(lo, lo + draw(range_widths))
        elif how == "choices":
            values = draw(choice_lists)
            ranges[name] = Choices(tuple(values))
        else:
            params[name] = draw(choice_values)
    # Card text with its braces doubled, then the placeholders (a template may leave some unused).
    text = draw(texts).replace("{", "{{").replace("}", "}}")
    used = draw(st.lists(st.sampled_from(drawn_names), max_size=3))
    question = text + "".join(f" {{{name}}}" for name in used)
    kind = draw(answer_kinds)
    if kind in ("float", "vector"):
        answer = AnswerSpec(kind, draw(answer_numbers))
    elif kind == "choice":
        options = draw(options_lists)
        answer = AnswerSpec(kind, options=tuple(options))
    else:
        answer = AnswerSpec(kind)
    task = draw(tasks)
    return PredictSpec(task, question, answer, ranges, params)


card_kinds = st.sampled_from(["basic", "reversed", "type-in", "cloze", "predict"])
extras = st.one_of(st.just(""), texts)
demos = st.one_of(st.none(), st.just("attention.cross"))
predicts = predict_specs()
cloze_words = st.lists(st.from_regex(r"[A-Za-z ]{1,8}[A-Za-z]", fullmatch=True), min_size=1, max_size=3)
demo_params = st.dictionaries(st.sampled_from(["n", "m", "d"]), st.integers(1, 64))


@st.composite
def card_specs(draw, card_id: str) -> CardSpec:
    kind = draw(card_kinds)
    extra = draw(extras)
    tag_tuple = tuple(draw(tags))
    if kind == "predict":
        demo = draw(demos)
        return CardSpec(id=card_id, kind=kind, extra=extra, tags=tag_tuple, demo=demo, predict=draw(predicts))
    if kind == "cloze":
        words = draw(cloze_words)
        cloze = " and ".join(f"{{{{c{i + 1}::{w}}}}}" for i, w in enumerate(words))
        return CardSpec(id=card_id, kind=kind, cloze=cloze, extra=extra, tags=tag_tuple)
    demo = draw(demos)
    params = draw(demo_params) if demo else {}
    return CardSpec(
        id=card_id,
        kind=kind,
        front=draw(texts),
        back=draw(texts),
        extra=extra,
        tags=tag_tuple,
        demo=demo,
        params=params,
    )


card_id_lists = st.lists(ids, max_size=5, unique=True)
deck_options = st.fixed_dictionaries(
    {},
    optional={
        "algorithm": st.sampled_from(["sm2", "fsrs"]),
        "new_per_day": st.integers(0, 1000),
        "learning_steps_minutes": st.lists(st.sampled_from([0.5, 1.0, 10.0, 1440.0]), max_size=3),
    },
)
deck_names = st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,10}(::[A-Za-z][A-Za-z0-9 ]{0,10})?", fullmatch=True)


@st.composite
def deck_specs(draw) -> DeckSpec:
    card_ids = draw(card_id_lists)
    options = draw(deck_options)
    name = draw(deck_names)
    return DeckSpec(
        name=name.strip(),
        description=draw(extras),
        options=options,
        cards=tuple(draw(card_specs(card_id)) for card_id in card_ids),
    )


@settings(max_examples=100, deadline=None)  # hypothesis's default; each run draws new ones
@given(deck_specs())
def test_dump_then_parse_round_trips(deck):
    assert parse_deck(dump_deck(deck)) == deck


def test_line_numbers_are_found_only_for_a_file_with_a_problem(monkeypatch):
    from flashapp.core import deckfile

    scans = []
    real_scan = deckfile._scan_blocks
    monkeypatch.setattr(deckfile, "_scan_blocks", lambda text: scans.append(1) or real_scan(text))
    good = '[deck]\nname = "D"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'
    assert [card.id for card in deckfile.parse_deck(good).cards] == ["a"]
    assert scans == []  # a valid file is read without the line scan
    bad = good + '\n[[cards]]\nid = "a"\nfront = "q2"\nback = "a2"\n'
    with pytest.raises(deckfile.DeckFileError) as raised:
        deckfile.parse_deck(bad, "d.toml")
    assert "d.toml:10: card a: duplicate card id (first used at line 5)" in str(raised.value)
    assert scans == [1]
