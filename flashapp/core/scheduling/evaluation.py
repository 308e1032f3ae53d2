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

`evaluate_log` scores a whole log at once on arrays (`LogArrays`; FSRS replayed for every card side
by side by `fsrs_replay`): a million reviews take seconds. The tests hold the arrays, within 1e-9, to
the same predictions made one review at a time through py-fsrs itself
(`tests/flashapp/core/scheduling/reference_scores.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flashapp.core.scheduling.fsrs_replay import replay_recall
from flashapp.core.scheduling.log_arrays import LogArrays, from_microseconds
from flashapp.core.scheduling.metrics import (
    CalibrationBin,
    ScoredArrays,
    ScoredReview,
    auc,
    calibration,
    log_loss,
    rmse_bins,
)
from flashapp.core.scheduling.review_history import HistoryReview
from flashapp.core.scheduling.types import Rating

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Evaluation",
    "ModelScores",
    "evaluate",
    "evaluate_log",
    "predictions",
    "score",
    "scored_history",
    "split_instant",
]

MODELS = ("fsrs_default", "fsrs_deck", "sm2")

HELD_OUT_SHARE = 0.2
# SM-2's intervals aim at about this recall when the card is reviewed on time.
SM2_TARGET_RECALL = 0.9


@dataclass(frozen=True)
class Scored:
    """A scored review and when it happened (for the time split)."""

    reviewed_at: datetime
    score: ScoredReview
    card_id: int


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


def score(scored: Sequence[Scored] | ScoredArrays, since: datetime | None = None) -> ModelScores:
    """The metrics of `scored` (those at or after `since`, for a list)."""
    chosen = (
        scored
        if isinstance(scored, ScoredArrays)
        else [s.score for s in scored if since is None or s.reviewed_at >= since]
    )
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
    parameters = {r.card_id: tuple(p) for p, group in deck_groups for r in group}
    return evaluate_log(LogArrays.from_reviews(reviews, parameters))


@dataclass(frozen=True)
class Predictions:
    """Each review's predicted recall by each model (float64 per review, in `log`'s order), and which
    reviews are scored (a day or more after the card's previous review)."""

    recall: dict[str, np.ndarray]
    scored: np.ndarray
    elapsed: np.ndarray
    positions: np.ndarray


def predictions(log: LogArrays) -> Predictions:
    """The three models' recall before every review of `log`, all cards at once."""
    import numpy as np

    elapsed = log.elapsed_days()
    positions = log.positions()
    default = replay_recall((), log.rating, elapsed, log.starts, log.lengths)
    deck = default
    card_set = log.parameter_set[log.starts]
    for index, parameters in enumerate(log.parameter_sets):
        cards = card_set == index
        if parameters and cards.any():
            deck = deck.copy() if deck is default else deck
            replay_recall(parameters, log.rating, elapsed, log.starts[cards], log.lengths[cards], out=deck)
    sm2 = SM2_TARGET_RECALL ** (elapsed / np.maximum(log.interval_before, 1))
    return Predictions(
        recall={"fsrs_default": default, "fsrs_deck": deck, "sm2": sm2},
        scored=(positions > 0) & (elapsed > 0),
        elapsed=elapsed,
        positions=positions,
    )


def evaluate_log(log: LogArrays, held_out_share: float = HELD_OUT_SHARE) -> Evaluation | None:
    """`evaluate` on a log held as arrays; None when too few reviews can be scored."""
    import numpy as np

    predicted = predictions(log)
    scored = predicted.scored
    times = np.sort(log.reviewed_at[scored])
    held = int(len(times) * held_out_share)
    if not held:
        return None
    split = times[len(times) - held]
    held_out = scored & (log.reviewed_at >= split)
    y = (log.rating != int(Rating.AGAIN)).astype(np.int64)
    forgot = (scored & (y == 0)).astype(np.int64)
    forgot_before = np.cumsum(forgot) - forgot  # over the whole log, then counted from each card's start
    lapses = forgot_before - np.repeat(forgot_before[log.starts], log.lengths)
    columns = (y, predicted.elapsed, predicted.positions + 1, lapses)
    y, elapsed, number, lapses = (c[held_out] for c in columns)
    models, bins = {}, {}
    for name in MODELS:
        arrays = ScoredArrays(y, predicted.recall[name][held_out], elapsed, number, lapses)
        models[name] = score(arrays)
        bins[name] = calibration(arrays)
    return Evaluation(
        reviews=int(np.count_nonzero(held_out)),
        split_at=from_microseconds(int(split)),
        models=models,
        calibration=bins,
    )
