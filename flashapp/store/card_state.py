"""Between the `cards` table and the pure scheduler: CardState in and out, undo snapshots, and what an
answer does to a card row (`answer_onto`).

No SQLAlchemy here: `card` is anything with the `cards` columns as attributes, an ORM `Card` or the
plain row of the study commands' SQLite path (`store/direct/`), so both answer through one function.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flashapp.core.scheduling import CardState, Rating, SchedulerOptions, State, StudyCalendar, scheduler_for
from flashapp.errors import UserError
from flashapp.store.queue_codes import queue_for

if TYPE_CHECKING:
    from flashapp.core.scheduling.types import ReviewLog
    from flashapp.store.models import Card

# Every column an answer, bury, suspend or forget may change; an undo snapshot holds exactly these.
SNAPSHOT_COLUMNS = (
    "state", "due", "interval_days", "ease", "reps", "lapses", "step", "stability", "difficulty",
    "last_review", "queue", "suspended", "buried_until", "position", "modified_at",
)  # fmt: skip
_TIMES = ("due", "last_review", "buried_until", "modified_at")


def to_state(card: Card) -> CardState:
    return CardState(
        state=State(card.state),
        due=None if card.state == State.NEW else card.due,
        interval_days=card.interval_days,
        ease=card.ease,
        reps=card.reps,
        lapses=card.lapses,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review,
    )


def apply_state(card: Card, state: CardState, now: datetime) -> None:
    """Write a scheduler result onto the row, keeping `queue` in step with it."""
    card.state = state.state.value
    card.due = state.due if state.due is not None else now
    card.interval_days = state.interval_days
    card.ease = state.ease
    card.reps = state.reps
    card.lapses = state.lapses
    card.step = state.step
    card.stability = state.stability
    card.difficulty = state.difficulty
    card.last_review = state.last_review
    card.modified_at = now
    refresh_queue(card)


def refresh_queue(card: Card) -> None:
    card.queue = queue_for(
        card.state, suspended=card.suspended, orphaned=card.orphaned, buried=card.buried_until is not None
    )


def snapshot(card: Card) -> dict[str, Any]:
    """The row's changeable columns as JSON-safe values."""
    values = {name: getattr(card, name) for name in SNAPSHOT_COLUMNS}
    for name in _TIMES:
        if values[name] is not None:
            values[name] = values[name].isoformat()
    return values


def restore(card: Card, values: dict[str, Any]) -> None:
    """Put back exactly what `snapshot` saw."""
    for name in SNAPSHOT_COLUMNS:
        value = values[name]
        if name in _TIMES and value is not None:
            value = datetime.fromisoformat(value)
        setattr(card, name, value)


def fuzz_rng(card_id: int, reps: int) -> random.Random:
    """The same card at the same repetition always gets the same fuzz, so the interval a button shows
    is the interval the answer gives."""
    return random.Random(card_id * 1_000_003 + reps)


def preview_states(
    card: Card, options: SchedulerOptions, now: datetime, fuzz: bool, calendar: StudyCalendar
) -> dict[Rating, CardState]:
    """What each button would do to `card` now (for the interval labels on the buttons)."""
    rng = fuzz_rng(card.id, card.reps) if fuzz else None
    return scheduler_for(options).next_states(to_state(card), now, options, rng, calendar)


@dataclass(frozen=True)
class AnswerResult:
    card_id: int
    rating: Rating
    before: CardState
    after: CardState
    review_id: int
    buried_siblings: tuple[int, ...]


def check_answerable(card: Card) -> None:
    if card.suspended or card.orphaned:
        raise UserError(f"card {card.id} is suspended; unsuspend it before answering")


@dataclass(frozen=True)
class AnswerStep:
    before: CardState
    after: CardState
    log: ReviewLog
    previous_card: dict[str, Any]  # the row's snapshot before the answer, for undo


def answer_onto(
    card: Card,
    options: SchedulerOptions,
    rating: Rating,
    now: datetime,
    calendar: StudyCalendar,
    *,
    fuzz: bool,
) -> AnswerStep:
    """Schedule the answer and write its result onto `card` (the caller persists the row)."""
    before = to_state(card)
    rng = fuzz_rng(card.id, card.reps) if fuzz else None
    after, log = scheduler_for(options).review(before, rating, now, options, rng, calendar)
    previous = snapshot(card)
    card.buried_until = None  # answering a buried card (by id) brings it back
    apply_state(card, after, now)
    return AnswerStep(before, after, log, previous)


def sibling_restore(state: str) -> dict[str, Any]:
    """What undo puts back on a sibling the answer buried: before it, the sibling was in its state's own
    queue with no burial (only new and review siblings are buried, never suspended ones)."""
    return {"queue": queue_for(state, suspended=False, orphaned=False, buried=False)}


def review_values(card_id: int, rating: Rating, step: AnswerStep, duration_ms: int, siblings: dict) -> dict:
    """The review-log row of an answer: what it changed, and what undo needs to take it back."""
    log = step.log
    return {
        "card_id": card_id,
        "reviewed_at": log.reviewed_at,
        "rating": int(rating),
        "state_before": log.state_before.value,
        "state_after": log.state_after.value,
        "interval_before_days": log.interval_before_days,
        "interval_after_days": log.interval_after_days,
        "ease_after": log.ease_after,
        "duration_ms": max(0, int(duration_ms)),
        "previous": {"card": step.previous_card, "siblings": siblings},
    }
