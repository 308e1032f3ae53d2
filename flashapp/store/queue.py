"""Today's review queue for a deck: learning cards due now, then reviews due today, then new cards,
within each deck's daily limits.

Limits work as in Anki's v3 scheduler and are those of `counts.deck_counts` (the one count function):
each deck gives as many new and review cards as its count says, and a card is taken only while its deck
and every deck above it, up to the deck being studied, still have room. Each deck's candidates come
from one indexed range scan on (deck_id, queue, due). Like the counts, the queries are plain SQL text
run through `store.sql_text`, so the `Collection` (SQLAlchemy, SQLite or PostgreSQL) and the study
commands' `sqlite3` path (`store/direct/`) build the queue with this one function; the module imports
neither SQLAlchemy nor the ORM.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flashapp.errors import UserError
from flashapp.store.counts import (
    DEFAULT_LEARN_AHEAD,
    QUEUE_LEARNING,
    QUEUE_NEW,
    QUEUE_REVIEW,
    Calendar,
    DeckCounts,
    deck_counts,
    deck_limits,
    in_subtree,
    is_interday,
    learning_fetch_end,
    parents,
    totals,
)
from flashapp.store.sql_text import Runner, read_time, runner_for


class UnknownDeck(UserError):
    """The deck to study does not exist (worded as `store.decks.find_deck` words it)."""

    def __init__(self, name: str, known: list[str]):
        hint = f"; decks: {', '.join(sorted(known))}" if known else "; the collection has no decks"
        super().__init__(f"unknown deck {name!r}{hint}")
        self.name = name


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
    learning: list[QueuedCard] = field(default_factory=list)  # due today or within learn-ahead, by due
    review: list[QueuedCard] = field(default_factory=list)
    new: list[QueuedCard] = field(default_factory=list)
    learn_ahead: timedelta = DEFAULT_LEARN_AHEAD  # the collection's learn-ahead limit
    # What `counts.deck_counts` showed for the studied deck when the queue was built (the numbers of
    # `Collection.study_counts` at that instant; a one-shot command shows them without counting twice).
    built_counts: DeckCounts | None = None

    def counts(self, now: datetime | None = None) -> QueueCounts:
        """What is left in this queue; at `now`, learning counts only cards due within the learn-ahead
        limit, without `now` every learning card still due today. (What the screens and the CLI show
        comes from `counts.deck_counts`, which these agree with: a test checks it.)"""
        learning = len(self.learning)
        if now is not None:
            learning = bisect_right([card.due for card in self.learning], now + self.learn_ahead)
        return QueueCounts(new=len(self.new), learning=learning, review=len(self.review))

    def next_card_id(self, now: datetime) -> int | None:
        if self.learning and self.learning[0].due <= now:
            return self.learning[0].id
        if self.review:
            return self.review[0].id
        if self.new:
            return self.new[0].id
        if self.learning and self.learning[0].due <= now + self.learn_ahead:
            return self.learning[0].id
        return None

    def next_learning_due(self) -> datetime | None:
        return self.learning[0].due if self.learning else None

    def learning_count_changes_at(self, now: datetime) -> datetime | None:
        """When the next learning card comes within the learn-ahead limit (None: none left today)."""
        later = [card.due for card in self.learning if card.due > now + self.learn_ahead]
        return min(later) - self.learn_ahead if later else None

    def remove(self, card_id: int) -> None:
        for cards in (self.learning, self.review, self.new):
            cards[:] = [card for card in cards if card.id != card_id]

    def add_learning(self, card: QueuedCard) -> None:
        self.remove(card.id)
        self.learning.append(card)
        self.learning.sort()


def build_queue(
    connection: Any,
    deck: str | None,
    now: datetime,
    calendar: Calendar,
    learn_ahead: timedelta = DEFAULT_LEARN_AHEAD,
) -> StudyQueue:
    """The queue for `deck` and its subdecks (None: every deck): as many new and review cards from each
    deck as `counts.deck_counts` says it shows today, and every learning card due before the day ends
    or, intraday, within the learn-ahead limit.
    `connection`: an SQLAlchemy `Connection`/`Session`, a `sqlite3` connection or a `sql_text` runner.
    Raises `UnknownDeck` for a deck that does not exist."""
    runner = runner_for(connection)
    limits = deck_limits(runner, now, calendar)
    if deck is not None and deck not in limits:
        raise UnknownDeck(deck, list(limits))
    rows = deck_counts(
        runner, now, calendar, deck=deck, learn_ahead=learn_ahead, with_totals=False, limits=limits
    )
    new_room = {row.name: row.new for row in rows}
    review_room = {row.name: row.due for row in rows}
    ids = [limits[row.name].id for row in rows]

    def chain(name: str) -> list[str]:
        """`name` and the decks above it, up to the one being studied."""
        return [n for n in [*parents(name), name] if in_subtree(n, deck)]

    chains = {limits[row.name].id: chain(row.name) for row in rows}
    tops = {names[0] for names in chains.values()}  # the studied deck, or every top-level deck
    day_end = calendar.day_end(now)
    # Taking cards while every deck on a card's chain has room reaches each top deck's count exactly:
    # the counts are capped bottom-up by the same nested limits (a laminar family, where greedy is optimal).
    learning = _fetch(
        runner,
        ids,
        QUEUE_LEARNING,
        before=learning_fetch_end(now, calendar, learn_ahead),
        limit=None,
        offset=0,
    )
    # Intraday cards past the day's end are within the learn-ahead limit; interday ones wait for their day.
    learning = [card for card in learning if card.due < day_end or not is_interday(card.due, calendar)]
    interday = [card for card in learning if is_interday(card.due, calendar)]
    interday_room = {row.name: row.interday for row in rows}
    # Interday learning cards are held under the review limit: as many as the counts say, due first.
    held = {card.id for card in interday} - {
        card.id for card in _within_room(interday, interday_room, chains)
    }
    return StudyQueue(
        learning=[card for card in learning if card.id not in held],
        review=_take(runner, QUEUE_REVIEW, day_end, review_room, chains, sum(review_room[t] for t in tops)),
        new=_take(runner, QUEUE_NEW, None, new_room, chains, sum(new_room[t] for t in tops)),
        learn_ahead=learn_ahead,
        built_counts=totals(rows, deck),
    )


def _fetch(
    runner: Runner,
    deck_ids: list[int],
    queue: int,
    *,
    before: datetime | None,
    limit: int | None,
    offset: int,
) -> list[QueuedCard]:
    if not deck_ids:
        return []
    params: dict[str, Any] = {f"d{i}": deck_id for i, deck_id in enumerate(deck_ids)}
    marks = ", ".join(f":{name}" for name in params)
    sql = f"SELECT due, position, id, deck_id FROM cards WHERE deck_id IN ({marks}) AND queue = :queue"
    params["queue"] = queue
    if before is not None:
        sql += " AND due < :before"
        params["before"] = runner.time(before)
    sql += " ORDER BY due, position, id"
    if limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
        params |= {"limit": limit, "offset": offset}
    return [
        QueuedCard(read_time(due), position, id_, deck_id)
        for due, position, id_, deck_id in runner.rows(sql, params)
    ]


def _take(
    runner: Runner,
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
        page = _fetch(runner, open_decks, queue, before=before, limit=wanted, offset=offset)
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


def _within_room(
    cards: list[QueuedCard], room: dict[str, int], chains: dict[int, list[str]]
) -> list[QueuedCard]:
    """`cards` in due order while their deck and the decks above it have room."""
    room = dict(room)
    taken = []
    for card in sorted(cards):
        chain = chains[card.deck_id]
        if all(room[name] > 0 for name in chain):
            taken.append(card)
            for name in chain:
                room[name] -= 1
    return taken
