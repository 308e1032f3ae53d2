"""`flashapp optimize` and `flashapp evaluate` on a simulated learner's ~100k reviews (whole process).

.venv/bin/python benchmarks/fsrs_fitting.py [--days 365] [--new-per-day 28]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from simulated_history import write_simulated_history  # noqa: E402

from flashapp.store.collection import Collection  # noqa: E402


def timed(*argv: str) -> tuple[str, dict]:
    """Wall and CPU seconds of the whole process (CPU too: on a shared machine wall time is noise)."""
    start, cpu = time.perf_counter(), _children_cpu()
    command = [sys.executable, "-m", "flashapp", *argv]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall, used = time.perf_counter() - start, _children_cpu() - cpu
    return f"{wall:.1f} s wall, {used:.1f} s CPU", json.loads(done.stdout)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--new-per-day", type=int, default=28)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "sim.db"
        with Collection.open(db, shipped_decks=False) as collection:
            reviews = write_simulated_history(collection, days=args.days, new_per_day=args.new_per_day)
        print(f"{reviews} reviews, {args.days} days, {args.new_per_day} new cards a day")
        seconds, before = timed("--db", str(db), "evaluate", "--json")
        print(f"evaluate (before): {seconds}")
        seconds, fit = timed("--db", str(db), "optimize", "--json")
        print(f"optimize: {seconds}, trained on {fit['reviews_used']} reviews")
        _, after = timed("--db", str(db), "evaluate", "--json")
        print(f"held-out reviews: {before['reviews']}")
        print("| model | log loss before | after | RMSE(bins) before | after | AUC before | after |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name in ("fsrs_default", "fsrs_deck", "sm2"):
            b, a = before["models"][name], after["models"][name]
            print(
                f"| {name} | {b['log_loss']:.4f} | {a['log_loss']:.4f} | {b['rmse_bins']:.4f} | "
                f"{a['rmse_bins']:.4f} | {b['auc'] or 0:.4f} | {a['auc'] or 0:.4f} |"
            )


if __name__ == "__main__":
    main()
