"""The deck tree's new / learning / due counts, by the rules of `store/counts.deck_counts`: each deck
with its subdecks, capped by the daily limits, learning counted within the learn-ahead limit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flashapp.store.direct.connection import DirectCollection, db_time
from flashapp.store.direct.limits import SEPARATOR, load_decks, parent_names, remaining_today, studied_today
from flashapp.store.queue_codes import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW

# As store.queue.LEARN_AHEAD: learning cards due within this long count as available now.
LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class DeckRow:
    """One line of the deck tree (the fields of `store.counts.DeckCounts`)."""

    name: str
    new: int
    learning: int
    due: int
    total: int


_AVAILABLE = """
SELECT deck_id, queue, count(*) FROM cards
WHERE queue = 0 OR (queue = 1 AND due < :learning_before) OR (queue = 2 AND due < :day_end)
GROUP BY deck_id, queue
"""


def deck_rows(collection: DirectCollection, now: datetime) -> list[DeckRow]:
    """Cards available today by deck (subdecks included, daily limits applied), in tree order."""
    calendar = collection.calendar
    with collection.reading() as connection:
        decks = load_decks(connection)
        names = {deck.id: name for name, deck in decks.items()}
        day_end = calendar.day_end(now)
        own: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        params = {"learning_before": db_time(min(day_end, now + LEARN_AHEAD)), "day_end": db_time(day_end)}
        for deck_id, queue, count in connection.execute(_AVAILABLE, params):
            own[names[deck_id]][queue] = count
        totals: dict[str, int] = defaultdict(int)
        for deck_id, count in connection.execute("SELECT deck_id, count(*) FROM cards GROUP BY deck_id"):
            for target in [*parent_names(names[deck_id]), names[deck_id]]:
                totals[target] += count
        new_done, reviews_done = studied_today(connection, calendar.day_start(now))
    room = {
        QUEUE_NEW: remaining_today(decks, new_done, lambda o: o.new_per_day),
        QUEUE_REVIEW: remaining_today(decks, reviews_done, lambda o: o.reviews_per_day),
    }
    # Deepest decks first, so each deck sees its children's capped counts.
    capped: dict[int, dict[str, int]] = {queue: {} for queue in (QUEUE_NEW, QUEUE_LEARNING, QUEUE_REVIEW)}
    from_children: dict[int, dict[str, int]] = {queue: defaultdict(int) for queue in capped}
    for name in sorted(decks, key=lambda n: -n.count(SEPARATOR)):
        parent = parent_names(name)[-1] if SEPARATOR in name else None
        for queue in capped:
            value = own[name][queue] + from_children[queue][name]
            if queue in room:
                value = min(value, room[queue][name])
            capped[queue][name] = value
            if parent is not None:
                from_children[queue][parent] += value
    ordered = sorted(decks, key=lambda n: [part.casefold() for part in n.split(SEPARATOR)])
    return [
        DeckRow(
            name,
            new=capped[QUEUE_NEW][name],
            learning=capped[QUEUE_LEARNING][name],
            due=capped[QUEUE_REVIEW][name],
            total=totals[name],
        )
        for name in ordered
    ]
