"""SIGKILL a process while it answers cards (and checks the collection's backups), again and again; then
every answer it acknowledged must be in the log, and `check` must find nothing.
`python -m tests.flashapp.store.crash_kill DB KILLS` prints the tally: kills, acknowledged answers,
lost answers, check problems.

Each killed process is forked from one launcher process that imported the app once (`--fork`): a
process of its own that opens the collection and answers until it is killed, as a new `python` would,
without paying the imports again for every kill."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback

from sqlalchemy import select

from flashapp.core.scheduling import Rating
from flashapp.store.collection import Collection
from flashapp.store.models import Review

END = "end"  # the launcher's line after it has reaped a killed worker: that worker's lines are all read


def worker(path: str, seed: int) -> None:
    rng = random.Random(seed)
    with Collection.open(path) as collection:
        ids = [card.id for card in collection.cards()]
        while True:
            result = collection.answer(rng.choice(ids), rng.choice(list(Rating)))
            print(result.review_id, flush=True)  # acknowledged: committed before this line


def launcher(path: str) -> None:
    """For each seed read from stdin: fork a worker, which prints its pid and then its acknowledged
    review ids on the shared stdout until it is killed; reap it and print END."""
    import flashapp.store.answering  # noqa: F401 - what each worker would import, imported once here
    import flashapp.store.card_views  # noqa: F401

    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                print(os.getpid(), flush=True)
                worker(path, int(line))
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(1)  # only if answering failed: never back into the launcher's loop
        os.waitpid(pid, 0)
        print(END, flush=True)


def kills(path: str, count: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    Collection.open(path).close()  # created and filled before the first kill
    acknowledged: list[int] = []
    launch = subprocess.Popen(
        [sys.executable, "-m", "tests.flashapp.store.crash_kill", "--fork", path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for round_ in range(count):
            launch.stdin.write(f"{round_}\n")
            launch.stdin.flush()
            pid = int(launch.stdout.readline())
            lines = [launch.stdout.readline()]  # answering has begun: now kill at a random moment
            if lines[0] not in (f"{END}\n", ""):  # (not when the worker failed and is reaped already)
                time.sleep(rng.uniform(0.0, 0.4))
                os.kill(pid, signal.SIGKILL)
                while lines[-1] not in (f"{END}\n", ""):
                    lines.append(launch.stdout.readline())
            acknowledged += [int(line) for line in lines if line.strip() not in ("", END)]
    finally:
        launch.stdin.close()
        launch.wait(timeout=60)
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
    if sys.argv[1] == "--fork":
        launcher(sys.argv[2])
    else:
        print(json.dumps(kills(sys.argv[1], int(sys.argv[2]))))
