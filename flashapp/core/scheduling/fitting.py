"""Fitting FSRS parameters to a learner's review log.

The optimizer (`fsrs_training`: py-fsrs's optimizer recipe, batched; torch inside, imported only here,
only when fitting) trains on the reviews before the time split (`evaluation.split_instant`); the
fitted and the current parameters are then both scored on the held-out later reviews, so the numbers
shown are honest out-of-sample ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flashapp.core.scheduling.evaluation import HELD_OUT_SHARE, ModelScores, fsrs_scores, score, split_instant
from flashapp.core.scheduling.review_history import HistoryReview, by_card

__all__ = ["MIN_TRAINING_REVIEWS", "FitResult", "NotEnoughHistory", "fit_parameters"]

# py-fsrs's optimizer returns its defaults below one mini-batch (512) of reviews a day or more apart.
MIN_TRAINING_REVIEWS = 512
MIN_SCORED_REVIEWS = math.ceil(MIN_TRAINING_REVIEWS / (1 - HELD_OUT_SHARE))


class NotEnoughHistory(Exception):
    def __init__(self, have: int, needed: int):
        self.have, self.needed = have, needed
        super().__init__(f"{have} reviews a day or more apart; {needed} more are needed to fit FSRS")


@dataclass(frozen=True)
class FitResult:
    reviews_used: int  # review-log rows the optimizer trained on
    parameters: tuple[float, ...]
    before: ModelScores  # the current parameters, on the held-out reviews
    after: ModelScores  # the fitted parameters, on the same reviews
    held_out: int
    split_at: datetime


def fit_parameters(
    reviews: Sequence[HistoryReview],
    current: Sequence[float] = (),
    *,
    on_epoch: Callable[[int, float], None] | None = None,
) -> FitResult:
    """Fit on the reviews before the time split; raises `NotEnoughHistory` when too few are scorable.
    `on_epoch(epoch, training loss)` is called after each of the optimizer's epochs."""
    before_scores = fsrs_scores(reviews, current)
    split = split_instant(before_scores)
    training = [r for r in reviews if split is not None and r.reviewed_at < split]
    trained_on = sum(1 for s in before_scores if split is not None and s.reviewed_at < split)
    if split is None or len(before_scores) < MIN_SCORED_REVIEWS or trained_on < MIN_TRAINING_REVIEWS:
        needed = max(MIN_SCORED_REVIEWS - len(before_scores), MIN_TRAINING_REVIEWS - trained_on, 1)
        raise NotEnoughHistory(len(before_scores), needed)

    from flashapp.core.scheduling import fsrs_training  # torch: only here

    cards = [
        [(int(r.rating), (r.day - history[k - 1].day).days if k else 0) for k, r in enumerate(history)]
        for history in by_card(training).values()
    ]
    fitted = fsrs_training.train(fsrs_training.sequences(cards), on_epoch=on_epoch)
    parameters = tuple(round(float(w), 6) for w in fitted)
    after_scores = fsrs_scores(reviews, parameters)
    return FitResult(
        reviews_used=len(training),
        parameters=parameters,
        before=score(before_scores, split),
        after=score(after_scores, split),
        held_out=sum(1 for s in before_scores if s.reviewed_at >= split),
        split_at=split,
    )
