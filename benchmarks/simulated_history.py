"""A simulated learner's history written into a collection: one deck of basic cards with their review
log and final scheduling state, for the benchmarks and tests of stats, optimize, evaluate and plan
(tests import it through `tests/flashapp/cli/simulated.py`; the app never uses it).

    .venv/bin/python benchmarks/simulated_history.py --db /tmp/sim.db --days 365 --new-per-day 20

writes the forgetful learner (`core/scheduling/simulation.py`), studying under FSRS's defaults, into
deck "Simulated" (a new collection, without the shipped decks).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from flashapp.core.scheduling import SchedulerOptions
from flashapp.core.scheduling.simulation import FORGETFUL_LEARNER, simulate_learner
from flashapp.store.collection import Collection
from flashapp.store.decks import ensure_deck
from flashapp.store.models import Card, Note, Review, queue_for
from flashapp.store.settings import set_rollover_hour

START = datetime(2025, 3, 1, tzinfo=UTC)


def write_simulated_history(
    collection: Collection,
    *,
    days: int,
    new_per_day: int = 20,
    seed: int = 0,
    deck: str = "Simulated",
    true_parameters: Sequence[float] = FORGETFUL_LEARNER,
    start: datetime = START,
) -> int:
    """Simulate and store; returns the number of review rows written."""
    options = SchedulerOptions(
        algorithm="fsrs", new_per_day=new_per_day, reviews_per_day=100_000, day_rollover_hour=0
    )
    reviews = simulate_learner(
        true_parameters, start=start, days=days, options=options, rng=random.Random(seed)
    )
    final = {r.card_id: r.after for r in reviews}
    with collection.writing() as session:
        set_rollover_hour(session, 0)  # the simulated learner's days start at midnight UTC
        deck_row = ensure_deck(session, deck, start)
        deck_row.options = options.to_dict()
        session.flush()
        session.execute(
            insert(Note),
            [
                {
                    "source": "simulated",
                    "key": f"card-{card_id}",
                    "deck_id": deck_row.id,
                    "note_type": "basic",
                    "fields": {"front": f"Question {card_id}", "back": f"Answer {card_id}", "extra": ""},
                    "tags": "",
                    "search_text": f"question {card_id}",
                    "created_at": start,
                    "modified_at": start,
                }
                for card_id in final
            ],
        )
        note_ids = dict(session.execute(select(Note.key, Note.id).where(Note.source == "simulated")).all())
        rows = []
        for position, (card_id, state) in enumerate(final.items()):
            rows.append(
                {
                    "note_id": note_ids[f"card-{card_id}"],
                    "deck_id": deck_row.id,
                    "ord": 0,
                    "position": position,
                    "queue": queue_for(state.state.value, suspended=False, orphaned=False, buried=False),
                    "state": state.state.value,
                    "due": state.due,
                    "interval_days": state.interval_days,
                    "ease": state.ease,
                    "reps": state.reps,
                    "lapses": state.lapses,
                    "step": state.step,
                    "stability": state.stability,
                    "difficulty": state.difficulty,
                    "last_review": state.last_review,
                    "modified_at": start,
                }
            )
        session.execute(insert(Card), rows)
        card_ids = dict(
            session.execute(
                select(Note.key, Card.id)
                .join(Card, Card.note_id == Note.id)
                .where(Note.source == "simulated")
            ).all()
        )
        session.execute(
            insert(Review),
            [
                {
                    "card_id": card_ids[f"card-{r.card_id}"],
                    "reviewed_at": r.reviewed_at,
                    "rating": int(r.rating),
                    "state_before": r.before.state.value,
                    "state_after": r.after.state.value,
                    "interval_before_days": r.before.interval_days,
                    "interval_after_days": r.after.interval_days,
                    "ease_after": r.after.ease,
                    "duration_ms": r.duration_ms,
                    "previous": {},
                }
                for r in reviews
            ],
        )
    return len(reviews)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--new-per-day", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    collection = Collection.open(
        args.db, shipped_decks=False, clock=lambda: START + timedelta(days=args.days)
    )
    with collection:
        count = write_simulated_history(
            collection, days=args.days, new_per_day=args.new_per_day, seed=args.seed
        )
    print(f"{count} reviews written to {args.db}")


if __name__ == "__main__":
    main()
