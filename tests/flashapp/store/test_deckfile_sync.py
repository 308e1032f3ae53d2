"""Sync rules: a stable id keeps history across edits, removal suspends, re-import is idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from flashapp.core.deckfile import DeckFileError
from flashapp.store.models import QUEUE_NEW, QUEUE_SUSPENDED, Card, Note, Review
from tests.conftest import logged_review

DECK = """\
[deck]
name = "Sync"

[[cards]]
id = "one"
front = "First question"
back = "First answer"

[[cards]]
id = "two"
front = "Second question"
back = "Second answer"

[[cards]]
id = "cz"
cloze = "{{c1::alpha}} then {{c2::beta}}"
"""


def snapshot(collection) -> list[tuple]:
    with collection.reading() as session:
        rows = session.execute(select(Card, Note).join(Note)).all()
        return sorted(
            (note.key, card.ord, card.id, card.queue, card.orphaned, card.modified_at, note.modified_at)
            for card, note in rows
        )


def add_review(collection, key: str, clock) -> int:
    with collection.writing() as session:
        card = session.scalar(select(Card).join(Note).where(Note.key == key))
        card.state, card.queue, card.reps, card.due = "review", 2, 1, clock.now + timedelta(days=3)
        session.add(logged_review(card.id, clock.now, state_after="review", interval_after_days=3))
        return card.id


def test_reimport_changes_nothing(collection, write_deck, clock):
    path = write_deck(DECK)
    first = collection.import_paths([path]).decks[0]
    assert first.added == 4
    before = snapshot(collection)
    clock.now += timedelta(days=1)
    again = collection.import_paths([path]).decks[0]
    assert not again.changed
    assert snapshot(collection) == before


def test_editing_text_keeps_the_card_and_its_history(collection, write_deck, clock):
    path = write_deck(DECK)
    collection.import_paths([path])
    card_id = add_review(collection, "one", clock)
    write_deck(DECK.replace("First answer", "First answer, revised"))
    report = collection.import_paths([path]).decks[0]
    assert (report.updated, report.added, report.orphaned) == (1, 0, 0)
    [card] = [c for c in collection.cards() if c.key == "one"]
    assert card.id == card_id and card.back == "First answer, revised"
    assert card.state == "review" and card.reps == 1
    with collection.reading() as session:
        assert session.scalar(select(Review.card_id)) == card_id


def test_removed_card_is_suspended_not_deleted_and_comes_back(collection, write_deck, clock):
    path = write_deck(DECK)
    collection.import_paths([path])
    card_id = add_review(collection, "two", clock)
    without_two = DECK.replace(
        '[[cards]]\nid = "two"\nfront = "Second question"\nback = "Second answer"\n', ""
    )
    write_deck(without_two)
    report = collection.import_paths([path]).decks[0]
    assert report.orphaned == 1
    with collection.reading() as session:
        card = session.get(Card, card_id)
        assert card.queue == QUEUE_SUSPENDED and card.orphaned and not card.suspended
        assert session.scalar(select(Review.card_id)) == card_id
    assert [c.suspended for c in collection.cards(search="second")] == [True]
    assert collection.cards(search="is:suspended")[0].id == card_id

    write_deck(DECK)
    report = collection.import_paths([path]).decks[0]
    assert (report.restored, report.added) == (1, 0)
    with collection.reading() as session:
        card = session.get(Card, card_id)
        assert card.queue == 2 and not card.orphaned and card.reps == 1


def test_cloze_number_removed_and_added(collection, write_deck):
    path = write_deck(DECK)
    collection.import_paths([path])
    write_deck(DECK.replace("{{c1::alpha}} then {{c2::beta}}", "{{c1::alpha}} then {{c3::gamma}}"))
    report = collection.import_paths([path]).decks[0]
    assert (report.updated, report.added, report.orphaned) == (1, 1, 1)
    cloze_cards = {c.front: c.suspended for c in collection.cards(search="alpha")}
    assert cloze_cards == {"[...] then gamma": False, "alpha then [...]": False, "alpha then gamma": True}


def test_new_cards_queue_after_existing_ones_in_file_order(collection, write_deck):
    path = write_deck(DECK)
    collection.import_paths([path])
    write_deck(
        DECK.replace(
            '[[cards]]\nid = "one"',
            '[[cards]]\nid = "zero"\nfront = "Z"\nback = "z"\n\n[[cards]]\nid = "one"',
        )
    )
    collection.import_paths([path])
    with collection.reading() as session:
        order = (
            session.execute(
                select(Note.key).join(Card).where(Card.queue == QUEUE_NEW).order_by(Card.due, Card.position)
            )
            .scalars()
            .all()
        )
    assert order == ["one", "two", "cz", "cz", "zero"]


def test_duplicate_id_is_an_error_and_writes_nothing(collection, write_deck):
    bad = DECK.replace('id = "two"', 'id = "one"')
    with pytest.raises(
        DeckFileError, match=r"deck.toml:10: card one: duplicate card id \(first used at line 5\)"
    ):
        collection.import_paths([write_deck(bad)])
    assert collection.deck_names() == []


def test_a_card_moved_to_a_subdeck_file_keeps_its_card_and_history(collection, write_deck, clock):
    collection.import_paths([write_deck(DECK)])
    reviewed = add_review(collection, "one", clock)
    # "one" moves to a subdeck's own file; the parent file keeps "two" and "cz". Either import order.
    child = DECK.replace('name = "Sync"', 'name = "Sync::Part"').split('[[cards]]\nid = "two"')[0]
    parent = DECK.replace('[[cards]]\nid = "one"\nfront = "First question"\nback = "First answer"\n\n', "")
    report = collection.import_paths([write_deck(child, name="child.toml")]).decks[0]
    assert (report.moved, report.added) == (1, 0)
    assert not collection.import_paths([write_deck(parent, name="parent.toml")]).decks[0].orphaned
    card = collection.card(reviewed)
    assert (card.key, card.deck, card.reps) == ("one", "Sync::Part", 1)
    assert len(collection.review_history(reviewed)) == 1


def test_a_card_of_another_deck_tree_with_the_same_id_is_not_taken(collection, write_deck, clock):
    collection.import_paths([write_deck(DECK)])
    reviewed = add_review(collection, "one", clock)
    other = DECK.replace('name = "Sync"', 'name = "Other::Part"')
    report = collection.import_paths([write_deck(other, name="other.toml")]).decks[0]
    assert (report.moved, report.added) == (0, 4)
    assert collection.card(reviewed).deck == "Sync"
