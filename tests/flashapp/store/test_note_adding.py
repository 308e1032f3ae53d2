"""Adding notes in the app: validated as deck-file cards, stable ids, duplicates found."""

from __future__ import annotations

import pytest

from flashapp.errors import UserError


def test_each_kind_is_added_with_its_cards(collection):
    basic = collection.add_note("New::Deck", "basic", {"front": "Q?", "back": "A"}, ["t1"])
    reversed_ = collection.add_note("New::Deck", "reversed", {"front": "Term", "back": "Meaning"})
    cloze = collection.add_note("New::Deck", "cloze", {"text": "{{c1::One}} and {{c2::two}}", "extra": "x"})
    typed = collection.add_note("New::Deck", "type-in", {"front": "Heads?", "back": "8"})
    assert [basic.cards, reversed_.cards, cloze.cards, typed.cards] == [1, 2, 2, 1]
    assert (basic.key, cloze.key) == ("q", "one-and-two")
    assert collection.add_note("New::Deck", "basic", {"front": "Q?", "back": "B"}).key == "q-2"
    assert {deck.name for deck in collection.deck_counts()} >= {"New", "New::Deck"}
    assert len(collection.cards(deck="New::Deck")) == 7


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("basic", {"front": "", "back": "A"}, "a basic card needs a non-empty 'front' string"),
        ("cloze", {"text": "no gap"}, "cloze text has no deletion"),
        ("type-in", {"front": "Q", "back": " "}, "a type-in card needs a non-empty 'back' string"),
        ("shape", {"front": "Q", "back": "A"}, "unknown kind 'shape'"),
    ],
)
def test_bad_notes_are_refused_with_the_deck_file_message(collection, kind, fields, message):
    with pytest.raises(UserError, match=message):
        collection.add_note("D", kind, fields)
    assert collection.deck_names() == []


def test_duplicates_are_found_by_the_first_field(collection):
    collection.add_note("D", "basic", {"front": "What is **attention**?", "back": "A"})
    [duplicate] = collection.note_duplicates("basic", {"front": "what is  attention?"})
    assert duplicate.deck == "D"
    assert collection.note_duplicates("reversed", {"front": "What is attention?"}) == []
    assert collection.note_duplicates("basic", {"front": "Something else"}) == []
