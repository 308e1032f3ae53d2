"""Statistics of a deck (or the collection), Anki's set, computed in SQL on study days.

    deck_statistics(connection, deck, now, tz) -> dict

`connection`: an SQLAlchemy `Connection`/`Session` (SQLite or PostgreSQL) or a standard-library
`sqlite3` connection (`flashapp stats` on an SQLite file, `store/direct/stats.py`, which starts
without SQLAlchemy). The statements are plain SQL text that both databases read, written once here
and run through `store.sql_text`; the instants in them are literals made from datetimes, in the form
the database stores them (never from input text), so each statement is one call to the driver.

The review log is never sorted or read row by row in Python. The study days of the past year (from
`core/scheduling/day.py`, in the collection's zone and rollover hour) are a VALUES table of UTC ranges,
and every (day, state before, rating) is counted by one correlated subquery over one range of the
`ix_reviews_stats` index (state, rating, time, interval, answer time), which returns its count, answer
time and (for review cards) answers at a mature interval together: each of a million rows is read once
and nothing is sorted. The hourly breakdown counts each local clock hour of the year (of the study days
with any row in the log), its answers on `ix_reviews_reviewed_at` and its again answers on
`ix_reviews_stats`. The card figures count index ranges of `ix_cards_deck_queue_due` (the queue a card
is in follows from its state and flags, `queue_codes.queue_for`, which `flashapp check` verifies): card
counts by queue, the forecast per study day; one scan of the review cards bins the four histograms; the
cards added count each study day's range of `ix_notes_created_at`. Histogram bins are found by a binary
search written as nested CASE, never by functions per row. Every figure is a plain JSON-able value.
Manual entries (rating 0, from Anki) are no answers.

Given a second connection on the same snapshot (`beside`, as `store/direct/stats.py` opens one), the
hourly breakdown, the card figures and the cards added are counted on it in a thread while the study
days are counted here: on two cores the two halves take about as long each.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from flashapp.core.scheduling.day import day_start_utc, next_day_start_utc, study_day
from flashapp.store.queue_codes import QUEUE_BURIED, QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW, QUEUE_SUSPENDED
from flashapp.store.setting_values import ROLLOVER_HOUR, rollover_hour_of
from flashapp.store.sql_text import SqlAlchemyRunner, read_json, runner_for

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

MATURE_DAYS = 21  # Anki: a review card with an interval of 21 days or more is mature
HEATMAP_DAYS = 365
FORECAST_DAYS = 30
RETENTION_PERIODS = {"today": 1, "yesterday": 1, "week": 7, "month": 30, "year": 365}
HISTOGRAM_EDGES = (1, 2, 3, 4, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365, 730)
HISTOGRAMS = {  # the review cards' histograms: column, bin edges
    "intervals": ("interval_days", HISTOGRAM_EDGES),
    "stability": ("stability", HISTOGRAM_EDGES),
    "difficulty": ("difficulty", tuple(float(d) for d in range(2, 11))),
    "ease": ("ease", tuple(round(1.3 + 0.2 * k, 1) for k in range(1, 10))),
}
BIN_RADIX = max(len(edges) for _, edges in HISTOGRAMS.values()) + 2  # bins 0..len(edges), NULL
MATURE_BIN = HISTOGRAM_EDGES.index(MATURE_DAYS) + 1  # interval bins from here on are mature
KINDS = {"new": "learning", "learning": "learning", "review": "review", "relearning": "relearning"}
STATES = tuple(KINDS)  # the states a review log row can have been in
RATINGS = (1, 2, 3, 4)  # again, hard, good, easy
AGAIN = 1
MANUAL_RATING = 0  # an imported Anki manual entry (rescheduled or reset by hand): not an answer
SEPARATOR = "::"
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)  # before any stored instant: the overdue cards' lower bound
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.toordinal()
MICROSECOND = timedelta(microseconds=1)
HOUR_MICROS = 3_600_000_000
DAY_MICROS = 24 * HOUR_MICROS
MATURE_UNIT = 2**32  # the review answers' packed sum: count + MATURE_UNIT * answers at a mature interval


class _Sql:
    """The connection's statements and how instants are written into them: as SQLite stores them
    (naive UTC text) or as PostgreSQL TIMESTAMP literals."""

    def __init__(self, connection: Any):
        self.runner = runner_for(connection)
        self.postgres = isinstance(self.runner, SqlAlchemyRunner) and not self.runner.sqlite
        self._quote = "TIMESTAMP '" if self.postgres else "'"
        self._days: dict[int, str] = {}  # day since the epoch: the literal's start, to the date
        self._clocks: dict[int, str] = {}  # microsecond of the day: the rest of the literal

    def rows(self, statement: str) -> list[tuple]:
        if isinstance(self.runner, SqlAlchemyRunner):
            # To the driver as it is: a year of instants is neither compiled by SQLAlchemy nor kept
            # in its statement cache (the statements change with `now`).
            return [tuple(row) for row in self._driver_connection().exec_driver_sql(statement)]
        return self.runner.rows(statement)

    def _driver_connection(self) -> Any:
        connection = self.runner.connection
        if not hasattr(connection, "exec_driver_sql"):
            connection = connection.connection()  # a Session: its transaction's connection
        return connection

    def without_jit(self) -> None:
        """PostgreSQL: no JIT compilation for the rest of the transaction. The planner's costs of
        these statements (thousands of small index ranges) reach its JIT thresholds on any log,
        and compiling never paid: with JIT, `stats --deck` on a million reviews took 4.9-5.5 s
        against 2.0 s, the whole collection's 2.1-2.5 s against 1.6-1.9 s, a small log's 0.2-0.3 s
        against 0.13-0.15 s for the hourly statement alone (PostgreSQL 15, JIT on by default)."""
        if self.postgres:
            self._driver_connection().exec_driver_sql("SET LOCAL jit = off")

    def instant(self, value: datetime | int) -> str:
        """An instant (aware, or microseconds since the epoch) as a literal. Formatted here by
        arithmetic (a year of hours is 17,520 instants): 'YYYY-MM-DD HH:MM:SS.ffffff', UTC."""
        micros = value if isinstance(value, int) else _micros(value)
        days, within = divmod(micros, DAY_MICROS)  # a year of hours has a few dozen clock times
        if (day := self._days.get(days)) is None:
            day = self._days[days] = f"{self._quote}{date.fromordinal(EPOCH_ORDINAL + days).isoformat()} "
        if (clock := self._clocks.get(within)) is None:
            second, fraction = divmod(within, 1_000_000)
            clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.{fraction:06d}'"
            self._clocks[within] = clock
        return day + clock

    def ranges(self, name: str, rows: Sequence[tuple[int, datetime | int, datetime | int]]) -> str:
        """A WITH clause: table `name` of (k, lo, hi), ranges of instants [lo, hi)."""
        texts: dict[datetime | int, str] = {}  # a range's end is the next one's start: written once

        def text(value: datetime | int) -> str:
            if (found := texts.get(value)) is None:
                found = texts[value] = self.instant(value)
            return found

        listed = ", ".join(f"({int(k)}, {text(lo)}, {text(hi)})" for k, lo, hi in rows)
        return f"WITH {name}(k, lo, hi) AS (VALUES {listed})"


def _bisect(column: str, edges: Sequence[str], low: int = 0, high: int | None = None) -> str:
    """SQL for how many of the sorted SQL literals `edges` are at or below `column` (bisect_right),
    as nested CASE: a binary search, a few comparisons a row. NULL compares as above every edge."""
    high = len(edges) if high is None else high
    if low == high:
        return str(low)
    middle = (low + high) // 2
    below, above = _bisect(column, edges, low, middle), _bisect(column, edges, middle + 1, high)
    return f"CASE WHEN {column} < {edges[middle]} THEN {below} ELSE {above} END"


def _deck_ids(sql: _Sql, deck: str | None) -> list[int] | None:
    """The ids of `deck` and its subdecks (None: every deck); UnknownDeck for a deck not there."""
    if deck is None:
        return None
    decks = sql.rows("SELECT id, name FROM decks")
    if not any(name == deck for _, name in decks):
        from flashapp.store.queue import UnknownDeck  # the study queue's error, worded as find_deck's

        raise UnknownDeck(deck, [name for _, name in decks])
    return [deck_id for deck_id, name in decks if name == deck or name.startswith(deck + SEPARATOR)]


def _deck_list(deck_ids: list[int] | None) -> str:
    """The decks, as the right side of `deck_id IN`: every deck's id is listed, so the cards' index
    (deck_id, queue, due) is searched deck by deck."""
    return "(SELECT id FROM decks)" if deck_ids is None else "(" + ", ".join(map(str, deck_ids)) + ")"


def _reviews_in(deck_ids: list[int] | None) -> str:
    """The condition that keeps the reviews of the decks' cards (nothing for every deck)."""
    return (
        ""
        if deck_ids is None
        else f" AND card_id IN (SELECT id FROM cards WHERE deck_id IN {_deck_list(deck_ids)})"
    )


def _rollover_hour(sql: _Sql) -> int:
    """The hour a study day starts at: the collection's (one for every deck, as in Anki)."""
    rows = sql.rows(f"SELECT value FROM collection_settings WHERE key = '{ROLLOVER_HOUR}'")
    return rollover_hour_of(read_json(rows[0][0]) if rows else None)


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

    def hours(self, until: datetime) -> list[tuple[int, int, int]]:
        """(local hour, from, to) for every local clock hour of the window up to `until`: ranges of UTC
        instants (microseconds since the epoch), each in one local hour (the offset is constant
        inside a range)."""
        out: list[tuple[int, int, int]] = []
        ends = [_micros(instant) for instant, _ in self.offsets[1:]] + [_micros(min(self.end, until))]
        for (begin, offset), stop in zip(self.offsets, ends, strict=True):
            instant, shift = _micros(begin), offset * 1_000_000
            while instant < stop:
                local = instant + shift
                following = min(instant + HOUR_MICROS - local % HOUR_MICROS, stop)
                out.append((local // HOUR_MICROS % 24, instant, following))
                instant = following
        return out


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _micros(instant: datetime) -> int:
    return (instant - EPOCH) // MICROSECOND


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
    connection: Any,
    deck: str | None,
    now: datetime,
    tz: tzinfo,
    *,
    forecast_days: int = FORECAST_DAYS,
    beside: Any = None,
) -> dict[str, Any]:
    """Every figure for `deck` and its subdecks (None: every deck) at `now`, in zone `tz`. Raises
    `UnknownDeck` (a UserError worded as `store.decks.find_deck`) for a deck that does not exist.
    `beside`: a second connection reading the same snapshot (`store/direct/stats.py`), which counts
    the hourly breakdown, the card figures and the cards added in a thread while `connection` counts
    the study days (sqlite3 lets other threads run while SQLite works); the figures are the same."""
    sql = _Sql(connection)
    sql.without_jit()
    deck_ids = _deck_ids(sql, deck)
    hour = _rollover_hour(sql)
    calendar = _calendar(now, tz, hour)
    other = sql if beside is None else _Sql(beside)

    def other_figures() -> tuple[list[list[int]], dict[str, Any], list[dict[str, Any]]]:
        return (
            _hourly(other, deck_ids, now, calendar),
            _card_figures(other, deck_ids),
            _added(other, deck_ids, now, calendar),
        )

    def day_figures() -> tuple[list[tuple[int, str, int, int, int, int]], int, list[dict[str, Any]]]:
        return (
            _review_counts(sql, deck_ids, now, calendar),
            _cards_today(sql, deck_ids, day_start_utc(now, tz, hour)),
            _forecast(sql, deck_ids, now, tz, hour, forecast_days),
        )

    if beside is None:
        (counts, cards_today, forecast), (hourly, card_figures, added) = day_figures(), other_figures()
    else:
        waiting = _in_thread(other_figures)
        try:
            counts, cards_today, forecast = day_figures()
        finally:  # the other connection is not left at work when this one fails
            hourly, card_figures, added = waiting()
    out: dict[str, Any] = {"deck": deck, "now": now.isoformat(), "study_day": calendar.today.isoformat()}
    out.update(_review_figures(counts, hourly, calendar))
    out["today"]["cards"] = cards_today
    out["forecast"] = forecast
    out.update(card_figures)
    out["added"] = added
    return out


def _in_thread(work: Callable[[], Any]) -> Callable[[], Any]:
    """`work` started in a thread; the function returned waits for it and returns its result (or
    raises its error)."""
    import threading

    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as error:  # handed to the waiting thread
            result["error"] = error

    thread = threading.Thread(target=run, name="statistics", daemon=True)
    thread.start()

    def wait() -> Any:
        thread.join()
        if "error" in result:
            raise result["error"]
        return result["value"]

    return wait


_STATES_SQL = "(" + ", ".join(f"'{state}'" for state in STATES) + ")"


def _window_days(sql: _Sql, now: datetime, cal: _Calendar) -> str:
    """A WITH clause: table `days` of (day index, from, to), the window's study days as ranges of
    instants; up to `now` included (rows after it, from a clock set back, count nowhere)."""
    until = now + MICROSECOND
    return sql.ranges("days", [(k, cal.starts[k], min(cal.starts[k + 1], until)) for k in range(cal.days)])


def _review_counts(
    sql: _Sql, deck_ids: list[int] | None, now: datetime, cal: _Calendar
) -> list[tuple[int, str, int, int, int, int]]:
    """(day index, state before, rating, answers, milliseconds, answers at a mature interval) for every
    study day, state and rating with answers. SQL aggregates would sort every row to group them (a
    million rows: over a second); instead each (day, state, rating) is one correlated subquery over
    one range of `ix_reviews_stats`, whose figures come back together as one text (count, answer time,
    mature answers),
    so each row is read once. Manual entries (rating 0: rescheduled or reset by hand, imported from
    Anki) are no answers, as in Anki's statistics."""
    days = _window_days(sql, now, cal)
    kinds = [(state, rating) for state in STATES for rating in RATINGS]
    cells = []
    for state, rating in kinds:
        # "count ms"; for review cards "ms packed": count + 2**32 * mature answers in one sum (no day
        # has 2**32 answers), one aggregate less on 70% of the rows.
        figures = "CAST(count(*) AS TEXT) || ' ' || CAST(sum(duration_ms) AS TEXT)"
        if state == "review":
            packed = f"sum(CASE WHEN interval_before_days >= {MATURE_DAYS} THEN {MATURE_UNIT + 1} ELSE 1 END)"
            figures = f"CAST(sum(duration_ms) AS TEXT) || ' ' || CAST({packed} AS TEXT)"
        cells.append(
            f"(SELECT {figures} FROM reviews WHERE state_before = '{state}' AND rating = {rating} "
            f"AND reviewed_at >= days.lo AND reviewed_at < days.hi{_reviews_in(deck_ids)})"
        )
    out = []
    for k, *cells_of_day in sql.rows(f"{days} SELECT k, {', '.join(cells)} FROM days"):
        for (state, rating), figures in zip(kinds, cells_of_day, strict=True):
            if figures is None:  # NULL: no answers
                continue
            first, second = map(int, figures.split())
            if state == "review":
                mature, count = divmod(second, MATURE_UNIT)
                out.append((k, state, rating, count, first, mature))
            else:
                out.append((k, state, rating, first, second, 0))
    return out


def _hourly(sql: _Sql, deck_ids: list[int] | None, now: datetime, cal: _Calendar) -> list[list[int]]:
    """[answers, recalled] per local hour over the window, counted per clock hour of the year as
    `_review_counts` counts per day (answers: all rows less manual entries; recalled: less AGAIN)."""
    until = now + MICROSECOND
    hourly = [[0, 0] for _ in range(24)]
    # Only the hours of study days with any row in the log (of any deck) are counted: one index seek
    # a day on `ix_reviews_reviewed_at` finds them, and an hour of a day without rows counts nothing.
    # A log studied now and then (or a small one) is a few hundred hours, not the year's 8,760.
    busy = "EXISTS (SELECT 1 FROM reviews WHERE reviewed_at >= days.lo AND reviewed_at < days.hi)"
    spans = sorted(
        (_micros(cal.starts[k]), _micros(min(cal.starts[k + 1], until)))
        for (k,) in sql.rows(f"{_window_days(sql, now, cal)} SELECT k FROM days WHERE {busy}")
    )
    kept, next_span = [], 0
    for local_hour, low, high in cal.hours(until):  # both in time order: a walk along the two
        while next_span < len(spans) and spans[next_span][1] <= low:
            next_span += 1
        if next_span < len(spans) and spans[next_span][0] < high:
            kept.append((local_hour, low, high))
    if not kept:
        return hourly
    hours = sql.ranges("hours", kept)
    in_hour = f"reviewed_at >= hours.lo AND reviewed_at < hours.hi{_reviews_in(deck_ids)}"
    rated = f"SELECT count(*) FROM reviews WHERE state_before IN {_STATES_SQL} AND rating = "
    every, again = f"(SELECT count(*) FROM reviews WHERE {in_hour})", f"({rated}{AGAIN} AND {in_hour})"
    manual = "0"  # most logs have no manual entries: their count is not looked up
    window = f"reviewed_at >= {sql.instant(cal.first)} AND reviewed_at < {sql.instant(cal.end)}"
    manual_rows = f"FROM reviews WHERE state_before IN {_STATES_SQL} AND rating = {MANUAL_RATING}"
    if sql.rows(f"SELECT 1 {manual_rows} AND {window} LIMIT 1"):
        manual = f"({rated}{MANUAL_RATING} AND {in_hour})"
    hourly = [[0, 0] for _ in range(24)]
    for hour, answers, failed, manual_count in sql.rows(
        f"{hours} SELECT k, {every}, {again}, {manual} FROM hours"
    ):
        hourly[hour][0] += answers - manual_count
        hourly[hour][1] += answers - manual_count - failed
    return hourly


def _review_figures(
    review_counts: list[tuple[int, str, int, int, int, int]], hourly: list[list[int]], cal: _Calendar
) -> dict[str, Any]:
    """The review log's figures from `_review_counts` (per study day) and `_hourly`."""
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    buttons: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in ("learning", "young", "mature")}
    retention: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])  # (age days, young|mature)
    for index, state, rating, count, duration, mature in review_counts:
        on = cal.day(int(index))
        counts = per_day[on]
        counts[KINDS[state]] += count
        counts["answers"] += count
        counts["seconds"] += duration / 1000
        passed = count if rating > AGAIN else 0
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


def _cards_today(sql: _Sql, deck_ids: list[int] | None, start: datetime) -> int:
    decks = "" if deck_ids is None else f" AND cards.deck_id IN {_deck_list(deck_ids)}"
    [(count,)] = sql.rows(
        "SELECT count(DISTINCT reviews.card_id) FROM reviews JOIN cards ON cards.id = reviews.card_id "
        f"WHERE reviews.reviewed_at >= {sql.instant(start)}{decks}"
    )
    return count or 0


def _forecast(
    sql: _Sql, deck_ids: list[int] | None, now: datetime, tz: tzinfo, hour: int, horizon: int
) -> list[dict[str, Any]]:
    """Cards due on each of the next `horizon` study days (overdue ones on today), by state: counted
    per study day on the cards' index (deck, queue, due). Review cards are the review queue's; the
    learning queue's cards are told apart by their state."""
    starts = [day_start_utc(now, tz, hour)]
    for _ in range(horizon):
        starts.append(next_day_start_utc(starts[-1], tz, hour))
    days = sql.ranges("days", [(d, EARLIEST if d == 0 else starts[d], starts[d + 1]) for d in range(horizon)])
    due = f"deck_id IN {_deck_list(deck_ids)} AND due >= days.lo AND due < days.hi"
    counts = (
        f"(SELECT count(*) FROM cards WHERE queue = {QUEUE_REVIEW} AND {due}), "
        f"(SELECT count(*) FROM cards WHERE queue = {QUEUE_LEARNING} AND state = 'learning' AND {due}), "
        f"(SELECT count(*) FROM cards WHERE queue = {QUEUE_LEARNING} AND state = 'relearning' AND {due})"
    )
    rows = sql.rows(f"{days} SELECT k, {counts} FROM days ORDER BY k")
    return [
        {"day": d, "learning": learning, "review": review, "relearning": relearning}
        for d, review, learning, relearning in rows
    ]


def _histogram(counts: Counter[int], edges: tuple[float, ...]) -> list[dict[str, Any]]:
    bounds = [0.0, *edges]
    return [
        {"from": bounds[k], "to": edges[k] if k < len(edges) else None, "cards": counts[k]}
        for k in range(len(edges) + 1)
    ]


def _card_figures(sql: _Sql, deck_ids: list[int] | None) -> dict[str, Any]:
    """Card counts by queue, on the cards' index; then one scan of the review cards (suspended and
    buried ones too) binning the four histograms in SQL: a few hundred groups come back, not every
    card. Young and mature: the review queue's cards by their interval's bin."""
    decks = _deck_list(deck_ids)
    queues = (QUEUE_NEW, QUEUE_LEARNING, QUEUE_SUSPENDED, QUEUE_BURIED)
    counted = [
        f"(SELECT count(*) FROM cards WHERE deck_id IN {decks} AND queue = {queue})" for queue in queues
    ]
    counted.append(counted[1][:-1] + " AND state = 'relearning')")
    [(new, learning_queue, suspended, buried, relearning)] = sql.rows("SELECT " + ", ".join(counted))
    # One integer key per card (grouping by five columns sorts far slower): in review queue or not,
    # then each histogram's bin, NULL written as BIN_RADIX - 1.
    key = f"CASE WHEN queue = {QUEUE_REVIEW} THEN 1 ELSE 0 END"
    for column, edges in HISTOGRAMS.values():
        found = _bisect(column, [repr(edge) for edge in edges])
        key = f"({key}) * {BIN_RADIX} + CASE WHEN {column} IS NULL THEN {BIN_RADIX - 1} ELSE {found} END"
    in_decks = "" if deck_ids is None else f" AND deck_id IN {decks}"
    rows = sql.rows(f"SELECT {key}, count(*) FROM cards WHERE state = 'review'{in_decks} GROUP BY 1")
    tallies: dict[str, Counter[int]] = {name: Counter() for name in HISTOGRAMS}
    young = mature = 0
    for packed, count in rows:
        bins = []
        for _ in HISTOGRAMS:
            packed, found = divmod(packed, BIN_RADIX)
            bins.append(found)
        for name, found in zip(HISTOGRAMS, reversed(bins), strict=True):
            if found != BIN_RADIX - 1:
                tallies[name][found] += count
        if packed and bins[-1] >= MATURE_BIN:  # in the review queue; the interval's bin
            mature += count
        elif packed:
            young += count
    counts = {
        "new": new, "learning": learning_queue - relearning, "relearning": relearning, "young": young,
        "mature": mature, "suspended": suspended, "buried": buried,
    }  # fmt: skip
    out: dict[str, Any] = {"card_counts": counts}
    out.update({name: _histogram(tallies[name], edges) for name, (_, edges) in HISTOGRAMS.items()})
    return out


def _added(sql: _Sql, deck_ids: list[int] | None, now: datetime, cal: _Calendar) -> list[dict[str, Any]]:
    """Cards by the study day their note was added, over the window: each day's notes are one range
    of `ix_notes_created_at` (migration 0008), their cards found on `uq_cards_note_ord`; nothing is
    sorted and no other note is read."""
    decks = "" if deck_ids is None else f" AND cards.deck_id IN {_deck_list(deck_ids)}"
    added = (
        "(SELECT count(*) FROM notes JOIN cards ON cards.note_id = notes.id "
        f"WHERE notes.created_at >= days.lo AND notes.created_at < days.hi{decks})"
    )
    rows = sql.rows(f"{_window_days(sql, now, cal)} SELECT k, {added} FROM days")
    return [{"day": cal.day(int(index)).isoformat(), "cards": n} for index, n in sorted(rows) if n]


def collection_statistics(collection: Collection, deck: str | None) -> dict[str, Any]:
    with collection.reading() as session:
        return deck_statistics(session, deck, collection.clock(), collection.tz)
