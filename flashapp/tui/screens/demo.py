"""A concept's demo: its parameters on the left, and after Run its outputs drawn in the terminal
(heatmaps with values, line plots, scatter plots, small images), its metrics and the engine's worked
explanation. Training demos show a progress bar with the live loss; Esc stops them.

The engine runs in a thread worker and is imported there, on the first run: opening this screen does
not load torch. Results are cached by (concept, params, seed, device, engine version), so opening the
same demo again shows its outputs at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Select, Static
from textual.worker import Worker, get_current_worker

from engine.errors import ConceptError
from engine.registry import ENGINE_VERSION, get_concept, validate_params
from flashapp.demo_cache import DemoCache, DemoKey, demo_key
from flashapp.tui.screens.demo_controls import ParamControls
from flashapp.tui.screens.demo_outputs import DemoView, demo_view
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.demo_output import DemoOutput
from flashapp.tui.widgets.footer import Footer
from flashapp.tui.widgets.training_progress import TrainingProgress

if TYPE_CHECKING:
    from engine.result import DemoResult

FIGURES_ENV = "FLASHAPP_FIGURES"


def figures_folder() -> Path:
    """Where `s` saves the figures: $FLASHAPP_FIGURES, else ~/flashapp-figures."""
    return Path(os.environ.get(FIGURES_ENV) or Path.home() / "flashapp-figures").expanduser()


@dataclass
class CachedRun:
    result: DemoResult
    view: DemoView


class DemoScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    DemoScreen #demo-body { height: 1fr; }
    DemoScreen #demo-controls { width: 34; height: 1fr; padding: 1 1 0 1; border-right: tall $panel; }
    DemoScreen #demo-controls-title { text-style: bold; margin: 0 0 1 0; }
    DemoScreen #param-error { color: $text-error; height: auto; margin: 0 0 1 0; }
    DemoScreen #param-help { color: $text-muted; height: auto; margin: 0 0 1 0; }
    DemoScreen #run { width: 100%; }
    DemoScreen #demo-main { width: 1fr; height: 1fr; }
    """
    BINDINGS = [
        Binding("r", "run", "Run", id="run"),
        Binding("s", "save", "Save PNGs", id="save"),
        Binding("escape", "stop", "Stop", id="stop"),
        Binding("escape", "close", "Back", id="close"),
    ]

    running: reactive[bool] = reactive(False, bindings=True)
    has_result: reactive[bool] = reactive(False, bindings=True)
    saving: reactive[bool] = reactive(False, bindings=True)  # matplotlib draws in one thread at a time

    @dataclass
    class Progress(Message):
        run_id: int
        step: int
        total: int
        loss: float

    @dataclass
    class Finished(Message):
        run_id: int
        key: DemoKey
        run: CachedRun

    @dataclass
    class Failed(Message):
        run_id: int
        error: str

    @dataclass
    class Stopped(Message):
        run_id: int

    @dataclass
    class Saved(Message):
        paths: list[Path]
        error: str | None = None

    def __init__(
        self,
        concept: str,
        params: Mapping[str, Any] | None = None,
        *,
        device: str = "auto",
        figures_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.concept = get_concept(concept)
        try:
            self.initial = validate_params(self.concept, dict(params or {}))
            self.initial_problem = None
        except ConceptError as error:
            self.initial = self.concept.defaults()
            self.initial_problem = f"{error} (defaults shown)"
        self.device = device
        self.figures_dir = figures_dir
        self.result: DemoResult | None = None
        self._param_error = ""  # the message #param-error shows
        self._run_id = 0
        self._worker: Worker | None = None
        # Set when the last run's thread has returned (the engine stopped, whatever the outcome).
        self.engine_idle = threading.Event()
        self.engine_idle.set()

    # --- layout --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="demo-body"):
            with VerticalScroll(id="demo-controls"):
                yield Static(Content("Parameters"), id="demo-controls-title")
                yield ParamControls(self.concept, self.initial, self.device, id="params")
                yield Static(id="param-error")
                yield Static(id="param-help")
                yield Button(
                    Content.assemble("Run ", ("r", "dim")), id="run", variant="primary", compact=True
                )
            with Vertical(id="demo-main"):
                yield TrainingProgress(id="training")
                yield DemoOutput(self.concept.title, self.concept.summary, id="demo-output")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"Demo · {self.concept.name}"
        if self.initial_problem:
            self._show_param_error(self.initial_problem)
        cached = self._cache().get(self._key(self.initial, self.device))
        if cached is not None:
            self._show(cached, cached=True)
        else:
            hint = (
                "Training demo: r runs it with a progress bar, Esc stops it." if self.concept.trains else ""
            )
            self._status(Content.assemble(("r", "bold"), " (or Enter in a field) runs the demo. ", hint))
        self.query_one(DemoOutput).focus()  # arrows scroll the outputs; r, s work

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.running
        if action == "close":
            return not self.running
        if action == "save":
            return self.has_result and not self.running and not self.saving
        if action == "run":
            return not self.running and not self.saving
        return True

    # --- parameters ----------------------------------------------------------------------------------

    def _cache(self) -> DemoCache:
        cache = getattr(self.app, "demo_cache", None)
        if cache is None:
            cache = DemoCache()
            self.app.demo_cache = cache  # type: ignore[attr-defined]
        return cache

    def _key(self, params: Mapping[str, Any], device: str) -> DemoKey:
        return demo_key(self.concept.name, params, device, ENGINE_VERSION)

    def current_params(self) -> dict[str, Any]:
        """The controls' values, validated by the engine's registry (ConceptError, one line)."""
        return validate_params(self.concept, self.query_one(ParamControls).raw_values())

    def _check_params(self) -> dict[str, Any] | None:
        try:
            params = self.current_params()
        except ConceptError as error:
            self._show_param_error(str(error))
            return None
        self._show_param_error("")
        return params

    def _show_param_error(self, message: str) -> None:
        if message != self._param_error:  # every field's first Changed, on mount, checks them all again
            self._param_error = message
            self.query_one("#param-error", Static).update(Content(message))
        self.query_one("#run", Button).disabled = bool(message) or self.running

    @on(Input.Changed)
    @on(Select.Changed)
    def _param_changed(self, event: Message) -> None:
        if isinstance(event, Select.Changed) and event.select.id == "device":
            return
        self._check_params()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self.action_run()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget_id = event.widget.id or ""
        spec = (
            self.concept.param(widget_id.removeprefix("param-")) if widget_id.startswith("param-") else None
        )
        help_text = Content(f"{spec.name}: {spec.help} ({spec.allowed()})") if spec is not None else Content()
        self.query_one("#param-help", Static).update(help_text)

    # --- running -------------------------------------------------------------------------------------

    def action_run(self) -> None:
        if self.running or self.saving:
            return
        params = self._check_params()
        if params is None:
            self.app.bell()
            self.notify("Fix the parameter first", severity="error")
            return
        device = self.query_one(ParamControls).device_choice()
        key = self._key(params, device)
        cached = self._cache().get(key)
        if cached is not None:
            self._show(cached, cached=True)
            self.query_one(DemoOutput).focus()
            return
        self._run_id += 1
        self.running = True
        self.query_one("#run", Button).disabled = True
        self._status(Content.styled("Running… (the first run loads PyTorch)", "italic"))
        self.query_one(TrainingProgress).start(shown=self.concept.trains)
        self.engine_idle.clear()
        self._clear_outputs()  # the old figures belong to other parameters: s must not save them
        self.query_one(DemoOutput).focus()  # out of the field, so s saves, not types
        self._worker = self._run_engine(self._run_id, params, device, key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine")
    def _run_engine(self, run_id: int, params: dict[str, Any], device: str, key: DemoKey) -> None:
        worker = get_current_worker()
        try:
            from engine.errors import Cancelled

            try:
                from engine.runner import run  # torch, numpy and matplotlib load here, on the first run

                def progress(step: int, total: int, loss: float) -> None:
                    self.post_message(self.Progress(run_id, step, total, loss))

                result = run(
                    self.concept.name,
                    params,
                    device=device,
                    seed=int(params.get("seed", 0)),
                    progress=progress,
                    cancel=lambda: worker.is_cancelled,
                )
                view = demo_view(result)
            except Cancelled:
                self.post_message(self.Stopped(run_id))
            except ConceptError as error:
                self.post_message(self.Failed(run_id, str(error)))
            except Exception as error:  # noqa: BLE001 - shown on screen; the app keeps running
                self.post_message(self.Failed(run_id, f"{type(error).__name__}: {error}"))
            else:
                if not worker.is_cancelled:
                    self.post_message(self.Finished(run_id, key, CachedRun(result, view)))
        finally:
            self.engine_idle.set()

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        if message.run_id != self._run_id or not self.running:
            return
        self.query_one(TrainingProgress).report(message.step, message.total, message.loss)

    @property
    def losses(self) -> list[tuple[int, float]]:
        """(step, loss) reported by the current or last training run."""
        return self.query_one(TrainingProgress).losses

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        if message.run_id != self._run_id:
            return
        self._cache().put(message.key, message.run)
        self._end_run()
        self._show(message.run, cached=False)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.run_id != self._run_id:
            return
        self._end_run()
        self._status(Content(message.error), error=True)
        self.notify(message.error, severity="error", markup=False)

    @on(Stopped)
    def _stopped(self, message: Stopped) -> None:
        if message.run_id == self._run_id and self.running:
            self._end_run()
            self._status(Content("Stopped."))

    def action_stop(self) -> None:
        """Esc while a demo runs: the worker is cancelled, the engine stops at its next check."""
        if not self.running:
            return
        if self._worker is not None:
            self._worker.cancel()
        steps = f" at step {self.losses[-1][0]}" if self.losses else ""
        self._run_id += 1  # whatever the thread still reports is stale
        self._end_run()
        self._status(Content(f"Stopped{steps}. r runs it again; Esc goes back."))

    def _end_run(self) -> None:
        self.running = False
        self.query_one(TrainingProgress).stop()
        self._check_params()

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)

    # --- showing ------------------------------------------------------------------------------------

    def _clear_outputs(self) -> None:
        self.result = None
        self.has_result = False
        self.query_one(DemoOutput).clear()

    def _status(self, content: Content, *, error: bool = False) -> None:
        self.query_one(DemoOutput).status(content, error=error)

    def _show(self, run: CachedRun, *, cached: bool) -> None:
        result = run.result
        self.result = result
        self.has_result = True
        shown = ", ".join(f"{key}={value}" for key, value in result.params.items())
        where = "from the cache" if cached else f"in {result.elapsed_s:.2f} s"
        self._status(Content.assemble(("Ran ", "dim"), shown, (f" on {result.device}, {where}", "dim")))
        self.query_one(DemoOutput).show(run.view)

    # --- saving -------------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.result is None:
            self.notify("Run the demo first: there are no figures yet")
            return
        folder = self.figures_dir or figures_folder()
        self.saving = True
        self.notify(f"Saving {len(self.result.figures)} figure(s) to {folder}…", markup=False)
        self._save_figures(self.result, folder)

    @work(thread=True, exit_on_error=False, group="save")
    def _save_figures(self, result: DemoResult, folder: Path) -> None:
        try:
            paths = result.save_figures(folder)
        except OSError as error:
            self.post_message(self.Saved([], f"cannot save to {folder}: {error}"))
        else:
            self.post_message(self.Saved(paths))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.saving = False
        if message.error:
            self.notify(message.error, severity="error", markup=False)
            return
        self.query_one(DemoOutput).show_saved(message.paths)
        if message.paths:
            self.notify(f"Saved {len(message.paths)} PNG file(s) to {message.paths[0].parent}", markup=False)
