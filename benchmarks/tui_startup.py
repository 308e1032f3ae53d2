"""TUI start-up on a 100,000-card collection (budget: the deck tree with its counts under 0.5 s from
process start, torch not imported).

Each run starts a fresh interpreter, headless at 100x32, either through the `flashapp` console script
(`.venv/bin/flashapp`, what `make run` starts: argument parsing, then `run_tui`) or through `run_tui`
alone, and reads the clock (monotonic, shared by the processes) from just before the process is
spawned to the points below. The harness imports nothing of the app itself: the app's classes are
timed as the entry imports them, so the entry's own order of work is what is measured (`run_tui`
starts the counts' thread before it imports Textual). The points:
  - the imports done: the entry calls `App.run`;
  - the first frame: the home screen painted;
  - the deck tree with its new / learning / due counts painted, whatever read them: on an SQLite
    collection at the current schema, `sqlite3` alone (`run.direct_deck_counts`, in a thread that
    `run_tui` starts before the app's imports, so normally the first frame already has them), before
    the collection is open;
  - the collection open: the store imported and the file opened (in a thread, after those counts);
  - the deck tree painted with the `Collection`'s counts.
In between, measured in the process: the first counts through `sqlite3` (`direct_deck_counts`: its
imports, opening the file, the count query; wall and the thread's own CPU, and when they were ready
from process start), the `Collection`'s count query (`HomeScreen.refresh_decks` without the tree's
own work), building the tree's rows, and the render (from the `Collection`'s counts read to the frame
painted).
Also timed, in the same runs (interleaved, so a busy machine weighs on all alike): a bare interpreter
(`python -c pass`), the floor under everything; a bare Textual app (one `Static`) and a Textual app
with the home screen's widgets alone (`Header`, a `DataTable` of 21 rows, `Footer`), the floor of the
first frame; and, in this process, the study screen answering a card and showing the next
(`StudyScreen.action_rate`).

Run: .venv/bin/python benchmarks/tui_startup.py [--cards 100000] [--runs 7] [--answers 30] [--db FILE]
To measure another tree (before and after a change), run from that tree's folder with it first on the
path: `cd /path/to/other && PYTHONPATH=$PWD python /path/to/this/benchmarks/tui_startup.py ...` (the
children are `python -c`, which puts the working folder ahead of PYTHONPATH).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import build_collection  # noqa: E402

# Runs in the child: the `flashapp` entry point with `App.run` made headless, the frames the app
# paints noted as they are handed to the (headless) display, and the phases in between timed.
HARNESS = textwrap.dedent(
    """
    import json, os, sys, time

    # Nothing of the app is imported here: each module is patched as the entry itself imports it (a
    # finder ahead of the others), so the entry's own order is what is timed: `run_tui` starts the
    # counts' thread before it imports Textual, as it does on a user's terminal.
    marks = {}

    def timed(name, function):  # wall, the calling thread's CPU, the process's CPU
        def wrapper(*args, **kwargs):
            start, cpu, process = time.monotonic_ns(), time.thread_time_ns(), time.process_time_ns()
            try:
                return function(*args, **kwargs)
            finally:
                end = (time.monotonic_ns(), time.thread_time_ns(), time.process_time_ns())
                marks.setdefault(name, []).append((start, end[0], cpu, end[1], process, end[2]))
        return wrapper

    def patch_app(module):
        FlashApp = module.FlashApp
        run, display = FlashApp.run, FlashApp._display

        def noted_display(self, screen, renderable):  # each frame the compositor produced
            if renderable is not None:
                mark = (time.monotonic_ns(), time.process_time_ns())
                marks.setdefault("first_frame", mark)
                tree = screen.query("#decks")
                if "first_counts" not in marks and tree and tree.first().row_count:
                    marks["first_counts"] = mark
                if "deck_tree" not in marks and self.collection_ready and tree and tree.first().row_count:
                    marks["deck_tree"] = mark
            display(self, screen, renderable)

        async def watch(pilot):
            import asyncio

            while "deck_tree" not in marks:
                await asyncio.sleep(0.001)
            pilot.app.exit()

        def headless_run(self, **kwargs):
            # everything the entry imports is in by now: the app starts
            marks["run"] = (time.monotonic_ns(), time.process_time_ns())
            return run(self, headless=True, size=(100, 32), auto_pilot=watch)

        FlashApp.run = headless_run
        FlashApp._display = noted_display
        FlashApp._opened = timed("opened", FlashApp._opened)  # the store imported, the collection open

    def patch_home(module):  # the Collection's counts read and shown
        module.HomeScreen.refresh_decks = timed("refresh_decks", module.HomeScreen.refresh_decks)

    def patch_tree(module):  # the tree's rows built from the counts
        module.DeckTree.show_decks = timed("show_decks", module.DeckTree.show_decks)

    def patch_run(module):
        # the counts through sqlite3 before the collection is open (run_tui looks the function up per
        # call; a tree without it, measured for comparison, has none)
        if hasattr(module, "direct_deck_counts"):
            module.direct_deck_counts = timed("direct", module.direct_deck_counts)

    PATCHES = {
        "flashapp.tui.app": patch_app,
        "flashapp.tui.screens.home": patch_home,
        "flashapp.tui.widgets.deck_tree": patch_tree,
        "flashapp.tui.run": patch_run,
    }

    class PatchOnImport:
        @staticmethod
        def find_spec(name, path, target=None):
            if name not in PATCHES:
                return None
            from importlib.machinery import PathFinder

            spec = PathFinder.find_spec(name, path, target)
            exec_module = spec.loader.exec_module

            def exec_and_patch(module):
                exec_module(module)
                PATCHES[name](module)

            spec.loader.exec_module = exec_and_patch
            return spec

    sys.meta_path.insert(0, PatchOnImport)

    if sys.argv[2] == "cli":
        # the console script itself (`.venv/bin/flashapp`, what `make run` starts), as pip wrote it
        script = os.path.join(os.path.dirname(sys.executable), "flashapp")
        sys.argv = [script, "--db", sys.argv[1]]
        with open(script, "rb") as file:
            code = compile(file.read(), script, "exec")
        try:
            exec(code, {"__name__": "__main__"})
        except SystemExit:
            pass
    else:
        from flashapp.tui.run import run_tui

        run_tui(sys.argv[1])
    marks["torch"] = "torch" in sys.modules
    print(json.dumps(marks))
    """
)

# The floor of the first frame, run in the same way: a bare Textual app (`bare`: one `Static`) and one
# with the home screen's widgets alone (`widgets`: `Header`, a `DataTable` of 21 rows, `Footer`).
BARE_HARNESS = textwrap.dedent(
    """
    import json, sys, time

    from textual.app import App
    from textual.widgets import DataTable, Footer, Header, Static

    marks = {}

    class Bare(App):
        def compose(self):
            if sys.argv[1] == "bare":
                yield Static("flashapp")
            else:
                yield Header()
                yield DataTable(id="decks", cursor_type="row")
                yield Footer()

        def on_mount(self):
            if sys.argv[1] != "bare":
                table = self.query_one(DataTable)
                table.add_columns("Deck", "New", "Learn", "Due")
                for deck in range(21):
                    table.add_row(f"Deck {deck:02d}", "20", "3", "150")

        def _display(self, screen, renderable):
            if renderable is not None and "first_frame" not in marks:
                marks["first_frame"] = (time.monotonic_ns(), time.process_time_ns())
                self.exit()
            super()._display(screen, renderable)

    marks["run"] = (time.monotonic_ns(), time.process_time_ns())
    Bare().run(headless=True, size=(100, 32))
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


# The sqlite3 path's parts, apart, in a fresh interpreter with nothing else loaded: its imports, opening
# the file (pragmas, the schema check), and the count query (`deck_rows`: `store.counts.deck_counts`).
DIRECT_HARNESS = textwrap.dedent(
    """
    import json, sys, time

    def clock():
        return time.monotonic_ns(), time.thread_time_ns()

    def span(start, end):
        return (end[0] - start[0]) / 1e6, (end[1] - start[1]) / 1e6

    marks = [clock()]
    from flashapp.core.scheduling.zone import user_zone
    from flashapp.store.direct.connection import direct_or_none
    from flashapp.store.direct.deck_tree import deck_rows
    from datetime import UTC, datetime
    marks.append(clock())
    direct = direct_or_none(sys.argv[1], user_zone())
    marks.append(clock())
    with direct:
        decks = deck_rows(direct, datetime.now(UTC))
    marks.append(clock())
    assert decks, "no decks counted"
    print(json.dumps({"direct_imports": span(*marks[0:2]), "direct_open": span(*marks[1:3]),
                      "direct_query": span(*marks[2:4])}))
    """
)

ENTRIES = {
    "cli": "`flashapp --db FILE` (the console script's path)",
    "tui": "`run_tui(FILE)` (the TUI's own path, without the CLI's imports)",
}
BARE_ENTRIES = {
    "bare": "bare Textual app (one `Static`)",
    "widgets": "Textual app with the home screen's widgets (`Header`, 21-row `DataTable`, `Footer`)",
}


PHASES = {
    # name: (row label, from process start?)
    "imports": ("imports done, the app starting (`App.run` called)", True),
    "first_frame": ("first frame (home screen)", True),
    "app_start": ("from `App.run` to the first frame (CSS, compose, layout, render), ms", False),
    "direct": ("first counts through sqlite3 (`direct_deck_counts`, own thread), ms, CPU: its thread", False),
    "direct_done": ("first counts through sqlite3 read (in their thread)", True),
    "direct_imports": ("  of which the sqlite3 path's imports (alone in a fresh interpreter), ms", False),
    "direct_open": ("  of which opening the file (pragmas, schema check), ms", False),
    "direct_query": ("  of which the count query (`deck_rows`), ms", False),
    "first_counts": ("deck tree with counts painted (the first useful frame)", True),
    "opened": ("collection open (store imported in a thread, file opened)", True),
    "counts": ("the Collection's count query (`deck_counts` + today's figures), ms in-process", False),
    "tree": ("deck tree rows built from the Collection's counts, ms in-process", False),
    "render": ("from the Collection's counts read to the tree painted, ms", False),
    "deck_tree": ("deck tree painted with the Collection's counts (collection open)", True),
}


def app_start(marks: dict) -> tuple[float, float]:
    """From `App.run` called to the first frame: wall ms, CPU ms of the process."""
    return (
        (marks["first_frame"][0] - marks["run"][0]) / 1e6,
        (marks["first_frame"][1] - marks["run"][1]) / 1e6,
    )


def phases(marks: dict, start: int) -> dict[str, tuple[float, float]]:
    """(wall ms, CPU ms of the process) per phase of one run (see PHASES); a phase from process start
    counts the process's CPU from its start (interpreter start-up included)."""
    opened_start, _, _, _, opened_cpu, _ = marks["opened"][0]
    refresh = next(span for span in marks["refresh_decks"] if span[0] >= opened_start)
    tree = next(span for span in marks["show_decks"] if span[0] >= refresh[0])

    def since_start(mark: tuple[int, int]) -> tuple[float, float]:
        return (mark[0] - start) / 1e6, mark[1] / 1e6

    def span_ms(span) -> tuple[float, float]:  # wall, the thread's CPU
        return (span[1] - span[0]) / 1e6, (span[3] - span[2]) / 1e6

    counts_wall, counts_cpu = (a - b for a, b in zip(span_ms(refresh), span_ms(tree), strict=True))
    direct = marks["direct"][0] if "direct" in marks else (0,) * 6  # none when not the TUI's path
    return {
        "imports": since_start(marks["run"]),
        "first_frame": since_start(marks["first_frame"]),
        "app_start": app_start(marks),
        "direct": span_ms(direct),
        "direct_done": ((direct[1] - start) / 1e6, float("nan")),  # that thread's CPU: the row above
        "first_counts": since_start(marks["first_counts"]),
        "opened": since_start((opened_start, opened_cpu)),
        "counts": (counts_wall, counts_cpu),
        "tree": span_ms(tree),
        "render": ((marks["deck_tree"][0] - refresh[1]) / 1e6, (marks["deck_tree"][1] - refresh[5]) / 1e6),
        "deck_tree": since_start(marks["deck_tree"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--answers", type=int, default=30)
    parser.add_argument("--db", type=Path, help="a collection built by synthetic.py (copied, not changed)")
    args = parser.parse_args()
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {
        entry: {phase: [] for phase in PHASES} for entry in ENTRIES | BARE_ENTRIES
    }
    bare: list[float] = []
    torch_seen = False
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        if args.db is not None:
            shutil.copy(args.db, path)
        else:
            build_collection(path, cards=args.cards).close()
        spawn([sys.executable, "-c", HARNESS, str(path), "cli"])  # warm the file cache and .pyc files
        spawn([sys.executable, "-c", BARE_HARNESS, "widgets"])
        for _ in range(args.runs):  # interleaved, so a busy moment of the machine hits all alike
            for entry in ENTRIES:
                start, out = spawn([sys.executable, "-c", HARNESS, str(path), entry])
                marks = json.loads(out.strip().splitlines()[-1])
                for phase, value in phases(marks, start).items():
                    samples[entry][phase].append(value)
                torch_seen |= marks["torch"]
            for entry in BARE_ENTRIES:
                start, out = spawn([sys.executable, "-c", BARE_HARNESS, entry])
                marks = json.loads(out.strip().splitlines()[-1])
                samples[entry]["imports"].append(((marks["run"][0] - start) / 1e6, marks["run"][1] / 1e6))
                frame = marks["first_frame"]
                samples[entry]["first_frame"].append(((frame[0] - start) / 1e6, frame[1] / 1e6))
                samples[entry]["app_start"].append(app_start(marks))
            _, out = spawn([sys.executable, "-c", DIRECT_HARNESS, str(path)])
            for phase, value in json.loads(out.strip().splitlines()[-1]).items():
                samples["tui"][phase].append(tuple(value))
            start = time.monotonic_ns()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append((time.monotonic_ns() - start) / 1e6)
            loads.append(os.getloadavg()[0])
        answers = answer_times(path, "Bench::Deck 03", args.answers) if args.answers else []

    cards = f"{args.cards:,} cards" if args.db is None else f"the collection {args.db.name}"
    print(f"TUI start-up: {cards}, headless 100x32, {args.runs} runs, {os.cpu_count()} CPUs,")
    print(f"load average {min(loads):.1f} to {max(loads):.1f} during the runs\n")
    print("| phase | entry | median ms | min ms | max ms | CPU ms (median) |")
    print("|---|---|---:|---:|---:|---:|")
    for phase, (label, _from_start) in PHASES.items():
        for entry, description in (ENTRIES | BARE_ENTRIES).items():
            if not samples[entry][phase]:
                continue
            row = [wall for wall, _ in samples[entry][phase]]
            cpu = statistics.median(cpu for _, cpu in samples[entry][phase])
            median, low, high = statistics.median(row), min(row), max(row)
            cpu_text = "–" if cpu != cpu else f"{cpu:.0f}"  # NaN: not measured for that row
            print(f"| {label} | {description} | {median:.0f} | {low:.0f} | {high:.0f} | {cpu_text} |")
    print(
        f"| interpreter start and exit | `python -c pass` | {statistics.median(bare):.0f} | {min(bare):.0f} "
        f"| {max(bare):.0f} | |"
    )
    print(f"\ntorch imported: {'YES' if torch_seen else 'no'}")
    if answers:
        print("\n| study screen, one deck of the same collection | median ms | max ms |")
        print("|---|---:|---:|")
        print(
            f"| answer a card, show the next ({len(answers)} answers) | {statistics.median(answers):.1f} "
            f"| {max(answers):.1f} |"
        )
    if torch_seen:
        raise SystemExit("the TUI imported torch")


if __name__ == "__main__":
    main()
