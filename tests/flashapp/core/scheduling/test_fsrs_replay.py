"""The whole-log scoring on arrays equals py-fsrs's replay one review at a time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from flashapp.core.scheduling.evaluation import evaluate, predictions, score, split_instant
from flashapp.core.scheduling.fsrs_replay import replay_recall
from flashapp.core.scheduling.log_arrays import LogArrays
from flashapp.core.scheduling.metrics import calibration
from flashapp.core.scheduling.review_history import HistoryReview
from flashapp.core.scheduling.simulation import FORGETFUL_LEARNER
from flashapp.core.scheduling.types import Rating
from tests.flashapp.core.scheduling.reference_scores import fsrs_scores, sm2_scores

START = datetime(2025, 1, 6, tzinfo=UTC)
GAPS = (0, 0, 0, 1, 1, 2, 3, 5, 8, 13, 30, 90, 400)  # study days between a card's reviews


def random_log(cards: int, seed: int) -> list[HistoryReview]:
    """Cards of 1 to 30 reviews with same-day repeats, long gaps and every rating, on whole hours (so
    that different cards share instants, as the time split must handle)."""
    rng = random.Random(seed)
    reviews = []
    for card_id in range(1, cards + 1):
        day = rng.randint(0, 60)
        for k in range(rng.randint(1, 30)):
            if k:
                day += rng.choice(GAPS)
            at = START + timedelta(days=day, hours=rng.randint(0, 3))
            rating = Rating(rng.choices((1, 2, 3, 4), weights=(20, 10, 55, 15))[0])
            reviews.append(HistoryReview(card_id, at, at.date(), rating, 8000, rng.choice((0, 1, 3, 10, 40))))
    reviews.sort(key=lambda r: r.reviewed_at)
    return reviews


@pytest.mark.parametrize("parameters", [(), FORGETFUL_LEARNER], ids=["defaults", "forgetful"])
def test_replay_equals_py_fsrs_review_by_review(parameters):
    reviews = random_log(300, seed=11)
    log = LogArrays.from_reviews(reviews)
    recall = replay_recall(parameters, log.rating, log.elapsed_days(), log.starts, log.lengths)
    ours = {
        (int(c), int(i) + 1): float(p)
        for c, i, p, s in zip(log.card_id, log.positions(), recall, predictions(log).scored, strict=True)
        if s
    }
    expected = {(s.card_id, s.score.i): s.score.p for s in fsrs_scores(reviews, parameters)}
    assert len(expected) > 2000
    assert ours.keys() == expected.keys()
    keys = sorted(expected)
    assert [ours[k] for k in keys] == pytest.approx([expected[k] for k in keys], rel=1e-9, abs=0)
    assert log.rating[log.starts].size == 300 and (recall[log.starts] == 0).all()


def test_evaluate_equals_scoring_each_review():
    reviews = random_log(400, seed=5)
    forgetful = {r.card_id for r in reviews if r.card_id % 3 == 0}
    groups = [
        (FORGETFUL_LEARNER, [r for r in reviews if r.card_id in forgetful]),
        ((), [r for r in reviews if r.card_id not in forgetful]),
    ]
    result = evaluate(reviews, groups)

    default = fsrs_scores(reviews)
    deck_scores = fsrs_scores(groups[0][1], FORGETFUL_LEARNER) + [
        s for s in default if s.card_id not in forgetful
    ]
    split = split_instant(default)
    expected = {"fsrs_default": default, "fsrs_deck": deck_scores, "sm2": sm2_scores(reviews)}
    assert result is not None and result.split_at == split
    assert result.reviews == sum(1 for s in default if s.reviewed_at >= split) > 500
    for name, scored in expected.items():
        want = score(scored, split)
        got = result.models[name]
        assert (got.log_loss, got.rmse_bins, got.auc) == pytest.approx(
            (want.log_loss, want.rmse_bins, want.auc), rel=1e-9
        ), name
        want_bins = calibration([s.score for s in scored if s.reviewed_at >= split])
        assert [(b.low, b.count, b.actual) for b in result.calibration[name]] == [
            (b.low, b.count, b.actual) for b in want_bins
        ]
        assert [b.predicted for b in result.calibration[name]] == pytest.approx(
            [b.predicted for b in want_bins], rel=1e-9
        )
    assert result.models["fsrs_deck"] != result.models["fsrs_default"]


def test_too_few_scorable_reviews_is_none():
    reviews = random_log(2, seed=1)[:3]
    assert evaluate(reviews) is None
    assert evaluate([]) is None


def test_replay_of_no_cards_and_one_review():
    log = LogArrays.from_reviews([HistoryReview(7, START, START.date(), Rating.GOOD, 0, 0)])
    recall = replay_recall(DEFAULT_PARAMETERS, log.rating, log.elapsed_days(), log.starts, log.lengths)
    assert recall.tolist() == [0.0]
    empty = LogArrays.from_reviews([])
    assert len(replay_recall((), empty.rating, empty.elapsed_days(), empty.starts, empty.lengths)) == 0
