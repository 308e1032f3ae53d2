"""The simulated learner's history for the tests: `benchmarks/simulated_history.py`, which is test and
benchmark tooling, not part of the package."""

from __future__ import annotations

import functools
import random
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))

import simulated_history  # noqa: E402
from simulated_history import START  # noqa: E402

from flashapp.core.scheduling import SchedulerOptions  # noqa: E402
from flashapp.core.scheduling.simulation import SimulatedReview, simulate_learner  # noqa: E402
from flashapp.store.collection import Collection  # noqa: E402

__all__ = ["START", "write_simulated_history"]


def write_simulated_history(collection: Collection, **options) -> int:
    """`simulated_history.write_simulated_history`, then, on PostgreSQL, ANALYZE: the planner's row
    estimates as autovacuum leaves them a minute after such a bulk write. Without it they are those of
    the tables before the write (empty, or the previous module's rows, deleted), and a query planned
    for two cards where there are hundreds (the statistics' hourly counts with --deck) took 12 s.

    The simulation is run once per test process for each set of options: a module's SQLite and
    PostgreSQL collections get the same history (it is three quarters of the writing's time)."""
    with _simulations_kept():
        written = simulated_history.write_simulated_history(collection, **options)
    if collection.engine.dialect.name == "postgresql":
        with collection.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    return written


@contextmanager
def _simulations_kept() -> Iterator[None]:
    simulated_history.simulate_learner = _simulate_once
    try:
        yield
    finally:
        simulated_history.simulate_learner = simulate_learner


def _simulate_once(
    true_parameters: Sequence[float],
    *,
    start: datetime,
    days: int,
    options: SchedulerOptions,
    rng: random.Random,
) -> list[SimulatedReview]:
    """`simulate_learner`, kept by its arguments (the generator by its state; the reviews are frozen)."""
    return list(_simulated(tuple(true_parameters), start, days, options, rng.getstate()))


@functools.cache
def _simulated(
    true_parameters: tuple[float, ...],
    start: datetime,
    days: int,
    options: SchedulerOptions,
    rng_state: tuple,
) -> tuple[SimulatedReview, ...]:
    rng = random.Random()
    rng.setstate(rng_state)
    return tuple(simulate_learner(true_parameters, start=start, days=days, options=options, rng=rng))
