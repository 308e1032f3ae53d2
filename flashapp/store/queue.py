"""Today's review queue for a deck: learning cards due now, then reviews due today, then new cards,
within each deck's daily limits.

Limits work as in Anki's v3 scheduler: a deck's new/day and reviews/day cover its whole subtree and
what was already studied there today, and a card is taken only while its deck and every deck above it,
up to the deck being studied, still have room (the deck tree's counts follow the same rule). Each
deck's candidates come from one indexed range scan on (deck_id, queue, due).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashapp.core.scheduling import SchedulerOptions, State, StudyCalendar
from flashapp.store.decks import find_deck, parent_names
from flashapp.store.models import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW, Card, Deck, Review

# With nothing else left, learning cards due within this long are shown early (Anki's default).
LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True, order=True)
class QueuedCard:
    due: datetime
    position: int
    id: int
    deck_id: int


@dataclass(frozen=True)
class QueueCounts:
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass
class StudyQueue:
    learning: list[QueuedCard] = field(default_factory=list)  # due before the day ends, by due
    review: list[QueuedCard] = field(default_factory=list)
    new: list[QueuedCard] = field(default_factory=list)

    def counts(self, now: datetime | None = None) -> QueueCounts:
        """What is left; at `now`, learning counts only cards due within the learn-ahead limit (as Anki
        shows it), without `now` every learning card still due today."""
        learning = len(self.learning)
        if now is not None:
            learning = bisect_right([card.due for card in self.learning], now + LEARN_AHEAD)
        return QueueCounts(new=len(self.new), learning=learning, review=len(self.review))

    def next_card_id(self, now: datetime) -> int | None:
        if self.learning and self.learning[0].due <= now:
            return self.learning[0].id
        if self.review:
            return self.review[0].id
        if self.new:
            return self.new[0].id
        if self.learning and self.learning[0].due <= now + LEARN_AHEAD:
            return self.learning[0].id
        return None

    def next_learning_due(self) -> datetime | None:
        return self.learning[0].due if self.learning else None

    def remove(self, card_id: int) -> None:
        for cards in (self.learning, self.review, self.new):
            cards[:] = [card for card in cards if card.id != card_id]

    def add_learning(self, card: QueuedCard) -> None:
        self.remove(card.id)
        self.learning.append(card)
        self.learning.sort()


@dataclass(frozen=True)
class DeckLimits:
    id: int
    name: str
    options: SchedulerOptions


def load_decks(session: Session) -> dict[str, DeckLimits]:
    return {
        name: DeckLimits(deck_id, name, SchedulerOptions.from_dict(options))
        for deck_id, name, options in session.execute(select(Deck.id, Deck.name, Deck.options))
    }


def studied_today(session: Session, day_start: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """(new cards introduced, review cards answered) today, per deck id."""
    rows = session.execute(
        select(Card.deck_id, Review.state_before, func.count(func.distinct(Review.card_id)), func.count())
        .join(Card, Card.id == Review.card_id)
        .where(Review.reviewed_at >= day_start, Review.state_before.in_((State.NEW, State.REVIEW)))
        .group_by(Card.deck_id, Review.state_before)
    )
    new: dict[int, int] = defaultdict(int)
    reviews: dict[int, int] = defaultdict(int)
    for deck_id, state_before, distinct_cards, answers in rows:
        if state_before == State.NEW:
            new[deck_id] += distinct_cards
        else:
            reviews[deck_id] += answers
    return new, reviews


def remaining_today(decks: dict[str, DeckLimits], done: dict[int, int], limit_of) -> dict[str, int]:
    """Room left today per deck name: its limit minus what its subtree already did."""
    done_in_subtree: dict[str, int] = defaultdict(int)
    by_id = {deck.id: deck.name for deck in decks.values()}
    for deck_id, count in done.items():
        name = by_id.get(deck_id)
        if name is not None:
            for target in [*parent_names(name), name]:
                done_in_subtree[target] += count
    return {name: max(0, limit_of(deck.options) - done_in_subtree[name]) for name, deck in decks.items()}


def build_queue(session: Session, deck: str | None, now: datetime, calendar: StudyCalendar) -> StudyQueue:
    """The queue for `deck` and its subdecks (None: every deck)."""
    if deck is not None:
        find_deck(session, deck)
    decks = load_decks(session)
    selected = [
        d for name, d in decks.items() if deck is None or name == deck or name.startswith(deck + "::")
    ]
    ids = [d.id for d in selected]
    day_start, day_end = calendar.day_start(now), calendar.day_end(now)
    new_done, reviews_done = studied_today(session, day_start)
    new_room = remaining_today(decks, new_done, lambda o: o.new_per_day)
    review_room = remaining_today(decks, reviews_done, lambda o: o.reviews_per_day)

    def chain(name: str) -> list[str]:
        """`name` and the decks above it, up to the one being studied."""
        names = [*parent_names(name), name]
        return [n for n in names if deck is None or n == deck or n.startswith(deck + "::")]

    chains = {d.id: chain(d.name) for d in selected}
    tops = {names[0] for names in chains.values()}  # the studied deck, or every top-level deck
    return StudyQueue(
        learning=_fetch(session, ids, QUEUE_LEARNING, before=day_end, limit=None, offset=0),
        review=_take(session, QUEUE_REVIEW, day_end, review_room, chains, sum(review_room[t] for t in tops)),
        new=_take(session, QUEUE_NEW, None, new_room, chains, sum(new_room[t] for t in tops)),
    )


def _fetch(
    session: Session,
    deck_ids: list[int],
    queue: int,
    *,
    before: datetime | None,
    limit: int | None,
    offset: int,
) -> list[QueuedCard]:
    query = select(Card.due, Card.position, Card.id, Card.deck_id).where(
        Card.deck_id.in_(deck_ids), Card.queue == queue
    )
    if before is not None:
        query = query.where(Card.due < before)
    query = query.order_by(Card.due, Card.position, Card.id).limit(limit).offset(offset)
    return [QueuedCard(*row) for row in session.execute(query)]


def _take(
    session: Session,
    queue: int,
    before: datetime | None,
    room: dict[str, int],
    chains: dict[int, list[str]],
    wanted: int,
) -> list[QueuedCard]:
    """Cards in due order while their deck and the decks above it have room, `wanted` at most.

    Decks without room are left out of the query; a page is read again only when subdeck limits
    turned cards of the first page away.
    """
    room = dict(room)
    open_decks = [deck_id for deck_id, chain in chains.items() if min(room[name] for name in chain) > 0]
    taken: list[QueuedCard] = []
    offset = 0
    while open_decks and len(taken) < wanted:
        page = _fetch(session, open_decks, queue, before=before, limit=wanted, offset=offset)
        for card in page:
            chain = chains[card.deck_id]
            if all(room[name] > 0 for name in chain):
                taken.append(card)
                for name in chain:
                    room[name] -= 1
        if len(page) < wanted:
            break
        offset += wanted
    return taken[:wanted]
