"""`flashapp stats` on sqlite3 alone: `store.statistics.deck_statistics` itself (the one statistics
function, plain SQL text) on the command's `sqlite3` connection, in one read transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flashapp.store.direct.connection import DirectCollection
from flashapp.store.statistics import deck_statistics


def statistics(collection: DirectCollection, deck: str | None, now: datetime) -> dict[str, Any]:
    """Every figure for `deck` and its subdecks (None: every deck), as `Collection` statistics give
    them; `store.queue.UnknownDeck` (a UserError) for a deck that does not exist."""
    with collection.reading() as connection:
        return deck_statistics(connection, deck, now, collection.tz)
