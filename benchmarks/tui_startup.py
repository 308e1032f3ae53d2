"""TUI start-up on a 100,000-card collection (budget: first frame under 0.3 s, torch not imported).

Each run starts a fresh interpreter, headless at 100x32, either through the `flashapp` command-line
path (argument parsing, then `run_tui`) or through `run_tui` alone, and reads the clock from just
before the process is spawned to:
  - the first frame: the home screen painted (deck tree still filling in);
  - the deck tree with its new / learning / due counts painted.
Also timed: a bare interpreter (`python -c pass`), the floor under both; and, in this process, the
study screen answering a card and showing the next (`StudyScreen.action_rate`).

Run: .venv/bin/python benchmarks/tui_startup.py [--cards 100000] [--runs 7] [--answers 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import build_collection  # noqa: E402

# Runs in the child: the `flashapp` entry point with `App.run` made headless, plus an autopilot that
# notes when frames are painted (`call_after_refresh` fires once a refresh has been drawn).
HARNESS = textwrap.dedent(
    """
    import asyncio, json, sys, time

    from flashapp.tui.app import FlashApp

    marks = {}
    run = FlashApp.run

    async def watch(pilot):
        app = pilot.app
        loop = asyncio.get_running_loop()

        async def painted():
            done = loop.create_future()
            app.call_after_refresh(lambda: done.set_result(time.monotonic_ns()))
            return await done

        marks["first_frame"] = await painted()
        while not (app.collection_ready and app.screen.query_one("#decks").row_count):
            await asyncio.sleep(0.001)
        marks["deck_tree"] = await painted()
        app.exit()

    FlashApp.run = lambda self, **kwargs: run(self, headless=True, size=(100, 32), auto_pilot=watch)

    if sys.argv[2] == "cli":
        from flashapp.cli.main import main

        main(["--db", sys.argv[1]])
    else:
        from flashapp.tui.run import run_tui

        run_tui(sys.argv[1])
    marks["torch"] = "torch" in sys.modules
    print(json.dumps(marks))
    """
)


def spawn(args: list[str]) -> tuple[int, str]:
    """(monotonic ns just before spawning, stdout)."""
    start = time.monotonic_ns()
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{result.stderr}")
    return start, result.stdout


def answer_times(path: Path, deck: str, answers: int) -> list[float]:
    """ms for `StudyScreen.action_rate`: the answer's transaction, the next card read and rendered."""
    import asyncio
    from datetime import UTC

    from flashapp.store.collection import Collection
    from flashapp.tui.app import make_app

    async def study() -> list[float]:
        samples = []
        with Collection.open(path, tz=UTC) as collection:
            app = make_app(collection)
            async with app.run_test(size=(100, 32)) as pilot:
                app.screen.query_one("#decks").move_to(deck)
                await pilot.press("enter")
                await pilot.pause()
                screen = app.screen
                for _ in range(answers):
                    await pilot.press("space")
                    await pilot.pause()
                    start = time.perf_counter()
                    await screen.action_rate(3)
                    samples.append((time.perf_counter() - start) * 1000)
        return samples

    return asyncio.run(study())


ENTRIES = {
    "cli": "`flashapp --db FILE` (the console script's path)",
    "tui": "`run_tui(FILE)` (the TUI's own path, without the CLI's imports)",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--answers", type=int, default=30)
    args = parser.parse_args()
    first: dict[str, list[float]] = {entry: [] for entry in ENTRIES}
    decks: dict[str, list[float]] = {entry: [] for entry in ENTRIES}
    bare: list[float] = []
    torch_seen = False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build_collection(path, cards=args.cards).close()
        spawn([sys.executable, "-c", HARNESS, str(path), "cli"])  # warm the file cache and .pyc files
        for _ in range(args.runs):  # interleaved, so a busy moment of the machine hits both alike
            for entry in ENTRIES:
                start, out = spawn([sys.executable, "-c", HARNESS, str(path), entry])
                marks = json.loads(out.strip().splitlines()[-1])
                first[entry].append((marks["first_frame"] - start) / 1e6)
                decks[entry].append((marks["deck_tree"] - start) / 1e6)
                torch_seen |= marks["torch"]
            start = time.monotonic_ns()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append((time.monotonic_ns() - start) / 1e6)
        answers = answer_times(path, "Bench::Deck 03", args.answers)

    load = os.getloadavg()[0]
    print(f"TUI start-up: {args.cards:,} cards over 20 decks, headless 100x32, {args.runs} runs,")
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at the end\n")
    print("| from process start to | entry | median ms | min ms | max ms |")
    print("|---|---|---:|---:|---:|")
    for label, samples in (("first frame (home screen)", first), ("deck tree with counts", decks)):
        for entry, description in ENTRIES.items():
            row = samples[entry]
            median, low, high = statistics.median(row), min(row), max(row)
            print(f"| {label} | {description} | {median:.0f} | {low:.0f} | {high:.0f} |")
    print(
        f"| interpreter start and exit | `python -c pass` | {statistics.median(bare):.0f} | {min(bare):.0f} "
        f"| {max(bare):.0f} |"
    )
    print(f"\ntorch imported: {'YES' if torch_seen else 'no'}\n")
    print("| study screen, one deck of the same collection | median ms | max ms |")
    print("|---|---:|---:|")
    print(
        f"| answer a card, show the next ({len(answers)} answers) | {statistics.median(answers):.1f} "
        f"| {max(answers):.1f} |"
    )
    if torch_seen:
        raise SystemExit("the TUI imported torch")


if __name__ == "__main__":
    main()
