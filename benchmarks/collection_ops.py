"""Time the basic collection operations on a synthetic 100k-card collection.

Run: .venv/bin/python benchmarks/collection_ops.py [--cards 100000]
Prints a Markdown table (median of several runs, milliseconds) for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import NOW, build_collection  # noqa: E402

from flashapp.core.deckfile import CardSpec, DeckSpec, dump_deck  # noqa: E402
from flashapp.store.collection import Collection  # noqa: E402


def timed(function, repeat: int = 7) -> float:
    """Median wall time of `function()` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        start = time.perf_counter()
        build_collection(path, cards=args.cards).close()
        rows.append(
            (
                f"build a {args.cards:,}-card collection (Core inserts, one transaction)",
                (time.perf_counter() - start) * 1000,
            )
        )

        rows.append(
            (
                "open the collection (schema check, no migration)",
                timed(lambda: Collection.open(path, clock=lambda: NOW, tz=UTC).close()),
            )
        )
        collection = Collection.open(path, clock=lambda: NOW, tz=UTC)
        rows.append(("deck tree with new / learning / due counts", timed(collection.deck_counts)))
        rows.append(
            ("cards in one deck (5,000), rendered", timed(lambda: collection.cards(deck="Bench::Deck 07")))
        )
        rows.append(
            (
                "search 'rotary kernel' (free text), first 50",
                timed(lambda: collection.cards(search="rotary kernel", limit=50)),
            )
        )
        rows.append(
            (
                "search 'tag:mask is:due', first 50",
                timed(lambda: collection.cards(search="tag:mask is:due", limit=50)),
            )
        )
        rows.append(("check (integrity_check + invariants)", timed(collection.check, repeat=3)))

        deck = DeckSpec(
            name="Bench::Imported",
            cards=tuple(CardSpec(id=f"c{i}", front=f"Front {i}", back=f"Back {i}") for i in range(10_000)),
        )
        deck_file = Path(folder) / "big.toml"
        deck_file.write_text(dump_deck(deck), encoding="utf-8")
        start = time.perf_counter()
        collection.import_paths([deck_file], backup=False)
        rows.append(("import a 10,000-card deck file (parse + sync)", (time.perf_counter() - start) * 1000))
        rows.append(
            (
                "re-import the same file (nothing changes)",
                timed(lambda: collection.import_paths([deck_file], backup=False), repeat=3),
            )
        )
        collection.close()

    print("| operation | ms |")
    print("|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:,.1f} |")


if __name__ == "__main__":
    main()
