"""`run(name, params, device, seed, progress, cancel)`: validate, pick the device, seed, run, time."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import torch

from engine.context import CancelFn, ProgressFn, RunContext
from engine.devices import pick_device
from engine.registry import ParamValue, get_concept, validate_params
from engine.result import ConceptOutput, DemoResult, LazyFigures

# The demos' models are tiny (an MLP of width 128, a U-Net of 8-32 channels): split over several threads,
# each step is mostly threads waiting for each other, and when another process holds a core the waits
# grow tenfold (measured on the 2-core development machine: flow matching 6.6-13 s on two threads
# against 3.6-4.5 s on one). One thread also makes a seed's numbers independent of the core count.
CPU_THREADS = 1


@contextmanager
def cpu_threads(count: int | None) -> Iterator[None]:
    """Run the block with `count` intra-op CPU threads (None: leave torch's setting), then restore it."""
    if count is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


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
    with (
        torch.random.fork_rng(devices=forked),
        cpu_threads(CPU_THREADS if torch_device.type == "cpu" else None),
    ):
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
        figures=LazyFigures(output.figures),
        elapsed_s=elapsed,
        labels=output.labels,
    )
