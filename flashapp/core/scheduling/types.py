"""Plain values the schedulers read and return: card state, ratings, review log, per-deck options.

Every datetime here is timezone-aware; values given in another zone are converted to UTC, naive ones are
rejected. Intervals are whole days; learning and relearning steps are minutes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any, Literal

from flashapp.core.scheduling.utc import ensure_utc

# The SM-2 ease factor never drops below this (SuperMemo's published minimum, also Anki's).
MIN_EASE = 1.3
# Anki caps intervals at 100 years; it also keeps `now + interval` far inside datetime's range.
MAX_INTERVAL_LIMIT_DAYS = 36500
SECONDS_PER_DAY = 86400.0


class State(StrEnum):
    """Where a card is in its life: never seen, in learning steps, in day-interval review, relearning."""

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


class Rating(IntEnum):
    """The four answer buttons."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @classmethod
    def parse(cls, text: str) -> Rating:
        """`again|hard|good|easy` (any case) or `1`-`4`."""
        word = str(text).strip().lower()
        if word.isdigit() and 1 <= int(word) <= 4:
            return cls(int(word))
        try:
            return cls[word.upper()]
        except KeyError:
            raise ValueError(f"unknown rating {text!r}: expected again, hard, good, easy or 1-4") from None


@dataclass(frozen=True)
class CardState:
    """One card's scheduling state; the store keeps one column per field, under these names.

    - `due`: when the card is next shown (UTC); None only for a new card.
    - `interval_days`: the current review interval in days. 0 for new cards and cards in learning steps.
      SM-2 relearning cards carry the interval they get back when they finish relearning (as Anki
      does), because a lapse's new interval depends on the interval before the lapse; FSRS relearning
      cards carry 0.
    - `ease`: the SM-2 ease factor (2.5 = 250%); kept but not used by FSRS.
    - `reps`: every answer ever given; `lapses`: AGAIN answers given to a card in review.
    - `step`: index into the learning steps (LEARNING) or relearning steps (RELEARNING); 0 otherwise.
    - `stability` (days) and `difficulty` (1-10): the FSRS memory state; None until FSRS has seen it.
    """

    state: State = State.NEW
    due: datetime | None = None
    interval_days: int = 0
    ease: float = 2.5
    reps: int = 0
    lapses: int = 0
    step: int = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "state", State(self.state))
        except ValueError:
            raise ValueError(f"unknown card state {self.state!r}") from None
        for name in ("due", "last_review"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, ensure_utc(name, value))
        if self.due is None and self.state is not State.NEW:
            raise ValueError(f"a card in state {self.state.value!r} needs a due datetime")
        for name in ("interval_days", "reps", "lapses", "step"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"card {name} must be a whole number >= 0, got {value!r}")
        if not _is_number(self.ease) or not math.isfinite(self.ease) or self.ease <= 0:
            raise ValueError(f"card ease must be a positive number, got {self.ease!r}")
        for name in ("stability", "difficulty"):
            value = getattr(self, name)
            if value is not None and (not _is_number(value) or not math.isfinite(value) or value <= 0):
                raise ValueError(f"card {name} must be a positive number or None, got {value!r}")


@dataclass(frozen=True)
class ReviewLog:
    """One answer, as the append-only review log keeps it. `elapsed_days` is since the previous review
    (fractional days, 0 for a card's first review and when the clock went backwards)."""

    rating: Rating
    reviewed_at: datetime
    state_before: State
    state_after: State
    interval_before_days: int
    interval_after_days: int
    due_after: datetime
    ease_after: float
    elapsed_days: float

    @classmethod
    def between(cls, before: CardState, after: CardState, rating: Rating, reviewed_at: datetime) -> ReviewLog:
        """The log row for answering `before` with `rating` at `reviewed_at`, which gave `after`."""
        assert after.due is not None  # a reviewed card is never new
        elapsed = 0.0
        if before.last_review is not None:
            elapsed = max(0.0, (reviewed_at - before.last_review).total_seconds() / SECONDS_PER_DAY)
        return cls(
            rating=rating,
            reviewed_at=reviewed_at,
            state_before=before.state,
            state_after=after.state,
            interval_before_days=before.interval_days,
            interval_after_days=after.interval_days,
            due_after=after.due,
            ease_after=after.ease,
            elapsed_days=elapsed,
        )


Algorithm = Literal["sm2", "fsrs"]
ALGORITHMS: tuple[str, ...] = ("sm2", "fsrs")


@dataclass(frozen=True)
class SchedulerOptions:
    """A deck's scheduling options (Anki's names and defaults). Stored as JSON via `to_dict`/`from_dict`.

    Steps are minutes; intervals are days; multipliers are plain factors (1.2, not 120%).
    `lapse_interval_multiplier`: a lapsed card's new interval is
    max(minimum_lapse_interval_days, old interval * this). `day_rollover_hour`: local hour at which a
    new study day starts. `fsrs_parameters`: FSRS's weights for this deck (from `flashapp optimize` or
    Anki); empty means the `fsrs` package's defaults. `new_cards_ignore_review_limit`: new cards are
    limited by `new_per_day` alone (Anki's option of that name; off: they also count against
    `reviews_per_day`, as in Anki by default).
    """

    algorithm: Algorithm = "sm2"
    learning_steps_minutes: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_minutes: tuple[float, ...] = (10.0,)
    graduating_interval_days: int = 1
    easy_interval_days: int = 4
    starting_ease: float = 2.5
    easy_bonus: float = 1.3
    hard_multiplier: float = 1.2
    interval_modifier: float = 1.0
    lapse_interval_multiplier: float = 0.0
    minimum_lapse_interval_days: int = 1
    maximum_interval_days: int = MAX_INTERVAL_LIMIT_DAYS
    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_rollover_hour: int = 4
    fsrs_parameters: tuple[float, ...] = ()
    new_cards_ignore_review_limit: bool = False

    def __post_init__(self) -> None:
        ignore = self.new_cards_ignore_review_limit
        if not isinstance(ignore, bool):
            raise ValueError(f"option new_cards_ignore_review_limit must be true or false, got {ignore!r}")
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"option algorithm must be 'sm2' or 'fsrs', got {self.algorithm!r}")
        for name in ("learning_steps_minutes", "relearning_steps_minutes"):
            object.__setattr__(self, name, _steps(name, getattr(self, name)))
        _whole(self, "graduating_interval_days", 1, MAX_INTERVAL_LIMIT_DAYS)
        _whole(self, "easy_interval_days", 1, MAX_INTERVAL_LIMIT_DAYS)
        _whole(self, "minimum_lapse_interval_days", 1, MAX_INTERVAL_LIMIT_DAYS)
        _whole(self, "maximum_interval_days", 1, MAX_INTERVAL_LIMIT_DAYS)
        _whole(self, "new_per_day", 0, None)
        _whole(self, "reviews_per_day", 0, None)
        _whole(self, "day_rollover_hour", 0, 23)
        _real(self, "starting_ease", MIN_EASE, 5.0)
        _real(self, "easy_bonus", 1.0, 5.0)
        _real(self, "hard_multiplier", 0.5, 5.0)
        _real(self, "interval_modifier", 0.1, 10.0)
        _real(self, "lapse_interval_multiplier", 0.0, 1.0)
        _real(self, "desired_retention", 0.0, 1.0, open_interval=True)
        object.__setattr__(self, "fsrs_parameters", _fsrs_parameters(self.fsrs_parameters))
        if self.easy_interval_days < self.graduating_interval_days:
            raise ValueError(
                f"option easy_interval_days ({self.easy_interval_days}) must be >= "
                f"graduating_interval_days ({self.graduating_interval_days})"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: steps become lists, everything else is a str, int or float."""
        out: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            out[field.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SchedulerOptions:
        """Inverse of `to_dict`; missing keys take their defaults, unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise ValueError(f"scheduler options must be a JSON object, got {type(data).__name__}")
        known = {field.name for field in fields(cls)}
        for key in data:
            if key not in known:
                raise ValueError(f"unknown scheduler option {key!r}")
        return cls(**dict(data))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _steps(name: str, value: object) -> tuple[float, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise ValueError(f"option {name} must be a list of minutes, got {value!r}")
    steps = []
    for step in value:
        if not _is_number(step) or not math.isfinite(step) or step <= 0:
            raise ValueError(f"option {name} must hold positive minutes, got {step!r}")
        if step > MAX_INTERVAL_LIMIT_DAYS * 24 * 60:
            raise ValueError(f"option {name} step {step!r} is longer than {MAX_INTERVAL_LIMIT_DAYS} days")
        steps.append(float(step))
    return tuple(steps)


def _fsrs_parameters(value: object) -> tuple[float, ...]:
    """Empty, or exactly as many numbers as the `fsrs` package uses, each inside its bounds (the
    package is imported only here, where parameters are given: options without them never load it)."""
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise ValueError(f"option fsrs_parameters must be a list of numbers, got {value!r}")
    if not value:
        return ()
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    if len(value) != len(LOWER_BOUNDS_PARAMETERS):
        raise ValueError(
            f"option fsrs_parameters must hold {len(LOWER_BOUNDS_PARAMETERS)} numbers (FSRS-6), "
            f"got {len(value)}"
        )
    out = []
    for index, (number, low, high) in enumerate(
        zip(value, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    ):
        if not _is_number(number) or not math.isfinite(number) or not low <= number <= high:
            raise ValueError(f"option fsrs_parameters[{index}] must be in [{low}, {high}], got {number!r}")
        out.append(float(number))
    return tuple(out)


def _whole(options: SchedulerOptions, name: str, low: int, high: int | None) -> None:
    value = getattr(options, name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
        object.__setattr__(options, name, value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"option {name} must be a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"option {name} must be {bounds}, got {value}")


def _real(
    options: SchedulerOptions, name: str, low: float, high: float, *, open_interval: bool = False
) -> None:
    value = getattr(options, name)
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"option {name} must be a number, got {value!r}")
    inside = low < value < high if open_interval else low <= value <= high
    if not inside:
        brackets = ("(", ")") if open_interval else ("[", "]")
        raise ValueError(f"option {name} must be in {brackets[0]}{low}, {high}{brackets[1]}, got {value}")
    object.__setattr__(options, name, float(value))
