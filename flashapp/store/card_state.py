"""Between the `cards` table and the pure scheduler: CardState in and out, and undo snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flashapp.core.scheduling import CardState, State
from flashapp.store.models import Card, queue_for

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
