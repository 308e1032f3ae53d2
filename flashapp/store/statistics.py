"""Statistics of a deck (or the collection), Anki's set, computed in SQL on study days.

The review log is read in one aggregate over the past year, grouped by study day and local hour with
conditional sums, so a million rows come back as a few thousand. The study day of a row is computed in
SQL exactly as `core/scheduling/day.py` defines it: the year's day starts are computed with day.py (the
collection's zone and rollover hour), then split into runs of days of equal length (23, 24 or 25 hours
around clock changes), so a row's day is `first day of its run + (seconds since the run began) // day
length`. The local hour likewise uses the zone's UTC offset, which is constant between clock changes.
Card figures are plain aggregates over the cards table. Every figure is a plain JSON-able value.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, case, cast, func, select, text
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


@dataclass(frozen=True)
class _Calendar:
    """The study days of the window, for SQL: day index 0 is the oldest, `days - 1` is today."""

    first: datetime  # when day 0 began (UTC)
    end: datetime  # when today ends
    runs: list[tuple[datetime, int, int]]  # (start, index of its first day, day length in seconds)
    offsets: list[tuple[datetime, int]]  # (from, UTC offset in seconds), for the local hour
    today: date
    days: int

    def day(self, index: int) -> date:
        return self.today - timedelta(days=self.days - 1 - index)

    def day_index(self, session: Session, column: Any) -> Any:
        seconds = _epoch_seconds(session, column)
        branches = [
            (column < self.runs[k + 1][0], first + (seconds - _epoch(start)) // length)
            for k, (start, first, length) in enumerate(self.runs[:-1])
        ]
        start, first, length = self.runs[-1]
        last = first + (seconds - _epoch(start)) // length
        return case(*branches, else_=last) if branches else last

    def local_hour(self, session: Session, column: Any) -> Any:
        seconds = _epoch_seconds(session, column)
        branches = [
            (column < self.offsets[k + 1][0], (seconds + offset) // 3600 % 24)
            for k, (_, offset) in enumerate(self.offsets[:-1])
        ]
        last = (seconds + self.offsets[-1][1]) // 3600 % 24
        return case(*branches, else_=last) if branches else last


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _calendar(now: datetime, tz: tzinfo, hour: int, days: int = HEATMAP_DAYS) -> _Calendar:
    starts = [day_start_utc(now, tz, hour)]
    for _ in range(days - 1):
        starts.append(day_start_utc(starts[-1] - timedelta(seconds=1), tz, hour))
    starts.reverse()
    starts.append(next_day_start_utc(now, tz, hour))
    runs: list[tuple[datetime, int, int]] = []
    for k in range(days):
        length = _epoch(starts[k + 1]) - _epoch(starts[k])
        if not runs or runs[-1][2] != length:
            runs.append((starts[k], k, length))
    offsets: list[tuple[datetime, int]] = []
    instant = starts[0]
    while instant < starts[-1]:  # clock changes fall on quarter hours in every zone in use
        offset = int(instant.astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]
        if not offsets or offsets[-1][1] != offset:
            offsets.append((instant, offset))
        instant += timedelta(minutes=15)
    return _Calendar(starts[0], starts[-1], runs, offsets, study_day(now, tz, hour), days)


def deck_statistics(
    session: Session, deck: str | None, now: datetime, tz: tzinfo, *, forecast_days: int = FORECAST_DAYS
) -> dict[str, Any]:
    deck_ids = subtree_ids(session, deck) if deck is not None else None
    hour = rollover_hour(session, deck)
    calendar = _calendar(now, tz, hour)
    out: dict[str, Any] = {"deck": deck, "now": now.isoformat(), "study_day": calendar.today.isoformat()}
    out.update(_review_figures(session, deck_ids, now, calendar))
    out["today"]["cards"] = _cards_today(session, deck_ids, day_start_utc(now, tz, hour))
    out["forecast"] = _forecast(session, deck_ids, now, tz, hour, forecast_days)
    out.update(_card_figures(session, deck_ids))
    out["added"] = _added(session, deck_ids, now, calendar)
    return out


def _in_decks(query: Any, deck_ids: list[int] | None) -> Any:
    return query if deck_ids is None else query.where(Card.deck_id.in_(deck_ids))


def _review_figures(
    session: Session, deck_ids: list[int] | None, now: datetime, cal: _Calendar
) -> dict[str, Any]:
    # Two grouped scans, each on one computed key (SQLite sorts the rows by it, so the fewer keys the
    # better): per study day by state, rating and young/mature; and per local hour.
    mature = (Review.interval_before_days >= MATURE_DAYS).label("mature")
    day = cal.day_index(session, Review.reviewed_at).label("day")
    by_day = select(
        day, Review.state_before, Review.rating, mature, func.count(), func.sum(Review.duration_ms)
    )
    by_day = by_day.group_by(text("day"), Review.state_before, Review.rating, text("mature"))
    local_hour = cal.local_hour(session, Review.reviewed_at).label("hour")
    recalled = func.sum(case((Review.rating > int(Rating.AGAIN), 1), else_=0))
    by_hour = select(local_hour, func.count(), recalled).group_by(text("hour"))
    window = (Review.reviewed_at >= cal.first, Review.reviewed_at < cal.end, Review.reviewed_at <= now)
    by_day, by_hour = by_day.where(*window), by_hour.where(*window)
    if deck_ids is not None:
        by_day = by_day.join(Card, Card.id == Review.card_id).where(Card.deck_id.in_(deck_ids))
        by_hour = by_hour.join(Card, Card.id == Review.card_id).where(Card.deck_id.in_(deck_ids))
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    buttons: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in ("learning", "young", "mature")}
    retention: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])  # (age days, young|mature)
    for index, state, rating, is_mature, count, duration in session.execute(by_day):
        on = cal.day(int(index))
        counts = per_day[on]
        counts[KINDS.get(state, "review")] += count
        counts["answers"] += count
        counts["seconds"] += (duration or 0) / 1000
        passed = count if rating > Rating.AGAIN else 0
        counts["again"] += count - passed
        group = ("mature" if is_mature else "young") if state == "review" else "learning"
        buttons[group][rating - 1] += count
        if state == "review":
            counts["passed"] += passed
            counts["review_answers"] += count
            retention[((cal.today - on).days, group)][0] += count
            retention[((cal.today - on).days, group)][1] += passed
    hourly = [[0, 0] for _ in range(24)]  # answers, recalled
    for hour_value, count, recalled_count in session.execute(by_hour):
        hourly[int(hour_value)] = [count, recalled_count]
    today_figures = per_day.get(cal.today, Counter())
    studied = {  # days with answers
        day for day, counts in per_day.items() if counts["learning"] + counts["review"] + counts["relearning"]
    }
    return {
        "today": {
            "answers": today_figures["answers"],
            "again": today_figures["again"],
            "time_seconds": round(today_figures["seconds"], 1),
            "true_retention": _ratio(today_figures["passed"], today_figures["review_answers"]),
        },
        "heatmap": [
            {"day": day.isoformat(), "reviews": counts["learning"] + counts["review"] + counts["relearning"]}
            for day, counts in sorted(per_day.items())
        ],
        "streak_days": _streak(studied, cal.today),
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
    session: Session, deck_ids: list[int] | None, now: datetime, cal: _Calendar
) -> list[dict[str, Any]]:
    day = cal.day_index(session, Note.created_at).label("day")
    query = (
        select(day, func.count())
        .select_from(Card)
        .join(Note, Note.id == Card.note_id)
        .where(Note.created_at >= cal.first, Note.created_at < cal.end, Note.created_at <= now)
        .group_by(text("day"))
    )
    rows = session.execute(_in_decks(query, deck_ids)).all()
    return [{"day": cal.day(int(index)).isoformat(), "cards": n} for index, n in sorted(rows)]


def collection_statistics(collection: Collection, deck: str | None) -> dict[str, Any]:
    with collection.reading() as session:
        return deck_statistics(session, deck, collection.clock(), collection.tz)
