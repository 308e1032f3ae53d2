"""`cards` writes as it reads: the same cards as the store lists, valid JSON at any size, errors first."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from flashapp.cli import cards as cards_cmd
from flashapp.cli.main import main
from flashapp.core import control, text

DECK = """\
[deck]
name = "Stream::Sub"

[[cards]]
id = "a"
front = "**Bold** and $x^2$ with ![plot](plot.png)"
back = "- one\\n- two"
tags = ["t1", "t2"]

[[cards]]
id = "r"
kind = "reversed"
front = "Front `code`"
back = "Back # not a heading"

[[cards]]
id = "cz"
cloze = "Flow follows {{c1::straight}} paths from {{c2::noise}}."
"""


def test_json_stream_matches_the_store_listing(collection, write_deck, capsys, monkeypatch):
    collection.import_paths([write_deck(DECK)], backup=False)
    monkeypatch.setattr(cards_cmd, "CHUNK", 2)  # several chunks, and a partial last one
    capsys.readouterr()
    assert main(["--db", collection.url, "cards", "--json"]) == 0
    streamed = json.loads(capsys.readouterr().out)
    assert streamed == [card.to_json() for card in collection.cards()]
    assert len(streamed) == 5
    assert streamed[0]["media"] == ["plot.png"]


def test_text_listing_counts_every_card(collection, write_deck, capsys, monkeypatch):
    collection.import_paths([write_deck(DECK)], backup=False)
    monkeypatch.setattr(cards_cmd, "CHUNK", 2)
    capsys.readouterr()
    assert main(["--db", collection.url, "cards", "--deck", "Stream"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "5 card(s)" and len(lines) == 6


def test_empty_listing_is_an_empty_array(collection, capsys):
    capsys.readouterr()
    assert main(["--db", collection.url, "cards", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_unknown_deck_fails_before_anything_is_written(collection, capsys):
    capsys.readouterr()
    assert main(["--db", collection.url, "cards", "--json", "--deck", "Nope"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "unknown deck 'Nope'" in err


def _to_plain_without_shortcuts(markdown: str) -> str:
    """`to_plain` as it was before its markers were checked first: every pattern, every time."""
    stripped = markdown.replace("\r\n", "\n")
    stripped = control._CONTROL.sub("", control._ESCAPE_SEQUENCE.sub("", stripped))
    value = text.render_math(stripped)
    value = text._CODE.sub(r"\1", value)
    value = text._EMPHASIS.sub(lambda m: m.group(2) or m.group(3), value)
    value = text._HEADING.sub("", value)
    value = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE).sub(r"\1• ", value)
    return value.strip()


@given(st.text(alphabet="ab $`*_#-+\n\r\t\x1b[31m\x9b\u202e\\^{}", max_size=40))
def test_skipping_absent_markers_changes_nothing(markdown):
    assert text.to_plain(markdown) == _to_plain_without_shortcuts(markdown)


def test_each_streamed_line_is_the_text_json_dumps_writes(collection, write_deck):
    from flashapp.core.scheduling import Rating

    deck = DECK.replace("Stream::Sub", "Strëam::Sub ✓").replace(
        'tags = ["t1", "t2"]', 'tags = ["t1", "über"]'
    )
    collection.import_paths([write_deck(deck)], backup=False)
    first, second, *_ = collection.cards()
    collection.answer(first.id, Rating.GOOD)  # learning: a due time
    collection.answer(second.id, Rating.EASY)  # review: an interval and another ease
    collection.suspend(second.id)
    expected = [json.dumps(card.to_json(), ensure_ascii=False) for card in collection.cards()]
    assert list(collection.stream_card_json()) == expected
    assert list(collection.stream_card_json(deck="Strëam::Sub ✓", search="code")) == [
        json.dumps(card.to_json(), ensure_ascii=False)
        for card in collection.cards(deck="Strëam::Sub ✓", search="code")
    ]
