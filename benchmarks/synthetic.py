"""A synthetic collection for benchmarks: N cards over D decks, built with Core inserts.

States follow a mature collection: 40% new, 59% review (due from 5 days ago to 30 days ahead), 1% in
learning steps.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from flashapp.store.collection import Collection
from flashapp.store.deckfile_sync import search_text, tag_text
from flashapp.store.decks import ensure_deck
from flashapp.store.models import Card, Note, queue_for

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WORDS = (
    "attention", "query", "key", "value", "softmax", "scale", "head", "mask", "position", "rotary",
    "kernel", "stride", "flow", "noise",
)  # fmt: skip


def build_collection(path: Path, cards: int = 100_000, decks: int = 20, seed: int = 0) -> Collection:
    """A new collection at `path` with `cards` basic cards spread evenly over `decks` decks."""
    rng = random.Random(seed)
    collection = Collection.open(path, shipped_decks=False, clock=lambda: NOW, tz=UTC)
    per_deck = cards // decks
    with collection.writing() as session:
        deck_ids = [ensure_deck(session, f"Bench::Deck {d:02d}", NOW).id for d in range(decks)]
        notes, card_rows = [], []
        for d, deck_id in enumerate(deck_ids):
            for i in range(per_deck):
                words = " ".join(rng.choice(WORDS) for _ in range(8))
                fields = {"front": f"Question {d}-{i}: {words}?", "back": f"Answer {i}", "extra": ""}
                tags = tag_text([rng.choice(WORDS)])
                notes.append(
                    {
                        "source": "bench",
                        "key": f"{d}-{i}",
                        "deck_id": deck_id,
                        "note_type": "basic",
                        "fields": fields,
                        "tags": tags,
                        "search_text": search_text(fields, tags),
                        "created_at": NOW,
                        "modified_at": NOW,
                    }
                )
        session.execute(insert(Note), notes)
        keys = dict(session.execute(select(Note.key, Note.id)).all())
        for position, note in enumerate(notes):
            state = rng.choices(["new", "review", "learning"], weights=[40, 59, 1])[0]
            due = NOW + timedelta(days=rng.randint(-5, 30)) if state == "review" else NOW
            if state == "learning":
                due = NOW + timedelta(minutes=rng.randint(-30, 600))
            card_rows.append(
                {
                    "note_id": keys[note["key"]],
                    "deck_id": note["deck_id"],
                    "ord": 0,
                    "position": position,
                    "queue": queue_for(state, suspended=False, orphaned=False, buried=False),
                    "state": state,
                    "due": due,
                    "interval_days": rng.randint(1, 60) if state == "review" else 0,
                    "reps": 0 if state == "new" else rng.randint(1, 20),
                    "modified_at": NOW,
                }
            )
        session.execute(insert(Card), card_rows)
    return collection
