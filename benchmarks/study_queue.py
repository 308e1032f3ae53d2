"""Study-queue benchmarks at 100k cards over 20 decks: building a deck's queue, and answering a card
then showing the next (the study screen's hot path). Also prints SQLite's plan for the queue scan.

Run: .venv/bin/python benchmarks/study_queue.py [--cards 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import NOW, build_collection  # noqa: E402

from flashapp.core.scheduling import Rating  # noqa: E402
from flashapp.store.collection import Collection  # noqa: E402
from flashapp.store.study_session import StudySession  # noqa: E402


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build_collection(path, cards=args.cards).close()
        clock = Clock()
        collection = Collection.open(path, clock=clock, tz=UTC)

        def time_queue(deck: str | None, repeat: int = 15) -> tuple[float, int]:
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                queue = collection.study_queue(deck)
                samples.append(time.perf_counter() - start)
            return median_ms(samples), queue.counts().total

        one_ms, one_size = time_queue("Bench::Deck 03")
        all_ms, all_size = time_queue("Bench")

        with collection.engine.connect() as connection:
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT due, position, id, deck_id FROM cards "
                "WHERE deck_id IN (4) AND queue = 2 AND due < '2026-03-03 04:00:00' "
                "ORDER BY due, position, id LIMIT 200"
            ).all()

        session = StudySession(collection, "Bench::Deck 05")
        card = session.current()
        ratings = [Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.HARD]
        samples = []
        for i in range(args.answers):
            clock.now += timedelta(seconds=5)
            start = time.perf_counter()
            session.answer(card.id, ratings[i % len(ratings)], duration_ms=4000)
            card = session.current()
            samples.append(time.perf_counter() - start)
            if card is None:
                break
        collection.close()

    print(f"| operation ({args.cards:,} cards, 20 decks) | median ms |")
    print("|---|---:|")
    print(f"| build one deck's queue ({one_size} cards today) | {one_ms:.2f} |")
    print(f"| build the parent deck's queue over 20 subdecks ({all_size} cards today) | {all_ms:.2f} |")
    answered = f"answer a card and show the next (StudySession, {len(samples)} answers)"
    print(f"| {answered} | {median_ms(samples):.2f} |")
    print()
    print("EXPLAIN QUERY PLAN of one deck's review scan:")
    for row in plan:
        print("    " + str(row[-1]))


if __name__ == "__main__":
    main()
