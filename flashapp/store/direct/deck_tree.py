"""The deck tree's new / learning / due counts on sqlite3 alone: `store.counts.deck_counts` itself (the
one count function) on the command's `sqlite3` connection, burials that ended lifted first."""

from __future__ import annotations

from datetime import datetime

from flashapp.store.counts import DeckCounts, deck_counts
from flashapp.store.direct.burials import lift_ended_burials
from flashapp.store.direct.connection import DirectCollection


def deck_rows(collection: DirectCollection, now: datetime) -> list[DeckCounts]:
    """Cards available today by deck (subdecks included, daily limits applied), in tree order."""
    lift_ended_burials(collection, now)
    calendar, learn_ahead = collection.calendar, collection.learn_ahead
    with collection.reading() as connection:
        return deck_counts(connection, now, calendar, learn_ahead=learn_ahead)
