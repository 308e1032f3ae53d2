"""`run(name, params, device, seed, progress, cancel)`: validate, pick the device, seed, run, time."""

from __future__ import annotations

import importlib
import time
from collections.abc import Mapping

import torch

from engine.context import CancelFn, ProgressFn, RunContext
from engine.devices import pick_device
from engine.registry import ParamValue, get_concept, validate_params
from engine.result import ConceptOutput, DemoResult


def run(
    name: str,
    params: Mapping[str, ParamValue] | None = None,
    device: str = "auto",
    seed: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> DemoResult:
    """Run concept `name` with `params` (strings or typed values; missing ones take their defaults).

    `seed` is the default of the concept's `seed` parameter: the same seed gives the same arrays and
    metrics. Training concepts call `progress(step, total, loss)` every few steps and raise
    `engine.Cancelled` soon after `cancel()` returns True. Bad input raises `engine.ConceptError`.
    """
    concept = get_concept(name)
    values = validate_params(concept, {"seed": seed, **dict(params or {})})
    torch_device = pick_device(device)
    function = getattr(importlib.import_module(concept.module), concept.function)
    ctx = RunContext(torch_device, int(values["seed"]), progress, cancel)
    ctx.check_cancel()
    start = time.perf_counter()
    # Weight initialisation draws from torch's global generator: seed it, and put it back afterwards.
    forked = [torch_device.index or 0] if torch_device.type == "cuda" else []
    with torch.random.fork_rng(devices=forked):
        torch.manual_seed(ctx.seed)
        output: ConceptOutput = function(values, ctx)
    elapsed = time.perf_counter() - start
    return DemoResult(
        concept=concept.name,
        title=concept.title,
        params=values,
        device=str(torch_device),
        arrays=output.arrays,
        metrics={key: float(value) for key, value in output.metrics.items()},
        explanation=output.explanation,
        figures=output.figures,
        elapsed_s=elapsed,
        labels=output.labels,
    )
