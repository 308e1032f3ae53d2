"""`flashapp decks`, `next` and `answer` as whole processes on a 100,000-card collection, side by side
with the official `anki` library doing the same in a fresh interpreter (budget: each under 0.25 s, and
not slower than anki's equivalent).

Both collections hold the same shape: N basic cards over 20 decks under "Bench", 40% new, 59% review
(due from 5 days ago to 30 days ahead), 1% in learning. flashapp's is `benchmarks/synthetic.py`'s;
anki's is built with `anki` itself (`add_notes`, then its card columns set by SQL as Anki stores them).
What each side runs:
  - deck tree: `flashapp decks` / `Collection(path).sched.deck_due_tree()`, printed;
  - next card: `flashapp next` / `sched.get_queued_cards(fetch_limit=1)`, the card's question and
    answer rendered and its four next states described;
  - answer: `flashapp answer ID good` / `sched.answer_card(...)` with the card's scheduling states.
Rounds alternate the two sides so that both see the same machine; each figure is the median of the
rounds' wall times and of their CPU times (user + system of the child process: what it spent itself,
the fairer figure on a machine that other work shares). `python -c pass` is the floor under both.

Run: .venv/bin/python benchmarks/cli_vs_anki.py [--cards 100000] [--rounds 7] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from synthetic import build_collection  # noqa: E402

ANKI_DECKS = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
tree = col.sched.deck_due_tree()
def walk(node, depth=0):
    print("  " * depth + node.name, node.new_count, node.learn_count, node.review_count)
    for child in node.children:
        walk(child, depth + 1)
walk(tree)
col.close()
"""

ANKI_NEXT = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col.decks.select(col.decks.id_for_name("Bench"))  # flashapp's `next` studies all decks, here all under Bench
queued = col.sched.get_queued_cards(fetch_limit=1)
card = col.get_card(queued.cards[0].card.id)
print(card.id, card.question(), card.answer())
print(col.sched.describe_next_states(queued.cards[0].states))
col.close()
"""

ANKI_ANSWER = """
import sys
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer
col = Collection(sys.argv[1])
card = col.get_card(int(sys.argv[2]))
card.start_timer()
states = col._backend.get_scheduling_states(card.id)
changes = col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
print(card.id, "good")
col.close()
"""


def build_anki(path: Path, cards: int, decks: int = 20, seed: int = 0) -> list[int]:
    """An anki collection shaped like synthetic.py's; returns its card ids."""
    import anki.collection  # noqa: F401 - first: importing anki's submodules alone is circular
    from anki.collection import AddNoteRequest
    from anki.collection import Collection as AnkiCollection

    rng = random.Random(seed)
    col = AnkiCollection(str(path))
    basic = col.models.by_name("Basic")
    deck_ids = [col.decks.id(f"Bench::Deck {d:02d}") for d in range(decks)]
    requests = []
    for i in range(cards):
        note = col.new_note(basic)
        note["Front"], note["Back"] = f"Question {i}?", f"Answer {i}"
        requests.append(AddNoteRequest(note=note, deck_id=deck_ids[i % decks]))
    col.add_notes(requests)
    today = col.sched.today
    now = int(time.time())
    rows = []
    for card_id in col.find_cards(""):
        state = rng.choices(["new", "review", "learning"], weights=[40, 59, 1])[0]
        if state == "review":
            rows.append((2, 2, today + rng.randint(-5, 30), rng.randint(1, 60), card_id))
        elif state == "learning":
            rows.append((1, 1, now + rng.randint(-1800, 36000), 0, card_id))
    col.db.executemany("UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, reps = 3 WHERE id = ?", rows)
    ids = list(col.find_cards(""))
    col.close()
    return ids


def run_timed(argv: list[str]) -> tuple[float, float, str]:
    """(wall s, CPU s of the child, stdout)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(ROOT.parent))
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        err = process.stderr.read().decode()
        process.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(argv[:5])} failed:\n{err}")
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, out.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the raw samples to this file")
    args = parser.parse_args()
    python = sys.executable
    samples: dict[str, list[tuple[float, float]]] = {}

    def record(key: str, argv: list[str]) -> str:
        wall, cpu, out = run_timed(argv)
        samples.setdefault(key, []).append((wall, cpu))
        return out

    with tempfile.TemporaryDirectory(prefix="flashapp-cli-") as folder:
        ours = Path(folder) / "flashapp.db"
        theirs = Path(folder) / "anki.anki2"
        build_collection(ours, cards=args.cards).close()
        anki_ids = build_anki(theirs, args.cards)
        flashapp = [python, "-m", "flashapp", "--db", str(ours)]
        record("warm-up", [*flashapp, "decks"])  # file cache and .pyc files, for both
        record("warm-up", [python, "-c", ANKI_DECKS, str(theirs)])
        rng = random.Random(1)
        for _ in range(args.rounds):
            record("python -c pass", [python, "-c", "pass"])
            record("flashapp decks", [*flashapp, "decks"])
            record("anki deck_due_tree", [python, "-c", ANKI_DECKS, str(theirs)])
            out = record("flashapp next", [*flashapp, "next", "--json"])
            record("anki next card", [python, "-c", ANKI_NEXT, str(theirs)])
            card_id = json.loads(out)["card"]["id"]
            record("flashapp answer", [*flashapp, "answer", str(card_id), "good"])
            record("anki answer_card", [python, "-c", ANKI_ANSWER, str(theirs), str(rng.choice(anki_ids))])
    del samples["warm-up"]
    pairs = [
        ("deck tree with counts", "flashapp decks", "anki deck_due_tree"),
        ("the next card, rendered, with its four intervals", "flashapp next", "anki next card"),
        ("answer a card", "flashapp answer", "anki answer_card"),
    ]
    floor = samples["python -c pass"]
    print(
        f"Whole processes, {args.cards:,} cards, {args.rounds} alternating rounds, load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; median seconds\n"
    )
    print("| operation | flashapp wall | anki wall | flashapp CPU | anki CPU |")
    print("|---|---:|---:|---:|---:|")
    for label, ours_key, anki_key in pairs:
        a, b = samples[ours_key], samples[anki_key]
        walls = [statistics.median(w for w, _ in side) for side in (a, b)]
        cpus = [statistics.median(c for _, c in side) for side in (a, b)]
        print(f"| {label} | {walls[0]:.3f} | {walls[1]:.3f} | {cpus[0]:.3f} | {cpus[1]:.3f} |")
    print(
        f"| `python -c pass` | {statistics.median(w for w, _ in floor):.3f} | | "
        f"{statistics.median(c for _, c in floor):.3f} | |"
    )
    if args.json:
        args.json.write_text(json.dumps(samples, indent=2))


if __name__ == "__main__":
    main()
