"""The open srs-benchmark's metrics for recall predictions: log loss, RMSE(bins) and AUC, plus the
calibration table (predicted against actual recall by bin).

Each scored review has an outcome `y` (1 recalled, 0 forgotten: AGAIN), a predicted recall `p`, the
study days since the card's previous review, which review of the card it is (`i`, counting from 1),
and how many lapses the card had before it (AGAIN answers given a day or more after the previous
review). RMSE(bins) groups reviews by those three, each on a geometric scale (srs-benchmark's bins:
elapsed days by powers of 3.62, review number by powers of 1.89, lapses by powers of 1.73, 0 apart),
and takes the root of the count-weighted mean squared gap between each group's mean outcome and mean
prediction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ScoredReview", "auc", "calibration", "log_loss", "rmse_bins"]

# Predictions are clipped this far from 0 and 1 before the logarithm (a model saying exactly 1 for a
# forgotten card would otherwise score infinity).
EPSILON = 1e-7
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class ScoredReview:
    y: int
    p: float
    elapsed_days: int
    i: int
    lapses: int


def log_loss(reviews: Sequence[ScoredReview]) -> float:
    """Mean binary cross-entropy, natural log."""
    total = 0.0
    for r in reviews:
        p = min(max(r.p, EPSILON), 1 - EPSILON)
        total -= math.log(p) if r.y else math.log(1 - p)
    return total / len(reviews)


def _geometric_bin(value: float, base: float, scale: float, digits: int) -> float:
    """The lower edge of `value`'s bin on the scale `scale * base**k`."""
    return round(scale * base ** math.floor(math.log(value) / math.log(base)), digits)


def bin_key(r: ScoredReview) -> tuple[float, float, float]:
    elapsed = _geometric_bin(max(r.elapsed_days, 1e-6), 3.62, 2.48, 2)
    number = _geometric_bin(r.i, 1.89, 1.99, 0)
    lapses = _geometric_bin(r.lapses, 1.73, 1.65, 0) if r.lapses else 0.0
    return elapsed, number, lapses


def rmse_bins(reviews: Sequence[ScoredReview]) -> float:
    groups: dict[tuple[float, float, float], list[float]] = {}
    for r in reviews:
        group = groups.setdefault(bin_key(r), [0.0, 0.0, 0.0])  # count, sum y, sum p
        group[0] += 1
        group[1] += r.y
        group[2] += r.p
    squared = sum(n * (sy / n - sp / n) ** 2 for n, sy, sp in groups.values())
    return math.sqrt(squared / sum(n for n, _, _ in groups.values()))


def auc(reviews: Sequence[ScoredReview]) -> float | None:
    """Area under the ROC curve: the chance a recalled review was given a higher prediction than a
    forgotten one (ties count half). None when every outcome is the same."""
    ordered = sorted(reviews, key=lambda r: r.p)
    positives = sum(r.y for r in ordered)
    negatives = len(ordered) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = 0.0  # sum of the (tie-averaged, 1-based) ranks of the recalled reviews
    start = 0
    while start < len(ordered):
        end = start
        while end < len(ordered) and ordered[end].p == ordered[start].p:
            end += 1
        average_rank = (start + 1 + end) / 2
        rank_sum += average_rank * sum(r.y for r in ordered[start:end])
        start = end
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    predicted: float  # mean predicted recall in the bin
    actual: float  # share recalled


def calibration(reviews: Sequence[ScoredReview], bins: int = CALIBRATION_BINS) -> list[CalibrationBin]:
    """Predictions in `bins` equal-width bins over [0, 1]; empty bins are left out."""
    sums = [[0, 0.0, 0] for _ in range(bins)]  # count, sum p, sum y
    for r in reviews:
        index = min(int(r.p * bins), bins - 1)
        sums[index][0] += 1
        sums[index][1] += r.p
        sums[index][2] += r.y
    return [
        CalibrationBin(k / bins, (k + 1) / bins, n, sp / n, sy / n) for k, (n, sp, sy) in enumerate(sums) if n
    ]
