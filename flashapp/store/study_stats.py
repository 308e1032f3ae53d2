"""Small read-only figures for the TUI: what was studied today, and when cards come due next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from flashapp.core.scheduling import Rating, StudyCalendar
from flashapp.store.decks import subtree_ids
from flashapp.store.models import QUEUE_LEARNING, QUEUE_REVIEW, Card, Review


@dataclass(frozen=True)
class TodayStats:
    cards: int  # distinct cards answered since the study day began
    answers: int
    again: int
    duration_ms: int


@dataclass(frozen=True)
class UpcomingReviews:
    next_due: datetime | None  # the first learning or review card due from the next study day on (UTC)
    next_day: int  # how many are due during the next study day


def today_stats(session: Session, now: datetime, calendar: StudyCalendar) -> TodayStats:
    cards, answers, again, duration = session.execute(
        select(
            func.count(func.distinct(Review.card_id)),
            func.count(),
            func.coalesce(func.sum(case((Review.rating == int(Rating.AGAIN), 1), else_=0)), 0),
            func.coalesce(func.sum(Review.duration_ms), 0),
        ).where(Review.reviewed_at >= calendar.day_start(now))
    ).one()
    return TodayStats(cards=cards, answers=answers, again=again, duration_ms=duration)


def upcoming_reviews(
    session: Session, deck: str | None, now: datetime, calendar: StudyCalendar
) -> UpcomingReviews:
    """Reviews after today for `deck` and its subdecks (None: every deck); new cards are not counted."""
    day_end = calendar.day_end(now)
    next_day_end = calendar.day_end(day_end)  # day_end is the next study day's first instant
    query = select(Card.due).where(Card.queue.in_((QUEUE_LEARNING, QUEUE_REVIEW)), Card.due >= day_end)
    count = select(func.count()).where(
        Card.queue.in_((QUEUE_LEARNING, QUEUE_REVIEW)), Card.due >= day_end, Card.due < next_day_end
    )
    if deck is not None:
        ids = subtree_ids(session, deck)
        query, count = query.where(Card.deck_id.in_(ids)), count.where(Card.deck_id.in_(ids))
    next_due = session.scalar(query.order_by(Card.due).limit(1))
    return UpcomingReviews(next_due=next_due, next_day=session.scalar(count.select_from(Card)) or 0)
