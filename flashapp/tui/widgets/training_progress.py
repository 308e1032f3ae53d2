"""A training demo's live progress: a bar with the step and the loss, and the loss curve so far, one
line per model trained (a concept that trains two, as the U-Net with and without skips, restarts its
step count, so a second model's start is not read as a jump). Hidden until a training run starts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import ProgressBar, Static

from flashapp.tui.widgets.line_plot import LinePlot, Series


class TrainingProgress(Vertical):
    DEFAULT_CSS = """
    TrainingProgress { height: auto; display: none; }
    TrainingProgress.-running { display: block; }
    TrainingProgress #demo-progress { height: 1; padding: 0 2; }
    TrainingProgress #demo-progress ProgressBar { width: auto; }
    TrainingProgress #demo-loss { width: 1fr; padding: 0 0 0 2; }
    TrainingProgress #live-loss { height: 8; margin: 0 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.losses: list[tuple[int, float]] = []  # (step, loss) reported while training
        self._phase_starts: list[int] = [0]  # where each trained model's losses start in `losses`

    def compose(self) -> ComposeResult:
        with Horizontal(id="demo-progress"):
            # A total from the start: an indeterminate bar repaints 15 times a second, hidden or not.
            yield ProgressBar(total=1, id="demo-bar", show_eta=False)
            yield Static(id="demo-loss")
        yield LinePlot(id="live-loss", log_y=True, x_label="step")

    def start(self, shown: bool) -> None:
        """A new run: no losses yet; drawn only when `shown` (a concept that trains)."""
        self.losses = []
        self._phase_starts = [0]
        self.set_class(shown, "-running")
        # Indeterminate (animated) only while a training run is shown and has not yet reported.
        self.query_one("#demo-bar", ProgressBar).update(total=None if shown else 1, progress=0)
        self.query_one("#demo-loss", Static).update(Content("starting…"))
        self.query_one("#live-loss", LinePlot).set_series([])

    def stop(self) -> None:
        self.set_class(False, "-running")
        bar = self.query_one("#demo-bar", ProgressBar)
        if bar.total is None:  # a run that ended before its first report: stop the animation
            bar.update(total=1, progress=0)

    def report(self, step: int, total: int, loss: float) -> None:
        self.query_one("#demo-bar", ProgressBar).update(total=total, progress=step)
        self.query_one("#demo-loss", Static).update(
            Content.assemble(f"step {step}/{total}  loss ", (f"{loss:.4f}", "bold"))
        )
        if self.losses and step <= self.losses[-1][0]:
            self._phase_starts.append(len(self.losses))  # the step count went back: a second model
        self.losses.append((step, loss))
        self.query_one("#live-loss", LinePlot).set_series(self.loss_series())

    def loss_series(self) -> list[Series]:
        """The live losses, one line per model trained."""
        bounds = [*self._phase_starts, len(self.losses)]
        series = []
        for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
            steps, losses = zip(*self.losses[start:end], strict=True)
            name = "loss" if len(bounds) == 2 else f"model {index + 1}"
            series.append(Series(name, list(losses), list(steps)))
        return series
