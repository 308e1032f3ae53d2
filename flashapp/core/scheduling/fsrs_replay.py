"""FSRS-6's predicted recall before every review of many cards at once, in numpy.

The same replay as py-fsrs's `Scheduler.review_card` one card and one review at a time (the
reference: tests/flashapp/core/scheduling/reference_scores.py): a card's first answer sets its
stability and difficulty from the rating; each later answer on the same study day (elapsed < 1)
applies the short-term stability update, and one a day or more later the long-term recall or forget
update with the recall predicted at that moment; the difficulty moves after every answer. The card's
state and learning steps decide only when it comes due, never its memory state, so they are not
replayed. Recall before an answer is `(1 + factor * max(elapsed, 0) / stability) ** decay`, 0 before
the first.

Cards are replayed side by side: ordered longest first, step `t` updates the cards that have a
`t`-th review, which are a prefix of that order, so the work is one vector operation per review
position, over exactly the reviews at that position (no padding). The formulas are py-fsrs's, term for
term (`e ** x` where it writes `math.e ** x`); a test holds the results to py-fsrs's within 1e-9.
numpy is imported inside the function: the core layer stays importable without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fsrs.scheduler import DEFAULT_PARAMETERS, MAX_DIFFICULTY, MIN_DIFFICULTY, STABILITY_MIN

if TYPE_CHECKING:
    import numpy as np

__all__ = ["replay_recall"]


def replay_recall(
    parameters: Sequence[float],
    ratings: np.ndarray,
    elapsed: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The recall FSRS predicts before each review. The reviews are flat arrays, each card's a run in
    time order: card `k`'s are `starts[k] : starts[k] + lengths[k]`. `ratings` 1-4; `elapsed` the
    study days since the card's previous review (any value at a card's first). Returns a float64 array
    as long as `ratings` (or fills `out`) with each of these cards' reviews' predicted recall (0 at a
    card's first review); positions of cards not listed are left as they were (zeros when new)."""
    import numpy as np

    w = [float(x) for x in (tuple(parameters) or DEFAULT_PARAMETERS)]
    e = math.e
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    if out is None:
        out = np.zeros(len(ratings), dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    first_index = np.asarray(starts, dtype=np.int64)[order]
    sorted_lengths = lengths[order]
    steps = int(sorted_lengths[0]) if len(sorted_lengths) else 0
    if steps <= 0:
        return out
    # active[t]: how many cards (a prefix of `order`) have a review at position t (longer than t).
    active = np.searchsorted(-sorted_lengths, -np.arange(steps), side="left")
    count = int(active[0])

    weights = np.asarray(w, dtype=np.float64)
    index = first_index[:count]
    rating = ratings[index].astype(np.int64)
    stability = np.maximum(weights[rating - 1], STABILITY_MIN)
    difficulty = np.clip(w[4] - np.power(e, w[5] * (rating - 1)) + 1, MIN_DIFFICULTY, MAX_DIFFICULTY)
    out[index] = 0.0
    easy_difficulty = w[4] - e ** (w[5] * 3) + 1  # py-fsrs's mean-reversion target, unclamped
    forget_cap = e ** (w[17] * w[18])
    growth = e ** w[8]
    for t in range(1, steps):
        n = int(active[t])
        index = first_index[:n] + t
        s, d = stability[:n], difficulty[:n]
        rating = ratings[index].astype(np.int64)
        days = elapsed[index].astype(np.float64)
        recall = (1 + factor * np.maximum(days, 0.0) / s) ** decay
        out[index] = recall
        grade = rating.astype(np.float64)
        same_day = days < 1
        new_stability = np.empty(n, dtype=np.float64)
        if same_day.any():
            ss, sg = s[same_day], grade[same_day]
            increase = np.power(e, w[17] * (sg - 3 + w[18])) * ss ** -w[19]
            increase = np.where(sg >= 2, np.maximum(increase, 1.0), increase)
            new_stability[same_day] = ss * increase
        later = ~same_day
        if later.any():
            ls, ld, lr, lg = s[later], d[later], recall[later], grade[later]
            forget = np.minimum(
                w[11] * ld ** -w[12] * ((ls + 1) ** w[13] - 1) * np.power(e, (1 - lr) * w[14]),
                ls / forget_cap,
            )
            bonus = np.where(lg == 2, w[15], np.where(lg == 4, w[16], 1.0))
            remembered = ls * (
                1 + growth * (11 - ld) * ls ** -w[9] * (np.power(e, (1 - lr) * w[10]) - 1) * bonus
            )
            new_stability[later] = np.where(lg == 1, forget, remembered)
        stability[:n] = np.maximum(new_stability, STABILITY_MIN)
        damped = d + (10.0 - d) * -(w[6] * (grade - 3)) / 9.0
        difficulty[:n] = np.clip(w[7] * easy_difficulty + (1 - w[7]) * damped, MIN_DIFFICULTY, MAX_DIFFICULTY)
    return out
