"""The `cards.queue` codes and the rule that gives a card its queue: plain Python, so that the study
commands' SQLite path (`store/direct/`) and the ORM models share them without importing SQLAlchemy."""

from __future__ import annotations

# Queue codes: the index (deck_id, queue, due) serves "what is due in this deck" for each queue.
QUEUE_NEW = 0
QUEUE_LEARNING = 1  # learning and relearning: due to the minute
QUEUE_REVIEW = 2  # due by study day
QUEUE_SUSPENDED = -1
QUEUE_BURIED = -2


def queue_for(state: str, *, suspended: bool, orphaned: bool, buried: bool) -> int:
    """The queue code a card belongs in, from its state and flags."""
    if suspended or orphaned:
        return QUEUE_SUSPENDED
    if buried:
        return QUEUE_BURIED
    return {"new": QUEUE_NEW, "review": QUEUE_REVIEW}.get(state, QUEUE_LEARNING)
