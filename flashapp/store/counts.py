"""New / learning / due counts per deck for the deck tree, each including its subdecks and capped by
the daily limits the same way the study queue is (see `queue`). Learning counts the cards due within
the 20-minute learn-ahead limit, as the study header does (`StudyQueue.counts(now)`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from flashapp.core.scheduling import StudyCalendar
from flashapp.store.decks import SEPARATOR, parent_names
from flashapp.store.models import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW, Card
from flashapp.store.queue import LEARN_AHEAD, load_decks, remaining_today, studied_today


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


def deck_counts(session: Session, now: datetime, calendar: StudyCalendar) -> list[DeckCounts]:
    """Cards available today by deck (subdecks included, daily limits applied), in tree order."""
    decks = load_decks(session)
    names = {deck.id: name for name, deck in decks.items()}
    day_end = calendar.day_end(now)
    # Learning cards count once due within the learn-ahead limit, as in the study header (and Anki).
    available = or_(
        Card.queue == QUEUE_NEW,
        (Card.queue == QUEUE_LEARNING) & (Card.due < min(day_end, now + LEARN_AHEAD)),
        (Card.queue == QUEUE_REVIEW) & (Card.due < day_end),
    )
    own: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for deck_id, queue, count in session.execute(
        select(Card.deck_id, Card.queue, func.count()).where(available).group_by(Card.deck_id, Card.queue)
    ):
        own[names[deck_id]][queue] = count
    totals: dict[str, int] = defaultdict(int)
    for deck_id, count in session.execute(select(Card.deck_id, func.count()).group_by(Card.deck_id)):
        for target in [*parent_names(names[deck_id]), names[deck_id]]:
            totals[target] += count

    new_done, reviews_done = studied_today(session, calendar.day_start(now))
    room = {
        QUEUE_NEW: remaining_today(decks, new_done, lambda o: o.new_per_day),
        QUEUE_REVIEW: remaining_today(decks, reviews_done, lambda o: o.reviews_per_day),
    }
    # Deepest decks first, so each deck sees its children's capped counts: capped = min(room, own + children).
    capped: dict[int, dict[str, int]] = {
        queue: defaultdict(int) for queue in (QUEUE_NEW, QUEUE_LEARNING, QUEUE_REVIEW)
    }
    from_children: dict[int, dict[str, int]] = {queue: defaultdict(int) for queue in capped}
    for name in sorted(decks, key=lambda n: -n.count(SEPARATOR)):
        parent = parent_names(name)[-1] if SEPARATOR in name else None
        for queue in capped:
            value = own[name][queue] + from_children[queue][name]
            if queue in room:
                value = min(value, room[queue][name])
            capped[queue][name] = value
            if parent is not None:
                from_children[queue][parent] += value
    ordered = sorted(decks, key=lambda n: [part.casefold() for part in n.split(SEPARATOR)])
    return [
        DeckCounts(
            name,
            new=capped[QUEUE_NEW][name],
            learning=capped[QUEUE_LEARNING][name],
            due=capped[QUEUE_REVIEW][name],
            total=totals[name],
        )
        for name in ordered
    ]
