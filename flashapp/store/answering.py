"""Answering cards and taking answers back, plus the card actions: suspend, bury, forget.

An answer is one write transaction: the card's new state, its buried siblings, and one review-log row
holding what the answer changed (so undo restores the exact previous rows, then deletes the log row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, joinedload

from flashapp.core.scheduling import CardState, Rating, SchedulerOptions, StudyCalendar
from flashapp.errors import UserError
from flashapp.store.card_state import (
    AnswerResult,
    answer_onto,
    apply_state,
    check_answerable,
    fuzz_rng,  # noqa: F401 - re-exported: its home was here
    preview_states,
    refresh_queue,
    restore,
    review_values,
    sibling_restore,
)
from flashapp.store.models import QUEUE_BURIED, QUEUE_NEW, QUEUE_REVIEW, Card, Review, id_fits

# Sibling burying hides the note's other new and review cards until tomorrow (not learning ones,
# which are due within the day and would otherwise be lost).
BURIABLE_QUEUES = (QUEUE_NEW, QUEUE_REVIEW)


@dataclass(frozen=True)
class UndoResult:
    card_id: int
    rating: Rating
    reviewed_at: datetime


# Built once: answering is the hot path, and building a statement costs more than running it.
_CARD_WITH_DECK = select(Card).where(Card.id == bindparam("card_id")).options(joinedload(Card.deck))
_CARD_WITH_DECK_AND_NOTE = _CARD_WITH_DECK.options(joinedload(Card.note))
_BURY_SIBLINGS = (
    update(Card)
    .where(
        Card.note_id == bindparam("of_note"),
        Card.id != bindparam("except_card"),
        Card.queue.in_(BURIABLE_QUEUES),
    )
    .values(queue=QUEUE_BURIED, buried_until=bindparam("until"))
    .returning(Card.id, Card.state)
    .execution_options(synchronize_session=False)
)


def get_card(session: Session, card_id: int, *, with_note: bool = False) -> Card:
    """The card with its deck (and note) loaded in the same query."""
    query = _CARD_WITH_DECK_AND_NOTE if with_note else _CARD_WITH_DECK
    fits = id_fits(session.get_bind().dialect.name, card_id)
    card = session.scalar(query, {"card_id": card_id}) if fits else None
    if card is None:
        raise UserError(f"unknown card {card_id}")
    return card


def deck_options(card: Card) -> SchedulerOptions:
    return SchedulerOptions.from_dict(card.deck.options)


def preview(card: Card, now: datetime, fuzz: bool, calendar: StudyCalendar) -> dict[Rating, CardState]:
    """What each button would do to `card` now (for the interval labels on the buttons)."""
    return preview_states(card, deck_options(card), now, fuzz, calendar)


def answer_card(
    session: Session,
    card_id: int,
    rating: Rating,
    now: datetime,
    calendar: StudyCalendar,
    *,
    fuzz: bool,
    duration_ms: int = 0,
) -> AnswerResult:
    card = get_card(session, card_id)
    check_answerable(card)
    step = answer_onto(card, deck_options(card), rating, now, calendar, fuzz=fuzz)
    siblings: dict = {}
    buried = bury_siblings(session, card, now, calendar, siblings)
    review = Review(**review_values(card.id, rating, step, duration_ms, siblings))
    session.add(review)
    session.flush()
    return AnswerResult(card.id, rating, step.before, step.after, review.id, buried)


def bury_siblings(
    session: Session, card: Card, now: datetime, calendar: StudyCalendar, saved: dict
) -> tuple[int, ...]:
    """Bury the note's other new/review cards until the next study day, in one UPDATE.

    Only `queue` and `buried_until` change (a burial is not an edit), and before it every such
    sibling had its state's own queue and no burial, so `saved` can record exactly what to put back.
    """
    with session.no_autoflush:  # the answered card is flushed once, together with its review row
        params = {"of_note": card.note_id, "except_card": card.id, "until": calendar.day_end(now)}
        rows = session.execute(_BURY_SIBLINGS, params).all()
    for sibling_id, state in rows:
        saved[str(sibling_id)] = sibling_restore(state)
    return tuple(sibling_id for sibling_id, _ in rows)


def undo_last(session: Session) -> UndoResult | None:
    """Take back the newest answer in the collection: restore the card and its siblings, delete the
    log row.

    Review rows that came in with an import carry no snapshot: when the newest row is one of those,
    there is nothing to undo (undoing an older answer would overwrite what the import brought).
    """
    review = session.scalar(select(Review).order_by(Review.id.desc()).limit(1))
    if review is None or "card" not in review.previous:
        return None
    return _take_back(session, review)


def undo_review(session: Session, review_id: int) -> UndoResult:
    """Take back one given answer (a study session's own), which must still be its card's newest."""
    review = session.get(Review, review_id)
    if review is None or "card" not in review.previous:
        raise UserError("that answer was already taken back")
    newer = session.scalar(
        select(Review.id).where(Review.card_id == review.card_id, Review.id > review.id).limit(1)
    )
    if newer is not None:
        raise UserError(f"card {review.card_id} was answered again since; that answer cannot be undone")
    return _take_back(session, review)


def _take_back(session: Session, review: Review) -> UndoResult:
    """Put back the rows `review`'s answer changed, exactly as they were, and delete it.

    The answered card gets its snapshot back. Its siblings only lost their burial: each gets
    `buried_until` cleared and the queue its present state and flags give (a sibling suspended since
    stays suspended).
    """
    previous = review.previous
    restore(get_card(session, review.card_id), previous["card"])
    sibling_ids = [int(sibling_id) for sibling_id in previous.get("siblings", {})]
    if sibling_ids:
        siblings = session.scalars(select(Card).where(Card.id.in_(sibling_ids)).order_by(Card.id))
        for sibling in siblings:
            sibling.buried_until = None
            refresh_queue(sibling)
    session.delete(review)
    return UndoResult(review.card_id, Rating(review.rating), review.reviewed_at)


def set_suspended(session: Session, card_id: int, suspended: bool, now: datetime) -> Card:
    card = get_card(session, card_id)
    card.suspended = suspended
    card.modified_at = now
    refresh_queue(card)
    return card


def bury_card(session: Session, card_id: int, now: datetime, calendar: StudyCalendar) -> Card:
    card = get_card(session, card_id)
    card.buried_until = calendar.day_end(now)
    card.modified_at = now
    refresh_queue(card)
    return card


def unbury_card(session: Session, card_id: int, now: datetime) -> Card:
    card = get_card(session, card_id)
    card.buried_until = None
    card.modified_at = now
    refresh_queue(card)
    return card


def forget_card(session: Session, card_id: int, now: datetime) -> Card:
    """Reset to new, at the end of the new queue; the review history is kept."""
    card = get_card(session, card_id)
    options = deck_options(card)
    apply_state(card, CardState(ease=options.starting_ease), now)
    card.position = (session.scalar(select(func.max(Card.position))) or 0) + 1
    return card


def unbury_expired(session: Session, now: datetime) -> int:
    """Bring back every card whose burial ended (the study day rolled over)."""
    cards = session.scalars(
        select(Card).where(Card.buried_until.is_not(None), Card.buried_until <= now)
    ).all()
    for card in cards:
        card.buried_until = None
        refresh_queue(card)
    return len(cards)
