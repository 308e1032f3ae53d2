"""How the collection's operations grow with its size: the same synthetic collection
(`benchmarks/synthetic.py`: 20 decks, 40% new, 59% review, 1% learning) at each size, on SQLite or on
PostgreSQL, every operation timed in this process (median of `--repeat` calls, milliseconds).

Operations: building the collection (Core inserts, one transaction); opening it (the schema check);
the deck tree's counts as `store.counts.deck_counts` computes them (index range searches per deck,
stopped at each deck's daily room, plus one GROUP BY for the card totals) and without the totals (what
the study header reads); one deck's study queue; on SQLite, the same deck tree and the whole study queue as
the `decks` and `next` commands compute them on sqlite3 alone (`store/direct/`: the same `deck_counts`
and `build_queue`, run on a standard-library `sqlite3` connection), and those two commands
as whole processes; streaming every card as `cards --json` does (rendered and encoded, not written) and
the peak memory that takes (tracemalloc); a free-text search for 50 cards.

Run: .venv/bin/python benchmarks/scale.py [--sizes 10000 100000 1000000] [--repeat 5]
     [--db-url postgresql+psycopg://postgres@127.0.0.1:5432/i19_scale]   (the database is emptied)
Prints a Markdown table; `--json FILE` also writes the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import NOW, build_collection  # noqa: E402

from flashapp.core.scheduling import StudyCalendar  # noqa: E402
from flashapp.store.collection import Collection  # noqa: E402
from flashapp.store.counts import deck_counts  # noqa: E402
from flashapp.store.direct.connection import direct_or_none  # noqa: E402
from flashapp.store.direct.deck_tree import deck_rows  # noqa: E402
from flashapp.store.direct.study import study_queue  # noqa: E402

CALENDAR = StudyCalendar(UTC, 4)
from flashapp.store.queue import build_queue  # noqa: E402


def timed(function: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def own_counts(collection: Collection) -> None:
    with collection.reading() as session:
        deck_counts(session, NOW, CALENDAR, with_totals=False)


def stream_all(collection: Collection) -> int:
    return sum(len(line) for line in collection.stream_card_json())


def whole_process(target: str | Path, *argv: str) -> float:
    """Milliseconds of `python -m flashapp --db TARGET ARGV...`, output thrown away."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flashapp", "--db", str(target), *argv, "--now", "2026-03-02T12:00:00Z"],
        stdout=subprocess.DEVNULL, check=True, env=env,
    )  # fmt: skip
    return (time.perf_counter() - start) * 1000


def measure(target: str | Path, cards: int, repeat: int) -> dict[str, float]:
    row: dict[str, float] = {}
    start = time.perf_counter()
    build_collection(target, cards=cards).close()
    row["build"] = (time.perf_counter() - start) * 1000
    row["open"] = timed(lambda: Collection.open(target, clock=lambda: NOW, tz=UTC).close(), repeat)
    with Collection.open(target, clock=lambda: NOW, tz=UTC) as collection:

        def counts() -> None:
            with collection.reading() as session:
                deck_counts(session, NOW, CALENDAR)

        def queue() -> None:
            with collection.reading() as session:
                build_queue(session, "Bench::Deck 03", NOW, CALENDAR)

        row["deck_counts"] = timed(counts, repeat)
        row["own_available"] = timed(lambda: own_counts(collection), repeat)
        row["queue"] = timed(queue, repeat)
        if (direct := direct_or_none(target, UTC)) is not None:
            with direct:
                row["direct_decks"] = timed(lambda: deck_rows(direct, NOW), repeat)
                row["direct_queue"] = timed(lambda: study_queue(direct, None, NOW), repeat)
            row["process_decks"] = statistics.median(whole_process(target, "decks") for _ in range(repeat))
            row["process_next"] = statistics.median(whole_process(target, "next") for _ in range(repeat))
        row["search"] = timed(lambda: collection.cards(search="rotary kernel", limit=50), repeat)
        start = time.perf_counter()
        stream_all(collection)
        row["stream"] = (time.perf_counter() - start) * 1000
        tracemalloc.start()  # a second pass: tracing slows every allocation down
        stream_all(collection)
        row["stream_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return row


LABELS = {
    "build": "build (Core inserts, one transaction)",
    "open": "open (schema check)",
    "deck_counts": "deck tree counts, `deck_counts` (index ranges, capped; card totals)",
    "own_available": "the same without card totals (`with_totals=False`, the study header's)",
    "queue": "one deck's study queue",
    "direct_decks": "deck tree counts, `deck_counts` on a sqlite3 connection (`decks`)",
    "direct_queue": "whole study queue, every deck, `build_queue` on sqlite3 (`next`)",
    "process_decks": "`flashapp decks`, whole process",
    "process_next": "`flashapp next`, whole process",
    "search": "free-text search, first 50",
    "stream": "stream every card as `cards --json` (no output)",
    "stream_peak_mb": "peak traced memory while streaming, MB",
}


def empty_target(db_url: str | None, folder: Path, cards: int) -> str | Path:
    if not db_url:
        return folder / f"scale-{cards}.db"
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return db_url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db-url", help="a PostgreSQL URL (its public schema is dropped and recreated)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="flashapp-scale-") as folder:
        for cards in args.sizes:
            results[cards] = measure(empty_target(args.db_url, Path(folder), cards), cards, args.repeat)
    backend = "PostgreSQL" if args.db_url else "SQLite"
    print(
        f"| {backend}, ms (median of {args.repeat}) | " + " | ".join(f"{n:,} cards" for n in results) + " |"
    )
    print("|---|" + "---:|" * len(results))
    for key, label in LABELS.items():
        if all(key in row for row in results.values()):
            print(f"| {label} | " + " | ".join(f"{row[key]:,.1f}" for row in results.values()) + " |")
    if args.json:
        args.json.write_text(json.dumps({"backend": backend, "results": results}, indent=2))


if __name__ == "__main__":
    main()
