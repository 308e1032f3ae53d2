"""A study session over one deck: keeps today's queue in memory between answers, so answering and
showing the next card costs one write transaction and one card read, not a queue rebuild.

The card on screen is pinned: `current()` keeps returning it until it is answered, suspended, buried
or taken back, so a learning card that comes due meanwhile waits behind it, and every action names the
card it acts on by id (`answer(card_id, ...)`). `undo()` takes back this session's own answers only.

`counts()` is what the header shows: `counts.deck_counts`, the one count function the home screen
and the CLI use too, read again when a learning card comes within the learn-ahead limit (not on every
clock tick) and after a change the queue cannot follow by itself: an undo, a card put first, or an
answer that buried siblings (a daily limit may then let in a card the queue never took). After any
other answer the queue gives the counts: it held the cards the counts counted, and an answer takes
the same card off both (the limits are nested, each answer uses up its own card's room: the review
count, the new count and the interday learning count each lose the answered card or keep their
number; a randomized test checks it against counting again). What another process studies shows
at the next count.

The reads and writes go through a `study_session_store.SessionStore`: on an SQLite file, `sqlite3`
(the study commands' path, `store/direct/`), elsewhere the `Collection`; the same functions either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from flashapp.core.scheduling import Rating, State
from flashapp.store.answering import AnswerResult
from flashapp.store.collection import Collection
from flashapp.store.counts import DeckCounts, is_interday
from flashapp.store.queue import QueuedCard, StudyQueue
from flashapp.store.study_session_store import SessionStore, session_store
from flashapp.store.study_views import StudyCard


@dataclass
class SessionStats:
    """What the end-of-session summary shows."""

    studied: int = 0
    again: int = 0
    duration_ms: int = 0
    ratings: dict[Rating, int] = field(default_factory=lambda: dict.fromkeys(Rating, 0))

    @property
    def again_rate(self) -> float:
        return self.again / self.studied if self.studied else 0.0


class StudySession:
    def __init__(self, collection: Collection, deck: str | None = None):
        self.collection = collection
        self.deck = deck
        self.store: SessionStore = session_store(collection)
        self.stats = SessionStats()
        self._history: list[tuple[AnswerResult, int]] = []
        self._current: StudyCard | None = None
        self._rebuild()

    def _rebuild(self) -> None:
        self.queue: StudyQueue = self.store.study_queue(self.deck)
        self._day_end = self.collection.calendar.day_end(self.collection.clock())
        self._current: StudyCard | None = None
        self._counts: DeckCounts | None = None

    def counts(self) -> DeckCounts:
        """New / learning / review left in the deck (learning: due within the learn-ahead limit), as
        home and the CLI count them."""
        now = self.collection.clock()
        if self._counts is None or now >= self._counts_valid_until:
            self._counts = self.store.study_counts(self.deck)
            left = self.queue.counts(now)
            if (left.new, left.learning, left.review) != (self._counts.new, self._counts.learning,
                                                          self._counts.due):  # fmt: skip
                # The queue fell out of step with the collection (a buried sibling left room for a
                # card the queue never took, another process studied): take today's queue again.
                self.queue = self.store.study_queue(self.deck)
            self._follow_learning(now)
        return self._counts

    def _follow_learning(self, now: datetime) -> None:
        changes_at = self.queue.learning_count_changes_at(now)
        self._counts_valid_until = self._day_end if changes_at is None else min(changes_at, self._day_end)

    def _counts_after(self, result: AnswerResult) -> None:
        """The counts after `result`: from the queue (see the module's docstring), unless the answer
        buried siblings; then None: counted again at the next `counts()`."""
        if self._counts is None or result.buried_siblings:
            self._counts = None
            return
        now = self.collection.clock()
        left = self.queue.counts(now)
        calendar = self.collection.calendar
        interday = sum(1 for card in self.queue.learning if is_interday(card.due, calendar))
        self._counts = replace(
            self._counts, new=left.new, learning=left.learning, due=left.review, interday=interday
        )
        self._follow_learning(now)

    def current(self) -> StudyCard | None:
        """The card to show: the one already shown until it is dealt with, else the next one due now
        (None when nothing is left for now)."""
        if self._current is not None:
            return self._current
        now = self.collection.clock()
        if now >= self._day_end:  # the study day rolled over while studying
            self._rebuild()
        self.counts()  # keeps the queue in step with the counts shown
        card_id = self.queue.next_card_id(now)
        if card_id is not None:
            self._current = self.store.study_card(card_id)
        return self._current

    def answer(self, card_id: int, rating: Rating, duration_ms: int = 0) -> AnswerResult:
        """Answer `card_id`, which must be the card shown (`current()`)."""
        card = self._current
        if card is None or card.id != card_id:
            raise RuntimeError(f"card {card_id} is not the card on screen")
        result = self.store.answer(card.id, rating, duration_ms)
        self.queue.remove(card.id)
        for sibling_id in result.buried_siblings:
            self.queue.remove(sibling_id)
        after = result.after
        if (
            after.state in (State.LEARNING, State.RELEARNING)
            and after.due is not None
            and after.due < self._day_end
        ):
            self.queue.add_learning(QueuedCard(after.due, 0, card.id, card.info.deck_id))
        self._current = None
        self._counts_after(result)
        self._history.append((result, max(0, duration_ms)))
        self.stats.studied += 1
        self.stats.again += rating == Rating.AGAIN
        self.stats.ratings[rating] += 1
        self.stats.duration_ms += max(0, duration_ms)
        return result

    def undo(self) -> int | None:
        """Take back this session's last answer; returns the card, which is shown next (as in Anki)."""
        if not self._history:
            return None
        last, duration_ms = self._history[-1]
        self.collection.undo_answer(last.review_id)  # UserError when it can no longer be undone
        self._history.pop()
        self.stats.studied -= 1
        self.stats.again -= last.rating == Rating.AGAIN
        self.stats.ratings[last.rating] -= 1
        self.stats.duration_ms -= duration_ms
        self._rebuild()
        self.put_first(last.card_id)
        return last.card_id

    def put_first(self, card_id: int) -> None:
        """Show `card_id` next, whatever its due time (an undone answer, an unsuspended card)."""
        info = self.collection.card(card_id)
        self.queue.remove(card_id)
        self._counts = None
        if self._current is not None and self._current.id == card_id:
            self._current = None
        if info.suspended:
            return
        now = self.collection.clock()
        first = QueuedCard(min(info.due or now, now), -1, info.id, info.deck_id)
        if info.state in (State.LEARNING, State.RELEARNING):
            self.queue.add_learning(first)
        else:
            (self.queue.review if info.state == State.REVIEW else self.queue.new).insert(0, first)
        self._current = self.store.study_card(card_id)

    def take_out(self, card_id: int) -> None:
        """Forget `card_id` for this session (it was suspended or buried)."""
        self.queue.remove(card_id)
        self._counts = None
        if self._current is not None and self._current.id == card_id:
            self._current = None

    def refresh(self) -> None:
        """Read the current card again (after its text was edited)."""
        if self._current is not None:
            self._current = self.store.study_card(self._current.id)

    def backup_job(self) -> Callable[[], None] | None:
        """The study backup, when one is due on an SQLite file (`answer` does not take it there), to
        run off the answer's path: the study screen runs it in a thread once the next card is shown."""
        return self.store.backup_job()

    def close(self) -> None:
        """Let go of the store's connection (the session is over)."""
        self.store.close()

    def next_due(self) -> datetime | None:
        """When the next learning card of today comes back (None: nothing more today)."""
        return self.queue.next_learning_due()
