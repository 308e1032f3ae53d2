"""The Stats screen on 100,000 cards with 1,000,000 review rows (budget: first frame under 0.5 s, the
heavy panels filled in by a worker).

    .venv/bin/python benchmarks/stats_screen.py [--db FILE] [--runs 5] [--calibration]

The collection is `stats_queries.py`'s (built into a temporary folder, or read from `--db FILE`, which
is built there first if missing, so reruns skip the two minutes of building). In one process, headless
at 100x32, with the home screen up, each run opens the Stats screen (`FlashApp.open_stats`, what `s`
calls) and reads the clock at:
  - the first frame: the Stats screen painted, its panels still saying what they wait for;
  - the statistics panel painted, filled in by its thread worker (`_load_stats`).
The calibration panel (a replay of the whole review log through FSRS and SM-2) follows in a second
worker; its time is taken once, with `--calibration`, and otherwise left out of the runs (the screen's
calibration worker is replaced by a no-op, so one run's replay does not load the next).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stats_queries import add_reviews  # noqa: E402
from synthetic import NOW, build_collection  # noqa: E402

from flashapp.store.collection import Collection  # noqa: E402
from flashapp.tui.app import make_app  # noqa: E402
from flashapp.tui.screens.stats import StatsScreen  # noqa: E402


async def open_stats_times(path: Path, runs: int, calibration: bool) -> list[tuple[float, float, float]]:
    """(first frame, statistics panel, calibration panel or nan) in ms from `open_stats`, per run;
    every other run has no workers at all (both no-ops): the screen's own first frame, the floor."""
    samples = []
    real, skip = StatsScreen._load_calibration, lambda self: None
    load_stats, show = StatsScreen._load_stats, StatsScreen._show
    shown: list[str] = []  # the panels a worker filled, in order

    def noted_show(screen: StatsScreen, selector: str, text: str) -> None:
        show(screen, selector, text)
        shown.append(selector)

    StatsScreen._show = noted_show  # type: ignore[method-assign]
    with Collection.open(path, clock=lambda: NOW, tz=UTC) as collection:
        app = make_app(collection)
        async with app.run_test(size=(100, 32)) as pilot:
            loop = asyncio.get_running_loop()

            async def painted() -> float:
                done = loop.create_future()
                app.call_after_refresh(lambda: done.set_result(time.perf_counter()))
                return await done

            async def finished(selector: str, updates: int) -> None:
                while shown.count(selector) < updates:
                    await asyncio.sleep(0.002)

            while not app.collection_ready:
                await asyncio.sleep(0.01)
            await pilot.pause()
            for run in range(2 * runs):  # interleaved: a busy moment of the machine hits both alike
                bare = run % 2 == 0
                last = calibration and run == 2 * runs - 1
                StatsScreen._load_calibration = real if last else skip  # type: ignore[method-assign]
                StatsScreen._load_stats = skip if bare else load_stats  # type: ignore[method-assign]
                shown.clear()
                start = time.perf_counter()
                app.open_stats(None)
                first = await painted()
                assert isinstance(app.screen, StatsScreen)
                filled = replayed = float("nan")
                if not bare:
                    await finished("#stats-body", 1)
                    filled = (await painted() - start) * 1000
                if last:
                    await finished("#stats-fsrs", 2)  # "replaying…", then the table
                    replayed = (await painted() - start) * 1000
                samples.append(((first - start) * 1000, filled, replayed))
                await app.workers.wait_for_complete()
                app.pop_screen()
                await pilot.pause()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="keep the collection here (built if missing)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calibration", action="store_true", help="also time the calibration panel once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "stats.db"
        if not path.exists():
            collection = build_collection(path)
            add_reviews(collection)
            collection.close()
        samples = asyncio.run(open_stats_times(path, args.runs, args.calibration))
    print(f"Stats screen: 100,000 cards, 1,000,000 reviews, headless 100x32, {args.runs} runs, ")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| from `open_stats` to | median ms | min ms | max ms |")
    print("|---|---:|---:|---:|")
    real, bare = samples[1::2], samples[0::2]
    rows = (
        ("first frame", real, 0),
        ("statistics panel filled (worker)", real, 1),
        ("first frame with no workers (the screen alone: the floor)", bare, 0),
    )
    for label, runs, column in rows:
        row = [sample[column] for sample in runs]
        print(f"| {label} | {statistics.median(row):.0f} | {min(row):.0f} | {max(row):.0f} |")
    if args.calibration:
        print(f"| calibration panel filled (second worker), once | {real[-1][2]:.0f} | | |")


if __name__ == "__main__":
    main()
