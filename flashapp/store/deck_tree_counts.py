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

from sqlalchemy import Integer, bindparam, func, literal, select
from sqlalchemy.orm import Session

from flashapp.store.models import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW, Card


def _count_statement(queue: int, *, before_day_end: bool, capped: bool):
    rows = select(literal(1)).where(Card.deck_id == bindparam("deck_id"), Card.queue == queue)
    if before_day_end:
        rows = rows.where(Card.due < bindparam("day_end", type_=Card.due.type))
    if capped:
        rows = rows.limit(bindparam("cap", type_=Integer))
    return select(func.count()).select_from(rows.subquery())


# Three small statements, each compiled once per process and run once per deck: one statement of a
# thousand subqueries would cost more to compile than all the searches together.
NEW = _count_statement(QUEUE_NEW, before_day_end=False, capped=True)
LEARNING = _count_statement(QUEUE_LEARNING, before_day_end=True, capped=False)
REVIEW = _count_statement(QUEUE_REVIEW, before_day_end=True, capped=True)


def own_available(
    session: Session,
    deck_ids: Mapping[str, int],
    day_end: datetime,
    new_room: Mapping[str, int],
    review_room: Mapping[str, int],
) -> dict[str, dict[int, int]]:
    """{deck name: {queue: count}} of the deck's own cards (not its subdecks') available before
    `day_end`: new cards up to `new_room[name]`, reviews up to `review_room[name]`, learning all."""
    connection = session.connection()
    own: dict[str, dict[int, int]] = {}
    for name, deck_id in deck_ids.items():
        new_cap, review_cap = new_room[name], review_room[name]
        own[name] = {
            QUEUE_NEW: connection.execute(NEW, {"deck_id": deck_id, "cap": new_cap}).scalar_one()
            if new_cap > 0
            else 0,
            QUEUE_LEARNING: connection.execute(
                LEARNING, {"deck_id": deck_id, "day_end": day_end}
            ).scalar_one(),
            QUEUE_REVIEW: connection.execute(
                REVIEW, {"deck_id": deck_id, "day_end": day_end, "cap": review_cap}
            ).scalar_one()
            if review_cap > 0
            else 0,
        }
    return own
