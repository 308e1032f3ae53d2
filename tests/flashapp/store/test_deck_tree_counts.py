"""Per-deck counts by index range searches, stopped at the daily room: the same as counting every card
and then capping, and served by the (deck_id, queue, due) index."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from flashapp.store.deck_tree_counts import REVIEW, own_available
from flashapp.store.decks import ensure_deck
from flashapp.store.models import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW, Card, Note
from tests.conftest import NOW

QUEUES = (QUEUE_NEW, QUEUE_LEARNING, QUEUE_REVIEW, -1, -2)


def fill(collection, rng: random.Random) -> tuple[dict[str, int], list[dict]]:
    with collection.writing() as session:
        ids = {name: ensure_deck(session, name, NOW).id for name in ("A", "A::B", "A::B::C", "D")}
        notes = [
            {"source": "t", "key": str(i), "deck_id": ids["A"], "note_type": "basic", "fields": {},
             "created_at": NOW, "modified_at": NOW}
            for i in range(400)
        ]  # fmt: skip
        session.execute(insert(Note), notes)
        rows = []
        for note_id in range(1, 401):
            rows.append(
                {"note_id": note_id, "deck_id": rng.choice(list(ids.values())), "ord": 0, "position": note_id,
                 "queue": rng.choice(QUEUES), "state": "review",
                 "due": NOW + timedelta(hours=rng.randint(-100, 100)), "modified_at": NOW}
            )  # fmt: skip
        session.execute(insert(Card), rows)
    return ids, rows


def test_counts_match_counting_everything_then_capping(collection):
    rng = random.Random(7)
    ids, rows = fill(collection, rng)
    day_end = NOW + timedelta(hours=16)
    for _ in range(5):
        new_room = {name: rng.choice([0, 3, 20, 1000]) for name in ids}
        review_room = {name: rng.choice([0, 5, 200]) for name in ids}
        with collection.reading() as session:
            own = own_available(session, ids, day_end, new_room, review_room)
        for name, deck_id in ids.items():
            mine = [r for r in rows if r["deck_id"] == deck_id]
            due = Counter(r["queue"] for r in mine if r["due"] < day_end)
            new = sum(r["queue"] == QUEUE_NEW for r in mine)
            assert own[name] == {
                QUEUE_NEW: min(new, new_room[name]),
                QUEUE_LEARNING: due[QUEUE_LEARNING],
                QUEUE_REVIEW: min(due[QUEUE_REVIEW], review_room[name]),
            }, name


@pytest.mark.sqlite_only  # reads SQLite's EXPLAIN QUERY PLAN
def test_each_count_is_a_range_search_on_the_index(collection):
    with collection.reading() as session:
        compiled = REVIEW.compile(session.bind)
        given = {"deck_id": 1, "day_end": NOW, "cap": 200}
        values = [{**compiled.params, **given}[name] for name in compiled.positiontup]
        values = [str(v.replace(tzinfo=None)) if isinstance(v, datetime) else v for v in values]
        plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", tuple(values)).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING COVERING INDEX ix_cards_deck_queue_due (deck_id=? AND queue=? AND due<?)" in details
