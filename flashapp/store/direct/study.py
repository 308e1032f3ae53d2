"""The next card and the answer, by the rules of `store/queue.build_queue` and `Collection.answer`.

The queue is built as `build_queue` builds it: learning cards due before the day ends, then reviews and
new cards in due order while their deck and every deck above it (up to the one studied) have room. The
answer goes through `card_state.answer_onto`, the function the `Collection` answers with; only the
reading and writing of the rows is SQL text here.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from flashapp.core.scheduling import Rating, SchedulerOptions
from flashapp.store.card_state import (
    SNAPSHOT_COLUMNS,
    AnswerResult,
    answer_onto,
    check_answerable,
    refresh_queue,
    review_values,
    sibling_restore,
)
from flashapp.store.direct.connection import DirectCollection, db_time, py_time
from flashapp.store.direct.deck_tree import LEARN_AHEAD
from flashapp.store.direct.limits import load_decks, parent_names, remaining_today, studied_today
from flashapp.store.queue_codes import QUEUE_BURIED, QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW
from flashapp.store.study_views import StudyCard, study_card_of


class Unhandled(Exception):
    """This case is the `Collection`'s: the caller opens one and runs the command there."""


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


@dataclass
class Queue:
    """Today's queue, as `store.queue.StudyQueue` (the same three lists and the same choice of card)."""

    learning: list[QueuedCard] = field(default_factory=list)
    review: list[QueuedCard] = field(default_factory=list)
    new: list[QueuedCard] = field(default_factory=list)

    def counts(self, now: datetime | None = None) -> QueueCounts:
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


def study_queue(collection: DirectCollection, deck: str | None, now: datetime) -> Queue:
    """The queue for `deck` and its subdecks (None: every deck), burials that ended lifted first (as
    `Collection.study_queue`). Unhandled for an unknown deck (the `Collection` words the error)."""
    calendar = collection.calendar
    with collection.reading() as connection:
        ended = connection.execute(_ENDED_BURIALS + " LIMIT 1", (db_time(now),)).fetchone()
    if ended is not None:
        _lift_ended_burials(collection, now)
    with collection.reading() as connection:
        decks = load_decks(connection)
        if deck is not None and deck not in decks:
            raise Unhandled("unknown deck")
        selected = [
            d for name, d in decks.items() if deck is None or name == deck or name.startswith(deck + "::")
        ]
        day_end = calendar.day_end(now)
        new_done, reviews_done = studied_today(connection, calendar.day_start(now))
        new_room = remaining_today(decks, new_done, lambda o: o.new_per_day)
        review_room = remaining_today(decks, reviews_done, lambda o: o.reviews_per_day)

        def chain(name: str) -> list[str]:
            names = [*parent_names(name), name]
            return [n for n in names if deck is None or n == deck or n.startswith(deck + "::")]

        chains = {d.id: chain(d.name) for d in selected}
        tops = {names[0] for names in chains.values()}
        return Queue(
            learning=_fetch(connection, [d.id for d in selected], QUEUE_LEARNING, day_end, None, 0),
            review=_take(
                connection, QUEUE_REVIEW, day_end, review_room, chains, sum(review_room[t] for t in tops)
            ),
            new=_take(connection, QUEUE_NEW, None, new_room, chains, sum(new_room[t] for t in tops)),
        )


_ENDED_BURIALS = (
    "SELECT id, state, suspended, orphaned FROM cards WHERE buried_until IS NOT NULL AND buried_until <= ?"
)


def _lift_ended_burials(collection: DirectCollection, now: datetime) -> None:
    """As `answering.unbury_expired`: each card whose burial ended goes back to its state's queue
    (`card_state.refresh_queue` decides which)."""
    with collection.writing() as connection:
        changes = []
        for card_id, state, suspended, orphaned in connection.execute(
            _ENDED_BURIALS, (db_time(now),)
        ).fetchall():
            card = SimpleNamespace(
                state=state, suspended=bool(suspended), orphaned=bool(orphaned), buried_until=None
            )
            refresh_queue(card)
            changes.append((card.queue, card_id))
        connection.executemany("UPDATE cards SET buried_until = NULL, queue = ? WHERE id = ?", changes)


def _fetch(
    connection: sqlite3.Connection,
    deck_ids: list[int],
    queue: int,
    before: datetime | None,
    limit: int | None,
    offset: int,
) -> list[QueuedCard]:
    marks = ", ".join("?" * len(deck_ids))
    sql = f"SELECT due, position, id, deck_id FROM cards WHERE deck_id IN ({marks}) AND queue = ?"
    params: list = [*deck_ids, queue]
    if before is not None:
        sql += " AND due < ?"
        params.append(db_time(before))
    sql += " ORDER BY due, position, id LIMIT ? OFFSET ?"
    params += [-1 if limit is None else limit, offset]
    return [
        QueuedCard(py_time(due), position, id_, deck_id)
        for due, position, id_, deck_id in connection.execute(sql, params)
    ]


def _take(
    connection: sqlite3.Connection,
    queue: int,
    before: datetime | None,
    room: dict[str, int],
    chains: dict[int, list[str]],
    wanted: int,
) -> list[QueuedCard]:
    """Cards in due order while their deck and the decks above it have room, `wanted` at most."""
    room = dict(room)
    open_decks = [deck_id for deck_id, chain in chains.items() if min(room[name] for name in chain) > 0]
    taken: list[QueuedCard] = []
    offset = 0
    while open_decks and len(taken) < wanted:
        page = _fetch(connection, open_decks, queue, before, wanted, offset)
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


_CARD_COLUMNS = (
    "id", "note_id", "deck_id", "ord", "position", "queue", "state", "due", "interval_days", "ease", "reps",
    "lapses", "step", "stability", "difficulty", "last_review", "suspended", "orphaned", "buried_until",
    "flag", "modified_at",
)  # fmt: skip
_TIMES = ("due", "last_review", "buried_until", "modified_at")
_CARD_WITH_DECK = (
    "SELECT " + ", ".join(f"cards.{name}" for name in _CARD_COLUMNS) + ", decks.name, decks.options "
    "FROM cards JOIN decks ON decks.id = cards.deck_id WHERE cards.id = ?"
)
_NOTE = "SELECT id, key, note_type, fields, tags, demo, demo_params, note_type_id FROM notes WHERE id = ?"


def _card_row(connection: sqlite3.Connection, card_id: int) -> tuple[SimpleNamespace, str, SchedulerOptions]:
    """(the card as an object with the `cards` columns, its deck's name, its deck's options)."""
    row = connection.execute(_CARD_WITH_DECK, (card_id,)).fetchone()
    if row is None:
        raise Unhandled("unknown card")
    *values, deck_name, options = row
    card = SimpleNamespace(**dict(zip(_CARD_COLUMNS, values, strict=True)))
    for name in _TIMES:
        setattr(card, name, py_time(getattr(card, name)))
    card.suspended, card.orphaned = bool(card.suspended), bool(card.orphaned)
    return card, deck_name, SchedulerOptions.from_dict(json.loads(options))


def study_card(collection: DirectCollection, card_id: int, now: datetime, *, fuzz: bool) -> StudyCard:
    """The card ready to study (rendered, with its buttons' intervals). Unhandled for a note of an
    imported Anki note type: the `Collection` renders those from their templates."""
    with collection.reading() as connection:
        card, deck_name, options = _card_row(connection, card_id)
        note_id, key, note_type, fields, tags, demo, demo_params, note_type_id = connection.execute(
            _NOTE, (card.note_id,)
        ).fetchone()
    if note_type_id is not None:
        raise Unhandled("Anki note type")
    note = SimpleNamespace(
        id=note_id, key=key, note_type=note_type, fields=json.loads(fields), tags=tags, demo=demo,
        demo_params=None if demo_params is None else json.loads(demo_params),
    )  # fmt: skip
    return study_card_of(card, note, deck_name, options, None, now, fuzz=fuzz, calendar=collection.calendar)


_BURY_SIBLINGS = (
    f"UPDATE cards SET queue = {QUEUE_BURIED}, buried_until = ? "
    f"WHERE note_id = ? AND id != ? AND queue IN ({QUEUE_NEW}, {QUEUE_REVIEW}) RETURNING id, state"
)
_UPDATE_CARD = "UPDATE cards SET " + ", ".join(f"{name} = ?" for name in SNAPSHOT_COLUMNS) + " WHERE id = ?"
_REVIEW_COLUMNS = (
    "card_id", "reviewed_at", "rating", "state_before", "state_after", "interval_before_days",
    "interval_after_days", "ease_after", "duration_ms", "previous",
)  # fmt: skip
_INSERT_REVIEW = (
    f"INSERT INTO reviews ({', '.join(_REVIEW_COLUMNS)}) VALUES ({', '.join('?' * len(_REVIEW_COLUMNS))})"
)


def _column_value(value: object) -> object:
    if isinstance(value, datetime):
        return db_time(value)
    if isinstance(value, bool):
        return int(value)
    return value


def answer(
    collection: DirectCollection, card_id: int, rating: Rating, now: datetime, *, fuzz: bool, duration_ms: int
) -> AnswerResult:
    """Schedule the card and log the review in one BEGIN IMMEDIATE transaction, as `Collection.answer`
    (then a study backup when one is due)."""
    calendar = collection.calendar
    with collection.writing() as connection:
        card, _, options = _card_row(connection, card_id)
        check_answerable(card)
        step = answer_onto(card, options, rating, now, calendar, fuzz=fuzz)
        connection.execute(
            _UPDATE_CARD, [*(_column_value(getattr(card, n)) for n in SNAPSHOT_COLUMNS), card.id]
        )
        rows = connection.execute(
            _BURY_SIBLINGS, (db_time(calendar.day_end(now)), card.note_id, card.id)
        ).fetchall()
        siblings = {str(sibling_id): sibling_restore(state) for sibling_id, state in rows}
        values = review_values(card.id, rating, step, duration_ms, siblings)
        values["previous"] = json.dumps(values["previous"], ensure_ascii=False)
        cursor = connection.execute(_INSERT_REVIEW, [_column_value(values[n]) for n in _REVIEW_COLUMNS])
        review_id = cursor.lastrowid
    _backup_if_due(collection, now)
    return AnswerResult(card.id, rating, step.before, step.after, review_id, tuple(s for s, _ in rows))


def _backup_if_due(collection: DirectCollection, now: datetime) -> None:
    """As `Collection.backup_if_due`: a backup that cannot be written never undoes the answer."""
    from flashapp.store.backup import backup_collection, backup_due

    if backup_due(collection.path, now):
        with contextlib.suppress(OSError, sqlite3.Error):
            backup_collection(collection.path, now, "study")
