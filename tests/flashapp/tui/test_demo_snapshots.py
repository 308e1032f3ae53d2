"""Snapshots at 100x32 and 80x24 of the demo screen after a run: the parameters, the checkerboard and
the transposed convolution's overlap map as labelled heatmap grids (the same on every CPU); and causal
attention's scores and weights with the masked cells grey, outside the colour scale. Shown from the
cache (the run is put there before the app starts, as a first opening would), so no run time in it.
Regenerate with `pytest tests/flashapp/tui/test_demo_snapshots.py --snapshot-update`."""

from __future__ import annotations

import functools

import pytest

from flashapp.demo_cache import DemoKey, demo_key
from flashapp.tui.app import make_app
from flashapp.tui.screens.demo import CachedRun, DemoScreen
from flashapp.tui.screens.demo_outputs import demo_view

SIZE = (100, 32)
CONCEPT = "transposed_conv"
PARAMS = {"size": 4, "kernel": 3, "stride": 2}


@functools.cache
def engine_run(concept: str, params: tuple[tuple[str, int], ...]) -> tuple[DemoKey, CachedRun]:
    """The concept's run with `params` (the dict's items), made once per test process: the snapshots
    at both sizes show the same run (read only). Attention's runs are made under `steady_sdpa_gap`, as
    every snapshot of them is."""
    from engine.registry import ENGINE_VERSION, validate_params
    from engine.runner import run

    values = validate_params(concept, dict(params))
    result = run(concept, values, device="cpu", seed=int(values["seed"]))
    return demo_key(concept, values, "cpu", ENGINE_VERSION), CachedRun(result, demo_view(result))


def with_cached_run(app, concept: str = CONCEPT, params: dict | None = None):
    """The app with the concept's run already in its demo cache, as after a first opening and Run: the
    demo screen then shows it at once, from the cache (what the snapshots are of)."""
    app.demo_cache.put(*engine_run(concept, tuple((PARAMS if params is None else params).items())))
    return app


async def open_demo(pilot, concept: str = CONCEPT, params: dict | None = None) -> None:
    demo = DemoScreen(concept, PARAMS if params is None else params, device="cpu")
    pilot.app.push_screen(demo)
    await pilot.pause()
    assert demo.result is not None and "from the cache" in str(demo.query_one("#demo-status").content)


@pytest.fixture
def steady_sdpa_gap(monkeypatch):
    """The readable attention's gap to F.scaled_dot_product_attention is float32 rounding: one or two
    units in the last place, which differ from one CPU to the next (1.2e-07 here, 2.4e-07 on another).
    The snapshot is of the layout, so that one figure is held at a float32 unit; the engine's tests
    check the gap itself."""
    monkeypatch.setattr("engine.concepts.attention._sdpa_gap", lambda *args, **kw: 2.0**-23)


MASKED = {"n": 5, "d": 4}


async def open_masked(pilot) -> None:
    await open_demo(pilot, "attention.masked", MASKED)


def test_demo_screen(snap_compare, study_collection):
    app = with_cached_run(make_app(study_collection))
    assert snap_compare(app, terminal_size=SIZE, run_before=open_demo)


def test_demo_screen_at_80_columns(snap_compare, study_collection):
    app = with_cached_run(make_app(study_collection))
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_demo)


def test_masked_attention(snap_compare, study_collection, steady_sdpa_gap):
    app = with_cached_run(make_app(study_collection), "attention.masked", MASKED)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_masked)


def test_masked_attention_at_80_columns(snap_compare, study_collection, steady_sdpa_gap):
    app = with_cached_run(make_app(study_collection), "attention.masked", MASKED)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_masked)
