"""The simulated learner's history for the tests: `benchmarks/simulated_history.py`, which is test and
benchmark tooling, not part of the package."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))

from simulated_history import START, write_simulated_history  # noqa: E402

__all__ = ["START", "write_simulated_history"]
