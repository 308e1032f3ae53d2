"""The simulated learner's history for the tests: `benchmarks/simulated_history.py`, which is test and
benchmark tooling, not part of the package."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))

import simulated_history  # noqa: E402
from simulated_history import START  # noqa: E402

from flashapp.store.collection import Collection  # noqa: E402

__all__ = ["START", "write_simulated_history"]


def write_simulated_history(collection: Collection, **options) -> int:
    """`simulated_history.write_simulated_history`, then, on PostgreSQL, ANALYZE: the planner's row
    estimates as autovacuum leaves them a minute after such a bulk write. Without it they are those of
    the tables before the write (empty, or the previous module's rows, deleted), and a query planned
    for two cards where there are hundreds (the statistics' hourly counts with --deck) took 12 s."""
    written = simulated_history.write_simulated_history(collection, **options)
    if collection.engine.dialect.name == "postgresql":
        with collection.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    return written
