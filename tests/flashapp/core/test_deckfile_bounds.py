"""Hostile deck files: every value the store or the screens could choke on is refused with one line
naming the file, the line and the card; a UTF-8 byte order mark is accepted."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashapp.core.deckfile import DeckFileError, parse_deck

HEAD = '[deck]\nname = "Bounds"\n'
CARD = '\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'


def refused(text: str) -> DeckFileError:
    with pytest.raises(DeckFileError) as caught:
        parse_deck(text, "deck.toml")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("deck.toml")
    return caught.value


@pytest.mark.parametrize(
    "option, needle",
    [
        ('learning_steps = ["36501d"]', "longer than 365 days"),
        ('relearning_steps = ["400d"]', "longer than 365 days"),
        ("learning_steps = [" + ", ".join(['"1m"'] * 21) + "]", "at most 20 steps"),
        ('learning_steps = ["1e9m"]', "is not a duration"),
        ("new_per_day = 100001", "from 0 to 100000"),
        ("reviews_per_day = -1", "from 0 to 100000"),
        ("desired_retention = 1.5", "0.70 to 0.99"),
        ("desired_retention = nan", "0.70 to 0.99"),
    ],
)
def test_deck_options_out_of_bounds_are_refused(option: str, needle: str) -> None:
    error = refused(HEAD + option + "\n" + CARD)
    assert needle in error.reason and error.line == 3


def test_a_step_of_a_century_no_longer_reaches_the_store() -> None:
    assert refused(HEAD + 'learning_steps = ["36501d"]\n' + CARD).line == 3
    spec = parse_deck(HEAD + 'learning_steps = ["1m", "365d"]\n' + CARD, "deck.toml")
    assert spec.options["learning_steps_minutes"] == [1.0, 365 * 1440.0]


def test_params_nested_fifty_thousand_deep_is_one_line() -> None:
    text = HEAD + CARD + 'demo = "attention.self"\nparams = ' + "{a=" * 50_000 + "1" + "}" * 50_000 + "\n"
    error = refused(text)
    assert "nested more than" in error.reason and error.line == 9


def test_params_nested_a_little_too_deep_names_the_card() -> None:
    text = HEAD + CARD + 'demo = "attention.self"\nparams = { a = ' + "[" * 12 + "1" + "]" * 12 + " }\n"
    error = refused(text)
    assert error.card_id == "a" and error.line == 9 and "nested" in error.reason


def test_huge_cloze_number_and_nested_cloze_are_refused() -> None:
    error = refused(HEAD + '\n[[cards]]\nid = "c"\ncloze = "x {{c99999999999999999999::y}}"\n')
    assert "above c999" in error.reason and error.card_id == "c" and error.line == 6
    error = refused(HEAD + '\n[[cards]]\nid = "n"\ncloze = "{{c1::a {{c2::b}} c}}"\n')
    assert "nested clozes" in error.reason and error.line == 6


def test_predict_format_widths_are_bounded() -> None:
    card = (
        '\n[[cards]]\nid = "p"\nkind = "predict"\nconcept = "conv.transpose_output_size"\n'
        'question = "size {h:>WIDTH}?"\nanswer = "int"\nranges = { h = [2, 9] }\n'
    )
    for width in ("50000000", "3000000000", ".500f"):
        error = refused(HEAD + card.replace("WIDTH", width))
        assert "width or precision" in error.reason and error.line == 8
    assert parse_deck(HEAD + card.replace("WIDTH", "6"), "d").cards[0].predict is not None


def test_huge_integers_and_texts_are_refused() -> None:
    error = refused(HEAD + CARD + 'demo = "attention.self"\nparams = { n = 99999999999999999999 }\n')
    assert "out of range" in error.reason
    error = refused(HEAD + '\n[[cards]]\nid = "a"\nfront = "' + "x" * 100_001 + '"\nback = "a"\n')
    assert "longer than" in error.reason and error.line == 6


def test_deck_names_and_tags_with_control_sequences_are_refused() -> None:
    error = refused('[deck]\nname = "Evil\\u001b]0;owned\\u0007"\n' + CARD)
    assert "control character" in error.reason and error.line == 2
    error = refused(HEAD + CARD + 'tags = ["red\\u001b[31m"]\n')
    assert "control characters" in error.reason and error.line == 8
    assert "control character" in refused('[deck]\nname = "a\\u202eb"\n' + CARD).reason


def test_deck_names_are_bounded() -> None:
    assert "longer than" in refused(f'[deck]\nname = "{"x" * 301}"\n' + CARD).reason
    assert "levels" in refused('[deck]\nname = "' + "::".join("abcdefghijk") + '"\n' + CARD).reason


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    spec = parse_deck("\ufeff" + HEAD + CARD, "deck.toml")
    assert spec.name == "Bounds" and spec.cards[0].id == "a"


_TOML_SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True).map(lambda f: repr(f).replace("inf", "inf").replace("nan", "nan")),
    st.text(max_size=30).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(["true", "[]", "{}", '["1m"]', '["36501d"]', "[[1]]", '"{{c1::x}}"']),
)
_KEYS = st.sampled_from(
    ["name", "id", "front", "back", "cloze", "kind", "tags", "demo", "params", "learning_steps",
     "new_per_day", "desired_retention", "question", "concept", "answer", "ranges", "extra", "junk"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    deck=st.lists(st.tuples(_KEYS, _TOML_SCALARS), max_size=5),
    cards=st.lists(st.lists(st.tuples(_KEYS, _TOML_SCALARS), max_size=6), max_size=3),
    bom=st.booleans(),
)
def test_generated_deck_files_parse_or_fail_with_one_line(deck, cards, bom) -> None:
    lines = ["[deck]"] + [f"{key} = {value}" for key, value in dict(deck).items()]
    for card in cards:
        lines += ["[[cards]]"] + [f"{key} = {value}" for key, value in dict(card).items()]
    text = ("\ufeff" if bom else "") + "\n".join(lines) + "\n"
    try:
        spec = parse_deck(text, "f.toml")
    except DeckFileError as error:
        assert "\n" not in str(error) and str(error).startswith("f.toml")
    else:
        assert spec.name and len(spec.name) <= 300


def test_dedent_guard() -> None:
    # The bounds apply to the shipped decks' real shape too: a well-formed file still parses.
    text = textwrap.dedent(
        """\
        [deck]
        name = "A::B"
        learning_steps = ["30s", "10m"]
        [[cards]]
        id = "x"
        cloze = "{{c1::a}} and {{c999::b}}"
        """
    )
    assert parse_deck(text, "d").cards[0].card_ords() == [1, 999]
