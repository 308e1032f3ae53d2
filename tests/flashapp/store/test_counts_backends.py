"""The one count function and the study queue on PostgreSQL beside SQLite (FLASHAPP_TEST_PG): both are
plain SQL text (`store.sql_text`), so after the same study they must give the same numbers and cards."""

from __future__ import annotations

from datetime import UTC, timedelta

from flashapp.core.scheduling import Rating
from flashapp.store.collection import Collection


def test_counts_and_queue_agree_on_postgres_and_sqlite(pg_collection_url, tmp_path, empty_collection_file):
    """The one count function and the queue (plain SQL text, `store.sql_text`) give the same numbers
    and cards on PostgreSQL as on SQLite, after the same study: subdeck limits, interday learning
    steps (read back from the review log's JSON), relearning, the learn-ahead limit, a burial lifted."""
    import random

    from tests.conftest import Clock
    from tests.flashapp.store.test_direct_study import DECKS, START, deck_text

    decks = {**DECKS, "Days": (5, 'learning_steps = ["1d", "2d"]\nreviews_per_day = 4', False)}
    files = []
    for i, (name, (count, options, reversed_)) in enumerate(decks.items()):
        files.append(tmp_path / f"d{i}.toml")
        files[-1].write_text(deck_text(name, count, options, reversed_), encoding="utf-8")
    sides = {}
    for label, url in (("pg", pg_collection_url), ("sqlite", str(empty_collection_file(tmp_path / "c.db")))):
        clock = Clock(START)
        rng = random.Random(11)
        seen = []
        with Collection.open(url, shipped_decks=False, clock=clock, tz=UTC, fuzz=False) as collection:
            collection.import_paths(files, backup=False)
            for card in collection.cards(deck="Days")[:4]:
                collection.answer(card.id, Rating.AGAIN)  # a one-day step: interday learning tomorrow
            for day in range(4):
                seen.append([tuple(vars(r).values()) for r in collection.deck_counts()])
                for _ in range(rng.randint(8, 16)):
                    card_id = collection.study_queue().next_card_id(clock.now)
                    if card_id is None:
                        break
                    collection.answer(card_id, rng.choice(list(Rating)), 1000)
                    clock.now += timedelta(minutes=rng.randint(0, 12))
                if day == 2:
                    collection.bury(collection.study_queue().new[0].id)
                clock.now += timedelta(hours=rng.choice([14, 20, 23]))
            for minutes in (0, 7, 19, 33):
                clock.now += timedelta(minutes=minutes)
                counts = [
                    (r.name, r.new, r.learning, r.due, r.total, r.interday) for r in collection.deck_counts()
                ]
                queues = []
                for deck in (None, "Lang", "Maths"):
                    queue = collection.study_queue(deck)
                    queues.append(
                        tuple([c.id for c in part] for part in (queue.learning, queue.review, queue.new))
                    )
                seen.append((counts, queues, collection.study_counts("Lang")))
        sides[label] = seen
    assert sides["pg"] == sides["sqlite"]
    rows = [row for day in sides["pg"][:4] for row in day]
    assert any(row[5] for row in rows) and any(row[2] > row[5] for row in rows)  # interday and intraday
