"""The study screen's hot path at 100k cards: press an answer key, the answer is stored and the next
card is on screen (rendered). Drives the real app headless on a synthetic collection.

Each answer is timed from the moment the key event is handed to the app (as a terminal's driver does)
to the frames Textual paints for it, read from the app's display calls:
  - "next card painted": the first frame painted once the screen holds the next card;
  - "settled": the last frame painted before the app goes idle (footer keys, counts, everything).
Pilot's own waits (`press` and `pause` each sleep until the process has been idle for 20 ms) are
outside both figures: they are how the script knows the app is done, not part of the app's work.
"CPU" is the process time spent from the key to the settled frame. The reveal before each answer
(space) is timed the same way and shown on a line of its own.

Run: .venv/bin/python benchmarks/study_screen.py [--cards 100000] [--answers 150] [--db FILE]
     [--profile N]   (cProfile over the answers; prints the N costliest functions)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import NOW, build_collection  # noqa: E402
from textual import events  # noqa: E402
from textual._wait import wait_for_idle  # noqa: E402

from flashapp.store.collection import Collection  # noqa: E402
from flashapp.tui.app import make_app  # noqa: E402
from flashapp.tui.screens.study import StudyScreen  # noqa: E402

RATINGS = "3314"


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@dataclass
class Samples:
    painted: list[float] = field(default_factory=list)  # ms, key to the next card's first frame
    settled: list[float] = field(default_factory=list)  # ms, key to the last frame before idle
    cpu: list[float] = field(default_factory=list)  # ms of process time, key to settled
    reveal_cpu: list[float] = field(default_factory=list)  # ms of process time, space to settled


async def measure(
    collection: Collection, clock: Clock, deck: str, answers: int, profile: cProfile.Profile | None
) -> Samples:
    app = make_app(collection)
    samples = Samples()
    frames: list[tuple[float, float, int | None]] = []  # (wall, cpu, card id on screen) per frame
    async with app.run_test(size=(100, 32)) as pilot:
        display = app._display

        def noted_display(screen, renderable):  # every frame the compositor produced
            if renderable is not None:
                card = getattr(screen, "card", None)
                frames.append((time.perf_counter(), time.process_time(), card.id if card else None))
            display(screen, renderable)

        app._display = noted_display
        app.screen.query_one("#decks").move_to(deck)
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        for i in range(answers):
            if study.card is None:
                break
            frames.clear()
            reveal = events.Key("space", " ")
            reveal.set_sender(app)
            start_cpu = time.process_time()
            app._driver.send_message(reveal)
            await wait_for_idle(0)
            await pilot.pause()
            assert study.revealed and frames
            samples.reveal_cpu.append((frames[-1][1] - start_cpu) * 1000)
            clock.now += timedelta(seconds=5)
            shown = study.card.id
            frames.clear()
            key = RATINGS[i % len(RATINGS)]
            event = events.Key(key, key)
            event.set_sender(app)
            if profile is not None:
                profile.enable()
            start, start_cpu = time.perf_counter(), time.process_time()
            app._driver.send_message(event)
            await wait_for_idle(0)
            await pilot.pause()
            if profile is not None:
                profile.disable()
            assert study.card is None or study.card.id != shown or study.waiting
            new_card = study.card.id if study.card else None
            painted = [wall for wall, _, card in frames if card == new_card]
            if not painted:
                raise SystemExit("no frame was painted after an answer")
            samples.painted.append((painted[0] - start) * 1000)
            samples.settled.append((frames[-1][0] - start) * 1000)
            samples.cpu.append((frames[-1][1] - start_cpu) * 1000)
    return samples


def summary(values: list[float]) -> str:
    if not values:
        return "(none)"
    ordered = sorted(values)
    return (
        f"median {statistics.median(ordered):6.1f}  p90 {ordered[int(len(ordered) * 0.9)]:6.1f}  "
        f"max {ordered[-1]:6.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=150)
    parser.add_argument("--db", type=Path, help="a collection built by synthetic.py (copied, not changed)")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        if args.db is not None:
            shutil.copy(args.db, path)
        else:
            build_collection(path, cards=args.cards).close()
        clock = Clock()
        with Collection.open(path, clock=clock, tz=UTC) as collection:
            samples = asyncio.run(measure(collection, clock, "Bench::Deck 05", args.answers, profile))
    cards = f"{args.cards:,} cards" if args.db is None else str(args.db)
    print(f"study screen, {cards}, {len(samples.settled)} answers, headless 100x32, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"  key to next card painted, ms: {summary(samples.painted)}")
    print(f"  key to settled screen, ms:    {summary(samples.settled)}")
    print(f"  CPU time, key to settled, ms: {summary(samples.cpu)}")
    print(f"  the reveal before it (space), CPU time to settled, ms: {summary(samples.reveal_cpu)}")
    slowest = max(range(len(samples.cpu)), key=samples.cpu.__getitem__)
    others = samples.cpu[:slowest] + samples.cpu[slowest + 1 :]
    print(f"  the slowest answer (CPU) is answer {slowest + 1}; without it: {summary(others)}")
    print_profile(profile, args.profile)


def print_profile(profile: cProfile.Profile | None, lines: int) -> None:
    """The `--profile N` lines by cumulative time; also saved to $PROFILE_DUMP when that is set."""
    if profile is None:
        return
    pstats.Stats(profile).sort_stats("cumulative").print_stats(lines)
    if os.environ.get("PROFILE_DUMP"):
        profile.dump_stats(os.environ["PROFILE_DUMP"])


if __name__ == "__main__":
    main()
