"""What the demo screen builds from a run, checked against the engine's own arrays and figures."""

from __future__ import annotations

import engine
from flashapp.tui.screens.demo_outputs import HeatmapPanel, ScatterPanel, demo_view


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
    figure_rows = [t.get_text() for t in result.figures["encoding"].axes[0].get_yticklabels()]
    assert figure_rows == heatmap.rows  # the PNG's rows, in the same order


def test_the_sinusoidal_circles_put_each_pair_on_its_own_circle():
    result = engine.run("positional.sinusoidal", {"positions": 30, "d": 8}, device="cpu")
    circles = demo_view(result).panels[1]
    assert isinstance(circles, ScatterPanel)
    pairs = [s for s in circles.plots[0].sets if s.name.startswith("ω=")]
    assert [s.name for s in pairs] == ["ω=1", "ω=0.1", "ω=0.001"]  # pairs 0, 1, 3 of d = 8
    for radius, pair in zip((1.0, 0.75, 0.5), pairs, strict=True):
        assert len(pair.points) == 24
        assert all(abs((x * x + y * y) ** 0.5 - radius) < 1e-5 for x, y in pair.points)
