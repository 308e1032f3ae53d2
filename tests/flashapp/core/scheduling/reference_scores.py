"""The reference the array scoring (`evaluation.predictions`, `fsrs_replay`) is held to: the same
predictions made one review at a time, FSRS's through py-fsrs itself."""

from __future__ import annotations

from collections.abc import Sequence

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from flashapp.core.scheduling.evaluation import SM2_TARGET_RECALL, Scored, scored_history
from flashapp.core.scheduling.review_history import HistoryReview, by_card, stand_in_instants


def fsrs_scores(reviews: Sequence[HistoryReview], parameters: Sequence[float] = ()) -> list[Scored]:
    """FSRS's predicted recall for every scorable review, replaying each card's history in order
    through py-fsrs one review at a time (the reference for `evaluation.predictions`)."""
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
