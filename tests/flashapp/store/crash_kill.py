"""SIGKILL a process while it answers cards (and checks the collection's backups), again and again; then
every answer it acknowledged must be in the log, and `check` must find nothing.
`python -m tests.flashapp.store.crash_kill DB KILLS` prints the tally: kills, acknowledged answers,
lost answers, check problems."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from flashapp.core.scheduling import Rating
from flashapp.store.collection import Collection
from flashapp.store.models import Review


def worker(path: str, seed: int) -> None:
    rng = random.Random(seed)
    with Collection.open(path) as collection:
        ids = [card.id for card in collection.cards()]
        while True:
            result = collection.answer(rng.choice(ids), rng.choice(list(Rating)))
            print(result.review_id, flush=True)  # acknowledged: committed before this line


def kills(path: str, count: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    Collection.open(path).close()  # created and filled before the first kill
    acknowledged: list[int] = []
    for round_ in range(count):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.flashapp.store.crash_kill", "--worker", path, str(round_)],
            stdout=subprocess.PIPE,
            text=True,
        )
        first = proc.stdout.readline()  # answering has begun: now kill at a random moment
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged += [int(line) for line in (first + out).split()]
    with Collection.open(path) as collection:
        with collection.reading() as session:
            logged = set(session.scalars(select(Review.id)))
        problems = collection.check()
    return {
        "kills": count,
        "acknowledged": len(acknowledged),
        "lost": len(set(acknowledged) - logged),
        "check": problems,
    }


if __name__ == "__main__":
    if sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        print(json.dumps(kills(sys.argv[1], int(sys.argv[2]))))
