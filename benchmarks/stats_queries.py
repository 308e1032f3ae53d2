"""`flashapp stats` on 100,000 cards with 1,000,000 review rows over the past year.

    .venv/bin/python benchmarks/stats_queries.py [--db FILE] [--runs 5] [--save] [--evaluate]

Reviews: 10 per card, spread over 365 days at random times, ratings 1-4 (15/10/60/15), states and
intervals as a mature collection's; inserted in time order, as the append-only log is written.
`--db FILE` keeps the collection there (built first if missing), so reruns skip building it.
Times the statistics in this process (median, warm; wall and CPU) through the `Collection`
(SQLAlchemy), on a plain `sqlite3` connection, and as `flashapp stats` reads an SQLite file (two
`sqlite3` connections on one snapshot, `store/direct/stats.py`; CPU of both threads), the
whole `flashapp stats --json` process (median; wall and CPU of the child), a bare interpreter that
imports what that process imports (`flashapp.cli.main` and `flashapp.store.direct.stats`: the floor,
to read the figures on a loaded machine), and with `--save` one whole
`flashapp stats --save FILE.png` (which also replays the review log for the calibration panel), and
with `--evaluate` one whole `flashapp evaluate --json` (the same replay, three models) and, in this
process, its two parts: reading the log as arrays (`load_log`) and scoring it (`evaluate_log`).
The children run with byte-code caching on, as an installed package does.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import NOW, build_collection  # noqa: E402

from flashapp.store.collection import Collection  # noqa: E402
from flashapp.store.direct.connection import direct_or_none  # noqa: E402
from flashapp.store.direct.stats import statistics as direct_statistics  # noqa: E402
from flashapp.store.models import Card, Review  # noqa: E402
from flashapp.store.statistics import deck_statistics  # noqa: E402

REVIEWS_PER_CARD = 10
FLOOR = "import flashapp.cli.main, flashapp.core.scheduling.zone, flashapp.store.direct.stats"


def add_reviews(collection, seed: int = 1) -> int:
    rng = random.Random(seed)
    with collection.writing() as session:
        card_ids = list(session.scalars(select(Card.id)))
    rows = []
    for card_id in card_ids:
        for _ in range(REVIEWS_PER_CARD):
            rating = rng.choices((1, 2, 3, 4), weights=(15, 10, 60, 15))[0]
            state = rng.choices(("new", "learning", "review", "relearning"), weights=(10, 15, 70, 5))[0]
            interval = rng.randint(1, 120) if state == "review" else 0
            rows.append(
                {"card_id": card_id, "reviewed_at": NOW - timedelta(seconds=rng.randint(0, 365 * 86400)),
                 "rating": rating, "state_before": state, "state_after": "review",
                 "interval_before_days": interval, "interval_after_days": interval + 1, "ease_after": 2.5,
                 "duration_ms": rng.randint(2000, 20000), "previous": {}}
            )  # fmt: skip
    rows.sort(key=lambda row: row["reviewed_at"])
    for start in range(0, len(rows), 100_000):
        with collection.writing() as session:
            session.execute(insert(Review), rows[start : start + 100_000])
    return len(rows)


def whole_process(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="keep the collection here (built if missing)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--save", action="store_true", help="also time `stats --save FILE.png` once")
    parser.add_argument("--evaluate", action="store_true", help="also time `evaluate --json` once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or Path(folder) / "stats.db"
        if not db.exists():
            collection = build_collection(db)
            rows = add_reviews(collection)
            collection.close()
            print(f"built: {rows} review rows, 100,000 cards")
        collection = Collection.open(db, shipped_decks=False, clock=lambda: NOW, tz=UTC)  # upgrades it
        times, cpu = [], []
        for _ in range(args.runs):
            start, used = time.perf_counter(), time.process_time()
            with collection.reading() as session:
                stats = deck_statistics(session, None, NOW, UTC)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - used)
        collection.close()
        plain, plain_cpu = [], []
        connection = sqlite3.connect(db, isolation_level=None)
        for _ in range(args.runs):
            start, used = time.perf_counter(), time.process_time()
            assert deck_statistics(connection, None, NOW, UTC) == stats  # one function, two connections
            plain.append(time.perf_counter() - start)
            plain_cpu.append(time.process_time() - used)
        connection.close()
        paired, paired_cpu = [], []
        for _ in range(args.runs):
            with direct_or_none(db, UTC) as direct:
                start, used = time.perf_counter(), time.process_time()
                assert direct_statistics(direct, None, NOW) == stats  # two connections, one snapshot
                paired.append(time.perf_counter() - start)
                paired_cpu.append(time.process_time() - used)
        print(f"load average {os.getloadavg()[0]:.1f}, heatmap days {len(stats['heatmap'])}\n")
        print("| what | median wall ms | median CPU ms |")
        print("|---|---:|---:|")
        print(f"| statistics, in process (warm), through the Collection | {ms(times)} | {ms(cpu)} |")
        print(f"| statistics, in process (warm), on sqlite3 | {ms(plain)} | {ms(plain_cpu)} |")
        label = "statistics, in process, as `flashapp stats` reads them (two sqlite3 connections)"
        print(f"| {label} | {ms(paired)} | {ms(paired_cpu)} |")
        command = ["-m", "flashapp", "--db", str(db), "--tz", "UTC", "stats", "--now", NOW.isoformat()]
        whole_process([*command, "--json"])  # warm: the file cache and the byte-code
        floor, json_runs = [], []
        for _ in range(args.runs):  # interleaved, so a busy moment of the machine hits both alike
            json_runs.append(whole_process([*command, "--json"]))
            floor.append(whole_process(["-c", FLOOR]))
        for label, runs in (("`flashapp stats --json`, whole process", json_runs),
                            ("the imports alone (the floor)", floor)):  # fmt: skip
            print(f"| {label} | {ms([w for w, _ in runs])} | {ms([c for _, c in runs])} |")
        if args.save:
            wall, used = whole_process([*command, "--save", str(Path(folder) / "stats.png")])
            label = "`flashapp stats --save FILE.png`, whole process, once"
            print(f"| {label} | {wall * 1000:.0f} | {used * 1000:.0f} |")
        if args.evaluate:
            time_evaluation(db, args.runs)
            wall, used = whole_process(
                ["-m", "flashapp", "--db", str(db), "--tz", "UTC", "evaluate", "--json"]
            )
            print(
                f"| `flashapp evaluate --json`, whole process, once | {wall * 1000:.0f} | {used * 1000:.0f} |"
            )


def time_evaluation(db: Path, runs: int) -> None:
    """The calibration's two parts in this process (median, warm): reading, then scoring."""
    from flashapp.core.scheduling.evaluation import evaluate_log
    from flashapp.store.review_history import load_log

    collection = Collection.open(db, shipped_decks=False, clock=lambda: NOW, tz=UTC)
    parts: dict[str, tuple[list[float], list[float]]] = {"read": ([], []), "score": ([], [])}
    for _ in range(runs):
        start, used = time.perf_counter(), time.process_time()
        log = load_log(collection, None)
        middle, middle_used = time.perf_counter(), time.process_time()
        evaluate_log(log)
        parts["read"][0].append(middle - start)
        parts["read"][1].append(middle_used - used)
        parts["score"][0].append(time.perf_counter() - middle)
        parts["score"][1].append(time.process_time() - middle_used)
    collection.close()
    labels = {"read": f"`load_log`: {len(log):,} reviews as arrays, in process (warm)",
              "score": "`evaluate_log`: FSRS replay, SM-2, metrics, calibration, in process"}  # fmt: skip
    for key, label in labels.items():
        print(f"| {label} | {ms(parts[key][0])} | {ms(parts[key][1])} |")


def ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f}"


if __name__ == "__main__":
    main()
