"""A review log as numpy arrays, for scoring every review of a big collection at once.

One row per review, each card's reviews a run in time order (ties kept in log order), so that
whole-log computations (FSRS's replay in `fsrs_replay`, the metrics in `metrics`) are vector
operations instead of a Python object per review. Built from `HistoryReview`s (`from_reviews`) or
from columns read straight from the database (`from_columns`, what `store.review_history.load_log`
uses). numpy is imported inside the functions: the core layer stays importable without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from flashapp.core.scheduling.review_history import HistoryReview

if TYPE_CHECKING:
    import numpy as np

__all__ = ["LogArrays", "from_microseconds", "to_microseconds"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_microseconds(instant: datetime) -> int:
    """A tz-aware instant as whole microseconds since the Unix epoch (exact)."""
    return (instant - _EPOCH) // _MICROSECOND


def from_microseconds(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(value))


@dataclass(frozen=True)
class LogArrays:
    """Per review (all int64, in card-run order): `card_id`; `reviewed_at` in microseconds since the
    epoch (UTC); `day`, the study day's `date.toordinal()`; `rating` 1-4; `interval_before` (days the
    card's interval was when answered); `parameter_set`, which of `parameter_sets` (FSRS parameters,
    () for the defaults) the card's deck has. Per card: `starts` and `lengths` of its run."""

    card_id: np.ndarray
    reviewed_at: np.ndarray
    day: np.ndarray
    rating: np.ndarray
    interval_before: np.ndarray
    parameter_set: np.ndarray
    parameter_sets: tuple[tuple[float, ...], ...]
    starts: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.rating)

    @classmethod
    def from_columns(
        cls,
        *,
        card_id: Sequence[int] | np.ndarray,
        reviewed_at: Sequence[int] | np.ndarray,
        day: Sequence[int] | np.ndarray,
        rating: Sequence[int] | np.ndarray,
        interval_before: Sequence[int] | np.ndarray,
        parameter_set: Sequence[int] | np.ndarray | None = None,
        parameter_sets: Sequence[Sequence[float]] = ((),),
    ) -> LogArrays:
        """Reviews in log order (any order of cards; a card's reviews in time order, ties in log order),
        grouped into card runs. `parameter_set` indexes `parameter_sets` per review (default: all 0)."""
        import numpy as np

        columns = [
            np.asarray(c, dtype=np.int64) for c in (card_id, reviewed_at, day, rating, interval_before)
        ]
        n = len(columns[0])
        if parameter_set is None:
            columns.append(np.zeros(n, dtype=np.int64))
        else:
            columns.append(np.asarray(parameter_set, dtype=np.int64))
        # By card, then time; lexsort is stable, so equal times keep the log's order.
        order = np.lexsort((columns[1], columns[0]))
        columns = [c[order] for c in columns]
        cards = columns[0]
        starts = (
            np.flatnonzero(np.concatenate(([n > 0], cards[1:] != cards[:-1]))) if n else np.zeros(0, np.int64)
        )
        lengths = np.diff(np.append(starts, n))
        return cls(
            *columns,
            parameter_sets=tuple(tuple(float(w) for w in p) for p in parameter_sets),
            starts=starts.astype(np.int64),
            lengths=lengths.astype(np.int64),
        )

    @classmethod
    def from_reviews(
        cls, reviews: Sequence[HistoryReview], parameters: Mapping[int, Sequence[float]] | None = None
    ) -> LogArrays:
        """`reviews` (in log order) with each card's FSRS parameters (`parameters[card_id]`; a card not
        there, or no mapping, has the defaults)."""
        sets: dict[tuple[float, ...], int] = {(): 0}
        chosen = []
        for review in reviews:
            wanted = tuple(parameters.get(review.card_id, ())) if parameters else ()
            chosen.append(sets.setdefault(wanted, len(sets)))
        return cls.from_columns(
            card_id=[r.card_id for r in reviews],
            reviewed_at=[to_microseconds(r.reviewed_at) for r in reviews],
            day=[r.day.toordinal() for r in reviews],
            rating=[int(r.rating) for r in reviews],
            interval_before=[r.interval_before_days for r in reviews],
            parameter_set=chosen,
            parameter_sets=list(sets),
        )

    def elapsed_days(self) -> np.ndarray:
        """Study days since the card's previous review (0 at a card's first)."""
        import numpy as np

        elapsed = np.zeros(len(self), dtype=np.int64)
        elapsed[1:] = self.day[1:] - self.day[:-1]
        elapsed[self.starts] = 0
        return elapsed

    def positions(self) -> np.ndarray:
        """Each review's place in its card's run, 0 for the first."""
        import numpy as np

        return np.arange(len(self), dtype=np.int64) - np.repeat(self.starts, self.lengths)
