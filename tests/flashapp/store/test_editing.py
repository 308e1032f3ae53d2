"""The Collection methods behind the TUI: editing notes, flags, today's figures, upcoming reviews, media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flashapp.core.scheduling import Rating
from flashapp.errors import UserError
from flashapp.store.collection import Collection
from flashapp.store.models import Note

DECK = """\
[deck]
name = "Edit"

[[cards]]
id = "basic"
front = "What is attention?"
back = "Weighted averaging"
tags = ["attention"]

[[cards]]
id = "gap"
cloze = "Flow goes from {{c1::noise}} to {{c2::data}}."

[[cards]]
id = "typed"
kind = "type-in"
front = "softmax of what?"
back = "scores"
"""


@pytest.fixture
def imported(collection, write_deck):
    path = write_deck(DECK)
    collection.import_paths([path])
    return collection, path


def card_by_key(collection, key, ord_index=0):
    return [c for c in collection.cards() if c.key == key][ord_index]


def test_note_fields_name_the_deck_file_it_came_from(imported):
    collection, path = imported
    note = collection.note_fields(card_by_key(collection, "basic").note_id)
    assert note.note_type == "basic"
    assert note.fields == {"front": "What is attention?", "back": "Weighted averaging", "extra": ""}
    assert note.tags == ("attention",)
    assert note.deck == "Edit"
    assert note.from_deck_file and note.deck_file == str(path)


def test_edit_note_changes_text_search_and_modified_time(imported, clock):
    collection, _ = imported
    card = card_by_key(collection, "basic")
    clock.now += timedelta(minutes=5)
    note = collection.edit_note(
        card.note_id, {"back": "Weighted **sum** of values"}, tags=["attention", "core"]
    )
    assert note.fields["back"] == "Weighted **sum** of values"
    assert note.tags == ("attention", "core")
    assert collection.card(card.id).back == "Weighted sum of values"
    assert [c.id for c in collection.cards(search="values tag:core")] == [card.id]
    with collection.reading() as session:
        assert session.get(Note, card.note_id).modified_at == clock.now


def test_tag_search_ignores_case_on_either_backend(imported):
    """As in Anki, `tag:x` finds a tag whatever its case, written or stored (PostgreSQL's LIKE is
    case-sensitive where SQLite's is not: the same search found the card on one backend only)."""
    collection, _ = imported
    card = card_by_key(collection, "basic")
    collection.edit_note(card.note_id, {}, tags=["Attention", "Core::Sub"])
    for search in ("tag:attention", "tag:ATTENTION", "tag:Attention", "tag:core::sub", "tag:CORE::Sub"):
        assert [c.id for c in collection.cards(search=search)] == [card.id], search
    assert collection.cards(search="tag:attent") == []  # still a whole tag, not a part of one


def test_edit_keeps_the_review_history(imported):
    collection, _ = imported
    card = card_by_key(collection, "basic")
    collection.answer(card.id, Rating.GOOD)
    collection.edit_note(card.note_id, {"front": "What is attention, really?"})
    assert len(collection.review_history(card.id)) == 1
    assert collection.card(card.id).state == "learning"


def test_an_edit_that_changes_nothing_writes_nothing(imported, clock):
    collection, _ = imported
    card = card_by_key(collection, "basic")
    before = collection.note_fields(card.note_id)
    clock.now += timedelta(days=1)
    assert collection.edit_note(card.note_id, dict(before.fields)) == before


@pytest.mark.parametrize(
    ("key", "fields", "message"),
    [
        ("basic", {"front": "  "}, "the front field cannot be empty"),
        ("basic", {"nope": "x"}, "no field 'nope'"),
        ("gap", {"text": "no deletion here"}, "cloze text has no deletion"),
        ("gap", {"text": "{{c1::a}} {{c2::open"}, "unclosed or malformed cloze"),
        ("typed", {"back": ""}, "the back field cannot be empty"),
    ],
)
def test_invalid_edits_are_refused_and_nothing_changes(imported, key, fields, message):
    collection, _ = imported
    card = card_by_key(collection, key)
    before = collection.note_fields(card.note_id)
    with pytest.raises(UserError, match=message):
        collection.edit_note(card.note_id, fields)
    assert collection.note_fields(card.note_id) == before


def test_cloze_edit_adds_cards_for_new_numbers_and_parks_removed_ones(imported):
    collection, _ = imported
    first, second = (c for c in collection.cards() if c.key == "gap")
    collection.edit_note(first.note_id, {"text": "From {{c1::noise}} along {{c3::straight}} paths."})
    cards = {c.front: c for c in collection.cards() if c.key == "gap"}
    assert len(cards) == 3
    assert collection.card(second.id).suspended  # c2 is gone: out of study, history kept
    assert "From noise along [...] paths." in cards
    # c2 comes back: its card is restored rather than created again.
    collection.edit_note(first.note_id, {"text": "{{c1::noise}} {{c2::data}} {{c3::straight}}"})
    assert not collection.card(second.id).suspended
    assert len([c for c in collection.cards() if c.key == "gap"]) == 3


def test_flags(imported):
    collection, _ = imported
    card = card_by_key(collection, "basic")
    assert collection.card_flag(card.id) == 0
    collection.set_flag(card.id, 3)
    assert collection.card_flag(card.id) == 3
    with pytest.raises(UserError, match="flag 5"):
        collection.set_flag(card.id, 5)
    with pytest.raises(UserError, match="unknown card"):
        collection.set_flag(999_999, 1)


def test_today_stats_count_answers_since_the_study_day_began(imported, clock):
    collection, _ = imported
    assert collection.today_stats().cards == 0
    ids = [c.id for c in collection.cards()]
    collection.answer(ids[0], Rating.AGAIN, duration_ms=4000)
    collection.answer(ids[0], Rating.GOOD, duration_ms=2000)
    collection.answer(ids[1], Rating.EASY, duration_ms=1000)
    stats = collection.today_stats()
    assert (stats.cards, stats.answers, stats.again, stats.duration_ms) == (2, 3, 1, 7000)
    clock.now += timedelta(days=1)
    assert collection.today_stats().answers == 0


def test_upcoming_reviews_after_today(db_path, clock, write_deck, empty_collection_file):
    with Collection.open(
        empty_collection_file(db_path), shipped_decks=False, clock=clock, tz=UTC, fuzz=False
    ) as collection:
        collection.import_paths([write_deck(DECK)])
        assert collection.upcoming_reviews("Edit").next_due is None
        ids = [c.id for c in collection.cards()]
        collection.answer(ids[0], Rating.EASY)  # due in 4 days
        collection.answer(ids[1], Rating.AGAIN)  # learning, due today: not "after today"
        upcoming = collection.upcoming_reviews("Edit")
        assert upcoming.next_due == datetime(2026, 3, 6, 4, 0, tzinfo=UTC)  # the study day 4 days on
        assert upcoming.next_day == 0
        clock.now += timedelta(days=3)
        assert collection.upcoming_reviews().next_day == 1  # the EASY card; the learning one is overdue
        with pytest.raises(UserError, match="unknown deck"):
            collection.upcoming_reviews("Nope")


def test_media_paths_stay_inside_the_deck_folder(imported, tmp_path):
    collection, _ = imported
    card = card_by_key(collection, "basic")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "heads.png").write_bytes(b"png")
    (tmp_path / "my pic.png").write_bytes(b"png")
    assert collection.media_path(card.id, "img/heads.png") == (tmp_path / "img" / "heads.png").resolve()
    assert collection.media_path(card.id, "my%20pic.png") == (tmp_path / "my pic.png").resolve()
    assert collection.media_path(card.id, "missing.png") is None
    assert collection.media_path(card.id, "../outside.png") is None
    assert collection.media_path(card.id, "/etc/passwd") is None
