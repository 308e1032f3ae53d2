"""The terminal drawings of demo outputs: heatmap grids, Braille line and scatter plots, half-block
images; and every concept's outputs drawn on the demo screen (tiny parameters, so training is quick)."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text
from textual.geometry import Region

from engine.registry import concept_names
from flashapp.tui.app import make_app
from flashapp.tui.screens.demo import DemoScreen
from flashapp.tui.widgets.braille_canvas import BrailleCanvas
from flashapp.tui.widgets.explanation import Explanation
from flashapp.tui.widgets.heatmap_grid import HeatmapGrid
from flashapp.tui.widgets.line_plot import Series, render_line_plot
from flashapp.tui.widgets.pixel_images import Picture, PictureGroup, layout, shrink
from flashapp.tui.widgets.scatter_plot import Plot, PointSet, coloured_by, render_scatter

TINY = {
    "segmentation.unet": {"steps": 2, "size": 8, "width": 2},
    "autoencoder": {"steps": 3},
    "flow_matching": {"steps": 3, "reflow_steps": 2, "batch": 16, "sample_steps": 4},
    "transformer.toy_task": {"steps": 12, "batch": 16},
}


def test_braille_lines_set_the_dots_between_their_ends():
    canvas = BrailleCanvas(2, 1)  # 4 x 4 dots
    canvas.line(0, 0, 3, 3, "red")
    (line,) = canvas.lines()
    assert line.plain == "⠑⢄"  # the diagonal: dots 1 and 5 in the first cell, 3 and 8 in the second


def test_a_heatmap_writes_values_with_labels_when_they_fit():
    grid = HeatmapGrid([[0.1, 0.9], [0.5, 0.25]], ["q0", "q1"], ["k0", "k1"], low=0, high=1)
    assert grid._mode(40)[0] == "values"
    assert grid._mode(8)[0] == "blocks"
    big = HeatmapGrid([[float(i * j) for j in range(30)] for i in range(40)])
    assert big._mode(80)[0] == "half"


async def test_heatmap_text_on_screen():
    from textual.app import App

    class One(App):
        def compose(self):
            yield HeatmapGrid([[0.1, 0.9], [0.5, 0.25]], ["q0", "q1"], ["k0", "k1"], low=0, high=1)

    app = One()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        lines = [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]
    assert lines[0].split() == ["k0", "k1"]
    assert lines[1].split() == ["q0", "0.10", "0.90"] and lines[2].split() == ["q1", "0.50", "0.25"]
    assert lines[3].split()[0] == "0.00" and lines[3].split()[-1] == "1.00"


async def test_a_heatmap_too_wide_for_its_space_averages_columns_so_the_last_one_shows():
    """64 columns in 50: the columns are averaged in groups, so the last one (the only non-zero one)
    still colours the last drawn column, and the header runs from the first name to the last."""
    from textual.app import App

    rows = [[1.0 if col == 63 else 0.0 for col in range(64)] for _ in range(32)]

    class One(App):
        def compose(self):
            yield HeatmapGrid(rows, [f"d{i}" for i in range(32)], [f"p{i}" for i in range(64)], low=0, high=1)

    app = One()
    async with app.run_test(size=(50, 24)) as pilot:
        await pilot.pause()
        text = app.query_one(HeatmapGrid).render()
    lines = text.plain.split("\n")
    assert lines[0].split()[0] == "p0" and lines[0].rstrip().endswith("p63")
    assert "all 64 columns" in lines[-1]
    drawn = lines[1].rstrip()
    assert len(drawn) <= 50
    offset = len(lines[0]) + 1  # the first row of cells starts here
    styles = {}
    for span in text.spans:
        for at in range(max(span.start, offset), min(span.end, offset + len(drawn))):
            styles[at - offset] = str(span.style)
    assert styles[len(drawn) - 1] != styles[len(drawn) - 2]  # only the last group holds position 63


def check_all_positions_shown(demo: DemoScreen) -> None:
    """The sinusoidal matrix's 64 positions in a grid too narrow for one column each: the columns are
    averaged in groups, the header names the last position, and the last position is drawn."""
    grid = demo.query(HeatmapGrid).first()
    width = grid.size.width
    text = grid.render()
    assert len(grid.col_names) == 64 and width - grid._label_width() < 64  # too narrow for one per column
    lines = text.plain.split("\n")
    assert lines[0].rstrip().endswith(grid.col_names[-1])  # the header tells the real range
    assert "all 64 columns" in lines[-1]
    shown = len(lines[1]) - grid._label_width()
    assert 63 in grid._groups(shown)[-1]  # the last position is in the last drawn column
    assert all(len(line) <= width for line in lines)


def test_a_line_plot_has_its_axis_ends_and_a_legend():
    plot = render_line_plot([Series("loss", [4.0, 2.0, 1.0, 0.5])], 40, 8, log_y=True, x_label="step")
    lines = plot.plain.split("\n")
    assert len(lines) == 8
    # y: top, geometric middle (log scale) and bottom; x: first and last step
    assert [line[:5] for line in (lines[0], lines[3], lines[5])] == ["   4┤", "1.41┤", " 0.5┤"]
    assert lines[6].split() == ["└1", "step", "4"]
    assert lines[7].split() == ["━━", "loss", "(log", "scale)"]
    # a falling curve: its first dots are top left, its last ones bottom right
    assert lines[0][5] != " " and lines[5][-1] != " " and lines[0][-1] == " "


def test_scatter_plots_side_by_side_share_one_scale():
    plots = [
        Plot("", [PointSet("data", [(0.0, 0.0), (1.0, 1.0)])]),
        Plot("", [PointSet("samples", [(2.0, 2.0)])]),
    ]
    text = render_scatter(plots, 60, 10)
    lines = text.plain.split("\n")
    assert len(lines) == 10 and all(len(line) <= 60 for line in lines)
    assert lines[0].count("2┤") == 2  # both plots run to 2, the largest value of either
    assert "⣿ data" in lines[-1] and "⣿ samples" in lines[-1]
    assert isinstance(render_scatter([], 60, 10), Text)


def test_a_scatter_coloured_by_a_value_gives_each_range_its_own_colour():
    """The autoencoder's latent codes are coloured by the blob's true position, as in the PNG: points of
    different ranges are drawn in different colours, low values dark (viridis) and high ones light."""
    points = [(0.0, 0.0), (0.1, 0.0), (5.0, 5.0), (5.1, 5.0)]
    sets = coloured_by("x", points, [0.1, 0.15, 0.8, 0.85], bins=2)
    assert [s.points for s in sets] == [points[:2], points[2:]]
    assert sets[0].colour != sets[1].colour and sets[0].name.startswith("x")
    text = render_scatter([Plot("", sets)], 40, 10)
    rows_of = {sets[0].colour: set(), sets[1].colour: set()}  # canvas rows drawn in each colour
    for span in text.spans:
        colour = span.style.color.name if hasattr(span.style, "color") and span.style.color else None
        row = text.plain[: span.start].count("\n")
        if colour in rows_of and row < 10 - 2:  # the canvas, above the x axis and the legend
            rows_of[colour].add(row)
    assert rows_of[sets[0].colour] and rows_of[sets[1].colour]  # both colours are on the canvas
    assert max(rows_of[sets[1].colour]) < min(rows_of[sets[0].colour])  # high x up right, low x down left


def test_images_shrink_until_a_group_fits():
    image = [[float(i + j) for j in range(24)] for i in range(24)]
    groups = [PictureGroup("test 0", [Picture("in", image), Picture("out", image)])]
    assert layout(groups, 60)[0] == 1
    assert layout(groups, 40)[0] == 2
    assert shrink([[0.0, 1.0], [1.0, 2.0]], 2) == [[1.0]]


CONCEPTS = concept_names()  # every concept the engine registers (the registry test lists them)


def check_panels_fit(demo: DemoScreen, columns: int) -> None:
    """Every panel is drawn, inside the screen's `columns`, and no text figure is wider than its panel."""
    panels = demo.query_one("#demo-panels").children
    assert len(panels) >= 2  # at least one title and one drawing
    for widget in panels:
        assert widget.size.height > 0 and widget.size.width > 0
        assert widget.region.right <= columns, (widget, widget.region)
        rendered = widget.render()
        if hasattr(rendered, "plain") and not widget.has_class("panel-title"):  # titles wrap at words
            # a text figure: no line wider than its panel (Textual would wrap it and break the picture)
            widest = max((len(line) for line in rendered.plain.split("\n")), default=0)
            assert widest <= widget.size.width, (widget, widest, widget.size.width)


def check_explanation_fits(demo: DemoScreen) -> int:
    """The worked explanation is wrapped to its width and exactly as tall as its text: its last line is
    text, not a blank left from a wrap at another width. Returns its height."""
    explanation = demo.query_one(Explanation)
    width, height = explanation.size
    assert height > 0, "no explanation shown"
    lines = [strip.text.rstrip() for strip in explanation.render_lines(Region(0, 0, width, height))]
    assert lines[-1].strip(), ("a blank last line", width, height)
    assert all(len(line) <= width for line in lines)
    return height


async def draw_at_80_then_100(pilot, concept: str) -> None:
    """The concept's demo opened and run at 80x24 (TINY parameters), the terminal widened to 100x32
    (the same run laid out again), each time every panel inside the screen; then closed. The
    sinusoidal matrix (its default 64 positions) also shows all its positions at both widths."""
    app = pilot.app
    await pilot.resize_terminal(80, 24)
    await pilot.pause()
    demo = DemoScreen(concept, TINY.get(concept, {}), device="cpu")
    app.push_screen(demo)
    await pilot.pause()
    await pilot.press("r")
    # the engine's thread returned, then the app handled its result (or failure) and laid it out
    assert await asyncio.to_thread(demo.engine_idle.wait, 60), "the run took over 60 s"
    await pilot.pause()
    assert not demo.running and demo.result is not None, demo.query_one("#demo-status").content
    narrow = demo.query_one("#demo-panels").size.width
    check_panels_fit(demo, 80)
    explanation_lines = check_explanation_fits(demo)
    if concept == "positional.sinusoidal":
        grid_width = demo.query(HeatmapGrid).first().size.width
        check_all_positions_shown(demo)
    await pilot.resize_terminal(100, 32)
    await pilot.pause()
    assert demo.query_one("#demo-panels").size.width > narrow  # laid out again at the new width
    check_panels_fit(demo, 100)
    assert check_explanation_fits(demo) < explanation_lines  # wrapped again, wider
    if concept == "positional.sinusoidal":
        assert demo.query(HeatmapGrid).first().size.width > grid_width
        check_all_positions_shown(demo)
    assert demo.result.figures.built() == []  # the panels come from the arrays: no figure was drawn
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is not demo


async def test_every_concepts_outputs_are_drawn():
    """Every concept's figures drawn at 80 columns, then, the terminal widened, at 100: each panel inside
    the screen's width. One run per concept (TINY parameters): what is under test is the drawing. One
    app serves them all, each concept's demo opened, run, widened and closed in turn (a failure names
    the concept)."""
    assert "positional.sinusoidal" in CONCEPTS
    app = make_app(None)
    async with app.run_test(size=(80, 24)) as pilot:
        for concept in CONCEPTS:
            try:
                await draw_at_80_then_100(pilot, concept)
            except AssertionError as error:
                raise AssertionError(f"{concept}: {error}") from error


def test_a_narrow_line_plot_legend_keeps_whole_entries_on_as_many_lines_as_it_needs():
    two = [Series("U-Net", [1.0, 0.5, 0.2]), Series("no skips", [1.0, 0.6, 0.3])]
    for width, note in ((42, "(log scale)"), (36, "(log)")):
        lines = render_line_plot(two, width, 8, log_y=True, x_label="step").plain.split("\n")
        assert len(lines) == 8 and "U-Net" in lines[-1] and "no skips" in lines[-1]
        assert lines[-1].rstrip().endswith(note) and len(lines[-1]) <= width
    lines = render_line_plot(two, 24, 8, log_y=True).plain.split("\n")
    assert len(lines) == 8 and all(len(line) <= 24 for line in lines)
    assert [line.strip() for line in lines[-3:]] == ["━━ U-Net", "━━ no skips", "(log scale)"]


@pytest.mark.parametrize("width", [39, 59])  # the output column at 80 and 100 terminal columns
def test_scatter_captions_are_whole_and_narrow_plots_stack(width):
    from flashapp.tui.widgets.scatter_plot import plots_per_row

    plots = [
        Plot("precision 0.94 recall 0.96", [PointSet("data", [(0.0, 0.0), (1.0, 1.0)])]),
        Plot("1-RF: straightness 0.982", [PointSet("1-RF paths", paths=[[(0.0, 0.0), (1.0, 0.5)]])]),
    ]
    per = plots_per_row(2, width)
    assert per == (1 if width == 39 else 2)  # two 18-cell plots are too narrow: one per row
    lines = render_scatter(plots, width, 36 if per == 1 else 18).plain.split("\n")
    assert all(len(line) <= width for line in lines)
    text = "\n".join(lines)
    assert "precision 0.94 recall 0.96" in text and "1-RF: straightness 0.982" in text
    assert "⣿ data" in text and "━━ 1-RF paths" in text


async def test_long_column_names_become_numbers_with_a_key_so_the_values_still_show():
    from textual.app import App

    rows = ["autoregressive", "normalizing_flow", "gan"]
    cols = ["explicit_p", "exact_loglik", "one_pass_sample", "latent_z"]
    values = [[1, 1, 0, 0], [1, 1, 1, 1], [0, 0, 1, 0.5]]

    class One(App):
        def compose(self):
            yield HeatmapGrid(values, rows, cols, low=0, high=1)

    app = One()
    async with app.run_test(size=(39, 12)) as pilot:  # the output column of an 80-column terminal
        await pilot.pause()
        lines = [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]
    assert lines[0].split() == ["1", "2", "3", "4"]
    assert lines[3].split() == ["gan", "0.00", "0.00", "1.00", "0.50"]
    key = " ".join(" ".join(lines[5:]).split())
    assert key == "1 explicit_p 2 exact_loglik 3 one_pass_sample 4 latent_z"  # full names, none cut
    assert HeatmapGrid(values, rows, cols)._mode(80)[0] == "values"  # wide enough: the names themselves


async def test_the_training_bar_animates_only_while_a_shown_run_waits_for_its_first_report():
    """An indeterminate ProgressBar repaints 15 times a second, hidden or not: on a demo screen it must
    not, except between a training run's start and its first report."""
    from textual.app import App
    from textual.widgets import ProgressBar
    from textual.widgets._progress_bar import Bar

    from flashapp.tui.widgets.training_progress import TrainingProgress

    class Host(App[None]):
        def compose(self):
            yield TrainingProgress(id="progress")

    async with Host().run_test(size=(80, 24)) as pilot:
        progress = pilot.app.query_one(TrainingProgress)
        bar = progress.query_one(ProgressBar).query_one(Bar)
        assert bar.auto_refresh is None  # mounted, hidden, no run
        progress.start(shown=False)  # a concept that does not train
        await pilot.pause()
        assert bar.auto_refresh is None
        progress.start(shown=True)
        await pilot.pause()
        assert bar.auto_refresh is not None  # waiting for the first step: the animation says so
        progress.report(1, 10, 0.5)
        await pilot.pause()
        assert bar.auto_refresh is None
        progress.start(shown=True)
        progress.stop()  # ended (cancelled, failed) before any report
        await pilot.pause()
        assert bar.auto_refresh is None
