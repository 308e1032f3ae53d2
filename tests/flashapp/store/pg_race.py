"""Two processes (or more) answering one card and undoing, on a PostgreSQL collection; each reports
(in JSON) what it did. With `browsers`, that many more processes meanwhile run the browser's bulk
actions (suspend, bury, flag, tag, move ...) on the same note's cards and undo each one, edit
the note and change the deck's options. `python -m tests.flashapp.store.pg_race URL SECONDS WORKERS
[BROWSERS]` runs the race and prints the tally: tries, failures (deadlocks, errors), lost updates
(a card's reps against its review log), double undos, and what `check` finds afterwards.

The racing processes are forked at once from one launcher process (`--fork`) that imported the app
once: each opens the collection and races as a new `python` would, without its own second of imports."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial

from sqlalchemy import func, select

from flashapp.core.scheduling import Rating
from flashapp.errors import UserError
from flashapp.store.collection import Collection
from flashapp.store.models import Card, Review

# Each process goes on past SECONDS (up to a minute more) until it has tried this many times, so that
# a loaded machine still races enough to count.
AT_LEAST = 20


def _going(end: float, tries: int) -> bool:
    now = time.monotonic()
    return now < end or (tries < AT_LEAST and now < end + 60)


def worker(url: str, seconds: float, card_id: int, seed: int) -> dict:
    rng = random.Random(seed)
    answered, undone, failures, refused = [], [], [], 0
    with Collection.open(url, shipped_decks=False, fuzz=False) as collection:
        end, tries = time.monotonic() + seconds, 0
        while _going(end, tries):
            tries += 1
            try:
                if rng.random() < 0.3:
                    result = collection.undo()
                    if result is not None:
                        undone.append(f"{result.card_id}@{result.reviewed_at.isoformat()}")
                else:
                    result = collection.answer(card_id, rng.choice([Rating.AGAIN, Rating.GOOD]))
                    answered.append(result.review_id)
            except UserError:  # the card is suspended or buried by a browser just now: told, not failed
                refused += 1
            except Exception as error:  # noqa: BLE001 - every failure is counted, deadlocks above all
                failures.append(type(error).__name__ + ": " + str(error).splitlines()[0][:120])
    return {"answered": len(answered), "undone": undone, "failures": failures, "refused": refused}


# Not "forget": it starts a card's reps again under its review log, and the tally counts a lost update
# as a card whose reps differ from its number of review rows.
BULK = ("suspend", "unsuspend", "bury", "unbury", "flag", "tag", "untag", "move")


def browser(url: str, seconds: float, card_id: int, seed: int) -> dict:
    """Bulk actions on the card and its siblings, each undone at once or after a while, note edits
    and deck option changes: every other write path, racing the answering workers."""
    rng = random.Random(seed)
    done, failures, pending = 0, [], []
    with Collection.open(url, shipped_decks=False, fuzz=False) as collection:
        [card] = [c for c in collection.cards() if c.id == card_id]
        ids = [c.id for c in collection.cards() if c.note_id == card.note_id]
        end = time.monotonic() + seconds
        while _going(end, done + len(failures)):
            try:
                roll = rng.random()
                if roll < 0.1:
                    collection.edit_note(card.note_id, {"front": f"edited {done}", "back": "back"})
                elif roll < 0.15:
                    collection.set_deck_options(card.deck, new_per_day=rng.randint(5, 50))
                else:
                    action = rng.choice(BULK)
                    value = {"flag": str(rng.randint(0, 4)), "tag": "t x", "untag": "x", "move": "Moved"}
                    pending.append(collection.bulk(action, rng.sample(ids, rng.randint(1, len(ids))),
                                                   value.get(action, "")))  # fmt: skip
                    while pending and (len(pending) > 2 or rng.random() < 0.5):
                        collection.undo_bulk(pending.pop())
                done += 1
            except Exception as error:  # noqa: BLE001 - every failure is counted, deadlocks above all
                failures.append(type(error).__name__ + ": " + str(error).splitlines()[0][:120])
        while pending:
            collection.undo_bulk(pending.pop())
    return {"answered": 0, "undone": [], "browsed": done, "failures": failures}


def first_open(url: str) -> list:
    """A machine's first start on a database: open it (creating and filling it unless another has)."""
    with Collection.open(url) as collection:
        return [len(collection.cards()), sorted(collection.deck_names())]


JOBS: dict[str, Callable[..., object]] = {"answer": worker, "browse": browser, "first_open": first_open}


def forked(jobs: list[Callable[[], object]]) -> list[dict]:
    """Run each job in a process of its own, all forked from this one at once: for each, its exit status
    and what it returned (JSON), in order."""
    children = []
    for job in jobs:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(read)
                with os.fdopen(write, "w") as out:
                    out.write(json.dumps(job()))
                status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)  # never back into the launcher
        os.close(write)
        children.append((pid, read))
    done = []
    for pid, read in children:
        with os.fdopen(read) as stream:
            text = stream.read()
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        done.append({"status": status, "result": json.loads(text) if text else None})
    return done


def launch(jobs: list[list], timeout: float) -> list[dict]:
    """`forked` in a launcher process of its own: jobs are [name in JOBS, *arguments]."""
    command = [sys.executable, "-m", "tests.flashapp.store.pg_race", "--fork", json.dumps(jobs)]
    out = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=timeout, check=True).stdout
    return json.loads(out)


def _launcher(jobs: list[list]) -> None:
    # What the jobs would each import on their first answer, bulk action, edit or first start: once here.
    import alembic.command  # noqa: F401

    import flashapp.store.answering  # noqa: F401
    import flashapp.store.bulk_actions  # noqa: F401
    import flashapp.store.deckfile_sync  # noqa: F401
    import flashapp.store.editing  # noqa: F401
    import flashapp.store.importing  # noqa: F401
    import flashapp.store.integrity  # noqa: F401
    import flashapp.store.option_presets  # noqa: F401

    print(json.dumps(forked([partial(JOBS[name], *args) for name, *args in jobs])))


def race(url: str, seconds: float, workers: int = 2, browsers: int = 0) -> dict:
    """Run `workers` answering processes on the collection's first card (and `browsers` processes of
    bulk actions, edits and option changes on its note); the tally."""
    with Collection.open(url, shipped_decks=False) as collection:
        card_id = collection.cards()[0].id
    roles = ["answer"] * workers + ["browse"] * browsers
    ran = launch([[role, url, seconds, card_id, seed] for seed, role in enumerate(roles)], seconds + 120)
    assert all(job["status"] == 0 for job in ran), ran
    results = [job["result"] for job in ran]
    undone = [key for result in results for key in result["undone"]]
    with Collection.open(url, shipped_decks=False) as collection:
        with collection.reading() as session:
            reps = dict(session.execute(select(Card.id, Card.reps)).all())
            by_card = select(Review.card_id, func.count()).group_by(Review.card_id)
            logged = dict(session.execute(by_card).all())
        problems = collection.check()
    return {
        "tries": sum(r["answered"] + r.get("browsed", 0) for r in results) + len(undone),
        "answers": sum(r["answered"] for r in results),
        "undos": len(undone),
        "bulk_actions_and_edits": sum(r.get("browsed", 0) for r in results),
        "refused": sum(r.get("refused", 0) for r in results),
        "failures": [f for r in results for f in r["failures"]],
        "lost_updates": sum(abs(count - logged.get(card, 0)) for card, count in reps.items()),
        "double_undos": len(undone) - len(set(undone)),
        "reps": reps[card_id],
        "review_rows": logged.get(card_id, 0),
        "check": problems,
    }


if __name__ == "__main__":
    if sys.argv[1] == "--fork":
        _launcher(json.loads(sys.argv[2]))
    else:
        counts = [int(arg) for arg in sys.argv[3:5]]
        print(json.dumps(race(sys.argv[1], float(sys.argv[2]), *counts)))
