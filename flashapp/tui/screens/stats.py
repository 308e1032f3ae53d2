"""The Stats screen: Anki's statistics for a deck (or every deck), FSRS's calibration on held-out
reviews, and fitting FSRS to the learner (the same as `flashapp stats`, `evaluate` and `optimize`).

The first frame shows at once; the statistics, then the calibration (which replays the review log),
are computed in thread workers and filled in when they arrive. Every text shown is plain `Text`: deck
names are data, never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from flashapp.core.text import strip_control
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection


class StatsScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    StatsScreen #stats-title { padding: 0 1; text-style: bold; background: $panel; }
    StatsScreen #stats-body, StatsScreen #stats-fsrs { padding: 0 1; }
    StatsScreen #stats-fsrs { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("o", "optimize", "Fit FSRS", id="optimize"),
    ]

    def __init__(self, collection: Collection, deck: str | None) -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck

    def compose(self) -> ComposeResult:
        title = f"Statistics: {strip_control(self.deck)}" if self.deck else "Statistics: all decks"
        yield Static(Text(title), id="stats-title")
        with VerticalScroll():
            yield Static(Text("Reading the review log…"), id="stats-body")
            yield Static(Text("FSRS calibration: waiting for the statistics…"), id="stats-fsrs")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # After the first frame: the worker's Python work (building the queries) would share the GIL
        # with painting it.
        self.call_after_refresh(self.action_reload)

    def action_reload(self) -> None:
        self._load_stats()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def _load_stats(self) -> None:
        from flashapp.core.stats_text import stats_text
        from flashapp.store.statistics import collection_statistics

        text = stats_text(collection_statistics(self.collection, self.deck))
        self.app.call_from_thread(self._show, "#stats-body", text)
        self._load_calibration()

    @work(thread=True, exclusive=True, exit_on_error=False, group="calibration")
    def _load_calibration(self) -> None:
        from flashapp.core.scheduling.evaluation import evaluate_log
        from flashapp.core.stats_text import metrics_table, reliability_text
        from flashapp.store.review_history import load_log

        self.app.call_from_thread(self._show, "#stats-fsrs", "FSRS calibration: replaying the review log…")
        result = evaluate_log(load_log(self.collection, self.deck))
        if result is None:
            text = "FSRS calibration: too few reviews a day or more apart yet."
        else:
            rows = [vars(b) for b in result.calibration["fsrs_deck"]]
            text = "\n".join(
                [
                    f"Models on the {result.reviews} latest reviews (time split, srs-benchmark's metrics):",
                    metrics_table(result.models),
                    "",
                    "Calibration of FSRS with this deck's parameters (predicted vs actual recall):",
                    reliability_text(rows),
                    "",
                    "Press o to fit FSRS to these reviews.",
                ]
            )
        self.app.call_from_thread(self._show, "#stats-fsrs", text)

    def action_optimize(self) -> None:
        self._optimize()

    @work(thread=True, exclusive=True, exit_on_error=False, group="optimize")
    def _optimize(self) -> None:
        from flashapp.core.scheduling.fitting import NotEnoughHistory, fit_parameters
        from flashapp.core.stats_text import metrics_table
        from flashapp.store.review_history import load_history, save_parameters

        self.app.call_from_thread(self.notify, "Fitting FSRS to the review log…")
        history = load_history(self.collection, self.deck)
        current = tuple(set(history.parameters.values()))
        try:
            result = fit_parameters(
                history.reviews,
                current[0] if len(current) == 1 else (),
                on_epoch=lambda epoch, loss: self.app.call_from_thread(
                    self.notify, f"FSRS epoch {epoch}/5: training loss {loss:.4f}", timeout=2
                ),
            )
        except NotEnoughHistory as short:
            self.app.call_from_thread(self.notify, f"FSRS needs {short.needed} more reviews first.")
            return
        message = metrics_table({"before": result.before, "after": result.after})
        if result.after.log_loss < result.before.log_loss:
            self.collection.backup()
            save_parameters(self.collection, history.deck_ids, result.parameters)
            message += "\nSaved the fitted parameters."
        else:
            message += "\nKept the current parameters (the fitted ones were no better)."
        self.app.call_from_thread(self.notify, message, timeout=10)
        self.app.call_from_thread(self._load_calibration)

    def _show(self, selector: str, text: str) -> None:
        self.query_one(selector, Static).update(Text(text))

    def on_worker_state_changed(self, event: Any) -> None:
        from textual.worker import WorkerState

        if event.state is WorkerState.ERROR:
            self.notify(f"Statistics failed: {strip_control(str(event.worker.error))}", severity="error")
