"""The study screen's hot path at 100k cards: press an answer key, the answer is stored and the next
card is on screen (rendered). Drives the real app headless (Textual's Pilot) on a synthetic collection.

Run: .venv/bin/python benchmarks/study_screen.py [--cards 100000] [--answers 150]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import NOW, build_collection  # noqa: E402

from flashapp.store.collection import Collection  # noqa: E402
from flashapp.tui.app import make_app  # noqa: E402
from flashapp.tui.screens.study import StudyScreen  # noqa: E402


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


async def measure(collection: Collection, clock: Clock, deck: str, answers: int) -> list[float]:
    app = make_app(collection)
    samples: list[float] = []
    async with app.run_test(size=(100, 32)) as pilot:
        app.screen.query_one("#decks").move_to(deck)
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        ratings = "3314"
        for i in range(answers):
            if study.card is None:
                break
            await pilot.press("space")
            await pilot.pause()
            clock.now += timedelta(seconds=5)
            shown = study.card.id
            start = time.perf_counter()
            await pilot.press(ratings[i % len(ratings)])
            await pilot.pause()  # the next card shown and the screen refreshed
            samples.append(time.perf_counter() - start)
            assert study.card is None or study.card.id != shown or study.waiting
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build_collection(path, cards=args.cards).close()
        clock = Clock()
        with Collection.open(path, clock=clock, tz=UTC) as collection:
            samples = asyncio.run(measure(collection, clock, "Bench::Deck 05", args.answers))
    ms = [s * 1000 for s in samples]
    print(f"study screen, {args.cards} cards: answer + next card shown, {len(ms)} answers: "
          f"median {statistics.median(ms):.1f} ms, p90 {sorted(ms)[int(len(ms) * 0.9)]:.1f} ms, "
          f"max {max(ms):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
