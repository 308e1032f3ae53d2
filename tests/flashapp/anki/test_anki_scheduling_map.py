"""The import maps scheduling in SQL; `import_card` / `import_review` are the readable reference. They
must agree on every card Anki can store, and on hostile values too. Export is the inverse."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from flashapp.anki.collection_reader import AnkiDeckConfig
from flashapp.anki.scheduling_map import (
    MAX_EPOCH,
    REVLOG_FILTER_SQL,
    AnkiCardRow,
    DeckScheduling,
    card_columns_sql,
    export_card,
    import_card,
    import_review,
    options_from_anki,
    review_columns_sql,
)
from flashapp.core.scheduling import CardState, SchedulerOptions, State

CRT = 1_767_240_000  # 2026-01-01 04:00 UTC
NOW_TEXT = "2026-03-02 12:00:00.000000"
BURIED_TEXT = "2026-03-03 04:00:00.000000"
DECKS = [DeckScheduling(2, 1, 2.5, False), DeckScheduling(3, 2, 2.3, True), DeckScheduling(0, 0, 1.9, False)]


def random_card(rng: random.Random) -> AnkiCardRow:
    kind = rng.choice([0, 1, 2, 3, 3, 2, 7, -1])
    queue = rng.choice([kind, kind, -1, -2, -3, 3, 4])
    intraday = rng.random() < 0.5
    due = rng.choice(
        [rng.randint(1_700_000_000, 1_900_000_000) if intraday else rng.randint(-50, 500), 0, -5, 10**13]
    )
    data = rng.choice(
        [
            "{}",
            "",
            "not json",
            json.dumps({"s": round(rng.uniform(0.1, 400), 3), "d": round(rng.uniform(0.5, 11), 3)}),
            json.dumps({"s": -1, "d": "x", "lrt": rng.randint(1_700_000_000, 1_800_000_000)}),
            json.dumps({"lrt": 1.5, "s": 1e300}),
            json.dumps([1, 2]),
            '{"s": NaN}',
        ]
    )
    return AnkiCardRow(
        type=kind,
        queue=queue,
        due=due,
        ivl=rng.choice([0, 1, 12, 400, -3, 10**9]),
        factor=rng.choice([0, 1300, 2500, 2650, 900, 10**7, -10]),
        reps=rng.choice([0, 3, 17, -2, 10**8]),
        lapses=rng.choice([0, 1, 4, -1]),
        left=rng.choice([0, 1, 2, 1002, 2003, -5, 3]),
        odue=rng.choice([0, 0, rng.randint(-20, 300)]),
        odid=rng.choice([0, 0, 5]),
        flags=rng.choice([0, 1, 2, 4, 5, 7, 15, -1]),
        data=data,
        mod=rng.choice([1_770_000_000, 0, -5, 10**12]),
    )


def sql_time(epoch: int | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.parametrize("reset", [False, True])
def test_sql_mapping_agrees_with_the_reference(reset):
    rng = random.Random(20260302 + reset)
    rows = [random_card(rng) for _ in range(3000)]
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE cards (id INTEGER PRIMARY KEY, deck INTEGER, type, queue, due, ivl, factor, reps, "
        "lapses, left, odue, odid, flags, data, mod)"
    )
    connection.execute(
        "CREATE TABLE decks (id INTEGER PRIMARY KEY, learning_steps, relearning_steps, starting_ease, fsrs)"
    )
    connection.executemany(
        "INSERT INTO decks VALUES (?, ?, ?, ?, ?)", [(i, *vars(d).values()) for i, d in enumerate(DECKS)]
    )
    connection.executemany(
        "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, i % len(DECKS), *vars(row).values()) for i, row in enumerate(rows)],
    )
    columns = card_columns_sql("c", "d")
    names = list(columns)
    selected = ", ".join(columns[name] for name in names)
    query = f"SELECT c.id, {selected} FROM cards c JOIN decks d ON d.id = c.deck ORDER BY c.id"
    params = {"crt": CRT, "now_text": NOW_TEXT, "reset": int(reset), "buried_text": BURIED_TEXT}
    for (card_id, *values), row in zip(connection.execute(query, params), rows, strict=True):
        got = dict(zip(names, values, strict=True))
        want = import_card(row, crt=CRT, deck=DECKS[card_id % len(DECKS)], reset=reset)
        expected = {
            "state": want.state,
            "due": NOW_TEXT if want.due is None else sql_time(want.due),
            "interval_days": want.interval_days,
            "ease": want.ease,
            "reps": want.reps,
            "lapses": want.lapses,
            "step": want.step,
            "stability": want.stability,
            "difficulty": want.difficulty,
            "last_review": sql_time(want.last_review),
            "suspended": int(want.suspended),
            "queue": want.queue,
            "flag": want.flag,
            "modified_at": sql_time(want.modified),
            "buried_until": BURIED_TEXT if want.buried else None,
        }
        assert got == pytest.approx(expected), (row, got, expected)
        # Whatever the package says, the result is a card state flashapp accepts.
        CardState(
            state=State(want.state),
            due=None if want.due is None else datetime.fromtimestamp(want.due, UTC),
            interval_days=want.interval_days,
            ease=want.ease,
            reps=want.reps,
            lapses=want.lapses,
            step=want.step,
            stability=want.stability,
            difficulty=want.difficulty,
        )


def test_review_mapping_agrees_with_the_reference():
    rng = random.Random(7)
    rows = [
        (
            rng.choice([rng.randint(1_600_000_000_000, 1_800_000_000_000), -1, 0, 10**16]),
            rng.choice([0, 1, 2, 3, 4, 5]),
            rng.choice([-600, 0, 1, 30, -60, 10**9]),
            rng.choice([-600, 0, 5, 12]),
            rng.choice([0, 2500, 1000, 10**6]),
            rng.choice([0, 8000, -4, 10**8]),
            rng.choice([0, 1, 2, 3, 4, 5, 6, -1]),
        )
        for _ in range(2000)
    ]
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE revlog (id, ease, ivl, lastIvl, factor, time, type)")
    connection.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    columns = review_columns_sql("r")
    where = REVLOG_FILTER_SQL.format(r="r", max_ms=MAX_EPOCH * 1000)
    got = {
        row[0]: row[1:]
        for row in connection.execute(
            f"SELECT r.rowid, {', '.join(columns.values())} FROM revlog r WHERE {where}"
        )
    }
    for rowid, row in enumerate(rows, 1):
        review = import_review(*row)
        if review is None:
            assert rowid not in got
            continue
        ms = review.reviewed_at_ms
        expected = (
            datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%d %H:%M:%S") + f".{ms % 1000:03d}000",
            review.rating,
            review.state_before,
            review.state_after,
            review.interval_before_days,
            review.interval_after_days,
            review.ease_after,
            review.duration_ms,
        )
        assert got[rowid] == pytest.approx(expected), row


def test_export_is_the_inverse_of_import():
    options = SchedulerOptions(learning_steps_minutes=(1, 10, 60), relearning_steps_minutes=(10,))
    deck = DeckScheduling(3, 1, options.starting_ease, False)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    crt = int((now - timedelta(days=40)).replace(hour=4, minute=0).timestamp())
    cases = [
        dict(state="new", due=None, interval_days=0, ease=2.5, step=0, suspended=False),
        dict(state="learning", due=now + timedelta(minutes=10), interval_days=0, ease=2.5, step=1,
             suspended=False),
        dict(state="review", due=datetime.fromtimestamp(crt + 45 * 86400, UTC), interval_days=9, ease=2.35,
             step=0, suspended=True),
        dict(state="relearning", due=now + timedelta(minutes=10), interval_days=3, ease=1.9, step=0,
             suspended=False),
    ]  # fmt: skip
    for case in cases:
        exported = export_card(
            **case,
            stability=12.5 if case["state"] == "review" else None,
            difficulty=4.5 if case["state"] == "review" else None,
            last_review=now if case["state"] != "new" else None,
            position=7,
            crt=crt,
            options=options,
        )
        back = import_card(
            AnkiCardRow(
                exported.type, exported.queue, exported.due, exported.ivl, exported.factor, 3, 0,
                exported.left, 0, 0, 0, exported.data, 1_770_000_000,
            ),
            crt=crt,
            deck=deck,
        )  # fmt: skip
        assert back.state == case["state"]
        assert back.suspended == case["suspended"]
        if case["due"] is not None:
            assert back.due == int(case["due"].timestamp())
            assert back.ease == pytest.approx(case["ease"])
            assert back.step == case["step"]
            assert back.interval_days == case["interval_days"]
        if case["state"] == "review":
            assert (back.stability, back.difficulty, back.last_review) == (12.5, 4.5, int(now.timestamp()))


def test_deck_options_from_anki_presets():
    config = AnkiDeckConfig(
        3, learn_steps=(2.0, 20.0), new_per_day=35, initial_ease=2.3, maximum_review_interval=400
    )
    options = options_from_anki(config, fsrs=True, rollover_hour=5)
    assert (options.algorithm, options.learning_steps_minutes, options.new_per_day) == (
        "fsrs",
        (2.0, 20.0),
        35,
    )
    assert (options.starting_ease, options.maximum_interval_days, options.day_rollover_hour) == (2.3, 400, 5)
    # A value flashapp refuses keeps its default; the rest of the preset still applies.
    odd = options_from_anki(AnkiDeckConfig(4, initial_ease=0.5, new_per_day=7), fsrs=False, rollover_hour=4)
    assert (odd.starting_ease, odd.new_per_day) == (2.5, 7)


def test_v1_relearning_and_buried_cards():
    """Anki's v1 scheduler kept a relearning card as type 2 in queue 1, due in epoch seconds: it is
    relearning, due at that instant (not a review due in 2200); buried cards stay buried."""
    v1 = AnkiCardRow(2, 1, 1_772_460_000, 9, 2300, 12, 3, 1, 0, 0, 0, "{}", 1_772_450_000)
    card = import_card(v1, crt=CRT, deck=DECKS[0])
    assert (card.state, card.due, card.interval_days, card.queue) == ("relearning", 1_772_460_000, 9, 1)
    buried = import_card(
        AnkiCardRow(2, -3, 40, 9, 2300, 12, 3, 0, 0, 0, 0, "{}", 1_772_450_000), crt=CRT, deck=DECKS[0]
    )
    assert (buried.state, buried.queue, buried.buried) == ("review", -2, True)
    new_buried = import_card(
        AnkiCardRow(0, -2, 4, 0, 0, 0, 0, 0, 0, 0, 0, "{}", 1_772_450_000), crt=CRT, deck=DECKS[0]
    )
    assert (new_buried.state, new_buried.queue, new_buried.buried) == ("new", -2, True)
    assert not import_card(v1, crt=CRT, deck=DECKS[0], reset=True).buried


def test_manual_review_log_rows_are_kept_with_rating_0():
    """Forget (kind 4) and rescheduled (kind 5) rows, button 0: kept as manual entries."""
    forget = import_review(1_772_000_000_000, 0, 0, 12, 2500, 0, 4)
    assert forget is not None and (forget.rating, forget.state_before, forget.state_after) == (
        0,
        "review",
        "new",
    )
    moved = import_review(1_772_000_000_000, 0, 5, 12, 2500, 0, 5)
    assert moved is not None and (moved.rating, moved.state_after) == (0, "review")
    assert import_review(1_772_000_000_000, 3, 5, 12, 2500, 0, 9) is None
    assert import_review(1_772_000_000_000, 6, 5, 12, 2500, 0, 1) is None
