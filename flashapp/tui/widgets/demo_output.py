"""The demo screen's output column: the concept's title and summary, a status line, then after a run
its panels (heatmaps with values, line plots, scatter plots, small images), its metrics, the engine's
worked explanation, and the files `s` saved. Scrolls; `clear` empties it so nothing of an earlier run
stays on screen."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from flashapp.tui.screens.demo_outputs import (
    DemoView,
    HeatmapPanel,
    ImagePanel,
    LinePanel,
    Panel,
    ScatterPanel,
)
from flashapp.tui.widgets.explanation import Explanation
from flashapp.tui.widgets.heatmap_grid import HeatmapGrid
from flashapp.tui.widgets.line_plot import LinePlot
from flashapp.tui.widgets.pixel_images import PixelImages
from flashapp.tui.widgets.scatter_plot import ScatterPlot

HIDDEN_UNTIL_RUN = ("#metrics-heading", "#explanation-heading", "#demo-saved")


def panel_widget(panel: Panel) -> Widget:
    if isinstance(panel, HeatmapPanel):
        return HeatmapGrid(
            panel.values,
            panel.rows,
            panel.cols,
            scale=panel.scale,
            low=panel.low,
            high=panel.high,
            masked=panel.masked,
        )
    if isinstance(panel, LinePanel):
        return LinePlot(panel.series, log_y=panel.log_y, log_x=panel.log_x, x_label=panel.x_label)
    if isinstance(panel, ScatterPanel):
        return ScatterPlot(panel.plots)
    assert isinstance(panel, ImagePanel)
    return PixelImages(panel.groups)


def metrics_content(metrics: Sequence[tuple[str, str]]) -> Content:
    if not metrics:
        return Content()
    width = max(len(name) for name, _ in metrics)
    lines = [Content.assemble((f"{name:<{width}}  ", "dim"), (value, "bold")) for name, value in metrics]
    return Content("\n").join(lines)


class DemoOutput(VerticalScroll):
    DEFAULT_CSS = """
    DemoOutput { height: 1fr; padding: 0 2; scrollbar-gutter: stable; }
    DemoOutput #demo-title { text-style: bold; color: $text-primary; }
    DemoOutput #demo-summary { color: $text-muted; margin: 0 0 1 0; }
    DemoOutput #demo-status { margin: 0 0 1 0; }
    DemoOutput #demo-status.-error { color: $text-error; }
    DemoOutput .panel-title { text-style: bold; margin: 1 0 0 0; }
    DemoOutput #demo-panels { height: auto; }
    DemoOutput .heading { text-style: bold; color: $text-primary; margin: 1 0 0 0; }
    DemoOutput #demo-metrics, DemoOutput #demo-explanation { height: auto; }
    DemoOutput #demo-saved { color: $text-success; margin: 1 0 0 0; }
    """

    def __init__(self, title: str, summary: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.concept_title, self.concept_summary = title, summary

    def compose(self) -> ComposeResult:
        yield Static(Content(self.concept_title), id="demo-title")
        yield Static(Content(self.concept_summary), id="demo-summary")
        yield Static(id="demo-status")
        yield Vertical(id="demo-panels")
        yield Static(Content("Metrics"), classes="heading", id="metrics-heading")
        yield Static(id="demo-metrics")
        yield Static(Content("Explanation"), classes="heading", id="explanation-heading")
        yield Explanation(id="demo-explanation")
        yield Static(id="demo-saved")

    def on_mount(self) -> None:
        for widget_id in HIDDEN_UNTIL_RUN:
            self.query_one(widget_id).display = False

    def status(self, content: Content, *, error: bool = False) -> None:
        status = self.query_one("#demo-status", Static)
        status.update(content)
        status.set_class(error, "-error")

    def clear(self) -> None:
        """No panels, metrics, explanation or saved files: they belonged to an earlier run."""
        self.query_one("#demo-panels", Vertical).remove_children()
        self.query_one("#demo-metrics", Static).update(Content())
        self.query_one("#demo-explanation", Explanation).show("")
        for widget_id in HIDDEN_UNTIL_RUN:
            self.query_one(widget_id).display = False

    def show(self, view: DemoView) -> None:
        """One run's panels, each under its title, then its metrics and explanation."""
        panels = self.query_one("#demo-panels", Vertical)
        with self.app.batch_update():
            panels.remove_children()
            widgets: list[Widget] = []
            for panel in view.panels:
                widgets.append(Static(Content(panel.title), classes="panel-title"))
                widgets.append(panel_widget(panel))
            panels.mount_all(widgets)
            self.query_one("#demo-metrics", Static).update(metrics_content(view.metrics))
            self.query_one("#demo-explanation", Explanation).show(view.explanation)
            for widget_id in ("#metrics-heading", "#explanation-heading"):
                self.query_one(widget_id).display = True
            self.query_one("#demo-saved").display = False

    def show_saved(self, paths: Sequence[Path]) -> None:
        saved = self.query_one("#demo-saved", Static)
        listing = "\n".join(f"  {path}" for path in paths)
        saved.update(Content(f"Saved {len(paths)} PNG file(s):\n{listing}"))
        saved.display = True
