"""Burials that ended (the study day rolled over) lifted before anything is counted or queued, as the
`Collection` does (`answering.unbury_expired`): each card goes back to its state's queue."""

from __future__ import annotations

from datetime import datetime

from flashapp.store.direct.connection import DirectCollection, db_time
from flashapp.store.queue_codes import queue_for

_ENDED = (
    "SELECT id, state, suspended, orphaned FROM cards WHERE buried_until IS NOT NULL AND buried_until <= ?"
)


def lift_ended_burials(collection: DirectCollection, now: datetime) -> int:
    """One indexed look when nothing ended; a write transaction only when some burial did."""
    with collection.reading() as connection:
        if connection.execute(_ENDED + " LIMIT 1", (db_time(now),)).fetchone() is None:
            return 0
    with collection.writing() as connection:
        changes = [
            (queue_for(state, suspended=bool(suspended), orphaned=bool(orphaned), buried=False), card_id)
            for card_id, state, suspended, orphaned in connection.execute(_ENDED, (db_time(now),)).fetchall()
        ]
        connection.executemany("UPDATE cards SET buried_until = NULL, queue = ? WHERE id = ?", changes)
    return len(changes)
