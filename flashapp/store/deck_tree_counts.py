"""Each deck's own cards available today for the deck tree, counted by range searches on the
(deck_id, queue, due) index, one deck at a time, and stopped at what the deck's daily limit lets it show.

A GROUP BY over the whole cards table reads every index entry (every card, at 1M cards too); here the
new and review counts read at most the deck's remaining limit of entries (20 new, 200 reviews by
default), so the deck tree's cost follows the number of decks and their limits, not the collection's
size. Learning cards have no daily limit: they are counted in full (a few per deck).

`store.counts.deck_counts` can take `own_available(...)` in place of its GROUP BY: it returns the same
`own[name][queue]` shape, and capping a deck's own count at its room changes none of the capped
results (capped = min(room, own + children) = min(room, min(own, room) + children)).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from flashapp.store.models import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW, Card

# Decks per statement: three scalar subqueries each, well under SQLite's 2,000 result columns.
DECKS_PER_QUERY = 200


def _count(deck_id: int, queue: int, day_end: datetime | None, cap: int | None):
    rows = select(literal(1)).where(Card.deck_id == deck_id, Card.queue == queue)
    if day_end is not None:
        rows = rows.where(Card.due < day_end)
    if cap is not None:
        rows = rows.limit(cap)
    return select(func.count()).select_from(rows.subquery()).scalar_subquery()


def own_available(
    session: Session,
    deck_ids: Mapping[str, int],
    day_end: datetime,
    new_room: Mapping[str, int],
    review_room: Mapping[str, int],
) -> dict[str, dict[int, int]]:
    """{deck name: {queue: count}} of the deck's own cards (not its subdecks') available before
    `day_end`: new cards up to `new_room[name]`, reviews up to `review_room[name]`, learning all."""
    own: dict[str, dict[int, int]] = {name: {} for name in deck_ids}
    names = list(deck_ids)
    for first in range(0, len(names), DECKS_PER_QUERY):
        columns, targets = [], []
        for name in names[first : first + DECKS_PER_QUERY]:
            deck_id = deck_ids[name]
            wanted = (
                (QUEUE_NEW, None, new_room[name]),
                (QUEUE_LEARNING, day_end, None),
                (QUEUE_REVIEW, day_end, review_room[name]),
            )
            for queue, before, cap in wanted:
                if cap is not None and cap <= 0:
                    own[name][queue] = 0
                    continue
                columns.append(_count(deck_id, queue, before, cap))
                targets.append((name, queue))
        if columns:
            values = session.execute(select(*columns)).one()
            for (name, queue), value in zip(targets, values, strict=True):
                own[name][queue] = value
    return own
