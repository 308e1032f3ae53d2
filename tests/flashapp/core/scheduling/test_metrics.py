"""srs-benchmark's metrics equal a plain, independent reading of its formulas on fixed data."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import pytest

from flashapp.core.scheduling.metrics import ScoredReview, auc, calibration, log_loss, rmse_bins


def fixed_reviews() -> list[ScoredReview]:
    rng = random.Random(7)
    out = []
    for _ in range(400):
        p = round(rng.uniform(0.3, 0.99), 2)  # rounded: ties, which AUC must count half
        out.append(
            ScoredReview(
                y=int(rng.random() < p), p=p, elapsed_days=rng.choice([1, 2, 3, 5, 9, 13, 40, 200]),
                i=rng.randint(2, 30), lapses=rng.choice([0, 0, 0, 1, 2, 3, 6]),
            )
        )  # fmt: skip
    return out


def reference_log_loss(rows):
    return -sum(r.y * math.log(r.p) + (1 - r.y) * math.log(1 - r.p) for r in rows) / len(rows)


def reference_bin(x, base, scale, digits):
    # srs-benchmark: round(scale * base ** floor(log(x) / log(base)), digits)
    return round(scale * base ** math.floor(math.log(x) / math.log(base)), digits)


def reference_rmse_bins(rows):
    groups = defaultdict(list)
    for r in rows:
        key = (
            reference_bin(r.elapsed_days, 3.62, 2.48, 2),
            reference_bin(r.i, 1.89, 1.99, 0),
            reference_bin(r.lapses, 1.73, 1.65, 0) if r.lapses != 0 else 0,
        )
        groups[key].append(r)
    weighted = 0.0
    for members in groups.values():
        mean_y = sum(m.y for m in members) / len(members)
        mean_p = sum(m.p for m in members) / len(members)
        weighted += len(members) * (mean_y - mean_p) ** 2
    return math.sqrt(weighted / len(rows))


def reference_auc(rows):
    # Every (recalled, forgotten) pair: 1 if the recalled one was predicted higher, 1/2 on a tie.
    positives = [r.p for r in rows if r.y]
    negatives = [r.p for r in rows if not r.y]
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in positives for b in negatives)
    return wins / (len(positives) * len(negatives))


def test_metrics_equal_the_reference():
    rows = fixed_reviews()
    assert log_loss(rows) == pytest.approx(reference_log_loss(rows), rel=1e-12)
    assert rmse_bins(rows) == pytest.approx(reference_rmse_bins(rows), rel=1e-12)
    assert auc(rows) == pytest.approx(reference_auc(rows), rel=1e-12)


def test_hand_computed_values():
    rows = [
        ScoredReview(1, 0.9, 1, 2, 0),
        ScoredReview(0, 0.6, 1, 2, 0),  # same bin as the first: mean y 0.5, mean p 0.75
        ScoredReview(1, 0.6, 30, 5, 1),  # bin of its own: gap 0.4
    ]
    assert log_loss(rows) == pytest.approx(-(math.log(0.9) + math.log(0.4) + math.log(0.6)) / 3)
    assert rmse_bins(rows) == pytest.approx(math.sqrt((2 * 0.25**2 + 0.4**2) / 3))
    assert auc(rows) == pytest.approx((1 + 0.5) / 2)  # 0.9 beats 0.6; 0.6 ties 0.6
    assert auc(rows[:1]) is None


def test_calibration_bins():
    rows = [ScoredReview(1, 0.95, 1, 2, 0), ScoredReview(0, 0.91, 1, 2, 0), ScoredReview(1, 0.42, 3, 3, 0)]
    bins = calibration(rows)
    assert [(b.low, b.high, b.count) for b in bins] == [(0.4, 0.5, 1), (0.9, 1.0, 2)]
    assert bins[1].predicted == pytest.approx(0.93) and bins[1].actual == 0.5
