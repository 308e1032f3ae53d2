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

from fsrs.scheduler import DEFAULT_PARAMETERS

from flashapp.core.scheduling.evaluation import (
    HELD_OUT_SHARE,
    ModelScores,
    Scored,
    score,
    scored_history,
    split_instant,
)
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
    from flashapp.core.scheduling import fsrs_training  # torch: only here

    histories = list(by_card(reviews).values())
    full = fsrs_training.sequences([_card_sequence(h) for h in histories], limit=None)

    def scores(parameters: Sequence[float]) -> list[Scored]:
        # The batched forward pass, which equals py-fsrs's replay to 1e-9 (tested).
        predicted, _ = fsrs_training.predict(tuple(parameters) or DEFAULT_PARAMETERS, full)
        return [s for h, p in zip(histories, predicted, strict=True) for s in scored_history(h, p)]

    before_scores = scores(current)
    split = split_instant(before_scores)
    trained_on = sum(1 for s in before_scores if split is not None and s.reviewed_at < split)
    if split is None or len(before_scores) < MIN_SCORED_REVIEWS or trained_on < MIN_TRAINING_REVIEWS:
        needed = max(MIN_SCORED_REVIEWS - len(before_scores), MIN_TRAINING_REVIEWS - trained_on, 1)
        raise NotEnoughHistory(len(before_scores), needed)
    training = [[r for r in h if r.reviewed_at < split] for h in histories]
    training = [h for h in training if h]
    fitted = fsrs_training.train(
        fsrs_training.sequences([_card_sequence(h) for h in training]), on_epoch=on_epoch
    )
    parameters = tuple(round(float(w), 6) for w in fitted)
    return FitResult(
        reviews_used=sum(len(h) for h in training),
        parameters=parameters,
        before=score(before_scores, split),
        after=score(scores(parameters), split),
        held_out=sum(1 for s in before_scores if s.reviewed_at >= split),
        split_at=split,
    )


def _card_sequence(history: Sequence[HistoryReview]) -> list[tuple[int, int]]:
    return [(int(r.rating), (r.day - history[k - 1].day).days if k else 0) for k, r in enumerate(history)]
