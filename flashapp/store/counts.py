"""New / learning / due counts per deck, each deck's including its subdecks, in tree order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from flashapp.core.scheduling.day import next_day_start_utc
from flashapp.store.decks import SEPARATOR, parent_names
from flashapp.store.models import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW, Card, Deck


@dataclass(frozen=True)
class DeckCounts:
    name: str
    new: int
    learning: int
    due: int
    total: int

    @property
    def depth(self) -> int:
        return self.name.count(SEPARATOR)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(SEPARATOR, 1)[-1]

    def to_json(self) -> dict:
        return {
            "deck": self.name,
            "new": self.new,
            "learning": self.learning,
            "due": self.due,
            "total": self.total,
        }


def deck_counts(session: Session, now: datetime, tz: tzinfo, rollover_hour: int = 4) -> list[DeckCounts]:
    """Counts of cards available today, by deck (subdecks included), sorted as a tree."""
    day_end = next_day_start_utc(now, tz, rollover_hour)
    available = or_(
        Card.queue == QUEUE_NEW, (Card.queue.in_((QUEUE_LEARNING, QUEUE_REVIEW))) & (Card.due < day_end)
    )
    rows = session.execute(
        select(Card.deck_id, Card.queue, func.count()).where(available).group_by(Card.deck_id, Card.queue)
    ).all()
    totals = dict(session.execute(select(Card.deck_id, func.count()).group_by(Card.deck_id)).all())
    names = dict(session.execute(select(Deck.id, Deck.name)).all())

    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    index = {QUEUE_NEW: 0, QUEUE_LEARNING: 1, QUEUE_REVIEW: 2}
    for deck_id, queue, count in rows:
        name = names[deck_id]
        for target in [*parent_names(name), name]:
            sums[target][index[queue]] += count
    for deck_id, count in totals.items():
        name = names[deck_id]
        for target in [*parent_names(name), name]:
            sums[target][3] += count
    ordered = sorted(names.values(), key=lambda n: [part.casefold() for part in n.split(SEPARATOR)])
    return [DeckCounts(name, *sums[name]) for name in ordered]
