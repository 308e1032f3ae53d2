"""`flashapp stats` on 100,000 cards with 1,000,000 review rows over the past year.

    .venv/bin/python benchmarks/stats_queries.py

Reviews: 10 per card, spread over 365 days at random times, ratings 1-4 (15/10/60/15), states and
intervals as a mature collection's; inserted in time order, as the append-only log is written.
Times the statistics query (median of 5, warm; wall and CPU) and the whole `flashapp stats --json`.
"""

from __future__ import annotations

import random
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

from flashapp.store.models import Card, Review  # noqa: E402
from flashapp.store.statistics import deck_statistics  # noqa: E402

REVIEWS_PER_CARD = 10


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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "stats.db"
        collection = build_collection(db)
        rows = add_reviews(collection)
        print(f"{rows} review rows, 100,000 cards")
        times, cpu = [], []
        for _ in range(5):
            start, used = time.perf_counter(), time.process_time()
            with collection.reading() as session:
                stats = deck_statistics(session, None, NOW, UTC)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - used)
        print(
            f"statistics query: median {statistics.median(times) * 1000:.0f} ms wall, "
            f"{statistics.median(cpu) * 1000:.0f} ms CPU, "
            f"heatmap days {len(stats['heatmap'])}"
        )
        collection.close()
        now = NOW.isoformat()
        whole = []
        for _ in range(3):
            start = time.perf_counter()
            command = [sys.executable, "-m", "flashapp", "--db", str(db), "stats", "--json", "--now", now]
            subprocess.run(command, check=True, capture_output=True)
            whole.append(time.perf_counter() - start)
        print(f"flashapp stats --json (whole process): median {statistics.median(whole) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
