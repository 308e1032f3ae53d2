"""Two processes (or more) answering one card and undoing, on a PostgreSQL collection; each prints a
JSON line of what it did. `python -m tests.flashapp.store.pg_race URL SECONDS WORKERS` runs the race
and prints the tally: tries, failures (deadlocks, errors), lost updates, double undos."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

from sqlalchemy import func, select

from flashapp.core.scheduling import Rating
from flashapp.store.collection import Collection
from flashapp.store.models import Card, Review


def worker(url: str, seconds: float, card_id: int, seed: int) -> dict:
    rng = random.Random(seed)
    answered, undone, failures = [], [], []
    with Collection.open(url, shipped_decks=False, fuzz=False) as collection:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                if rng.random() < 0.3:
                    result = collection.undo()
                    if result is not None:
                        undone.append(f"{result.card_id}@{result.reviewed_at.isoformat()}")
                else:
                    result = collection.answer(card_id, rng.choice([Rating.AGAIN, Rating.GOOD]))
                    answered.append(result.review_id)
            except Exception as error:  # noqa: BLE001 - every failure is counted, deadlocks above all
                failures.append(type(error).__name__ + ": " + str(error).splitlines()[0][:120])
    return {"answered": len(answered), "undone": undone, "failures": failures}


def race(url: str, seconds: float, workers: int = 2) -> dict:
    """Run `workers` processes on the collection's first card; the tally."""
    with Collection.open(url, shipped_decks=False) as collection:
        card_id = collection.cards()[0].id
    command = [
        sys.executable,
        "-m",
        "tests.flashapp.store.pg_race",
        "--worker",
        url,
        str(seconds),
        str(card_id),
    ]
    procs = [
        subprocess.Popen([*command, str(seed)], stdout=subprocess.PIPE, text=True) for seed in range(workers)
    ]
    results = [json.loads(proc.communicate(timeout=seconds + 120)[0]) for proc in procs]
    undone = [key for result in results for key in result["undone"]]
    with Collection.open(url, shipped_decks=False) as collection:
        with collection.reading() as session:
            reps = session.scalar(select(Card.reps).where(Card.id == card_id))
            logged = session.scalar(select(func.count()).select_from(Review).where(Review.card_id == card_id))
        problems = collection.check()
    return {
        "tries": sum(r["answered"] for r in results) + len(undone),
        "answers": sum(r["answered"] for r in results),
        "undos": len(undone),
        "failures": [f for r in results for f in r["failures"]],
        "lost_updates": abs(reps - logged),
        "double_undos": len(undone) - len(set(undone)),
        "reps": reps,
        "review_rows": logged,
        "check": problems,
    }


if __name__ == "__main__":
    if sys.argv[1] == "--worker":
        url, seconds, card_id, seed = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(worker(url, seconds, card_id, seed)))
    else:
        print(json.dumps(race(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 2)))
