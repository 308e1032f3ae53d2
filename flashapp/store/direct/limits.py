"""Decks with their options and what was studied today: the daily limits' inputs, as
`store/queue.py` reads them (`load_decks`, `studied_today`, `remaining_today`), in SQL text."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flashapp.core.scheduling import SchedulerOptions
from flashapp.store.direct.connection import db_time

SEPARATOR = "::"


def parent_names(name: str) -> list[str]:
    """ "A::B::C" -> ["A", "A::B"] (as store.decks.parent_names)."""
    parts = name.split(SEPARATOR)
    return [SEPARATOR.join(parts[:i]) for i in range(1, len(parts))]


@dataclass(frozen=True)
class DeckLimits:
    id: int
    name: str
    options: SchedulerOptions


def load_decks(connection: sqlite3.Connection) -> dict[str, DeckLimits]:
    return {
        name: DeckLimits(deck_id, name, SchedulerOptions.from_dict(json.loads(options)))
        for deck_id, name, options in connection.execute("SELECT id, name, options FROM decks")
    }


_STUDIED_TODAY = """
SELECT cards.deck_id, reviews.state_before, count(DISTINCT reviews.card_id), count(*)
FROM reviews JOIN cards ON cards.id = reviews.card_id
WHERE reviews.reviewed_at >= ? AND reviews.state_before IN ('new', 'review')
GROUP BY cards.deck_id, reviews.state_before
"""


def studied_today(
    connection: sqlite3.Connection, day_start: datetime
) -> tuple[dict[int, int], dict[int, int]]:
    """(new cards introduced, review cards answered) today, per deck id."""
    new: dict[int, int] = defaultdict(int)
    reviews: dict[int, int] = defaultdict(int)
    for deck_id, state_before, distinct_cards, answers in connection.execute(
        _STUDIED_TODAY, (db_time(day_start),)
    ):
        if state_before == "new":
            new[deck_id] += distinct_cards
        else:
            reviews[deck_id] += answers
    return new, reviews


def remaining_today(
    decks: dict[str, DeckLimits], done: dict[int, int], limit_of: Callable[[SchedulerOptions], int]
) -> dict[str, int]:
    """Room left today per deck name: its limit minus what its subtree already did."""
    done_in_subtree: dict[str, int] = defaultdict(int)
    by_id = {deck.id: deck.name for deck in decks.values()}
    for deck_id, count in done.items():
        name = by_id.get(deck_id)
        if name is not None:
            for target in [*parent_names(name), name]:
                done_in_subtree[target] += count
    return {name: max(0, limit_of(deck.options) - done_in_subtree[name]) for name, deck in decks.items()}
