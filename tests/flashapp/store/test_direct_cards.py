"""`cards` on sqlite3 alone (`store/direct/cards.py`) lists what the `Collection` lists, and the plain-text
shortcut for fields without markup (`card_info._plain_texts`) gives what the full rendering gives."""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from itertools import chain

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.scheduling import Rating
from flashapp.core.timefmt import iso_utc
from flashapp.store import card_info
from flashapp.store.collection import Collection
from flashapp.store.direct.cards import card_info_batches, card_json_batches
from flashapp.store.direct.connection import direct_or_none
from flashapp.store.direct.study import Unhandled
from flashapp.store.sql_text import TIME_FORMAT, read_time
from tests.conftest import Clock

VARIED = r"""
[deck]
name = "Varied"

[[cards]]
id = "plain"
front = "Question 0-1: what is snake_case in C#?"
back = "  a - b  "
extra = "x + y"
tags = ["t1", "über"]

[[cards]]
id = "markdown"
front = "**Bold** and `code` and *it*"
back = "- one\n- two\n# heading"

[[cards]]
id = "math"
front = "What is $\\sqrt{d_k}$?"
back = "$$QK^\\top$$"

[[cards]]
id = "html"
front = "<b>bold</b> &amp; <img src=\"x.png\"> ![plot](plot.png)"
back = "a < b & c > d"

[[cards]]
id = "control"
front = "esc \u001b[31mred\u001b[0m and \u202eback"
back = "tab\there"

[[cards]]
id = "joined"
kind = "type-in"
front = "ends with a dash -"
back = "x\n-"
extra = "the extra"

[[cards]]
id = "rev"
kind = "reversed"
front = "front side"
back = "back *side*"

[[cards]]
id = "cz"
cloze = "Flow follows {{c1::straight::shape}} paths from {{c2::noise}}."
extra = "more"

[[cards]]
id = "shapes"
kind = "predict"
concept = "attention.shapes"
question = "One sequence: n={n}, m={m}, d={d}, h={heads}: output; weights?"
answer = "shape"
ranges = { n = [2, 6], m = [3, 8], heads = [1, 2, 4] }
params = { batch = 1, d = 16 }
demo = "attention.cross"

[[cards]]
id = "demo"
front = "demo card"
back = "b"
demo = "attention.cross"
params = { n = 2, m = 3, d = 4 }
"""

SUB = '[deck]\nname = "Varied::Sub"\n\n[[cards]]\nid = "s"\nfront = "sub"\nback = "deck"\n'
OTHER = '[deck]\nname = "Varied2"\n\n[[cards]]\nid = "o"\nfront = "not a subdeck"\nback = "!"\n'


def _anki_package(folder):
    model = genanki.Model(
        1607392321,
        "Listing",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    )
    deck = genanki.Deck(2059400121, "Anki deck")
    deck.add_note(genanki.Note(model=model, fields=["<i>plain</i> front", "back &amp; more<br>line"]))
    deck.add_note(genanki.Note(model=model, fields=["second", "answer"]))
    package = genanki.Package(deck)
    package.write_to_file(str(folder / "listing.apkg"))
    return folder / "listing.apkg"


@pytest.fixture(scope="module")
def varied_folder(tmp_path_factory, empty_collection_template):
    """A folder holding collection.db with the decks, the Anki package and a few answers (at the clock's
    start), with its deck files and backups: built once, copied for each test."""
    folder = tmp_path_factory.mktemp("varied")
    path = folder / "collection.db"
    shutil.copyfile(empty_collection_template, path)
    decks = []
    for text, name in ((VARIED, "deck.toml"), (SUB, "sub.toml"), (OTHER, "other.toml")):
        decks.append(folder / name)
        decks[-1].write_text(textwrap.dedent(text), encoding="utf-8")
    with Collection.open(path, shipped_decks=False, clock=Clock(), tz=UTC) as collection:
        collection.import_paths(decks, backup=False)
        collection.import_package(_anki_package(folder))
        first, second, third, *_ = collection.cards()
        collection.answer(first.id, Rating.GOOD)  # learning: a due time
        collection.answer(second.id, Rating.EASY)  # review: an interval and another ease
        collection.suspend(third.id)
    return folder


@pytest.fixture
def varied(tmp_path, clock, varied_folder):
    shutil.copytree(varied_folder, tmp_path, dirs_exist_ok=True)
    with Collection.open(tmp_path / "collection.db", shipped_decks=False, clock=clock, tz=UTC) as collection:
        yield collection


def _fully_rendered(monkeypatch, collection, deck=None):
    """The Collection's listing with the plain-text shortcut off: every card rendered in full."""
    with monkeypatch.context() as patch:
        patch.setattr(card_info, "_plain_texts", lambda *args: None)
        as_json = list(collection.stream_card_json(deck=deck))
        as_info = list(collection.stream_cards(deck=deck))
    return as_json, as_info


@pytest.mark.sqlite_only
@pytest.mark.parametrize("deck", [None, "Varied", "Varied::Sub", "Anki deck"])
def test_direct_listing_is_the_full_rendering(varied, monkeypatch, deck):
    expected_json, expected_info = _fully_rendered(monkeypatch, varied, deck)
    direct = direct_or_none(varied.url, UTC)
    assert direct is not None
    with direct:
        assert list(chain.from_iterable(card_json_batches(direct, deck=deck))) == expected_json
        assert list(chain.from_iterable(card_info_batches(direct, deck=deck))) == expected_info
    assert expected_json == [json.dumps(card.to_json(), ensure_ascii=False) for card in expected_info]
    if deck is None:
        assert len(expected_json) == 16
        # What the fields hold reaches the JSON as the full rendering makes it.
        fronts = {entry["key"]: entry["front"] for entry in map(json.loads, expected_json)}
        assert fronts["plain"] == "Question 0-1: what is snake_case in C#?"
        assert fronts["math"] == "What is √dₖ?"
        assert "\x1b" not in fronts["control"] and "\u202e" not in fronts["control"]


def test_the_shortcut_serves_fields_without_markup():
    # It must be taken (else it saves nothing) and only where the text is the field.
    assert card_info._plain_texts("basic", {"front": " Q 0-1 ", "back": "a_b", "extra": "x"}, 0) == (
        "Q 0-1",
        "a_b\n\nx",
    )
    assert card_info._plain_texts("reversed", {"front": "f", "back": "b", "extra": ""}, 1) == ("b", "f")
    assert card_info._plain_texts("basic", {"front": "f", "back": "x\n-", "extra": "e"}, 0) is None
    assert card_info._plain_texts("basic", {"front": "$x$", "back": "b"}, 0) is None
    assert card_info._plain_texts("cloze", {"text": "plain", "extra": ""}, 1) is None
    assert card_info._plain_texts("basic", {"front": 3, "back": "b"}, 0) is None


@pytest.mark.sqlite_only
def test_search_and_unknown_decks_are_the_collections(varied):
    direct = direct_or_none(varied.url, UTC)
    with direct:
        with pytest.raises(Unhandled):
            next(card_json_batches(direct, search="plain"))
        with pytest.raises(Unhandled):
            next(card_json_batches(direct, deck="Nope"))


@settings(max_examples=300)
@given(
    st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.none() | st.just(UTC)),
    st.sampled_from(["stored", "T", " ", "aware"]),
)
def test_due_times_are_written_as_iso_utc(instant, form):
    # The stored form is taken apart rather than formatted again; any other form is parsed and formatted.
    text = {
        "stored": instant.strftime(TIME_FORMAT),
        "T": instant.replace(tzinfo=None).isoformat(),
        " ": instant.replace(tzinfo=None).isoformat(" ", "milliseconds"),
        "aware": instant.replace(tzinfo=timezone(timedelta(hours=-3))).isoformat(),
    }[form]
    assert card_info._due_json(text) == f'"{iso_utc(read_time(text))}"'
    assert card_info._due_json(read_time(text)) == f'"{iso_utc(read_time(text))}"'


@pytest.mark.parametrize(
    "text", ["2026-W09-1 12:00:00.000000", "2026-03-01 12:00:00.000000", "2026-03-01 12:00:00.5"]
)
def test_due_times_in_other_forms_are_written_as_iso_utc(text):
    assert card_info._due_json(text) == f'"{iso_utc(read_time(text))}"'


def test_card_json_is_the_card_info_json_for_any_ease():
    # Eases are written once per value and reused; 0.0 and -0.0 are one key with two texts.
    row = card_info.CardRow(
        1, 2, "k", "D", 3, 0, 0, "review", "2026-03-01 12:00:00.250000", 4, 2.5, 5, 0, 0, "basic",
        '{"front": "f", "back": "b", "extra": ""}', " t ", None, None, None,
    )  # fmt: skip
    for ease in (0.0, -0.0, 0.0, 2.5, 2.500004, 2.50005, 1e-05, 3, 2.5):
        info = card_info.card_info_of(row._replace(ease=ease), None)
        expected = json.dumps(info.to_json(), ensure_ascii=False)
        assert card_info.card_json_of(row._replace(ease=ease), None) == expected
