"""Reading a deck file in pieces cut before its `[[cards]]` lines, by `rtoml` where installed and by
tomli, gives the file the meaning tomli gives it read whole: the same deck, or the same one-line error,
for files that cut cleanly and for every file where a cut could mislead (strings, arrays and tables
across a cut, `cards` written as an array or a table, other tables after the cards, line endings,
date-times, nesting, long numbers)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashapp.core import deckfile
from flashapp.core.deckfile import DeckFileError, DeckSpec, parse_deck

HEAD = '[deck]\nname = "Reader"\n'
# Who reads the pieces: rtoml where installed, and tomli (what reads them where rtoml is not).
PIECE_READERS = ["tomli"] + (["rtoml"] if deckfile.fast_toml_reader is not None else [])
needs_rtoml = pytest.mark.skipif(deckfile.fast_toml_reader is None, reason="rtoml is not installed")


def card(i: int, extra: str = "") -> str:
    return f'\n[[cards]]\nid = "c{i}"\nfront = "Front {i}: $x_{i}$"\nback = "Back {i}"\n{extra}'


def outcome(text: str, monkeypatch: pytest.MonkeyPatch, pieces_by: str | None) -> DeckSpec | str:
    """The deck, or the error's one line, as `parse_deck` gives it with the pieces read by `pieces_by`
    ("rtoml" or "tomli"), or with the whole file read by tomli (None)."""
    with monkeypatch.context() as patch:
        if pieces_by is None:

            def refuse(text: str):
                raise deckfile._PiecesRefused

            patch.setattr(deckfile, "_read_in_pieces", refuse)
        elif pieces_by == "tomli":
            patch.setattr(deckfile, "fast_toml_reader", None)
        try:
            return parse_deck(text, "deck.toml")
        except DeckFileError as error:
            return str(error)


def same_either_way(text: str, monkeypatch: pytest.MonkeyPatch) -> DeckSpec | str:
    whole = outcome(text, monkeypatch, None)
    for reader in PIECE_READERS:
        assert outcome(text, monkeypatch, reader) == whole, reader
    return whole


@pytest.fixture(params=[1, 2, 1000], ids=lambda n: f"pieces of {n}")
def piece_cards(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Small pieces put a cut between every pair of cards."""
    monkeypatch.setattr(deckfile, "PIECE_CARDS", request.param)
    return request.param


def test_a_plain_file_is_read_in_pieces_to_the_same_deck(monkeypatch, piece_cards) -> None:
    text = HEAD + "".join(card(i, 'tags = ["t"]\n') for i in range(7))
    deck = same_either_way(text, monkeypatch)
    assert isinstance(deck, DeckSpec) and [c.id for c in deck.cards] == [f"c{i}" for i in range(7)]
    assert deck.cards[3].front == "Front 3: $x_3$" and deck.cards[6].tags == ("t",)


@needs_rtoml
def test_rtoml_is_the_one_that_reads_a_clean_file(monkeypatch) -> None:
    calls: list[str] = []
    reader = deckfile.fast_toml_reader

    class Counting:
        @staticmethod
        def loads(text: str):
            calls.append(text)
            return reader.loads(text)

    monkeypatch.setattr(deckfile, "fast_toml_reader", Counting)
    monkeypatch.setattr(deckfile, "PIECE_CARDS", 2)
    monkeypatch.setattr(deckfile.toml_reader, "loads", lambda text: pytest.fail("tomli read it"))
    deck = parse_deck(HEAD + "".join(card(i) for i in range(5)), "deck.toml")
    assert len(deck.cards) == 5
    assert len(calls) == 4  # the head with the first [[cards]] line, then pieces of 2, 2 and 1 cards
    assert calls[0].endswith("\n[[cards]]\n") and calls[1].startswith("[[cards]]\n")
    assert calls[1].endswith("\n") and not calls[-1].endswith("\n\n")


TRICKY = {
    "a multi-line string holding a [[cards]] line": HEAD
    + card(0, 'extra = """\nbefore\n\n[[cards]]\nid = "inside"\n"""\n')
    + card(1),
    "a literal multi-line string holding one": HEAD + card(0, "extra = '''\n\n[[cards]]\n'''\n") + card(1),
    "an unclosed multi-line string across a cut": HEAD + card(0, 'extra = """\nopen\n') + card(1),
    "an unclosed array across a cut": HEAD + card(0, "tags = [\n") + card(1) + "]\n",
    "cards as an array before [[cards]] lines": '[deck]\nname = "R"\n'.join(["cards = [{ id = 'a' }]\n", ""])
    + card(1),
    "cards as a static array only": HEAD.replace(
        "[deck]", 'cards = [{ id = "a", front = "q", back = "a" }]\n[deck]'
    ),
    "cards as a table before [[cards]] lines": HEAD + "\n[cards]\nid = 'a'\n" + card(1),
    "a sub-table of cards before the first cut": HEAD + "\n[cards.x]\ny = 1\n" + card(1),
    "[deck] defined again after the cards": HEAD + card(0) + card(1) + '\n[deck]\nname = "Again"\n',
    "another table after the cards": HEAD + card(0) + card(1) + "\n[other]\nx = 1\n",
    "a sub-table of the last card": HEAD + card(0) + card(1) + "\n[cards.params]\nn = 1\n",
    "an array of tables inside a card": HEAD + card(0) + "\n[[cards.x]]\ny = 1\n" + card(1),
    "a duplicate key across a cut": HEAD + card(0) + card(1, 'back = "again"\n'),
    "a duplicate card id across a cut": HEAD + card(0) + card(0),
    "an indented [[cards]] line": HEAD
    + card(0)
    + '\n  [[cards]]\nid = "in"\nfront = "q"\nback = "a"\n'
    + card(2),
    "a [[cards]] line with a comment": HEAD
    + card(0)
    + '\n[[cards]] # note\nid = "k"\nfront = "q"\nback = "a"\n',
    "CRLF line endings": (HEAD + card(0) + card(1)).replace("\n", "\r\n"),
    "a lone carriage return at the end": HEAD + card(0) + card(1) + "\r",
    "no newline at the end": (HEAD + card(0) + card(1)).rstrip("\n"),
    "a first [[cards]] line at the very start": "[[cards]]\nid = 'a'\n" + HEAD + card(1),
    "only a deck table": HEAD,
    "an empty file": "",
    "a byte order mark": "\ufeff" + HEAD + card(0) + card(1),
    "an offset date-time as a tag": HEAD + card(0, "tags = [1979-05-27T07:32:00-07:00]\n") + card(1),
    "an offset date-time as a step": HEAD + "learning_steps = [1979-05-27T07:32:00Z]\n" + card(0),
    "a date-time as a param": HEAD + card(0, 'demo = "attention.self"\nparams = { n = 07:32:00 }\n'),
    "params nested ten thousand deep": HEAD
    + card(0, "params = " + "[" * 10_000 + "]" * 10_000 + "\n")
    + card(1),
    "an integer of five thousand digits": HEAD + card(0, "params = { n = 1" + "0" * 5000 + " }\n") + card(1),
    "a float too large": HEAD + card(0, 'demo = "attention.self"\nparams = { n = 1e999 }\n') + card(1),
    "an invalid escape in the second piece": HEAD + card(0) + card(1, 'extra = "\\q"\n'),
    "a control character in a string": HEAD + card(0) + card(1, 'extra = "a\x07b"\n'),
    "TOML 1.1 escapes": HEAD + card(0, 'extra = "\\e and \\x41"\n') + card(1),
    "an inline table over lines": HEAD
    + card(0, 'demo = "attention.self"\nparams = {\n  n = 4,\n}\n')
    + card(1),
    "a [[cards]] line inside a multi-line inline table": HEAD
    + card(0, "params = {\n\n[[cards]]\n}\n")
    + card(1),
}


@pytest.mark.parametrize("name", list(TRICKY))
def test_a_tricky_file_means_the_same_either_way(name: str, monkeypatch, piece_cards) -> None:
    same_either_way(TRICKY[name], monkeypatch)


def test_a_string_holding_a_cards_line_stays_one_card(monkeypatch, piece_cards) -> None:
    deck = same_either_way(TRICKY["a multi-line string holding a [[cards]] line"], monkeypatch)
    assert isinstance(deck, DeckSpec) and [c.id for c in deck.cards] == ["c0", "c1"]
    assert '[[cards]]\nid = "inside"' in deck.cards[0].extra


def test_what_a_cut_could_hide_is_still_an_error(monkeypatch, piece_cards) -> None:
    for name in (
        "cards as an array before [[cards]] lines",
        "[deck] defined again after the cards",
        "a duplicate key across a cut",
        "an unclosed multi-line string across a cut",
        "a [[cards]] line inside a multi-line inline table",
    ):
        result = same_either_way(TRICKY[name], monkeypatch)
        assert isinstance(result, str) and "invalid TOML" in result, name


def test_nesting_and_long_numbers_are_one_line(monkeypatch) -> None:
    nested = same_either_way(TRICKY["params nested ten thousand deep"], monkeypatch)
    assert nested == "deck.toml:8: values nested more than 8 deep"
    digits = same_either_way(TRICKY["an integer of five thousand digits"], monkeypatch)
    assert digits == "deck.toml:8: a number too long to read (thousands of digits)"


# Lines a generated file is made of: deck-file lines and the pieces of TOML that change how the lines
# after them are read (strings, arrays and tables left open, closed later, headers of all kinds).
LINES = [
    "[[cards]]",
    "[[cards]]",
    "[[cards]]",
    "  [[cards]]",
    "[cards]",
    "[cards.sub]",
    "[[cards.sub]]",
    "[deck]",
    "[other]",
    'name = "D"',
    'id = "a"',
    'id = "b"',
    'front = "q"',
    'back = "a"',
    "back = '''",
    "'''",
    'extra = """',
    '"""',
    "tags = [",
    '"t", ]',
    "]",
    "params = {",
    "}",
    "n = 1",
    "cards = []",
    'cards = [{ id = "s", front = "q", back = "a" }]',
    "when = 1979-05-27T07:32:00Z",
    "# a comment",
    "",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.sampled_from(LINES), max_size=40),
    pieces=st.integers(min_value=1, max_value=3),
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_generated_files_mean_the_same_either_way(lines, pieces, ending, monkeypatch) -> None:
    monkeypatch.setattr(deckfile, "PIECE_CARDS", pieces)
    text = ending.join(["[deck]", 'name = "Gen"', *lines]) + ending
    same_either_way(text, monkeypatch)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), min_size=1, max_size=6),
)
def test_card_text_of_any_characters_means_the_same_either_way(texts, monkeypatch) -> None:
    monkeypatch.setattr(deckfile, "PIECE_CARDS", 1)
    escaped = [deckfile.toml_string(text) for text in texts]
    body = "".join(
        f'\n[[cards]]\nid = "c{i}"\nfront = {text}\nback = "b"\n' for i, text in enumerate(escaped)
    )
    raw = "".join(
        f"\n[[cards]]\nid = \"r{i}\"\nfront = '''{text}'''\nback = \"b\"\n" for i, text in enumerate(texts)
    )
    same_either_way(HEAD + body, monkeypatch)
    same_either_way(HEAD + raw, monkeypatch)


def test_pieces_are_cut_by_length_too(monkeypatch) -> None:
    monkeypatch.setattr(deckfile, "PIECE_CHARS", 60)  # a card or two per piece
    text = HEAD + "".join(card(i, f'extra = "{"x" * (i * 7)}"\n') for i in range(9))
    deck = same_either_way(text, monkeypatch)
    assert isinstance(deck, DeckSpec) and deck.cards[8].extra == "x" * 56


def read_by(monkeypatch: pytest.MonkeyPatch, text: str) -> list[str]:
    """Which readers `parse_deck` used on `text`: "fast" for each piece, "tomli" for the whole file."""
    used: list[str] = []
    fast, judge = deckfile.fast_toml_reader.loads, deckfile.toml_reader.loads
    monkeypatch.setattr(deckfile.fast_toml_reader, "loads", lambda text: used.append("fast") or fast(text))
    monkeypatch.setattr(deckfile.toml_reader, "loads", lambda text: used.append("tomli") or judge(text))
    parse_deck(text, "deck.toml")
    return used


@needs_rtoml
def test_a_head_or_a_card_longer_than_a_piece_is_read_by_tomli(monkeypatch) -> None:
    monkeypatch.setattr(deckfile, "PIECE_CHARS", 200)
    long_head = HEAD.replace('"Reader"', '"Reader"\ndescription = "' + "d" * 300 + '"')
    assert read_by(monkeypatch, long_head + card(0) + card(1)) == ["tomli"]
    long_card = HEAD + card(0) + card(1, f'extra = "{"e" * 500}"\n')
    assert read_by(monkeypatch, long_card) == ["fast", "tomli"]  # the head, then the refused piece
    assert read_by(monkeypatch, HEAD + card(0) + card(1)) == ["fast", "fast"]


def test_a_reader_that_panics_leaves_the_file_to_tomli(monkeypatch) -> None:
    class Panic(BaseException):  # what a Rust panic becomes in Python: not an Exception
        pass

    class Panicking:
        @staticmethod
        def loads(text: str):
            raise Panic("explicit panic")

    monkeypatch.setattr(deckfile, "fast_toml_reader", Panicking)
    deck = parse_deck(HEAD + card(0) + card(1), "deck.toml")
    assert [c.id for c in deck.cards] == ["c0", "c1"]
