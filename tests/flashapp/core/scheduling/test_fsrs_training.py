"""The batched FSRS trainer agrees with py-fsrs, and fitting helps a learner far from the defaults."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import torch
from fsrs import Optimizer

from flashapp.core.scheduling import SchedulerOptions
from flashapp.core.scheduling import fsrs_training as training
from flashapp.core.scheduling.fitting import MIN_TRAINING_REVIEWS, NotEnoughHistory, fit_parameters
from flashapp.core.scheduling.review_history import HistoryReview, by_card, fsrs_review_logs
from flashapp.core.scheduling.simulation import FORGETFUL_LEARNER, simulate_learner
from tests.flashapp.core.scheduling.reference_scores import fsrs_scores

START = datetime(2025, 1, 6, tzinfo=UTC)


def history(days: int, new_per_day: int, seed: int = 3) -> list[HistoryReview]:
    options = SchedulerOptions(algorithm="fsrs", new_per_day=new_per_day, reviews_per_day=100_000)
    simulated = simulate_learner(
        FORGETFUL_LEARNER, start=START, days=days, options=options, rng=random.Random(seed)
    )
    return [
        HistoryReview(
            s.card_id, s.reviewed_at, s.reviewed_at.date(), s.rating, s.duration_ms, s.before.interval_days
        )
        for s in simulated
    ]


def card_sequences(reviews: list[HistoryReview]) -> training.CardSequences:
    return training.sequences(
        [
            [(int(r.rating), (r.day - h[k - 1].day).days if k else 0) for k, r in enumerate(h)]
            for h in by_card(reviews).values()
        ]
    )


def test_batched_predictions_equal_py_fsrs():
    reviews = history(40, 6)
    parameters = FORGETFUL_LEARNER
    expected = sorted((s.card_id, s.score.i, s.score.p) for s in fsrs_scores(reviews, parameters))
    seqs = card_sequences(reviews)
    predicted, scored = training.forward(torch.tensor(parameters, dtype=torch.float64), seqs)
    card_ids = list(by_card(reviews))
    ours = sorted(
        (card_ids[row], col + 1, float(predicted[row, col])) for row, col in scored.nonzero().tolist()
    )
    assert [(c, i) for c, i, _ in ours] == [(c, i) for c, i, _ in expected]
    assert [p for _, _, p in ours] == pytest.approx([p for _, _, p in expected], rel=1e-9)


def test_batched_loss_equals_py_fsrs_optimizer_loss():
    reviews = history(20, 4)
    total, count = training.batch_loss(
        torch.tensor(FORGETFUL_LEARNER, dtype=torch.float64), card_sequences(reviews)
    )
    reference = Optimizer(fsrs_review_logs(reviews))._compute_batch_loss(parameters=list(FORGETFUL_LEARNER))
    assert count > 50
    assert float(total) / count == pytest.approx(reference, rel=1e-9)


def test_fitting_improves_held_out_log_loss_for_a_forgetful_learner():
    reviews = history(60, 15)
    result = fit_parameters(reviews)
    assert result.after.log_loss < result.before.log_loss - 0.005
    assert result.after.rmse_bins < result.before.rmse_bins
    assert len(result.parameters) == 21
    assert all(r.reviewed_at < result.split_at for r in reviews[: result.reviews_used])


def test_too_little_history_says_how_much_more():
    with pytest.raises(NotEnoughHistory) as short:
        fit_parameters(history(10, 5))
    assert 0 < short.value.needed <= MIN_TRAINING_REVIEWS * 2
