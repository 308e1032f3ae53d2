"""The open srs-benchmark's metrics for recall predictions: log loss, RMSE(bins) and AUC, plus the
calibration table (predicted against actual recall by bin).

Each scored review has an outcome `y` (1 recalled, 0 forgotten: AGAIN), a predicted recall `p`, the
study days since the card's previous review, which review of the card it is (`i`, counting from 1),
and how many lapses the card had before it (AGAIN answers given a day or more after the previous
review). RMSE(bins) groups reviews by those three, each on a geometric scale (srs-benchmark's bins:
elapsed days by powers of 3.62, review number by powers of 1.89, lapses by powers of 1.73, 0 apart),
and takes the root of the count-weighted mean squared gap between each group's mean outcome and mean
prediction.

Every metric takes a list of `ScoredReview`s or, for a whole collection's million reviews at once,
the same columns as numpy arrays (`ScoredArrays`); the work is done on arrays either way. numpy is
imported inside the functions: the core layer stays importable without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ScoredArrays", "ScoredReview", "auc", "calibration", "log_loss", "rmse_bins"]

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


@dataclass(frozen=True)
class ScoredArrays:
    """Scored reviews as columns: `y` (0/1), `p` float64, `elapsed_days`, `i`, `lapses` (int64)."""

    y: np.ndarray
    p: np.ndarray
    elapsed_days: np.ndarray
    i: np.ndarray
    lapses: np.ndarray

    def __len__(self) -> int:
        return len(self.p)

    @classmethod
    def from_reviews(cls, reviews: Sequence[ScoredReview]) -> ScoredArrays:
        import numpy as np

        def column(name: str, dtype: type) -> np.ndarray:
            return np.fromiter((getattr(r, name) for r in reviews), dtype=dtype, count=len(reviews))

        return cls(
            column("y", np.int64),
            column("p", np.float64),
            column("elapsed_days", np.int64),
            column("i", np.int64),
            column("lapses", np.int64),
        )

    def select(self, mask: np.ndarray) -> ScoredArrays:
        return ScoredArrays(
            self.y[mask], self.p[mask], self.elapsed_days[mask], self.i[mask], self.lapses[mask]
        )


Scored = Sequence[ScoredReview] | ScoredArrays


def _arrays(reviews: Scored) -> ScoredArrays:
    return reviews if isinstance(reviews, ScoredArrays) else ScoredArrays.from_reviews(reviews)


def log_loss(reviews: Scored) -> float:
    """Mean binary cross-entropy, natural log."""
    import numpy as np

    r = _arrays(reviews)
    p = np.clip(r.p, EPSILON, 1 - EPSILON)
    terms = np.where(r.y != 0, np.log(p), np.log(1 - p))
    return float(-terms.sum() / len(r))


def _geometric_bin(value: float, base: float, scale: float, digits: int) -> float:
    """The lower edge of `value`'s bin on the scale `scale * base**k`."""
    return round(scale * base ** math.floor(math.log(value) / math.log(base)), digits)


def _elapsed_bin(days: int) -> float:
    return _geometric_bin(max(days, 1e-6), 3.62, 2.48, 2)


def _number_bin(i: int) -> float:
    return _geometric_bin(i, 1.89, 1.99, 0)


def _lapses_bin(lapses: int) -> float:
    return _geometric_bin(lapses, 1.73, 1.65, 0) if lapses else 0.0


def _bin_index(values: np.ndarray, edge: Callable[[int], float]) -> np.ndarray:
    """Each value's bin as a small integer, numbered in order of the bins' edges; each edge is
    computed once per distinct value with the scalar formula, so the bins are exactly srs-benchmark's."""
    import numpy as np

    distinct, inverse = np.unique(values, return_inverse=True)
    edges = np.array([edge(int(v)) for v in distinct.tolist()], dtype=np.float64)
    _, numbered = np.unique(edges, return_inverse=True)
    return numbered.reshape(-1)[inverse.reshape(-1)]


def rmse_bins(reviews: Scored) -> float:
    import numpy as np

    r = _arrays(reviews)
    elapsed = _bin_index(r.elapsed_days, _elapsed_bin)
    number = _bin_index(r.i, _number_bin)
    lapses = _bin_index(r.lapses, _lapses_bin)
    keys = (elapsed * (number.max() + 1) + number) * (lapses.max() + 1) + lapses
    _, group = np.unique(keys, return_inverse=True)
    group = group.reshape(-1)
    n = np.bincount(group).astype(np.float64)
    sum_y = np.bincount(group, weights=r.y.astype(np.float64))
    sum_p = np.bincount(group, weights=r.p)
    squared = float(np.sum(n * (sum_y / n - sum_p / n) ** 2))
    return math.sqrt(squared / float(n.sum()))


def auc(reviews: Scored) -> float | None:
    """Area under the ROC curve: the chance a recalled review was given a higher prediction than a
    forgotten one (ties count half). None when every outcome is the same."""
    import numpy as np

    r = _arrays(reviews)
    positives = int(np.count_nonzero(r.y))
    negatives = len(r) - positives
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(r.p, kind="stable")
    p, y = r.p[order], r.y[order].astype(np.float64)
    # Runs of equal predictions share the average of their (1-based) ranks.
    starts = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1])))
    ends = np.append(starts[1:], len(p))
    average_rank = (starts + 1 + ends) / 2
    rank_sum = float(np.sum(average_rank * np.add.reduceat(y, starts)))
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    predicted: float  # mean predicted recall in the bin
    actual: float  # share recalled


def calibration(reviews: Scored, bins: int = CALIBRATION_BINS) -> list[CalibrationBin]:
    """Predictions in `bins` equal-width bins over [0, 1]; empty bins are left out."""
    import numpy as np

    r = _arrays(reviews)
    index = np.minimum((r.p * bins).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins)
    sum_p = np.bincount(index, weights=r.p, minlength=bins)
    sum_y = np.bincount(index, weights=r.y.astype(np.float64), minlength=bins)
    return [
        CalibrationBin(k / bins, (k + 1) / bins, int(n), float(sum_p[k] / n), float(sum_y[k] / n))
        for k, n in enumerate(counts.tolist())
        if n
    ]
