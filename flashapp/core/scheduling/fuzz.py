"""Interval fuzz, as Anki does it (`rslib/src/scheduler/states/fuzz.rs`; py-fsrs uses the same ranges).

Fuzz spreads cards learned together over nearby days. An interval of x days (x >= 2.5) may move by up to

    delta(x) = 1 + 0.15 * (min(x, 7) - 2.5) + 0.10 * max(min(x, 20) - 7, 0) + 0.05 * max(x - 20, 0)

days, so 3 days -> 2..4, 10 -> 8..12, 100 -> 93..107, 365 -> 345..385. Shorter intervals are not fuzzed.
One fuzz factor in [0, 1) is drawn per answer from the injected `random.Random` and shared by the four
buttons, so their order (hard < good < easy) survives fuzzing.
"""

from __future__ import annotations

import math

# (start, end, factor): each day of the interval inside [start, end) adds `factor` days of spread.
FUZZ_RANGES: tuple[tuple[float, float, float], ...] = (
    (2.5, 7.0, 0.15),
    (7.0, 20.0, 0.10),
    (20.0, math.inf, 0.05),
)
# Intervals shorter than this many days are never fuzzed.
MIN_FUZZED_INTERVAL = 2.5


def round_half_up(value: float) -> int:
    """Rounding as Rust's `f32::round` does for positive numbers (Python's `round` rounds half to even)."""
    return math.floor(value + 0.5)


def fuzz_delta(interval: float) -> float:
    """How many days an interval of `interval` days may move either way."""
    if interval < MIN_FUZZED_INTERVAL:
        return 0.0
    return 1.0 + sum(factor * max(min(interval, end) - start, 0.0) for start, end, factor in FUZZ_RANGES)


def fuzz_range(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """The whole-day interval range [lower, upper] a fuzzed `interval` can land on, within the limits."""
    minimum = min(minimum, maximum)
    interval = min(max(interval, minimum), maximum)
    delta = fuzz_delta(interval)
    lower = min(max(round_half_up(interval - delta), minimum), maximum)
    upper = min(max(round_half_up(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def fuzzed_interval(interval: float, minimum: int, maximum: int, fuzz_factor: float) -> int:
    """A day in `fuzz_range(...)`, picked by `fuzz_factor` in [0, 1)."""
    lower, upper = fuzz_range(interval, minimum, maximum)
    return min(lower + math.floor(fuzz_factor * (upper - lower + 1)), upper)
