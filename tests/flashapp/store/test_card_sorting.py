"""The browser's sort orders are applied by the database, before the listing's limit."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from flashapp.errors import UserError
from flashapp.store.models import Card


@pytest.fixture
def twelve(collection, write_deck):
    body = '[deck]\nname = "Sorting"\n' + "".join(
        f'\n[[cards]]\nid = "c{n}"\nfront = "Q{n}"\nback = "A{n}"\n' for n in range(12)
    )
    collection.import_paths([write_deck(body)], backup=False)
    ids = [card.id for card in collection.cards(deck="Sorting")]
    with collection.writing() as session:  # lapses 0, 5, 10, ... in reverse file order
        for index, card_id in enumerate(reversed(ids)):
            session.execute(update(Card).where(Card.id == card_id).values(lapses=5 * index))
    return collection, ids


def test_the_limit_keeps_the_first_cards_of_the_whole_sorted_result(twelve):
    collection, ids = twelve
    top = collection.cards(deck="Sorting", limit=3, order="lapses", descending=True)
    assert [card.lapses for card in top] == [55, 50, 45]
    assert [card.id for card in top] == ids[:3]  # the first in file order have the most lapses
    fewest = collection.cards(deck="Sorting", limit=2, order="lapses")
    assert [card.lapses for card in fewest] == [0, 5]
    # Without an order: deck and file order, as before.
    assert [card.id for card in collection.cards(deck="Sorting", limit=4)] == ids[:4]


def test_new_cards_sort_after_scheduled_ones_by_due(twelve, clock):
    collection, ids = twelve
    collection.answer(ids[7], 3)  # Good: learning, due in 10 minutes
    by_due = collection.cards(deck="Sorting", order="due")
    assert by_due[0].id == ids[7] and all(card.state == "new" for card in by_due[1:])


def test_an_unknown_order_is_one_clear_error(twelve):
    collection, _ids = twelve
    with pytest.raises(UserError, match="unknown sort order 'colour'"):
        collection.cards(order="colour")
