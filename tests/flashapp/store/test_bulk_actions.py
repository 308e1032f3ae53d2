"""The browser's bulk actions in the store: each one transaction, each undone exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from flashapp.core.scheduling import Rating
from flashapp.errors import UserError

DECK = """\
[deck]
name = "Bulk"

[[cards]]
id = "a"
front = "Qa"
back = "Aa"
tags = ["one"]

[[cards]]
id = "b"
kind = "reversed"
front = "Term"
back = "Meaning"

[[cards]]
id = "c"
cloze = "{{c1::x}} and {{c2::y}}"
"""


def tables(collection) -> list:
    """Every row of the tables an action and its undo touch, straight from the database."""
    with collection.engine.connect() as db:
        return [
            [tuple(row) for row in db.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in ("notes", "cards", "reviews")
        ]


@pytest.fixture
def bulk_collection(collection, write_deck):
    collection.import_paths([write_deck(DECK)], backup=False)
    collection.answer(collection.cards()[0].id, Rating.GOOD)
    return collection


ACTIONS = [
    ("suspend", ""), ("bury", ""), ("forget", ""), ("tag", "new two"), ("untag", "one"),
    ("move", "Else::Where"), ("flag", "3"), ("delete", ""),
]  # fmt: skip


def test_each_action_changes_the_cards_and_its_undo_restores_every_row(bulk_collection):
    """Every action in turn on one collection: each undo restores every row (checked), so each action
    starts from the same rows, as on a collection of its own (one collection made, not eight)."""
    ids = [card.id for card in bulk_collection.cards()][:3]  # the answered card, a whole reversed note
    before = tables(bulk_collection)
    for action, value in ACTIONS:
        undo = bulk_collection.bulk(action, ids, value)
        assert tables(bulk_collection) != before, action
        bulk_collection.undo_bulk(undo)
        assert tables(bulk_collection) == before, action


def test_what_each_action_does(bulk_collection):
    ids = [card.id for card in bulk_collection.cards()]
    bulk_collection.bulk("flag", ids[:2], "1")
    assert [card.id for card in bulk_collection.cards(search="flag:1")] == ids[:2]
    assert len(bulk_collection.cards(search="flag:0")) == len(ids) - 2
    bulk_collection.bulk("move", ids[:1], "Else")
    assert bulk_collection.cards(search="deck:Else")[0].id == ids[0]
    bulk_collection.bulk("tag", ids[1:2], "extra")
    assert "extra" in bulk_collection.card(ids[1]).tags
    bulk_collection.bulk("delete", ids[1:3])  # both cards of the reversed note: the note goes too
    assert len(bulk_collection.cards()) == len(ids) - 2
    with pytest.raises(UserError, match="flag:9"):
        bulk_collection.cards(search="flag:9")
    with pytest.raises(UserError, match="unknown card"):
        bulk_collection.bulk("suspend", [999999])


@pytest.mark.parametrize(("action", "value"), [("flag", "3"), ("move", "Else::Where"), ("tag", "later")])
def test_undo_keeps_an_answer_given_after_the_action(bulk_collection, clock, action, value):
    """Undo writes back only what the action changed and nothing changed since: an answer given after
    it (here, or in another process) stays, and so do the card's reps and its review log."""
    card = bulk_collection.cards()[1]
    undo = bulk_collection.bulk(action, [card.id], value)
    clock.now += timedelta(minutes=1)
    bulk_collection.answer(card.id, Rating.GOOD)
    bulk_collection.undo_bulk(undo)
    [after] = [c for c in bulk_collection.cards() if c.id == card.id]
    assert (after.reps, after.state, after.deck, after.tags) == (1, "learning", card.deck, card.tags)
    assert bulk_collection.card_flag(card.id) == 0
    assert bulk_collection.check() == []


def test_a_deck_name_of_500_characters_is_stored_on_either_backend(bulk_collection):
    """No arbitrary length limit on a server: deck-file names stop at 300 characters (a bound with its
    message), but a move (or an Anki package) can name a longer deck; PostgreSQL once refused over 400
    with StringDataRightTruncation."""
    name = "P" * 250 + "::" + "C" * 248
    card = bulk_collection.cards()[0]
    bulk_collection.bulk("move", [card.id], name)
    assert len(name) == 500 and name in bulk_collection.deck_names()
    assert [c.deck for c in bulk_collection.cards() if c.id == card.id] == [name]
