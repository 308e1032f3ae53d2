"""Engine test fixtures: each concept's default run, computed once per test session and shared."""

from __future__ import annotations

import functools
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

import engine
from engine import DemoResult
from engine.registry import CONCEPTS


@functools.cache
def default_run_of(name: str, shared: Path | None = None) -> DemoResult:
    """`engine.run(name, device="cpu")`, run once per test process; with `shared` (a folder that every
    xdist worker of this session sees), a training run is also run once per session: the first worker
    to ask runs it and leaves it there pickled, the others load it (~0.1 s against 3-9 s). Instant
    concepts run faster than they unpickle, so each process runs those itself."""
    if shared is None or not CONCEPTS[name].trains:
        return engine.run(name, device="cpu")
    path = shared / f"engine-default-run-{name}.pickle"
    # An flock: a worker that dies holding it lets go of it, so the others never wait for the dead.
    with FileLock(shared / f"engine-default-run-{name}.lock"):
        if path.exists():
            return pickle.loads(path.read_bytes())
        result = engine.run(name, device="cpu")
        try:
            blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return result  # not picklable (a future figure holding a lambda): each worker runs its own
        partial = path.with_suffix(".partial")
        partial.write_bytes(blob)
        partial.replace(path)  # whole or absent, never half-written
        return result


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], DemoResult]:
    """default_run(name) -> the concept's default run on the CPU (seed 0), shared by every test that
    asks for it: the default training runs take seconds, and tests read a result, never change it.

    Under xdist the workers share the session's temporary root (as pytest-xdist's documentation does);
    without xdist that root's parent would outlive the session, so nothing is shared on disk."""
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
    return functools.partial(default_run_of, shared=shared)
