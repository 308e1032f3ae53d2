"""Concept demos in the TUI, driven by Pilot: `r` on a runnable card, running and rerunning a demo,
refusing bad parameters, stopping a training demo, the cache, saving figures, the Concept demos list,
and torch staying out until the first run."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Static
from textual.worker import WorkerState

from flashapp.store.collection import Collection
from flashapp.tui.app import make_app
from flashapp.tui.commands import FlashCommands
from flashapp.tui.screens.concepts import ConceptsScreen
from flashapp.tui.screens.demo import DemoScreen
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.study import StudyScreen

RUNNABLE_DECK = """\
[deck]
name = "Runnable"

[[cards]]
id = "cross"
front = "Cross-attention: where do Q, K and V come from?"
back = "Q from the target sequence, K and V from the source sequence."
demo = "attention.cross"
params = { n = 3, m = 5, d = 4 }

[[cards]]
id = "plain"
front = "A card with nothing to run"
back = "Right."
"""


@pytest.fixture
def runnable_collection(db_path, clock, deck_collection_template):
    """The runnable deck: a copy of a collection it was imported into once per test process."""
    shutil.copyfile(deck_collection_template(RUNNABLE_DECK), db_path)
    with Collection.open(db_path, shipped_decks=False, clock=clock, tz=UTC, fuzz=False) as collection:
        yield collection


def shown(screen, selector: str) -> str:
    """The plain text of a Static (unwrapped, unlike the screen)."""
    return str(screen.query_one(selector, Static).content)


def footer_keys(screen) -> set[str]:
    return {key for key, active in screen.active_bindings.items() if active.enabled and active.binding.show}


async def wait_for(pilot, condition, timeout: float = 60.0) -> None:
    """Let the app run until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def engine_returned(pilot, demo: DemoScreen, timeout: float = 60.0) -> None:
    """Wait until the demo's engine thread has returned (`engine_idle`: a first run also imports torch),
    then until the app has handled what it posted (the run's result, failure or stop)."""
    assert await asyncio.to_thread(demo.engine_idle.wait, timeout), f"the engine ran past {timeout} s"
    await pilot.pause()


async def figures_saved(pilot, timeout: float = 30.0) -> None:
    """Wait until the `s` key's saving thread has returned and the app has shown what it saved."""
    saving = [worker for worker in pilot.app.workers if worker.group == "save"]
    assert saving, "no figures are being saved"
    await asyncio.wait_for(pilot.app.workers.wait_for_complete(saving), timeout)
    await pilot.pause()


def hold_each_report(monkeypatch) -> threading.Event:
    """From now on, engine.run waits after each progress report until the returned event is set: a
    demo stays mid-run, its thread waiting rather than training, for as long as a test looks at it (a
    run left training spends CPU all that while, and the more the busier the machine)."""
    from engine import runner

    real, release = runner.run, threading.Event()

    def run(name, params=None, device="auto", seed=0, progress=None, cancel=None):
        def report(step: int, total: int, loss: float) -> None:
            progress(step, total, loss)
            release.wait(timeout=60)

        return real(name, params, device, seed, report if progress else None, cancel)

    monkeypatch.setattr(runner, "run", run)
    return release


async def run_demo(pilot, screen: DemoScreen) -> None:
    await pilot.press("r")
    await engine_returned(pilot, screen)  # and the screen has laid out the new panels
    assert not screen.running and screen.result is not None, shown(screen, "#demo-status")


async def test_r_opens_the_cards_demo_which_runs_and_reruns_with_a_changed_parameter(
    runnable_collection, screen_text
):
    app = make_app(runnable_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen) and study.card.info.key == "cross"
        assert "r" in footer_keys(study)
        await pilot.press("space")  # the answer is shown: r still opens the demo, and Esc comes back here
        await pilot.press("r")
        await pilot.pause()
        demo = app.screen
        assert isinstance(demo, DemoScreen) and demo.concept.name == "attention.cross"
        assert demo.query_one("#param-n", Input).value == "3"  # the card's params, pre-filled
        assert demo.query_one("#param-m", Input).value == "5"
        await run_demo(pilot, demo)
        assert demo.result.arrays["weights"].shape == (3, 5)
        first = screen_text(app)
        assert "Attention weights (3x5)" in first and "x4" in first and "y2" in first

        demo.query_one("#param-n", Input).value = "6"
        demo.query_one("#run", Button).focus()
        await run_demo(pilot, demo)
        assert demo.result.arrays["weights"].shape == (6, 5)
        assert demo.result.params["n"] == 6
        second = screen_text(app)
        assert "Attention weights (6x5)" in second and "y5" in second and second != first

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is study and study.card.info.key == "cross" and study.revealed


async def test_r_shows_only_on_cards_with_a_demo(runnable_collection):
    app = make_app(runnable_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        await pilot.press("space", "3")
        await pilot.pause()
        assert study.card.info.key == "plain"
        assert "r" not in footer_keys(study)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is study


async def test_an_invalid_parameter_is_refused_with_the_engines_message(runnable_collection):
    app = make_app(runnable_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        demo = DemoScreen("attention.cross")
        app.push_screen(demo)
        await pilot.pause()
        field = demo.query_one("#param-n", Input)
        field.value = "999"
        await pilot.pause()
        assert shown(demo, "#param-error") == "attention.cross: parameter n=999 is out of range 1..64"
        assert demo.query_one("#run", Button).disabled
        await pilot.press("r")
        await pilot.pause()
        assert demo.result is None and not demo.running
        field.value = "four"
        await pilot.pause()
        assert shown(demo, "#param-error") == "attention.cross: parameter n='four' is not an integer"
        field.value = "4"
        await pilot.pause()
        assert not demo.query_one("#run", Button).disabled

        multihead = DemoScreen("attention.multihead")
        app.push_screen(multihead)
        await pilot.pause()
        multihead.query_one("#param-d_model", Input).value = "10"
        await pilot.pause()
        assert (
            shown(multihead, "#param-error") == "attention.multihead: d_model=10 must be divisible by heads=4"
        )


async def test_reopening_a_demo_shows_the_cached_result_at_once(runnable_collection):
    app = make_app(runnable_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        first = DemoScreen("attention.masked", {"n": 4})
        app.push_screen(first)
        await pilot.pause()
        await run_demo(pilot, first)
        await pilot.press("escape")
        await pilot.pause()
        again = DemoScreen("attention.masked", {"n": 4})
        app.push_screen(again)
        await pilot.pause()
        assert again.result is first.result and not again.running
        assert "from the cache" in shown(again, "#demo-status")
        other_seed = DemoScreen("attention.masked", {"n": 4, "seed": 1})
        app.push_screen(other_seed)
        await pilot.pause()
        assert other_seed.result is None


async def test_s_saves_every_figure_as_png(runnable_collection, tmp_path):
    app = make_app(runnable_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        # random input, 2 tokens of 2 dimensions: the same two figures as the sentence's, with a
        # fraction of its labels for matplotlib to lay out (a second of drawing, not two)
        params = {"input": "random", "n": 2, "d": 2}
        demo = DemoScreen("attention.self", params, figures_dir=tmp_path / "figures")
        app.push_screen(demo)
        await pilot.pause()
        await run_demo(pilot, demo)
        assert demo.result.figures.built() == []  # the panels come from the arrays: s draws the figures
        await pilot.press("s")
        await figures_saved(pilot)
        assert demo.query_one("#demo-saved").display
        assert sorted(demo.result.figures.built()) == ["qkv", "weights"]
        saved = sorted((tmp_path / "figures").glob("*.png"))
        names = [demo.result.figure_file("qkv"), demo.result.figure_file("weights")]
        assert [path.name for path in saved] == names
        assert names[0].startswith("attention.self-qkv-") and names[0].endswith("-seed0.png")
        assert all(path.read_bytes().startswith(b"\x89PNG") for path in saved)
        assert str(tmp_path / "figures" / names[1]) in shown(demo, "#demo-saved")


async def test_cuda_is_refused_with_a_message_where_there_is_none(runnable_collection):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    app = make_app(runnable_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        demo = DemoScreen("attention.self", {"n": 3}, device="cuda")
        app.push_screen(demo)
        await pilot.pause()
        await pilot.press("r")
        await engine_returned(pilot, demo)
        assert not demo.running and demo.result is None
        assert "device 'cuda' is not available here" in shown(demo, "#demo-status")


async def test_concept_demos_from_the_deck_tree_and_the_palette(runnable_collection, screen_text):
    from engine.registry import CONCEPTS

    app = make_app(runnable_collection)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConceptsScreen)
        text = screen_text(app)
        for concept in CONCEPTS.values():
            assert concept.name in text
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DemoScreen) and app.screen.concept.name == "attention.cross"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        hits = [hit async for hit in FlashCommands(app.screen).search("concept demos")]
        assert hits[0].text == "Concept demos"
        hits[0].command()
        await pilot.pause()
        assert isinstance(app.screen, ConceptsScreen)


def test_torch_stays_out_until_the_first_run(tmp_path, deck_collection_template):
    """In a fresh process: starting the app, studying the card and opening its demo leave torch out;
    Run imports it. The child leaves as soon as the run has started importing torch (what the check is
    about): the run itself, matplotlib and the drawing are the other tests' business (in process).
    Pilot waits as in this process (pilot_waits), not for 20 ms slices of idle CPU."""
    collection_path = shutil.copyfile(deck_collection_template(RUNNABLE_DECK), tmp_path / "c.db")
    script = textwrap.dedent(
        f"""
        import asyncio, os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import pilot_waits
        import textual.app, textual.pilot
        from flashapp.store.collection import Collection
        from flashapp.tui.app import make_app
        from flashapp.tui.screens.demo import DemoScreen

        textual.app.wait_for_idle = textual.pilot.wait_for_idle = pilot_waits.wait_for_idle

        async def main():
            with Collection.open({str(collection_path)!r}, shipped_decks=False) as collection:
                app = make_app(collection)
                async with app.run_test(size=(100, 32)) as pilot:
                    await pilot.press("enter", "r")
                    await pilot.pause()
                    demo = app.screen
                    assert isinstance(demo, DemoScreen), demo
                    assert "torch" not in sys.modules, "opening the demo screen imported torch"
                    await pilot.press("r")
                    while "torch" not in sys.modules:
                        assert demo.running, "the run ended without importing torch"
                        await asyncio.sleep(0.01)
                    print("ok", flush=True)
                    os._exit(0)  # the run goes on importing torch: no need to wait for it

        asyncio.run(main())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


async def test_a_training_demo_runs_on_enter_saves_then_trains_with_progress_and_stops_on_escape(
    runnable_collection, tmp_path, monkeypatch
):
    """A short run started by Enter in a field, saved with s; then a long run of the same demo shows its
    progress, answers keys while it trains, stops on Esc (the short run's figures do not stay) and
    leaves the app as usable as before."""
    app = make_app(runnable_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        # one head on 2 digits: fewer attention maps for s to draw (the figures' count is what is checked)
        params = {"steps": 5, "batch": 8, "heads": 1, "length": 2}
        demo = DemoScreen("transformer.toy_task", params, figures_dir=tmp_path / "figs")
        app.push_screen(demo)
        await pilot.pause()
        field = demo.query_one("#param-steps", Input)
        field.focus()
        await pilot.press("enter")  # Enter in a field runs the demo
        await engine_returned(pilot, demo)
        assert not demo.running and demo.result is not None
        assert app.focused is not field  # focus left the field, so s is the Save key
        await pilot.press("s")
        await figures_saved(pilot)
        assert demo.query_one("#demo-saved").display
        assert field.value == "5" and len(list((tmp_path / "figs").glob("*.png"))) == 2

        field.value = "20000"
        demo.query_one("#demo-output").focus()
        release = hold_each_report(monkeypatch)  # the long run stays at its first report until Esc
        await pilot.press("r")
        await wait_for(pilot, lambda: demo.losses)  # a progress report with the live loss arrived
        assert demo.running and footer_keys(demo) == {"escape", "question_mark"}  # no Run, no Save meanwhile
        assert demo.active_bindings["escape"].binding.description == "Stop"
        assert "loss" in str(demo.query_one("#demo-loss").render())
        focused = app.focused
        await pilot.press("tab")  # the interface answers keys while the engine trains
        assert app.focused is not focused
        worker = demo._worker
        await pilot.press("escape")  # stopped: the figures of the earlier run must not stay
        assert not demo.running and worker.state == WorkerState.CANCELLED
        steps = len(demo.losses)
        release.set()  # the engine goes on to its next check, and stops there
        await engine_returned(pilot, demo, timeout=10)  # and whatever it posted before is handled
        assert len(demo.losses) == steps and demo.result is None
        assert not demo.query_one("#demo-panels").children
        assert "s" not in footer_keys(demo)
        assert isinstance(app.screen, DemoScreen)
        await pilot.press("escape")  # Esc again closes
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("d")  # and the app is as usable as before
        await pilot.pause()
        assert isinstance(app.screen, ConceptsScreen)
