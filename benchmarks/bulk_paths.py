"""Bulk paths, each as a whole `flashapp` process: `cards --json` over a whole collection, and importing
a big deck file into a new collection (budgets: 140,000 cards listed in under 2 s in constant memory;
100,000 deck-file cards imported in under 4 s and 200 MB).

Every run is a fresh interpreter started through the console script's entry point; the table gives
its wall time, its CPU time (user + system: what the process itself spent, which says more than the
wall clock on a machine that other work shares) and its peak resident memory, median of `--runs`.
Memory at two sizes shows whether a path streams: constant memory does not grow with the cards.

Run: .venv/bin/python benchmarks/bulk_paths.py [--cards 140000 70000] [--import-cards 100000 50000]
     [--runs 3] [--db-url postgresql+psycopg://postgres@127.0.0.1:5432/i19_bench]
Prints a Markdown table for benchmarks/README.md, and which TOML readers the import used (the file is
read in pieces of 200 cards by `rtoml` where it is installed, else by `tomli`; tomli, compiled, where it
is installed, else the standard library's `tomllib`, three times slower, judges any file the pieces do not
read); `--json FILE` also writes the raw numbers.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from synthetic import build_collection  # noqa: E402

from flashapp.core.deckfile import CardSpec, DeckSpec, dump_deck, fast_toml_reader, toml_reader  # noqa: E402
from flashapp.store.collection import Collection  # noqa: E402


def run_process(argv: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of `python -m flashapp ARGV`, its output thrown away. GNU time
    starts it: a child forked from this process (which holds the built collection) would report this
    process's memory as its own peak."""
    env = dict(os.environ, PYTHONPATH=str(ROOT.parent))
    command = ["/usr/bin/time", "-f", "%M %U %S", sys.executable, "-m", "flashapp", *argv]
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"flashapp {' '.join(argv)} failed: {result.stderr}")
    peak_kb, user, system = result.stderr.strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(peak_kb) / 1024


def median_of(samples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(statistics.median(column) for column in zip(*samples, strict=True))  # type: ignore[return-value]


def deck_file(path: Path, cards: int) -> Path:
    deck = DeckSpec(
        name="Bulk",
        cards=tuple(
            CardSpec(id=f"c{i}", front=f"Front {i}: what is $x_{i}$?", back=f"Back {i}", tags=("bulk",))
            for i in range(cards)
        ),
    )
    path.write_text(dump_deck(deck), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cards", type=int, nargs="+", default=[140_000, 70_000], help="cards --json sizes")
    parser.add_argument(
        "--import-cards", type=int, nargs="+", default=[100_000, 50_000], help="deck-file import sizes"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--db-url", help="a PostgreSQL URL to run on instead of SQLite (its database is emptied first)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="flashapp-bulk-") as folder:
        for cards in args.cards:
            target = reset_target(args.db_url, Path(folder) / f"list-{cards}.db")
            build_collection(target, cards=cards).close()
            wall, cpu, rss = median_of(
                [run_process(["--db", str(target), "cards", "--json"]) for _ in range(args.runs)]
            )
            rows.append(
                {"operation": f"`cards --json`, {cards:,} cards", "wall_s": wall, "cpu_s": cpu, "rss_mb": rss}
            )
        for cards in args.import_cards:
            source = deck_file(Path(folder) / f"bulk-{cards}.toml", cards)
            samples = []
            for run in range(args.runs):
                target = reset_target(args.db_url, Path(folder) / f"import-{cards}-{run}.db")
                # An empty collection first: no shipped decks imported with it.
                Collection.open(target, shipped_decks=False).close()
                samples.append(run_process(["--db", str(target), "import", str(source)]))
            wall, cpu, rss = median_of(samples)
            rows.append(
                {
                    "operation": f"import a {cards:,}-card deck file",
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "rss_mb": rss,
                }
            )
    backend = "PostgreSQL" if args.db_url else "SQLite"
    print(f"| operation ({backend}, whole process, median of {args.runs}) | wall s | CPU s | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['operation']} | {row['wall_s']:.2f} | {row['cpu_s']:.2f} | {row['rss_mb']:.0f} |")
    readers = toml_reader.__name__
    if fast_toml_reader is not None:
        readers = f"{fast_toml_reader.__name__} {fast_toml_reader.__version__} in pieces, judged by {readers}"
    print(f"\nTOML reader: {readers}")
    if args.json:
        args.json.write_text(json.dumps({"backend": backend, "toml_reader": readers, "rows": rows}, indent=2))


def reset_target(db_url: str | None, sqlite_path: Path):
    """The SQLite file, or the PostgreSQL database emptied (all its tables dropped)."""
    if not db_url:
        return sqlite_path
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return db_url


if __name__ == "__main__":
    main()
