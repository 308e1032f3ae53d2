"""A deck's review log as the FSRS fitting, evaluation and planning code reads it.

Elapsed time counts study days (DESIGN.md "Time"): a review at 23:00 and one at 05:00 the next morning
are a day apart when the rollover hour (4 am) lies between them, and the same day when it does not.
The `fsrs` package measures elapsed time as `(later - earlier).days` on datetimes, so each review is
handed to it at a stand-in instant: midnight UTC of its study day's ordinal plus one microsecond per
review in log order. Those instants keep the log's order and make `.days` the study-day difference
exactly (the microseconds never add up to a day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import fsrs

from flashapp.core.scheduling.types import Rating

__all__ = ["HistoryReview", "by_card", "fsrs_review_logs", "stand_in_instants"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class HistoryReview:
    """One row of the review log: `day` is the study day it fell in; `interval_before_days` the interval
    the card carried when it was answered (what SM-2 had scheduled)."""

    card_id: int
    reviewed_at: datetime
    day: date
    rating: Rating
    duration_ms: int
    interval_before_days: int


def by_card(reviews: Iterable[HistoryReview]) -> dict[int, list[HistoryReview]]:
    """Each card's reviews in time order, cards in the order of their first review."""
    ordered = sorted(reviews, key=lambda r: (r.reviewed_at, r.card_id))
    out: dict[int, list[HistoryReview]] = {}
    for review in ordered:
        out.setdefault(review.card_id, []).append(review)
    return out


def stand_in_instants(reviews: Sequence[HistoryReview]) -> list[datetime]:
    """The instant each review is given to `fsrs` at (see the module docstring), in `reviews`' order."""
    order = sorted(range(len(reviews)), key=lambda i: (reviews[i].reviewed_at, reviews[i].card_id))
    out: list[datetime] = [_EPOCH] * len(reviews)
    for rank, index in enumerate(order):
        day = reviews[index].day
        out[index] = _EPOCH + timedelta(
            days=day.toordinal() - date(1970, 1, 1).toordinal(), microseconds=rank
        )
    return out


def fsrs_review_logs(reviews: Sequence[HistoryReview]) -> list[fsrs.ReviewLog]:
    """`reviews` as the `fsrs` optimizer reads them, at their stand-in instants."""
    instants = stand_in_instants(reviews)
    return [
        fsrs.ReviewLog(
            card_id=review.card_id,
            rating=fsrs.Rating(int(review.rating)),
            review_datetime=instant,
            review_duration=review.duration_ms,
        )
        for review, instant in zip(reviews, instants, strict=True)
    ]
