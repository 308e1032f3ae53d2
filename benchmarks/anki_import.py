"""Importing a 100,000-note Anki package (no media): flashapp against the official `anki` library's own
importer, on the same file, side by side in one run (rounds alternate, so both see the same machine).

The package is built with `anki` itself (test dependency) and exported as a modern `.apkg`
(collection.anki21b): Basic notes over 10 subdecks, half of them tagged. The default ("mixed") deck
has a fifth of its notes with HTML and non-ASCII text and a quarter of its cards in review with one
review-log row each; `--plain` builds plain ASCII notes with every card new (a freshly shared deck).

Each timed import starts from a fresh, empty collection that is already open (flashapp: created and
migrated; anki: created), and stops when the import call returns (its transaction committed).
flashapp's time is `Collection.import_paths([package])`, everything `flashapp import` does in-process:
unpacking and checking the package, the backup, the write transaction. anki's is
`Collection.import_anki_package` with scheduling.

Run: .venv/bin/python benchmarks/anki_import.py [--plain] [--notes 100000] [--rounds 5] [--package FILE.apkg]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import anki.collection  # noqa: F401 - first: importing anki's submodules alone is circular
from anki.collection import AddNoteRequest
from anki.collection import Collection as AnkiCollection
from anki.consts import MODEL_CLOZE
from anki.import_export_pb2 import (
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

from flashapp.store.collection import Collection

WORDS = ["attention", "query", "key", "value", "softmax", "encoder", "decoder", "token", "layer", "norm"]


def build_package(path: Path, notes: int, *, plain: bool = False, note_types: str = "basic") -> None:
    """`plain`: every note plain ASCII text, every card new (a freshly shared deck). `note_types`:
    "basic" (every note Basic, one card each) or "mixed" (a third each of Basic, "Basic (and reversed
    card)" with two cards, and Cloze with one to three deletions, so about two cards a note)."""
    with tempfile.TemporaryDirectory() as folder:
        col = AnkiCollection(str(Path(folder) / "collection.anki2"))
        kinds = [col.models.by_name("Basic")]
        if note_types == "mixed":
            kinds += [col.models.by_name("Basic (and reversed card)"), col.models.by_name("Cloze")]
        decks = [col.decks.id(f"Bench::Deck {i:02d}") for i in range(10)]
        requests = []
        for i in range(notes):
            kind = kinds[i % len(kinds)]
            note = col.new_note(kind)
            a, b = WORDS[i % len(WORDS)], WORDS[(i * 7) % len(WORDS)]
            if kind["type"] == MODEL_CLOZE:
                hidden = [WORDS[(i + k) % len(WORDS)] for k in range(1, 2 + i % 3)]
                deletions = " ".join(f"{{{{c{k}::{word}}}}}" for k, word in enumerate(hidden, 1))
                note["Text"] = f"{a} {deletions} number {i}"
                note["Back Extra"] = f"{b}<br>Größe {i}" if i % 5 == 0 and not plain else f"{b} {i}"
            elif i % 5 == 0 and not plain:
                note["Front"] = f"<b>{a}</b> über {b} #{i}"
                note["Back"] = f"{b}<br>Größe {i} &amp; more"
            else:
                note["Front"] = f"What is {a} {b} number {i}?"
                note["Back"] = f"{b} {a} answer {i}"
            if i % 2 == 0:
                note.tags = [a, f"set{i % 7}"]
            requests.append(AddNoteRequest(note=note, deck_id=decks[i % len(decks)]))
        col.add_notes(requests)
        today = col.sched.today
        # A quarter of the cards in review, as Anki stores them, each with one review-log row.
        if not plain:
            col.db.execute(
                "UPDATE cards SET type = 2, queue = 2, ivl = 1 + id % 60, due = ? + id % 30 - 10, "
                "factor = 2300 + id % 500, reps = 1 + id % 9, lapses = id % 3 WHERE id % 4 = 0",
                today,
            )
            col.db.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                "SELECT id / 2 + 7, id, -1, 3, ivl, 0, factor, 8000, 1 FROM cards WHERE type = 2"
            )
        options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False)
        col.export_anki_package(out_path=str(path), options=options, limit=None)
        col.close()


def time_flashapp(package: Path, folder: Path) -> tuple[float, int]:
    with Collection.open(folder / "flashapp.db", shipped_decks=False) as collection:
        start = time.perf_counter()
        report = collection.import_paths([package])
        elapsed = time.perf_counter() - start
    return elapsed, report.packages[0].notes_added


def time_anki(package: Path, folder: Path) -> tuple[float, int]:
    col = AnkiCollection(str(folder / "anki.anki2"))
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)
    )
    start = time.perf_counter()
    col.import_anki_package(request)
    elapsed = time.perf_counter() - start
    notes = col.note_count()
    col.close()
    return elapsed, notes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--package", type=Path, help="use this .apkg instead of building one")
    parser.add_argument("--verbose", action="store_true", help="print each round's times")
    parser.add_argument(
        "--plain", action="store_true", help="plain ASCII notes, all cards new (default: the mixed deck)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        package = args.package
        if package is None:
            package = work_dir / "bench.apkg"
            start = time.perf_counter()
            build_package(package, args.notes, plain=args.plain)
            size = package.stat().st_size / 1e6
            print(f"built {package.name} ({size:.1f} MB) in {time.perf_counter() - start:.1f} s")
        times: dict[str, list[float]] = {"flashapp": [], "anki": []}
        for round_index in range(args.rounds):
            for name, run in (("flashapp", time_flashapp), ("anki", time_anki)):
                folder = work_dir / f"{name}-{round_index}"
                folder.mkdir()
                elapsed, notes = run(package, folder)
                assert notes == args.notes or args.package, (name, notes)
                times[name].append(elapsed)
                shutil.rmtree(folder)
            if args.verbose:
                print(
                    f"round {round_index + 1}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items())
                )
    print()
    print(
        f"| importer ({args.notes:,} notes, {args.rounds} alternating rounds) | median s | best s | worst s |"
    )
    print("|---|---:|---:|---:|")
    for name, label in (("flashapp", "flashapp `import_paths`"), ("anki", "anki `import_anki_package`")):
        samples = times[name]
        print(f"| {label} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} |")
    ratio = statistics.median(times["anki"]) / statistics.median(times["flashapp"])
    print(f"\nflashapp / anki, median: {1 / ratio:.2f} (anki takes {ratio:.2f}x as long)")


if __name__ == "__main__":
    main()
