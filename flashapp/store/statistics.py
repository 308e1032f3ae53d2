"""Statistics of a deck (or the collection), Anki's set, computed in SQL on study days.

The review log is never sorted or read row by row in Python: the study days of the past year (from
`core/scheduling/day.py`, in the collection's zone and rollover hour) are a VALUES table of UTC
ranges, and each (day, state before, rating) is counted by correlated subqueries over one range of
the `ix_reviews_stats` index (state, rating, time, interval, answer time); the hourly breakdown
likewise per local clock hour of the year. A million rows are each read once from the index and come
back as a few thousand numbers. Card figures are plain aggregates over the cards table, binned in
SQL. Every figure is a plain JSON-able value. Manual entries (rating 0, from Anki) are no answers.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, case, cast, column, func, literal, select, text, values
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from flashapp.core.scheduling import Rating
from flashapp.core.scheduling.day import day_start_utc, next_day_start_utc, study_day
from flashapp.store.decks import subtree_ids
from flashapp.store.models import QUEUE_BURIED, QUEUE_SUSPENDED, Card, Note, Review, UTCDateTime
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
STATES = tuple(KINDS)  # the states a review log row can have been in
RATINGS = (1, 2, 3, 4)  # again, hard, good, easy
MANUAL_RATING = 0  # an imported Anki manual entry (rescheduled or reset by hand): not an answer


def _epoch_seconds(session: Session, column: Any) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), Integer)
    return cast(func.strftime("%s", column), Integer)


@dataclass(frozen=True)
class _Calendar:
    """The study days of the window: day index 0 is the oldest, `days - 1` is today."""

    starts: list[datetime]  # when each day began (UTC), then when today ends: `days + 1` instants
    offsets: list[tuple[datetime, int]]  # (from, UTC offset in seconds), for the local hour
    today: date
    days: int

    @property
    def first(self) -> datetime:
        return self.starts[0]

    @property
    def end(self) -> datetime:
        return self.starts[-1]

    def day(self, index: int) -> date:
        return self.today - timedelta(days=self.days - 1 - index)

    def day_index(self, session: Session, column: Any) -> Any:
        return _day_index(session, column, self.starts)

    def hours(self, until: datetime) -> list[tuple[int, datetime, datetime]]:
        """(local hour, from, to) for every local clock hour of the window up to `until`: ranges of UTC
        instants, each in one local hour (the offset is constant inside a range)."""
        out: list[tuple[int, datetime, datetime]] = []
        ends = [instant for instant, _ in self.offsets[1:]] + [min(self.end, until)]
        for (begin, offset), stop in zip(self.offsets, ends, strict=True):
            instant = begin
            while instant < stop:
                seconds = _epoch(instant) + offset
                following = min(instant + timedelta(seconds=3600 - seconds % 3600), stop)
                out.append((seconds // 3600 % 24, instant, following))
                instant = following
        return out


def _day_index(session: Session, column: Any, starts: list[datetime]) -> Any:
    """Which of the days beginning at `starts` (the last: when the last day ends) a column's instant
    falls in, as SQL: runs of days of equal length (23, 24 or 25 hours around clock changes), each
    `first day of its run + seconds since it began // length`. Before the first day: 0 or below."""
    runs: list[tuple[datetime, int, int]] = []  # (start, index of its first day, day length)
    for k in range(len(starts) - 1):
        length = _epoch(starts[k + 1]) - _epoch(starts[k])
        if not runs or runs[-1][2] != length:
            runs.append((starts[k], k, length))
    seconds = _epoch_seconds(session, column)
    branches = [
        (column < runs[k + 1][0], first + (seconds - _epoch(start)) // length)
        for k, (start, first, length) in enumerate(runs[:-1])
    ]
    start, first, length = runs[-1]
    last = first + (seconds - _epoch(start)) // length
    return case(*branches, else_=last) if branches else last


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _offset(instant: datetime, tz: tzinfo) -> int:
    return int(instant.astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]


def _calendar(now: datetime, tz: tzinfo, hour: int, days: int = HEATMAP_DAYS) -> _Calendar:
    starts = [day_start_utc(now, tz, hour)]
    for _ in range(days - 1):
        starts.append(day_start_utc(starts[-1] - timedelta(seconds=1), tz, hour))
    starts.reverse()
    starts.append(next_day_start_utc(now, tz, hour))
    # The zone's offset changes at most a few times a year, on a quarter hour (in every zone in use):
    # compare day starts, and find each change inside its day by halving the day's quarter hours.
    offsets = [(starts[0], _offset(starts[0], tz))]
    for begin, stop in itertools.pairwise(starts):
        while _offset(stop - timedelta(seconds=1), tz) != offsets[-1][1]:
            low, high = 0, (_epoch(stop) - _epoch(begin)) // 900  # the change is in quarter (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(begin + timedelta(minutes=15 * middle), tz) == offsets[-1][1]:
                    low = middle
                else:
                    high = middle
            change = begin + timedelta(minutes=15 * high)
            offsets.append((change, _offset(change, tz)))
            begin = change
    return _Calendar(starts, offsets, study_day(now, tz, hour), days)


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


def _ranges(session: Session, name: str, rows: list[tuple[int, datetime, datetime]]) -> Any:
    """A table of (key, from, to) ranges of instants, as a common table expression over VALUES.

    The instants are written into the SQL as literals, in the form the database stores them (SQLite:
    the text SQLAlchemy writes; PostgreSQL: TIMESTAMP literals): bound one by one, the 26,000
    parameters of a year's hours cost SQLAlchemy more than the query. They come from datetimes, never
    from input text."""
    postgres = session.get_bind().dialect.name == "postgresql"

    def instant(value: datetime) -> str:
        stored = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return f"TIMESTAMP '{stored}'" if postgres else f"'{stored}'"

    listed = ", ".join(f"({int(k)}, {instant(lo)}, {instant(hi)})" for k, lo, hi in rows)
    sql = f"SELECT column1 AS k, column2 AS lo, column3 AS hi FROM (VALUES {listed}) AS {name}_rows"
    columns = (column("k", Integer), column("lo", UTCDateTime()), column("hi", UTCDateTime()))
    return text(sql).columns(*columns).cte(name)


def _answers_in(ranges: Any, deck_ids: list[int] | None, *where: Any) -> Any:
    """The answers of one range (a correlated subquery's conditions): `ix_reviews_stats` serves them
    when `where` fixes the state and the rating."""
    conditions = [*where, Review.reviewed_at >= ranges.c.lo, Review.reviewed_at < ranges.c.hi]
    if deck_ids is not None:
        conditions.append(Review.card_id.in_(select(Card.id).where(Card.deck_id.in_(deck_ids))))
    return conditions


def _review_counts(
    session: Session, deck_ids: list[int] | None, now: datetime, cal: _Calendar
) -> list[tuple[int, str, int, int, int, int]]:
    """(day index, state before, rating, answers, milliseconds, answers at a mature interval) for every
    study day, state and rating with answers. SQL aggregates need a sort of every row to group them
    (a million rows: over a second); instead each (day, state, rating) is counted by a correlated
    subquery over one range of `ix_reviews_stats`, and each row is read once. Manual entries (rating
    0: rescheduled or reset by hand, imported from Anki) are no answers, as in Anki's statistics."""
    until = now + timedelta(microseconds=1)  # rows at `now` count; later ones (a clock set back) not
    days = _ranges(
        session, "days", [(k, cal.starts[k], min(cal.starts[k + 1], until)) for k in range(cal.days)]
    )
    kinds = values(column("state", String), column("rating", Integer), name="kinds")
    kinds = kinds.data([(state, rating) for state in STATES for rating in RATINGS]).cte("kinds")
    where = _answers_in(days, deck_ids, Review.state_before == kinds.c.state, Review.rating == kinds.c.rating)
    count = select(func.count()).where(*where).scalar_subquery()
    milliseconds = select(func.sum(Review.duration_ms)).where(*where).scalar_subquery()
    mature = select(func.count()).where(*where, Review.interval_before_days >= MATURE_DAYS)
    mature_count = case((kinds.c.state == "review", mature.scalar_subquery()), else_=0)
    per = select(days.c.k, kinds.c.state, kinds.c.rating, count, milliseconds, mature_count)
    rows = session.execute(per.select_from(days.join(kinds, literal(True))))
    return [(k, state, rating, n, ms or 0, m or 0) for k, state, rating, n, ms, m in rows if n]


def _hourly(session: Session, deck_ids: list[int] | None, now: datetime, cal: _Calendar) -> list[list[int]]:
    """[answers, recalled] per local hour over the window, counted per clock hour of the year as
    `_review_counts` counts per day (answers: all rows less manual entries; recalled: less AGAIN)."""
    hours = _ranges(session, "hours", cal.hours(now + timedelta(microseconds=1)))
    every = select(func.count()).where(*_answers_in(hours, deck_ids)).scalar_subquery()
    manual = Review.state_before.in_(STATES), Review.rating == MANUAL_RATING
    window = Review.reviewed_at >= cal.first, Review.reviewed_at < cal.end
    manual_count: Any = literal(0)  # most logs have no manual entries: their count is not looked up
    if session.scalar(select(Review.id).where(*manual, *window).limit(1)) is not None:
        manual_count = select(func.count()).where(*_answers_in(hours, deck_ids, *manual)).scalar_subquery()
    failed = Review.state_before.in_(STATES), Review.rating == int(Rating.AGAIN)
    again = select(func.count()).where(*_answers_in(hours, deck_ids, *failed)).scalar_subquery()
    hourly = [[0, 0] for _ in range(24)]
    for hour, answers, failed_count in session.execute(select(hours.c.k, every - manual_count, again)):
        hourly[hour][0] += answers
        hourly[hour][1] += answers - failed_count
    return hourly


def _review_figures(
    session: Session, deck_ids: list[int] | None, now: datetime, cal: _Calendar
) -> dict[str, Any]:
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    buttons: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in ("learning", "young", "mature")}
    retention: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])  # (age days, young|mature)
    for index, state, rating, count, duration, mature in _review_counts(session, deck_ids, now, cal):
        on = cal.day(int(index))
        counts = per_day[on]
        counts[KINDS[state]] += count
        counts["answers"] += count
        counts["seconds"] += duration / 1000
        passed = count if rating > Rating.AGAIN else 0
        counts["again"] += count - passed
        if state == "review":
            counts["passed"] += passed
            counts["review_answers"] += count
            for group, n in (("mature", mature), ("young", count - mature)):
                buttons[group][rating - 1] += n
                retention[((cal.today - on).days, group)][0] += n
                retention[((cal.today - on).days, group)][1] += n if passed else 0
        else:
            buttons["learning"][rating - 1] += count
    hourly = _hourly(session, deck_ids, now, cal)
    today_figures = per_day.get(cal.today, Counter())
    studied = set(per_day)  # days with answers
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
    """Cards due on each of the next `horizon` study days (overdue ones on today), by state: counted
    in SQL, grouped by the study day of their due instant."""
    starts = [day_start_utc(now, tz, hour)]
    for _ in range(horizon):
        starts.append(next_day_start_utc(starts[-1], tz, hour))
    day = _day_index(session, Card.due, starts).label("day")
    query = select(Card.state, day, func.count()).where(
        Card.queue.notin_((QUEUE_SUSPENDED, QUEUE_BURIED)), Card.state != "new", Card.due < starts[-1]
    )
    rows = [{"day": d, "learning": 0, "review": 0, "relearning": 0} for d in range(horizon)]
    for state, index, count in session.execute(_in_decks(query, deck_ids).group_by(Card.state, text("day"))):
        rows[max(0, int(index))][state] += count
    return rows


def _bucket(value: Any, edges: tuple[float, ...]) -> Any:
    """The histogram bin of a column, as SQL: k where edges[k-1] <= value < edges[k]; null stays null."""
    return case(
        (value.is_(None), None), *[(value < edge, k) for k, edge in enumerate(edges)], else_=len(edges)
    )


def _histogram(counts: Counter[int], edges: tuple[float, ...]) -> list[dict[str, Any]]:
    bounds = [0.0, *edges]
    return [
        {"from": bounds[k], "to": edges[k] if k < len(edges) else None, "cards": counts[k]}
        for k in range(len(edges) + 1)
    ]


def _card_figures(session: Session, deck_ids: list[int] | None) -> dict[str, Any]:
    counts = {"new": 0, "learning": 0, "relearning": 0, "young": 0, "mature": 0, "suspended": 0, "buried": 0}
    # Grouped by its name: PostgreSQL sees `interval_days >= $1` and `>= $2` as two expressions.
    mature = (Card.interval_days >= MATURE_DAYS).label("mature")
    query = select(Card.state, Card.queue, mature, func.count())
    query = query.group_by(Card.state, Card.queue, text("mature"))
    for state, queue, is_mature, count in session.execute(_in_decks(query, deck_ids)):
        if queue == QUEUE_SUSPENDED:
            counts["suspended"] += count
        elif queue == QUEUE_BURIED:
            counts["buried"] += count
        elif state == "review":
            counts["mature" if is_mature else "young"] += count
        else:
            counts[state] += count
    # The review cards' histograms, binned in SQL: a few hundred groups come back, not every card.
    histograms = {
        "intervals": (Card.interval_days, HISTOGRAM_EDGES),
        "stability": (Card.stability, HISTOGRAM_EDGES),
        "difficulty": (Card.difficulty, tuple(float(d) for d in range(2, 11))),
        "ease": (Card.ease, tuple(round(1.3 + 0.2 * k, 1) for k in range(1, 10))),
    }
    bins = [_bucket(value, edges).label(name) for name, (value, edges) in histograms.items()]
    query = select(*bins, func.count()).where(Card.state == "review").group_by(*(text(n) for n in histograms))
    tallies: dict[str, Counter[int]] = {name: Counter() for name in histograms}
    for *keys, count in session.execute(_in_decks(query, deck_ids)):
        for name, key in zip(histograms, keys, strict=True):
            if key is not None:
                tallies[name][int(key)] += count
    out: dict[str, Any] = {"card_counts": counts}
    out.update({name: _histogram(tallies[name], edges) for name, (_, edges) in histograms.items()})
    return out


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
