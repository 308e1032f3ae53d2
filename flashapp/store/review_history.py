"""The review log read for fitting, evaluating and planning: each row with its study day, per deck.

The study day comes from `core/scheduling/day.py` with the collection's zone and rollover hour
(`rollover_hour` below is the one place that decides where that hour comes from).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from flashapp.core.scheduling import Rating, SchedulerOptions
from flashapp.core.scheduling.day import day_start_utc, next_day_start_utc, study_day
from flashapp.core.scheduling.log_arrays import LogArrays, from_microseconds, to_microseconds
from flashapp.core.scheduling.review_history import HistoryReview
from flashapp.core.scheduling.workload import SimCard
from flashapp.store.decks import subtree_ids
from flashapp.store.models import Card, Deck, Review
from flashapp.store.settings import rollover_hour as collection_rollover_hour

if TYPE_CHECKING:
    import numpy as np

    from flashapp.store.collection import Collection


def rollover_hour(session: Session, deck: str | None) -> int:
    """The hour a study day starts at: the collection's (one hour for every deck, as in Anki)."""
    return collection_rollover_hour(session)


class StudyDays:
    """Maps UTC instants to study days; fast for instants in time order (one zone lookup a day)."""

    def __init__(self, tz: tzinfo, hour: int):
        self.tz, self.hour = tz, hour
        self._start: datetime | None = None
        self._end: datetime | None = None
        self._day: date | None = None

    def __call__(self, instant: datetime) -> date:
        if self._start is None or not (self._start <= instant < self._end):  # type: ignore[operator]
            self._start = day_start_utc(instant, self.tz, self.hour)
            self._end = next_day_start_utc(instant, self.tz, self.hour)
            self._day = study_day(instant, self.tz, self.hour)
        assert self._day is not None
        return self._day


@dataclass(frozen=True)
class DeckHistory:
    reviews: list[HistoryReview]
    parameters: dict[int, tuple[float, ...]]  # card id -> its deck's FSRS parameters (() = defaults)
    deck_ids: list[int]


def deck_history(session: Session, deck: str | None, tz: tzinfo) -> DeckHistory:
    """Every review of the cards in `deck` and its subdecks (None: every deck), in time order."""
    deck_ids = subtree_ids(session, deck) if deck is not None else list(session.scalars(select(Deck.id)))
    options = {
        deck_id: SchedulerOptions.from_dict(raw).fsrs_parameters
        for deck_id, raw in session.execute(select(Deck.id, Deck.options).where(Deck.id.in_(deck_ids)))
    }
    query = (
        select(
            Review.card_id,
            Review.reviewed_at,
            Review.rating,
            Review.duration_ms,
            Review.interval_before_days,
            Card.deck_id,
        )
        .join(Card, Card.id == Review.card_id)
        .where(Review.rating >= 1)  # an imported Anki manual entry (rating 0) is not an answer
        .order_by(Review.reviewed_at, Review.id)
    )
    if deck is not None:
        query = query.where(Card.deck_id.in_(deck_ids))
    days = StudyDays(tz, rollover_hour(session, deck))
    reviews, parameters = [], {}
    for card_id, at, rating, duration, interval, deck_id in session.execute(query):
        reviews.append(HistoryReview(card_id, at, days(at), Rating(rating), duration, interval))
        parameters[card_id] = options[deck_id]
    return DeckHistory(reviews, parameters, deck_ids)


def group_by_parameters(history: DeckHistory) -> Iterable[tuple[tuple[float, ...], list[HistoryReview]]]:
    groups: dict[tuple[float, ...], list[HistoryReview]] = {}
    for review in history.reviews:
        groups.setdefault(history.parameters[review.card_id], []).append(review)
    return groups.items()


def load_history(collection: Collection, deck: str | None) -> DeckHistory:
    with collection.reading() as session:
        return deck_history(session, deck, collection.tz)


def study_day_ordinals(instants: np.ndarray, tz: tzinfo, hour: int) -> np.ndarray:
    """The study day (`date.toordinal()`) of each instant (microseconds since the epoch, UTC): the
    days' starts are worked out once each, from the first instant's day to the last's, and every
    instant is placed among them."""
    import numpy as np

    if len(instants) == 0:
        return np.zeros(0, dtype=np.int64)
    first, last = from_microseconds(int(instants.min())), from_microseconds(int(instants.max()))
    starts, start = [], day_start_utc(first, tz, hour)
    while start <= last:
        starts.append(to_microseconds(start))
        start = next_day_start_utc(start, tz, hour)
    index = np.searchsorted(np.array(starts, dtype=np.int64), instants, side="right") - 1
    return study_day(first, tz, hour).toordinal() + index


def _microseconds(values: list[Any]) -> np.ndarray:
    """`reviewed_at` as stored (SQLite's text, or a server's naive UTC datetimes) to microseconds."""
    import numpy as np

    if values and isinstance(values[0], str):
        return np.array(values, dtype="datetime64[us]").astype(np.int64)
    aware = (v if v.tzinfo is not None else v.replace(tzinfo=UTC) for v in values)
    return np.fromiter((to_microseconds(v) for v in aware), dtype=np.int64, count=len(values))


def _raw_rows(session: Session, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of `query` as the database driver returns them, in the session's transaction: for a
    million rows, building SQLAlchemy's row objects would take longer than the query itself."""
    sql = str(query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _column(rows: list[tuple[Any, ...]], index: int) -> np.ndarray:
    import numpy as np

    return np.fromiter((row[index] for row in rows), dtype=np.int64, count=len(rows))


def deck_log(session: Session, deck: str | None, tz: tzinfo) -> LogArrays:
    """Every answer (manual entries, rating 0, left out) of the cards in `deck` and its subdecks (None:
    every deck), as arrays, with each card's FSRS parameters: what `deck_history` reads, without a
    Python object per review (a million reviews in a few seconds)."""
    deck_ids = subtree_ids(session, deck) if deck is not None else list(session.scalars(select(Deck.id)))
    options = {
        deck_id: SchedulerOptions.from_dict(raw).fsrs_parameters
        for deck_id, raw in session.execute(select(Deck.id, Deck.options).where(Deck.id.in_(deck_ids)))
    }
    sets = list(dict.fromkeys([(), *options.values()]))
    set_of_deck = {deck_id: sets.index(parameters) for deck_id, parameters in options.items()}
    # The stored text on SQLite (parsed by numpy below), not a datetime made per row.
    at = type_coerce(Review.reviewed_at, String)
    columns = [Review.card_id, at, Review.rating, Review.interval_before_days]
    query = select(*columns).where(Review.rating >= int(Rating.AGAIN)).order_by(Review.id)
    by_deck = deck is not None or len(sets) > 1
    if by_deck:  # the card's deck: which reviews, and which parameters
        query = query.add_columns(Card.deck_id).join(Card, Card.id == Review.card_id)
        if deck is not None:
            query = query.where(Card.deck_id.in_(deck_ids))
    rows = _raw_rows(session, query)
    instants_us = _microseconds([row[1] for row in rows])
    parameter_set = [set_of_deck[row[4]] for row in rows] if by_deck else None
    return LogArrays.from_columns(
        card_id=_column(rows, 0),
        reviewed_at=instants_us,
        day=study_day_ordinals(instants_us, tz, rollover_hour(session, deck)),
        rating=_column(rows, 2),
        interval_before=_column(rows, 3),
        parameter_set=parameter_set,
        parameter_sets=sets,
    )


def load_log(collection: Collection, deck: str | None) -> LogArrays:
    with collection.reading() as session:
        return deck_log(session, deck, collection.tz)


def save_parameters(collection: Collection, deck_ids: Iterable[int], parameters: tuple[float, ...]) -> int:
    """Store `parameters` in each deck's options (validated); returns how many decks changed."""
    changed = 0
    with collection.writing() as session:
        for deck in session.scalars(select(Deck).where(Deck.id.in_(list(deck_ids)))):
            options = SchedulerOptions.from_dict({**deck.options, "fsrs_parameters": list(parameters)})
            if deck.options != options.to_dict():
                deck.options = options.to_dict()
                changed += 1
    return changed


@dataclass(frozen=True)
class PlanInputs:
    cards: list[SimCard]
    options: SchedulerOptions
    seconds_pass: float
    seconds_lapse: float


def plan_inputs(collection: Collection, deck: str | None) -> PlanInputs:
    """The deck's cards as the workload planner takes them, its options, and the learner's own mean
    answer times (over review-card answers; 8 s and 15 s until there are any)."""
    now = collection.clock()
    with collection.reading() as session:
        deck_ids = subtree_ids(session, deck) if deck is not None else list(session.scalars(select(Deck.id)))
        first = session.scalar(select(Deck.options).where(Deck.id.in_(deck_ids)).order_by(Deck.name).limit(1))
        options = SchedulerOptions.from_dict(first or {})
        days = StudyDays(collection.tz, rollover_hour(session, deck))
        today = days(now)
        cards: list[SimCard] = []
        new_position = 0
        query = (
            select(
                Card.state, Card.stability, Card.difficulty, Card.interval_days, Card.due, Card.last_review
            )
            .where(Card.deck_id.in_(deck_ids), Card.queue >= 0)
            .order_by(Card.position, Card.id)
        )
        for state, stability, difficulty, interval, due, last in session.execute(query):
            if state == "new" or last is None or due is None:
                cards.append(SimCard(None, None, new_position, 0))
                new_position += 1
                continue
            if stability is None:  # an SM-2 card: FSRS's estimate, as the scheduler makes it
                stability = max(float(interval), 1.0)
            cards.append(SimCard(stability, difficulty, (days(due) - today).days, (days(last) - today).days))
        # Grouped by the label: on PostgreSQL two `rating > 1` are two bound parameters, so the
        # selected expression would not match the grouped one.
        passed = (Review.rating > 1).label("passed")
        times = session.execute(
            select(passed, func.avg(Review.duration_ms))
            .join(Card, Card.id == Review.card_id)
            .where(Card.deck_id.in_(deck_ids), Review.state_before == "review", Review.duration_ms > 0)
            .group_by(passed)
        ).all()
    averages = {bool(passed): float(ms) / 1000 for passed, ms in times}
    return PlanInputs(cards, options, averages.get(True, 8.0), averages.get(False, 15.0))
