"""What the demo screen builds from a run, checked against the engine's own arrays and figures."""

from __future__ import annotations

import engine
from flashapp.tui.screens.demo_outputs import HeatmapPanel, ScatterPanel, demo_view


def tick_names(axes) -> dict[int, str]:
    """The named rows of a heatmap's axes: row index -> its tick label."""
    ticks, names = axes.get_yticks(), axes.get_yticklabels()
    return {round(t): label.get_text() for t, label in zip(ticks, names, strict=True)}


def test_the_sinusoidal_heatmap_is_laid_out_as_the_png_sines_then_cosines():
    result = engine.run("positional.sinusoidal", {"positions": 12, "d": 8}, device="cpu")
    view = demo_view(result)
    heatmap = view.panels[0]
    assert isinstance(heatmap, HeatmapPanel)
    assert heatmap.rows == ["sin 0", "sin 1", "sin 2", "sin 3", "cos 0", "cos 1", "cos 2", "cos 3"]
    pe = result.arrays["PE"]  # (positions, d), interleaved: sin 0, cos 0, sin 1, ...
    for pair in range(4):
        assert heatmap.values[pair] == pe[:, 2 * pair].tolist()
        assert heatmap.values[4 + pair] == pe[:, 2 * pair + 1].tolist()
    named = tick_names(result.figures["encoding"].axes[0])
    assert named == dict(enumerate(heatmap.rows))  # the PNG's rows, in the same order


def test_the_pngs_rows_are_named_as_pairs_at_the_default_size():
    result = engine.run("positional.sinusoidal", {}, device="cpu")  # d = 32: 16 pairs
    rows = demo_view(result).panels[0].rows
    named = tick_names(result.figures["encoding"].axes[0])
    assert named[0] == "sin 0" and named[16] == "cos 0" and len(named) == 16
    assert all(rows[t] == label for t, label in named.items())


def test_the_sinusoidal_circles_put_each_pair_on_its_own_circle():
    result = engine.run("positional.sinusoidal", {"positions": 30, "d": 8}, device="cpu")
    circles = demo_view(result).panels[1]
    assert isinstance(circles, ScatterPanel)
    pairs = [s for s in circles.plots[0].sets if s.name.startswith("ω=")]
    assert [s.name for s in pairs] == ["ω=1", "ω=0.1", "ω=0.001"]  # pairs 0, 1, 3 of d = 8
    for radius, pair in zip((1.0, 0.75, 0.5), pairs, strict=True):
        assert len(pair.points) == 24
        assert all(abs((x * x + y * y) ** 0.5 - radius) < 1e-5 for x, y in pair.points)


def test_masked_cells_are_drawn_as_masked_not_as_small_weights():
    from flashapp.tui.widgets.heatmap_grid import MASKED_RGB, HeatmapGrid

    result = engine.run("attention.masked", {"n": 5}, device="cpu")
    scores, weights = demo_view(result).panels
    assert isinstance(scores, HeatmapPanel) and isinstance(weights, HeatmapPanel)
    above = [[j > i for j in range(5)] for i in range(5)]
    assert scores.masked == above and weights.masked == above
    assert all(weights.values[i][j] == 0.0 for i in range(5) for j in range(5) if above[i][j])
    grid = HeatmapGrid(weights.values, weights.rows, weights.cols, low=0, high=1, masked=weights.masked)
    assert "masked" in grid._legend(False).plain
    for i in range(5):
        for j in range(5):
            colour = grid._rgb(weights.values[i][j], grid.is_masked(i, j))
            assert (colour == MASKED_RGB) == above[i][j]
    small = HeatmapGrid([[0.0, 0.01]], low=0, high=1)  # an unmasked 0 keeps the scale's colour
    assert small._rgb(0.0) != MASKED_RGB and "masked" not in small._legend(False).plain
