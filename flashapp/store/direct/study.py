"""The next card with its counts, and the answer on sqlite3 alone: the queue is `store.queue.build_queue`
and the counts `store.counts.deck_counts` (the functions the `Collection` uses, run on this command's
`sqlite3` connection), the answer `card_state.answer_onto` (the function `Collection.answer` answers
with); only the reading and writing of a card's rows is SQL text here.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import datetime
from types import SimpleNamespace

from flashapp.core.scheduling import Rating, SchedulerOptions
from flashapp.store.card_state import (
    SNAPSHOT_COLUMNS,
    AnswerResult,
    answer_onto,
    check_answerable,
    review_values,
    sibling_restore,
)
from flashapp.store.direct.burials import lift_ended_burials
from flashapp.store.direct.connection import DirectCollection, db_time, py_time
from flashapp.store.queue import StudyQueue, UnknownDeck, build_queue
from flashapp.store.queue_codes import QUEUE_BURIED, QUEUE_NEW, QUEUE_REVIEW
from flashapp.store.study_views import StudyCard, study_card_of


class Unhandled(Exception):
    """This case is the `Collection`'s: the caller opens one and runs the command there."""


def study_queue(collection: DirectCollection, deck: str | None, now: datetime) -> StudyQueue:
    """The queue for `deck` and its subdecks (None: every deck), burials that ended lifted first (as
    `Collection.study_queue`). Unhandled for an unknown deck (the `Collection` words the error)."""
    lift_ended_burials(collection, now)
    calendar, learn_ahead = collection.calendar, collection.learn_ahead
    with collection.reading() as connection:
        try:
            return build_queue(connection, deck, now, calendar, learn_ahead)
        except UnknownDeck:
            raise Unhandled("unknown deck") from None


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
        demo_params=None if demo_params is None else json.loads(demo_params), note_type_id=None,
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
    collection: DirectCollection,
    card_id: int,
    rating: Rating,
    now: datetime,
    *,
    fuzz: bool,
    duration_ms: int,
    backup: bool = True,
) -> AnswerResult:
    """Schedule the card and log the review in one BEGIN IMMEDIATE transaction, as `Collection.answer`
    (then a study backup when one is due, unless `backup` is False: the study screen takes its
    backups after the frame, `study_session_store`)."""
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
    if backup:
        _backup_if_due(collection, now)
    return AnswerResult(card.id, rating, step.before, step.after, review_id, tuple(s for s, _ in rows))


def _backup_if_due(collection: DirectCollection, now: datetime) -> None:
    """As `Collection.backup_if_due`: a backup that cannot be written never undoes the answer."""
    from flashapp.store.backup import backup_collection, backup_due

    if backup_due(collection.path, now):
        with contextlib.suppress(OSError, sqlite3.Error):
            backup_collection(collection.path, now, "study")
