"""How well a model predicts recall on a learner's own later reviews, srs-benchmark's way.

Every review a study day or more after the card's previous one is scored (the card's first review
and same-day reviews are not: no model predicts those). A time split holds out the latest
`HELD_OUT_SHARE` of the scored reviews: parameters are fitted on what came before that instant, and
every model is scored on the reviews after it, each model replaying the card's whole history up to the
review it predicts.

Models:
- `fsrs_default`: FSRS-6 with the `fsrs` package's default parameters;
- `fsrs_deck`: FSRS-6 with the deck's parameters (the defaults when it has none);
- `sm2`: SM-2 read as a forgetting curve, recall = 0.9 ** (elapsed days / scheduled interval).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from flashapp.core.scheduling.metrics import (
    CalibrationBin,
    ScoredReview,
    auc,
    calibration,
    log_loss,
    rmse_bins,
)
from flashapp.core.scheduling.review_history import HistoryReview, by_card, stand_in_instants
from flashapp.core.scheduling.types import Rating

__all__ = ["Evaluation", "ModelScores", "evaluate", "fsrs_scores", "score", "sm2_scores", "split_instant"]

HELD_OUT_SHARE = 0.2
# SM-2's intervals aim at about this recall when the card is reviewed on time.
SM2_TARGET_RECALL = 0.9


@dataclass(frozen=True)
class Scored:
    """A scored review and when it happened (for the time split)."""

    reviewed_at: datetime
    score: ScoredReview
    card_id: int


def fsrs_scores(reviews: Sequence[HistoryReview], parameters: Sequence[float] = ()) -> list[Scored]:
    """FSRS's predicted recall for every scorable review, replaying each card's history in order."""
    scheduler = fsrs.Scheduler(parameters=tuple(parameters) or DEFAULT_PARAMETERS, enable_fuzzing=False)
    instants = dict(zip(map(id, reviews), stand_in_instants(reviews), strict=True))
    out: list[Scored] = []
    for card_id, history in by_card(reviews).items():
        card = fsrs.Card(card_id=card_id, due=instants[id(history[0])])
        recall = []
        for review in history:
            instant = instants[id(review)]
            recall.append(float(scheduler.get_card_retrievability(card, current_datetime=instant)))
            card, _ = scheduler.review_card(card, fsrs.Rating(int(review.rating)), review_datetime=instant)
        out += scored_history(history, recall)
    return out


def scored_history(history: Sequence[HistoryReview], recall: Sequence[float]) -> list[Scored]:
    """One card's scorable reviews, given the predicted recall before each of its reviews."""
    out: list[Scored] = []
    lapses = 0
    for index in range(1, len(history)):
        review = history[index]
        elapsed = (review.day - history[index - 1].day).days
        if elapsed > 0:
            y = 0 if review.rating is Rating.AGAIN else 1
            scored = ScoredReview(y, recall[index], elapsed, index + 1, lapses)
            out.append(Scored(review.reviewed_at, scored, review.card_id))
            lapses += 1 - y
    return out


def sm2_scores(reviews: Sequence[HistoryReview]) -> list[Scored]:
    """SM-2's implied recall for the same reviews `fsrs_scores` scores."""
    out: list[Scored] = []
    for history in by_card(reviews).values():
        recall = [1.0] + [
            SM2_TARGET_RECALL ** ((r.day - history[k].day).days / max(r.interval_before_days, 1))
            for k, r in enumerate(history[1:])
        ]
        out += scored_history(history, recall)
    return out


def split_instant(scored: Sequence[Scored], held_out_share: float = HELD_OUT_SHARE) -> datetime | None:
    """The first held-out instant: the latest `held_out_share` of scored reviews are at or after it.
    None when there is nothing to hold out."""
    times = sorted(s.reviewed_at for s in scored)
    held_out = int(len(times) * held_out_share)
    return times[len(times) - held_out] if held_out else None


@dataclass(frozen=True)
class ModelScores:
    log_loss: float
    rmse_bins: float
    auc: float | None

    def to_dict(self) -> dict[str, float | None]:
        return {"log_loss": self.log_loss, "rmse_bins": self.rmse_bins, "auc": self.auc}


def score(scored: Sequence[Scored], since: datetime | None = None) -> ModelScores:
    chosen = [s.score for s in scored if since is None or s.reviewed_at >= since]
    return ModelScores(log_loss(chosen), rmse_bins(chosen), auc(chosen))


@dataclass(frozen=True)
class Evaluation:
    reviews: int  # held-out reviews each model was scored on
    split_at: datetime
    models: dict[str, ModelScores]
    calibration: dict[str, list[CalibrationBin]]


def evaluate(
    reviews: Sequence[HistoryReview],
    deck_groups: Iterable[tuple[Sequence[float], Sequence[HistoryReview]]] = (),
) -> Evaluation | None:
    """The three models on the held-out later reviews; None when too few reviews can be scored.
    `deck_groups`: the reviews of the cards that share each set of deck parameters (a card's reviews all
    in one group); no groups means every card has the default parameters."""
    default = fsrs_scores(reviews)
    split = split_instant(default)
    if split is None:
        return None
    deck: list[Scored] = []
    groups = list(deck_groups)
    for parameters, group in groups:
        if parameters:
            deck += fsrs_scores(group, parameters)
        else:
            cards = {r.card_id for r in group}
            deck += [s for s in default if s.card_id in cards]
    scored = {"fsrs_default": default, "fsrs_deck": deck if groups else default, "sm2": sm2_scores(reviews)}
    held_out = {name: [s.score for s in values if s.reviewed_at >= split] for name, values in scored.items()}
    return Evaluation(
        reviews=len(held_out["fsrs_default"]),
        split_at=split,
        models={name: score(values, split) for name, values in scored.items()},
        calibration={name: calibration(values) for name, values in held_out.items()},
    )
