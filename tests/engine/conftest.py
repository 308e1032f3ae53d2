"""Engine test fixtures: each concept's default run, computed once per test process and shared."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

import engine
from engine import DemoResult


@functools.cache
def default_run_of(name: str) -> DemoResult:
    """`engine.run(name, device="cpu")`, run once per test process (each xdist worker has its own)."""
    return engine.run(name, device="cpu")


@pytest.fixture
def default_run() -> Callable[[str], DemoResult]:
    """default_run(name) -> the concept's default run on the CPU (seed 0), shared by every test that
    asks for it: the default training runs take seconds, and tests read a result, never change it."""
    return default_run_of
