"""The practice test's and Learn mode's hot path: a key answers a question (or, in Learn, Enter leaves
the feedback) and the next question is on screen. Drives the real app headless at 100x32 on a deck of
short answers (`--cards`, 100 by default; some of them Markdown, a reversed and a type-in card).

Each key is handed to the app as a terminal's driver does, and timed to the last frame Textual paints
before the app goes idle ("settled": the next question, its progress line, the footer keys); "CPU" is
the process time over the same span. Pilot's waits are outside both figures.
  - test:  a whole practice test of every card, all question types, answered right and wrong in turn;
           the key that answers a question to the next question settled;
  - learn: Learn rounds until `--learn-answers` answers: the answer key to its feedback settled, and
           Enter on the feedback to the next question settled.

Run: .venv/bin/python benchmarks/practice_screens.py [--cards 100] [--learn-answers 60] [--profile N]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from study_screen import print_profile, summary  # the same figures as the study screen's
from textual import events
from textual._wait import wait_for_idle
from textual.widgets import Input

from flashapp.core.practice.questions import PracticeSettings, Question
from flashapp.store.collection import Collection
from flashapp.tui.app import make_app
from flashapp.tui.practice_messages import PracticeStart
from flashapp.tui.screens.learn import LearnScreen
from flashapp.tui.screens.practice_review import PracticeReviewScreen
from flashapp.tui.screens.practice_setup import PracticeSetupScreen
from flashapp.tui.screens.practice_test import PracticeTestScreen

DECK = "Bench::Practice"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def deck_file(cards: int) -> str:
    """A deck of `cards` short answers: every third one in Markdown, one reversed, one type-in."""
    lines = [f'[deck]\nname = "{DECK}"\n']
    for i in range(cards):
        lines.append(f'[[cards]]\nid = "c{i}"')
        if i == 1:
            lines.append('kind = "reversed"')
        elif i == 2:
            lines.append('kind = "type-in"')
        front = f"Which word goes with clue number {i} of the bench deck?"
        back = f"**word{i}**" if i % 3 == 0 else f"word{i}"
        lines.append(f'front = "{front}"\nback = "{back}"\n')
    return "\n".join(lines)


@dataclass
class Samples:
    settled: list[float] = field(default_factory=list)  # ms, key to the last frame before idle
    cpu: list[float] = field(default_factory=list)  # ms of process time, key to settled
    kinds: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        return (
            f"  {name} ({len(self.cpu)} keys)\n"
            f"    wall, key to settled, ms: {summary(self.settled)}\n"
            f"    CPU, key to settled, ms:  {summary(self.cpu)}"
        )


class Timed:
    """Sends keys to the app as its driver would and times them to the last frame painted."""

    def __init__(self, app, pilot, profile: cProfile.Profile | None) -> None:
        self.app, self.pilot, self.profile = app, pilot, profile
        self.frames: list[tuple[float, float]] = []
        display = app._display

        def noted_display(screen, renderable):
            if renderable is not None:
                self.frames.append((time.perf_counter(), time.process_time()))
            display(screen, renderable)

        app._display = noted_display

    async def press(self, key: str, samples: Samples, kind: str) -> None:
        self.frames.clear()
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(self.app)
        if self.profile is not None:
            self.profile.enable()
        start, start_cpu = time.perf_counter(), time.process_time()
        self.app._driver.send_message(event)
        await wait_for_idle(0)
        await self.pilot.pause()
        if self.profile is not None:
            self.profile.disable()
        if not self.frames:
            raise SystemExit(f"no frame was painted after {key!r}")
        samples.settled.append((self.frames[-1][0] - start) * 1000)
        samples.cpu.append((self.frames[-1][1] - start_cpu) * 1000)
        samples.kinds.append(kind)


def answer_key(screen, question: Question, right: bool) -> list[str]:
    """The keys that answer `question` (a written answer is put in its field first); the last one
    is the one timed."""
    if question.kind == "multiple_choice":
        index = question.correct_option if right else (question.correct_option + 1) % len(question.options)
        return [str(index + 1)]
    if question.kind == "true_false":
        return ["t" if (question.answer == "true") == right else "f"]
    if question.kind in ("written", "computed"):
        screen.query_one("#written", Input).value = question.answer if right else "no idea"
        return ["enter"]
    letters = "abcdefgh"
    keys = [letters[question.choices.index(answer)] for _, answer in question.pairs]
    if not right:
        keys[0], keys[1] = keys[1], keys[0]
    return [*keys, "enter"]


async def until(pilot, ready, tries: int = 1000) -> None:
    for _ in range(tries):
        if ready():
            return
        await pilot.pause(0.01)
    raise SystemExit(f"the app did not get there; the screen is {pilot.app.screen!r}")


async def practice_test(collection: Collection, cards: int, profile) -> Samples:
    samples = Samples()
    settings = PracticeSettings(count=cards, seed=11)
    app = make_app(collection, start=PracticeStart("test", DECK, settings))
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PracticeSetupScreen))
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PracticeTestScreen) and app.screen.questions)
        await pilot.pause()
        test = app.screen
        timed = Timed(app, pilot, profile)
        for index, question in enumerate(test.questions):
            assert test.index == index
            *before, last = answer_key(test, question, right=index % 3 != 2)
            if before:
                await pilot.press(*before)
            await timed.press(last, samples, question.kind)
        assert isinstance(app.screen, PracticeReviewScreen)
        samples.settled.pop(), samples.cpu.pop(), samples.kinds.pop()  # the last opens the review page
    return samples


async def learn(collection: Collection, answers: int, profile) -> tuple[Samples, Samples]:
    feedback, following = Samples(), Samples()
    app = make_app(collection, start=PracticeStart("learn", DECK))
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LearnScreen) and app.screen.session is not None)
        await pilot.pause()
        screen = app.screen
        timed = Timed(app, pilot, profile)
        for i in range(answers):
            if screen.phase == "round":
                await pilot.press("enter")
            if screen.phase != "question":
                break
            question = screen.session.question()
            *before, last = answer_key(screen, question, right=i % 4 != 3)
            if before:
                await pilot.press(*before)
            await timed.press(last, feedback, question.kind)
            assert screen.phase == "feedback"
            if screen.session.round_over:
                await pilot.press("enter")  # the round's summary: not a next question
            else:
                await timed.press("enter", following, screen.session.question().kind)
                assert screen.phase == "question"
    return feedback, following


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100)
    parser.add_argument("--learn-answers", type=int, default=60)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        deck = Path(folder) / "bench.toml"
        deck.write_text(deck_file(args.cards), encoding="utf-8")
        with Collection.open(path, shipped_decks=False, clock=lambda: NOW, tz=UTC, fuzz=False) as collection:
            collection.import_paths([deck], backup=False)
            test = asyncio.run(practice_test(collection, args.cards, profile))
            feedback, following = asyncio.run(learn(collection, args.learn_answers, profile))
    print(f"practice screens, a {args.cards}-card deck, headless 100x32, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(test.line("test: answer key to the next question"))
    for kind in sorted(set(test.kinds)):
        cpu = [c for c, k in zip(test.cpu, test.kinds, strict=True) if k == kind]
        print(f"      {kind:16} CPU ms: {summary(cpu)}")
    print(feedback.line("learn: answer key to its feedback"))
    print(following.line("learn: Enter on the feedback to the next question"))
    print_profile(profile, args.profile)


if __name__ == "__main__":
    main()
