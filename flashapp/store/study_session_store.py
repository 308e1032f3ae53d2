"""Where a study session reads and writes: the answer, the next card, the header's counts and today's
queue, each one call.

- `CollectionStore`: the `Collection` itself (SQLAlchemy; PostgreSQL, in-memory SQLite, a collection
  at an older schema).
- `SqliteStore`: an SQLite collection file at the newest schema, on a `sqlite3` connection of its own
  through `store/direct/` (the path `flashapp next` / `answer` take). The answer is
  `direct.study.answer`, the card `direct.study.study_card`, the counts `counts.deck_counts` and the
  queue `queue.build_queue`, so nothing is restated: the same functions the `Collection` calls, minus
  the ORM's unit of work, which was most of an answer's cost (about 10 ms of store time per answer at
  100k cards through the ORM, under 2 ms here). Whatever `direct/` leaves to the `Collection`
  (`Unhandled`: an unknown card or deck, whose error the `Collection` words; a card of an imported
  Anki note type, which the `Collection` renders from its templates) goes to the `Collection`.

The two share the `Collection`'s clock, fuzz setting, calendar and learn-ahead limit, read at each
call, so a setting changed through the `Collection` applies at once.

Study backups (every 30 minutes while studying, `store.backup`): `Collection.answer` takes one when it
is due, which lists the backup folder on every answer and copies the whole file on the answer that
finds one due. `SqliteStore.answer` leaves that out: `backup_job()` says from the time it remembers
(no folder listing) whether one is due and hands it over, and the study screen runs it in a thread
once the next card is on screen.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from flashapp.store.direct.connection import DirectCollection, direct_or_none

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import timedelta

    from flashapp.core.scheduling import Rating, StudyCalendar
    from flashapp.store.answering import AnswerResult
    from flashapp.store.collection import Collection
    from flashapp.store.counts import DeckCounts
    from flashapp.store.queue import StudyQueue
    from flashapp.store.study_views import StudyCard


class SessionStore(Protocol):
    def study_queue(self, deck: str | None) -> StudyQueue: ...

    def study_counts(self, deck: str | None) -> DeckCounts: ...

    def study_card(self, card_id: int) -> StudyCard: ...

    def answer(self, card_id: int, rating: Rating, duration_ms: int) -> AnswerResult: ...

    def backup_job(self) -> Callable[[], None] | None: ...

    def close(self) -> None: ...


class CollectionStore:
    """Every call on the `Collection`."""

    def __init__(self, collection: Collection):
        self.collection = collection

    def study_queue(self, deck: str | None) -> StudyQueue:
        return self.collection.study_queue(deck)

    def study_counts(self, deck: str | None) -> DeckCounts:
        return self.collection.study_counts(deck)

    def study_card(self, card_id: int) -> StudyCard:
        return self.collection.study_card(card_id)

    def answer(self, card_id: int, rating: Rating, duration_ms: int) -> AnswerResult:
        return self.collection.answer(card_id, rating, duration_ms)  # backs up itself when due

    def backup_job(self) -> Callable[[], None] | None:
        return None

    def close(self) -> None:
        pass


class _CollectionsCalendar(DirectCollection):
    """The collection file on `sqlite3`, studying by the `Collection`'s calendar and learn-ahead limit."""

    def __init__(self, opened: DirectCollection, collection: Collection):
        super().__init__(opened.connection, opened.path, opened.tz)
        self._collection = collection

    @property
    def calendar(self) -> StudyCalendar:
        return self._collection.calendar

    @property
    def learn_ahead(self) -> timedelta:
        return self._collection.learn_ahead


class SqliteStore(CollectionStore):
    """The hot calls on `sqlite3` (see the module's docstring); the `Collection` for what `direct/`
    does not handle."""

    def __init__(self, collection: Collection, direct: DirectCollection):
        super().__init__(collection)
        self.direct = _CollectionsCalendar(direct, collection)
        self._backup_at: datetime | None = None  # when the next study backup is due (None: not read yet)

    def study_queue(self, deck: str | None) -> StudyQueue:
        from flashapp.store.direct.study import Unhandled, study_queue

        try:
            return study_queue(self.direct, deck, self.collection.clock())
        except Unhandled:
            return super().study_queue(deck)

    def study_counts(self, deck: str | None) -> DeckCounts:
        from flashapp.store.counts import deck_counts, totals
        from flashapp.store.direct.burials import lift_ended_burials

        now = self.collection.clock()
        lift_ended_burials(self.direct, now)
        direct = self.direct
        with direct.reading() as connection:
            rows = deck_counts(
                connection, now, direct.calendar, deck=deck, learn_ahead=direct.learn_ahead, with_totals=False
            )
        if deck is not None and not rows:  # an unknown deck: the `Collection` words the error
            return super().study_counts(deck)
        return totals(rows, deck)

    def study_card(self, card_id: int) -> StudyCard:
        from flashapp.store.direct.study import Unhandled, study_card

        try:
            return study_card(self.direct, card_id, self.collection.clock(), fuzz=self.collection.fuzz)
        except Unhandled:
            return super().study_card(card_id)

    def answer(self, card_id: int, rating: Rating, duration_ms: int) -> AnswerResult:
        from flashapp.store.direct.study import Unhandled, answer

        collection = self.collection
        try:
            now = collection.clock()
            result = answer(
                self.direct, card_id, rating, now, fuzz=collection.fuzz, duration_ms=duration_ms, backup=False
            )
        except Unhandled:
            return super().answer(card_id, rating, duration_ms)
        collection.changed = True  # as `Collection.writing` notes it (the app backs up on closing)
        return result

    def backup_job(self) -> Callable[[], None] | None:
        """The study backup to run now, when one is due by `backup.backup_due`'s rule (none yet, or
        the newest is STUDY_INTERVAL old; the folder is read once per session), else None. It counts
        as taken from this call on. A backup that cannot be written (full disk, read-only folder) is
        given up until the next is due, as `Collection.backup_if_due` does."""
        import sqlite3

        from flashapp.store.backup import STUDY_INTERVAL, backup_collection, newest_backup_time

        now = self.collection.clock()
        path = self.direct.path
        if self._backup_at is None:
            newest = newest_backup_time(path)
            self._backup_at = newest + STUDY_INTERVAL if newest is not None else now
        if now < self._backup_at:
            return None
        self._backup_at = now + STUDY_INTERVAL

        def backup() -> None:
            with contextlib.suppress(OSError, sqlite3.Error):
                backup_collection(path, now, "study")

        return backup

    def close(self) -> None:
        self.direct.close()


def session_store(collection: Collection) -> SessionStore:
    """`SqliteStore` where the collection is an SQLite file `direct/` can serve, else `CollectionStore`."""
    path = collection.path
    direct = direct_or_none(path, collection.tz) if path is not None else None
    return CollectionStore(collection) if direct is None else SqliteStore(collection, direct)
