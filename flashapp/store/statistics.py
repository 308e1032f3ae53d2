"""Statistics of a deck (or the collection), Anki's set, computed in SQL and mapped onto study days.

Review-log figures come from one aggregate over the past year: rows grouped by quarter-hour (UTC),
state before the answer, rating and young/mature, so a million rows become a few tens of thousands of
groups; each quarter-hour is then placed on its study day and local hour with the collection's zone
and rollover hour (`core/scheduling/day.py`; whole-hour and half-hour zones alike). Card figures are
plain aggregates over the cards table. Every figure is a plain JSON-able value.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from flashapp.core.scheduling import Rating
from flashapp.core.scheduling.day import day_start_utc, next_day_start_utc, study_day
from flashapp.store.decks import subtree_ids
from flashapp.store.models import QUEUE_BURIED, QUEUE_SUSPENDED, Card, Note, Review
from flashapp.store.review_history import rollover_hour

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

MATURE_DAYS = 21  # Anki: a review card with an interval of 21 days or more is mature
BUCKET_SECONDS = 900
HEATMAP_DAYS = 365
FORECAST_DAYS = 30
RETENTION_PERIODS = {"today": 1, "yesterday": 1, "week": 7, "month": 30, "year": 365}
HISTOGRAM_EDGES = (1, 2, 3, 4, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365, 730)
KINDS = {"new": "learning", "learning": "learning", "review": "review", "relearning": "relearning"}


def _epoch_seconds(session: Session, column: Any) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), Integer)
    return cast(func.strftime("%s", column), Integer)


@dataclass
class _Days:
    """Study days and local hours of UTC instants, cached by quarter-hour."""

    tz: tzinfo
    hour: int
    cache: dict[int, tuple[date, int]] = field(default_factory=dict)

    def of_bucket(self, bucket: int) -> tuple[date, int]:
        found = self.cache.get(bucket)
        if found is None:
            instant = datetime.fromtimestamp(bucket * BUCKET_SECONDS, UTC)
            found = (study_day(instant, self.tz, self.hour), instant.astimezone(self.tz).hour)
            self.cache[bucket] = found
        return found


def deck_statistics(
    session: Session, deck: str | None, now: datetime, tz: tzinfo, *, forecast_days: int = FORECAST_DAYS
) -> dict[str, Any]:
    deck_ids = subtree_ids(session, deck) if deck is not None else None
    hour = rollover_hour(session, deck)
    days = _Days(tz, hour)
    today = study_day(now, tz, hour)
    out: dict[str, Any] = {"deck": deck, "now": now.isoformat(), "study_day": today.isoformat()}
    out.update(_review_figures(session, deck_ids, now, today, days))
    out["today"]["cards"] = _cards_today(session, deck_ids, day_start_utc(now, tz, hour))
    out["forecast"] = _forecast(session, deck_ids, now, tz, hour, forecast_days)
    out.update(_card_figures(session, deck_ids))
    out["added"] = _added(session, deck_ids, now, today, days)
    return out


def _in_decks(query: Any, deck_ids: list[int] | None) -> Any:
    return query if deck_ids is None else query.where(Card.deck_id.in_(deck_ids))


def _review_figures(
    session: Session, deck_ids: list[int] | None, now: datetime, today: date, days: _Days
) -> dict[str, Any]:
    since = now - timedelta(days=HEATMAP_DAYS + 2)
    bucket = (_epoch_seconds(session, Review.reviewed_at) // BUCKET_SECONDS).label("bucket")
    mature = case((Review.interval_before_days >= MATURE_DAYS, 1), else_=0).label("mature")
    query = (
        select(bucket, Review.state_before, Review.rating, mature, func.count(), func.sum(Review.duration_ms))
        .join(Card, Card.id == Review.card_id)
        .where(Review.reviewed_at >= since, Review.reviewed_at <= now)
        .group_by(bucket, Review.state_before, Review.rating, mature)
    )
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    hourly = [[0, 0] for _ in range(24)]  # answers, recalled
    buttons: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in ("learning", "young", "mature")}
    retention: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])  # (age days, young|mature)
    today_figures = {"answers": 0, "again": 0, "time_seconds": 0.0, "passed": 0, "review_answers": 0}
    for bucket_value, state, rating, is_mature, count, duration in session.execute(
        _in_decks(query, deck_ids)
    ):
        day, local_hour = days.of_bucket(int(bucket_value))
        age = (today - day).days
        if age < 0 or age >= HEATMAP_DAYS:
            continue
        per_day[day][KINDS.get(state, "review")] += count
        per_day[day]["seconds"] += (duration or 0) / 1000
        recalled = count if rating > Rating.AGAIN else 0
        hourly[local_hour][0] += count
        hourly[local_hour][1] += recalled
        group = "mature" if is_mature and state == "review" else "young" if state == "review" else "learning"
        buttons[group][rating - 1] += count
        if state == "review":
            retention[(age, "mature" if is_mature else "young")][0] += count
            retention[(age, "mature" if is_mature else "young")][1] += recalled
        if age == 0:
            today_figures["answers"] += count
            today_figures["again"] += count - recalled
            today_figures["time_seconds"] += (duration or 0) / 1000
            if state == "review":
                today_figures["review_answers"] += count
                today_figures["passed"] += recalled
    studied = {
        day for day, counts in per_day.items() if counts["learning"] + counts["review"] + counts["relearning"]
    }
    return {
        "today": {
            "answers": today_figures["answers"],
            "again": today_figures["again"],
            "time_seconds": round(today_figures["time_seconds"], 1),
            "true_retention": _ratio(today_figures["passed"], today_figures["review_answers"]),
        },
        "heatmap": [
            {"day": day.isoformat(), "reviews": counts["learning"] + counts["review"] + counts["relearning"]}
            for day, counts in sorted(per_day.items())
        ],
        "streak_days": _streak(studied, today),
        "reviews_by_day": [
            {
                "day": day.isoformat(),
                "learning": c["learning"],
                "review": c["review"],
                "relearning": c["relearning"],
                "minutes": round(c["seconds"] / 60, 1),
            }
            for day, c in sorted(per_day.items())
        ],  # fmt: skip
        "hourly": [{"hour": h, "answers": n, "recall": _ratio(ok, n)} for h, (n, ok) in enumerate(hourly)],
        "answer_buttons": {
            group: dict(zip(("again", "hard", "good", "easy"), counts, strict=True))
            for group, counts in buttons.items()
        },
        "true_retention": _true_retention(retention),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _streak(studied: set[date], today: date) -> int:
    """Study days in a row with at least one answer, up to today (or yesterday, if nothing yet today)."""
    day = today if today in studied else today - timedelta(days=1)
    streak = 0
    while day in studied:
        streak += 1
        day -= timedelta(days=1)
    return streak


def _true_retention(retention: dict[tuple[int, str], list[int]]) -> dict[str, Any]:
    """Share of review-card answers that were not AGAIN, per period and young/mature (Anki's table)."""
    out: dict[str, Any] = {}
    for period, length in RETENTION_PERIODS.items():
        first = 1 if period == "yesterday" else 0
        row: dict[str, Any] = {}
        totals = [0, 0]
        for group in ("young", "mature"):
            n = sum(
                retention[(age, group)][0]
                for age in range(first, first + length)
                if (age, group) in retention
            )
            ok = sum(
                retention[(age, group)][1]
                for age in range(first, first + length)
                if (age, group) in retention
            )
            row[group] = {"reviews": n, "passed": ok, "retention": _ratio(ok, n)}
            totals[0] += n
            totals[1] += ok
        row["total"] = {"reviews": totals[0], "passed": totals[1], "retention": _ratio(totals[1], totals[0])}
        out[period] = row
    return out


def _cards_today(session: Session, deck_ids: list[int] | None, start: datetime) -> int:
    query = select(func.count(func.distinct(Review.card_id))).join(Card, Card.id == Review.card_id)
    return session.scalar(_in_decks(query.where(Review.reviewed_at >= start), deck_ids)) or 0


def _forecast(
    session: Session, deck_ids: list[int] | None, now: datetime, tz: tzinfo, hour: int, horizon: int
) -> list[dict[str, Any]]:
    """Cards due on each of the next `horizon` study days (overdue ones on today), by state."""
    starts = [next_day_start_utc(now, tz, hour)]
    for _ in range(horizon - 1):
        starts.append(next_day_start_utc(starts[-1], tz, hour))
    query = select(Card.state, Card.due).where(
        Card.queue.notin_((QUEUE_SUSPENDED, QUEUE_BURIED)), Card.state != "new", Card.due < starts[-1]
    )
    rows = [{"day": d, "learning": 0, "review": 0, "relearning": 0} for d in range(horizon)]
    for state, due in session.execute(_in_decks(query, deck_ids)):
        rows[bisect.bisect_right(starts, due)][state] += 1
    return rows


def _histogram(values: list[float], edges: tuple[float, ...]) -> list[dict[str, Any]]:
    counts = [0] * (len(edges) + 1)
    for value in values:
        counts[bisect.bisect_right(edges, value)] += 1
    bounds = [0.0, *edges]
    return [
        {"from": bounds[k], "to": edges[k] if k < len(edges) else None, "cards": counts[k]}
        for k in range(len(counts))
    ]


def _card_figures(session: Session, deck_ids: list[int] | None) -> dict[str, Any]:
    counts = {"new": 0, "learning": 0, "relearning": 0, "young": 0, "mature": 0, "suspended": 0, "buried": 0}
    query = select(Card.state, Card.queue, Card.interval_days >= MATURE_DAYS, func.count()).group_by(
        Card.state, Card.queue, Card.interval_days >= MATURE_DAYS
    )
    for state, queue, is_mature, count in session.execute(_in_decks(query, deck_ids)):
        if queue == QUEUE_SUSPENDED:
            counts["suspended"] += count
        elif queue == QUEUE_BURIED:
            counts["buried"] += count
        elif state == "review":
            counts["mature" if is_mature else "young"] += count
        else:
            counts[state] += count
    review = select(Card.interval_days, Card.stability, Card.difficulty, Card.ease).where(
        Card.state == "review"
    )
    intervals, stabilities, difficulties, eases = [], [], [], []
    for interval, stability, difficulty, ease in session.execute(_in_decks(review, deck_ids)):
        intervals.append(interval)
        eases.append(ease)
        if stability is not None:
            stabilities.append(stability)
        if difficulty is not None:
            difficulties.append(difficulty)
    return {
        "card_counts": counts,
        "intervals": _histogram(intervals, HISTOGRAM_EDGES),
        "stability": _histogram(stabilities, HISTOGRAM_EDGES),
        "difficulty": _histogram(difficulties, tuple(float(d) for d in range(2, 11))),
        "ease": _histogram(eases, tuple(round(1.3 + 0.2 * k, 1) for k in range(1, 10))),
    }


def _added(
    session: Session, deck_ids: list[int] | None, now: datetime, today: date, days: _Days
) -> list[dict[str, Any]]:
    bucket = (_epoch_seconds(session, Note.created_at) // BUCKET_SECONDS).label("bucket")
    query = (
        select(bucket, func.count())
        .select_from(Card)
        .join(Note, Note.id == Card.note_id)
        .where(Note.created_at >= now - timedelta(days=HEATMAP_DAYS + 2), Note.created_at <= now)
        .group_by(bucket)
    )
    per_day: Counter[date] = Counter()
    for bucket_value, count in session.execute(_in_decks(query, deck_ids)):
        day, _ = days.of_bucket(int(bucket_value))
        if 0 <= (today - day).days < HEATMAP_DAYS:
            per_day[day] += count
    return [{"day": day.isoformat(), "cards": n} for day, n in sorted(per_day.items())]


def collection_statistics(collection: Collection, deck: str | None) -> dict[str, Any]:
    with collection.reading() as session:
        return deck_statistics(session, deck, collection.clock(), collection.tz)
