"""Statistics on a small hand-made log, every figure checked against values worked out by hand.

The study day rolls over at 04:00 (UTC here): a review at 03:00 belongs to the day before, and a card
due at 03:30 tomorrow is due today.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update

from flashapp.core.scheduling.day import day_start_utc, study_day
from flashapp.errors import UserError
from flashapp.store.collection import Collection
from flashapp.store.direct import stats as direct_stats
from flashapp.store.direct.connection import direct_or_none
from flashapp.store.direct.stats import statistics as direct_statistics
from flashapp.store.models import Card, Note, Review
from flashapp.store.statistics import STATES, collection_statistics, deck_statistics

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DECK = """\
[deck]
name = "Hand"

[[cards]]
id = "a"
front = "A"
back = "a"

[[cards]]
id = "b"
front = "B"
back = "b"

[[cards]]
id = "c"
front = "C"
back = "c"
"""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# (card, reviewed at, rating, state before, interval before, seconds)
LOG = [
    ("a", at(10, 5), 3, "review", 30, 10),  # today, mature, passed
    ("a", at(10, 3), 1, "review", 5, 20),  # 03:00: still yesterday's study day; young, failed
    ("b", at(9, 10), 3, "review", 3, 6),  # yesterday, young, passed
    ("b", at(8, 23), 3, "learning", 0, 4),  # the 8th
    ("b", at(7, 12), 1, "new", 0, 8),  # the 7th
    ("c", at(5, 12), 2, "review", 40, 12),  # the 5th, mature, passed (hard); the 6th has nothing
]


@pytest.fixture
def new_collection(tmp_path, empty_collection_file, request):
    """new_collection(store, name) -> where a new, empty collection (no shipped decks) is: a copy of
    the migrated SQLite template named `name` in tmp_path, or the PostgreSQL scratch collection of
    the test process, emptied (neither migrated again for each test)."""

    def new(store: str, name: str) -> Path | str:
        if store == "postgresql":
            return request.getfixturevalue("pg_collection_url")
        return empty_collection_file(tmp_path / name)

    return new


@pytest.fixture(scope="module")
def stats(tmp_path_factory, empty_collection_template):
    """The hand-made log's figures, computed once for the module's tests (which only read them)."""
    folder = tmp_path_factory.mktemp("stats")
    path = shutil.copyfile(empty_collection_template, folder / "s.db")
    deck = folder / "deck.toml"
    deck.write_text(DECK, encoding="utf-8")
    with Collection.open(path, shipped_decks=False, clock=lambda: NOW, tz=UTC) as collection:
        collection.import_paths([deck])
        with collection.writing() as session:
            ids = dict(session.execute(select(Note.key, Card.id).join(Card, Card.note_id == Note.id)).all())
            states = {
                "a": ("review", 2, at(11, 3, 30), 30),  # before tomorrow's rollover: due today
                "b": ("learning", 1, at(11, 4, 30), 0),  # after it: due tomorrow
                "c": ("review", 2, at(9, 12), 45),  # overdue: counted today
            }
            for key, (state, queue, due, interval) in states.items():
                session.execute(
                    update(Card)
                    .where(Card.id == ids[key])
                    .values(state=state, queue=queue, due=due, interval_days=interval, last_review=at(9, 10))
                )
            session.execute(
                insert(Review),
                [
                    {"card_id": ids[key], "reviewed_at": when, "rating": rating, "state_before": state,
                     "state_after": "review", "interval_before_days": interval,
                     "interval_after_days": interval, "ease_after": 2.5, "duration_ms": seconds * 1000,
                     "previous": {}}
                    for key, when, rating, state, interval, seconds in LOG
                ],
            )  # fmt: skip
        with collection.reading() as session:
            return deck_statistics(session, "Hand", NOW, UTC)


def test_today(stats):
    assert stats["study_day"] == "2026-03-10"
    assert stats["today"] == {
        "cards": 1,
        "answers": 1,
        "again": 0,
        "time_seconds": 10.0,
        "true_retention": 1.0,
    }


def test_streak_and_heatmap(stats):
    assert stats["streak_days"] == 4  # the 10th back to the 7th; the 6th has no reviews
    assert stats["heatmap"] == [
        {"day": "2026-03-05", "reviews": 1},
        {"day": "2026-03-07", "reviews": 1},
        {"day": "2026-03-08", "reviews": 1},
        {"day": "2026-03-09", "reviews": 2},
        {"day": "2026-03-10", "reviews": 1},
    ]
    assert stats["reviews_by_day"][3] == {
        "day": "2026-03-09", "learning": 0, "review": 2, "relearning": 0, "minutes": round(26 / 60, 1)
    }  # fmt: skip


def test_true_retention(stats):
    table = stats["true_retention"]
    assert table["today"]["mature"] == {"reviews": 1, "passed": 1, "retention": 1.0}
    assert table["today"]["young"] == {"reviews": 0, "passed": 0, "retention": None}
    assert table["yesterday"]["young"] == {"reviews": 2, "passed": 1, "retention": 0.5}
    assert table["yesterday"]["mature"]["reviews"] == 0
    assert table["week"]["mature"] == {"reviews": 2, "passed": 2, "retention": 1.0}
    assert table["week"]["total"] == {"reviews": 4, "passed": 3, "retention": 0.75}


def test_forecast_across_the_rollover_hour(stats):
    forecast = stats["forecast"]
    assert forecast[0] == {"day": 0, "learning": 0, "review": 2, "relearning": 0}
    assert forecast[1] == {"day": 1, "learning": 1, "review": 0, "relearning": 0}
    assert sum(r["learning"] + r["review"] for r in forecast[2:]) == 0


def test_cards_buttons_hours(stats):
    assert stats["card_counts"] == {
        "new": 0, "learning": 1, "relearning": 0, "young": 0, "mature": 2, "suspended": 0, "buried": 0
    }  # fmt: skip
    assert stats["answer_buttons"] == {
        "learning": {"again": 1, "hard": 0, "good": 1, "easy": 0},
        "young": {"again": 1, "hard": 0, "good": 1, "easy": 0},
        "mature": {"again": 0, "hard": 1, "good": 1, "easy": 0},
    }
    hourly = {row["hour"]: (row["answers"], row["recall"]) for row in stats["hourly"] if row["answers"]}
    assert hourly == {3: (1, 0.0), 5: (1, 1.0), 10: (1, 1.0), 12: (2, 0.5), 23: (1, 1.0)}
    assert [row for row in stats["intervals"] if row["cards"]] == [
        {"from": 30, "to": 45, "cards": 1},
        {"from": 45, "to": 60, "cards": 1},
    ]
    assert stats["added"] == [{"day": "2026-03-10", "cards": 3}]


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_figures_equal_a_row_by_row_reference_across_clock_changes(store, new_collection, write_deck):
    """New York, rollover at 04:00: a year with both clock changes, rows on day and hour boundaries,
        manual entries (rating 0, no answers) and rows before the window and after `now`. Every review
        figure equals the same figure worked out row by row with `study_day` and the local clock; on
    SQLite and on PostgreSQL (FLASHAPP_TEST_PG), whose SQL differs (epoch seconds, timestamp literals)."""
    tz = ZoneInfo("America/New_York")
    now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # two days after clocks went forward
    rng = random.Random(7)
    instants = [now - timedelta(seconds=rng.randint(0, 380 * 86400)) for _ in range(400)]
    instants += [now, now + timedelta(seconds=1)]
    for change in (datetime(2025, 11, 2, 6, tzinfo=UTC), datetime(2026, 3, 8, 7, tzinfo=UTC)):
        instants += [change + timedelta(minutes=m) for m in range(-90, 91, 15)]
    instants += [day_start_utc(now - timedelta(days=d), tz, 4) for d in range(0, 370, 9)]
    log = [
        (instant, rng.choice((0, 1, 1, 2, 3, 3, 3, 4)), rng.choice(STATES), rng.choice((0, 3, 20, 21, 90)))
        for instant in instants
    ]  # fmt: skip
    where = new_collection(store, "r.db")
    with Collection.open(where, shipped_decks=False, clock=lambda: now, tz=tz) as collection:
        collection.import_paths([write_deck(DECK)])
        with collection.writing() as session:
            card_ids = list(session.scalars(select(Card.id)))
            session.execute(
                insert(Review),
                [
                    {"card_id": rng.choice(card_ids), "reviewed_at": when, "rating": rating,
                     "state_before": state, "state_after": "review", "interval_before_days": interval,
                     "interval_after_days": interval, "ease_after": 2.5, "duration_ms": 1000 * (k % 7),
                     "previous": {}}
                    for k, (when, rating, state, interval) in enumerate(log)
                ],
            )  # fmt: skip
        with collection.reading() as session:
            stats = deck_statistics(session, None, now, tz)
    today = study_day(now, tz, 4)
    days: dict[str, Counter] = defaultdict(Counter)
    hours = [[0, 0] for _ in range(24)]
    buttons = {group: [0, 0, 0, 0] for group in ("learning", "young", "mature")}
    for k, (when, rating, state, interval) in enumerate(log):
        day = study_day(when, tz, 4)
        if rating == 0 or when > now or (today - day).days >= 365:
            continue
        kind = {"new": "learning"}.get(state, state)
        days[day.isoformat()][kind] += 1
        days[day.isoformat()]["ms"] += 1000 * (k % 7)
        hours[when.astimezone(tz).hour][0] += 1
        hours[when.astimezone(tz).hour][1] += rating > 1
        group = ("mature" if interval >= 21 else "young") if state == "review" else "learning"
        buttons[group][rating - 1] += 1
    assert stats["reviews_by_day"] == [
        {"day": day, "learning": c["learning"], "review": c["review"], "relearning": c["relearning"],
         "minutes": round(c["ms"] / 60000, 1)}
        for day, c in sorted(days.items())
    ]  # fmt: skip
    assert stats["hourly"] == [
        {"hour": h, "answers": n, "recall": round(ok / n, 4) if n else None}
        for h, (n, ok) in enumerate(hours)
    ]
    assert stats["answer_buttons"] == {
        group: dict(zip(("again", "hard", "good", "easy"), counts, strict=True))
        for group, counts in buttons.items()
    }
    assert stats["heatmap"][-1]["day"] == today.isoformat() == max(days)


SUBDECK = """\
[deck]
name = "Hand::Sub"

[[cards]]
id = "d"
front = "D"
back = "d"

[[cards]]
id = "e"
front = "E"
back = "e"

[[cards]]
id = "f"
front = "F"
back = "f"

[[cards]]
id = "g"
front = "G"
back = "g"
"""
# key: state, queue, due (UTC; the figures are New York's, 4 hours behind), interval, stability,
# difficulty, ease (on the edges of every histogram's bins)
CARDS = {
    "a": ("review", 2, at(13, 12), 21, 21.0, 2.0, 1.5),  # mature (21 days), due in three days
    "b": ("review", 2, at(8, 12), 20, 20.99, 1.99, 1.49),  # young, overdue: due today
    "c": ("review", -1, at(12, 12), 800, 0.5, 10.0, 3.1),  # suspended
    "d": ("review", -2, at(11, 12), 0, None, None, 1.3),  # buried
    "e": ("relearning", 1, at(11, 9), 3, 4.0, 5.0, 2.5),  # 05:00 in New York: due tomorrow
    "f": ("learning", 1, at(10, 13), 0, None, None, 2.5),  # due today
    "g": ("new", 0, None, 0, None, None, 2.5),
}


def fill(where, tz, folder: Path) -> None:
    """A collection with a deck, a subdeck, cards in every state and queue, and a log with manual
    entries, at `where` (an SQLite file or a server URL); its deck files are written in `folder`."""
    decks = [folder / "hand.toml", folder / "sub.toml"]
    for path, body in zip(decks, (DECK, SUBDECK), strict=True):
        path.write_text(body, encoding="utf-8")
    with Collection.open(where, shipped_decks=False, clock=lambda: NOW, tz=tz) as collection:
        collection.import_paths(decks)
        with collection.writing() as session:
            ids = dict(session.execute(select(Note.key, Card.id).join(Card, Card.note_id == Note.id)).all())
            for key, (state, queue, due, interval, stability, difficulty, ease) in CARDS.items():
                session.execute(
                    update(Card).where(Card.id == ids[key]).values(
                        state=state, queue=queue, due=due, interval_days=interval, stability=stability,
                        difficulty=difficulty, ease=ease, suspended=queue == -1,
                        buried_until=at(11, 9) if queue == -2 else None,
                    )
                )  # fmt: skip
            rng = random.Random(3)
            session.execute(
                insert(Review),
                [
                    {"card_id": ids[rng.choice("abcdefg")], "rating": rng.choice((0, 1, 2, 3, 3, 4)),
                     "reviewed_at": NOW - timedelta(minutes=rng.randint(-30, 400 * 24 * 60)),
                     "state_before": rng.choice(STATES), "state_after": "review",
                     "interval_before_days": rng.choice((0, 5, 20, 21, 60)), "interval_after_days": 9,
                     "ease_after": 2.5, "duration_ms": rng.randint(0, 30_000), "previous": {}}
                    for _ in range(300)
                ],
            )  # fmt: skip


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory, empty_collection_template) -> Path:
    """An SQLite collection `fill`ed (New York) once for the module; tests copy it (`filled_copy`)."""
    folder = tmp_path_factory.mktemp("filled")
    path = shutil.copyfile(empty_collection_template, folder / "filled.db")
    fill(path, ZoneInfo("America/New_York"), folder)
    # Closing the last connection checkpoints the WAL into the file; the copy must not need a -wal.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def filled_copy(filled_template, tmp_path):
    """filled_copy(name) -> a test's own copy of `filled_template`, at tmp_path / name."""
    return lambda name: shutil.copyfile(filled_template, tmp_path / name)


@pytest.fixture
def filled(filled_copy, new_collection, tmp_path):
    """filled(store, name) -> a `fill`ed collection (New York): a copy of `filled_template` on SQLite,
    the PostgreSQL scratch collection filled here."""

    def make(store: str, name: str) -> Path | str:
        if store == "sqlite":
            return filled_copy(name)
        where = new_collection(store, name)
        fill(where, ZoneInfo("America/New_York"), tmp_path)
        return where

    return make


@pytest.fixture
def two_paths(filled_copy):
    """An SQLite collection file (`fill`); returns (path, a function giving the Collection's figures
    and sqlite3's for a deck)."""
    path, tz = filled_copy("paths.db"), ZoneInfo("America/New_York")

    def figures(deck: str | None) -> tuple[dict, dict]:
        with Collection.open(path, shipped_decks=False, clock=lambda: NOW, tz=tz) as collection:
            by_collection = collection_statistics(collection, deck)
        direct = direct_or_none(path, tz)
        assert direct is not None  # an SQLite file at the newest schema: sqlite3 serves it
        with direct:
            return by_collection, direct_statistics(direct, deck, NOW)

    return path, figures


@pytest.mark.parametrize("deck", [None, "Hand", "Hand::Sub"])
def test_sqlite3_and_the_collection_give_the_same_figures(two_paths, deck):
    _, figures = two_paths
    by_collection, by_sqlite3 = figures(deck)
    assert json.dumps(by_sqlite3) == json.dumps(by_collection)  # the same JSON, key order included
    assert sum(row["reviews"] for row in by_sqlite3["heatmap"]) > (0 if deck == "Hand::Sub" else 100)


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_card_counts_histograms_and_forecast_on_every_edge(store, filled):
    tz = ZoneInfo("America/New_York")
    where = filled(store, "edges.db")

    def figures(deck):
        if store == "postgresql":
            with Collection.open(where, shipped_decks=False, clock=lambda: NOW, tz=tz) as collection:
                return collection_statistics(collection, deck)
        with direct_or_none(where, tz) as direct:  # sqlite3: the `stats` command's path
            return direct_statistics(direct, deck, NOW)

    stats = figures("Hand::Sub")  # d, e, f, g
    assert stats["card_counts"] == {
        "new": 1, "learning": 1, "relearning": 1, "young": 0, "mature": 0, "suspended": 0, "buried": 1
    }  # fmt: skip
    stats = figures(None)
    assert stats["card_counts"] == {
        "new": 1, "learning": 1, "relearning": 1, "young": 1, "mature": 1, "suspended": 1, "buried": 1
    }  # fmt: skip

    def filled(name):
        return {(row["from"], row["to"]): row["cards"] for row in stats[name] if row["cards"]}

    # Review cards a, b, c, d (suspended and buried ones too): a value on an edge opens the next bin.
    assert filled("intervals") == {(21, 30): 1, (14, 21): 1, (730, None): 1, (0.0, 1): 1}
    assert filled("stability") == {(21, 30): 1, (14, 21): 1, (0.0, 1): 1}  # d has none
    assert filled("difficulty") == {(2.0, 3.0): 1, (0.0, 2.0): 1, (10.0, None): 1}
    assert filled("ease") == {(1.5, 1.7): 1, (0.0, 1.5): 2, (3.1, None): 1}
    due = {row["day"]: (row["learning"], row["review"], row["relearning"]) for row in stats["forecast"]}
    assert {day: counts for day, counts in due.items() if any(counts)} == {
        0: (1, 1, 0), 1: (0, 0, 1), 3: (0, 1, 0)
    }  # fmt: skip


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_cards_added_by_study_day_on_the_edges(store, filled):
    """Notes added on a study day's first instant, one microsecond before it, at `now`, after `now`
    and before the window (New York, rollover at 04:00): each card counts on its note's study day
    (row by row with `study_day`), once, up to `now`; for a deck, its subdecks' cards only."""
    tz = ZoneInfo("America/New_York")
    where = filled(store, "added.db")
    start = day_start_utc(NOW - timedelta(days=3), tz, 4)
    created = {
        "a": NOW - timedelta(days=400), "b": start, "c": start - timedelta(microseconds=1), "d": NOW,
        "e": NOW + timedelta(seconds=1), "f": start, "g": datetime(2025, 11, 2, 5, 30, tzinfo=UTC),
    }  # fmt: skip
    with (
        Collection.open(where, shipped_decks=False, clock=lambda: NOW, tz=tz) as collection,
        collection.writing() as session,
    ):
        for key, when in created.items():
            session.execute(update(Note).where(Note.key == key).values(created_at=when))

    def expected(keys: str) -> list[dict]:
        today = study_day(NOW, tz, 4)
        days = Counter(study_day(created[key], tz, 4) for key in keys if created[key] <= NOW)
        return [{"day": d.isoformat(), "cards": n} for d, n in sorted(days.items()) if (today - d).days < 365]

    for deck, keys in ((None, "abcdefg"), ("Hand::Sub", "defg")):
        if store == "postgresql":
            with Collection.open(where, shipped_decks=False, clock=lambda: NOW, tz=tz) as collection:
                added = collection_statistics(collection, deck)["added"]
        else:
            with direct_or_none(where, tz) as direct:
                added = direct_statistics(direct, deck, NOW)["added"]
        assert added == expected(keys)
    # c's day, b's and f's, today (d), and 2025-11-01 for g (01:30 in New York, the night clocks go back)
    assert len(expected("abcdefg")) == 4


def test_the_counts_run_on_two_connections_reading_one_snapshot(two_paths, monkeypatch):
    """`stats` on sqlite3 counts on a second connection in a thread; when a commit lands between the
    two connections' first reads, they may see different states, and one connection counts alone."""
    path, _ = two_paths
    seen = []

    def spy(*args, beside=None, **kwargs):
        seen.append(beside)
        return deck_statistics(*args, beside=beside, **kwargs)

    monkeypatch.setattr(direct_stats, "deck_statistics", spy)
    with direct_or_none(path, UTC) as direct:
        alone = deck_statistics(direct.connection, None, NOW, UTC)
        assert direct_statistics(direct, None, NOW) == alone
    assert isinstance(seen.pop(), sqlite3.Connection)

    def snapshots(commit_before: bool, commit_between: bool) -> sqlite3.Connection | None:
        """The reader's first transaction, [a commit], the first connection's snapshot, [a commit],
        the reader's second transaction."""
        with direct_stats._reader(path) as reader, direct_or_none(path, UTC) as direct:
            if commit_before:
                writer.execute("UPDATE cards SET flag = flag + 1 WHERE id = (SELECT min(id) FROM cards)")
            with direct.reading() as connection:
                connection.execute(direct_stats.PROBE).fetchall()
                if commit_between:
                    writer.execute("UPDATE cards SET flag = flag + 1 WHERE id = (SELECT min(id) FROM cards)")
                beside = direct_stats._same_snapshot(reader)
                if beside is not None:  # a commit now is seen by neither
                    writer.execute("UPDATE cards SET flag = flag + 1 WHERE id = (SELECT min(id) FROM cards)")
                    flags = [
                        c.execute("SELECT max(flag) FROM cards").fetchone() for c in (connection, beside)
                    ]
                    assert flags[0] == flags[1]
                return beside

    writer = sqlite3.connect(path, isolation_level=None)
    assert snapshots(commit_before=True, commit_between=False) is None
    assert snapshots(commit_before=False, commit_between=True) is None
    assert snapshots(commit_before=False, commit_between=False) is not None
    writer.close()


def test_an_error_on_the_second_connection_reaches_the_caller(two_paths):
    path, _ = two_paths
    closed = sqlite3.connect(path)
    closed.close()
    with direct_or_none(path, UTC) as direct, pytest.raises(sqlite3.ProgrammingError):
        deck_statistics(direct.connection, None, NOW, UTC, beside=closed)


def test_an_unknown_deck_is_the_same_error_on_both_paths(two_paths):
    path, _ = two_paths
    message = "unknown deck 'Nope'; decks: Hand, Hand::Sub"
    direct = direct_or_none(path, UTC)
    assert direct is not None
    with direct, pytest.raises(UserError, match=message):
        direct_statistics(direct, "Nope", NOW)
    with (
        Collection.open(path, shipped_decks=False, clock=lambda: NOW, tz=UTC) as collection,
        pytest.raises(UserError, match=message),
    ):
        collection_statistics(collection, "Nope")
