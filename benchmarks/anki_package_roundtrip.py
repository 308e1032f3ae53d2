"""Whole-process import and export of a 100,000-note Anki package: the `flashapp` command against the
official `anki` library, side by side in one run (rounds alternate, so both see the same machine).

The package is the one `anki_import.py` builds with `anki` itself (modern `.apkg`, Basic notes over
10 subdecks of "Bench", a quarter of the cards in review with one review-log row each).
Each timing is a fresh process, from its start to its exit, as a person runs it:
- import: `python -m flashapp --db C.db import bench.apkg` (unpack, check, back up, one write
  transaction) against a Python process that opens an `anki` collection and runs
  `import_anki_package` with scheduling; both collections exist already, empty (made by an untimed
  process first, as a person's collection would be);
- export: `python -m flashapp --db C.db export Bench -o out.apkg` against a process that opens the
  `anki` collection and runs `export_anki_package` of deck "Bench" with scheduling (modern format).
Both exports are checked: the notes go back into `anki` with the same count.

Run: .venv/bin/python benchmarks/anki_package_roundtrip.py [--notes 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from anki_import import build_package  # noqa: E402 - the same package as the import benchmark

ANKI_IMPORT = textwrap.dedent(
    """
    import sys
    import anki.collection
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    col = Collection(sys.argv[1])
    col.import_anki_package(ImportAnkiPackageRequest(
        package_path=sys.argv[2], options=ImportAnkiPackageOptions(with_scheduling=True)))
    col.close()
    """
)
ANKI_CREATE = textwrap.dedent(
    """
    import sys
    import anki.collection
    from anki.collection import Collection
    Collection(sys.argv[1]).close()
    """
)
ANKI_EXPORT = textwrap.dedent(
    """
    import sys
    import anki.collection
    from anki.collection import Collection, DeckIdLimit
    from anki.import_export_pb2 import ExportAnkiPackageOptions
    col = Collection(sys.argv[1])
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=True)
    col.export_anki_package(out_path=sys.argv[2], options=options, limit=DeckIdLimit(col.decks.id("Bench")))
    col.close()
    """
)
ANKI_COUNT = textwrap.dedent(
    """
    import sys
    import anki.collection
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    col = Collection(sys.argv[1])
    col.import_anki_package(ImportAnkiPackageRequest(
        package_path=sys.argv[2], options=ImportAnkiPackageOptions(with_scheduling=True)))
    print(col.note_count())
    col.close()
    """
)


CPU: dict[str, list[float]] = {}


def timed(argv: list[str], key: str = "") -> float:
    """Wall seconds of one whole process; its CPU seconds (user + system, its children included) are
    kept in CPU[key]: on a shared, loaded machine they compare the work done more steadily."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "FLASHAPP_DB": ""})
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(key, []).append(cpu)
    return elapsed


def flashapp(*args: str) -> list[str]:
    return [sys.executable, "-m", "flashapp", *args]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {
        key: [] for key in ("fa-import", "anki-import", "fa-export", "anki-export")
    }
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        package = folder / "bench.apkg"
        start = time.perf_counter()
        build_package(package, args.notes)
        print(
            f"built {package.name} ({package.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        for index in range(args.rounds):
            round_dir = folder / f"round-{index}"
            round_dir.mkdir()
            db, anki_col = round_dir / "fa.db", round_dir / "anki.anki2"
            # Both collections exist already (made by an untimed process), as a person's would.
            subprocess.run(flashapp("--db", str(db), "decks"), check=True, stdout=subprocess.DEVNULL)
            subprocess.run([sys.executable, "-c", ANKI_CREATE, str(anki_col)], check=True)
            times["fa-import"].append(timed(flashapp("--db", str(db), "import", str(package)), "fa-import"))
            times["anki-import"].append(
                timed([sys.executable, "-c", ANKI_IMPORT, str(anki_col), str(package)], "anki-import")
            )
            fa_out, anki_out = round_dir / "fa-out.apkg", round_dir / "anki-out.apkg"
            times["fa-export"].append(
                timed(flashapp("--db", str(db), "export", "Bench", "-o", str(fa_out)), "fa-export")
            )
            times["anki-export"].append(
                timed([sys.executable, "-c", ANKI_EXPORT, str(anki_col), str(anki_out)], "anki-export")
            )
            if index == 0:  # both exports open in anki with every note
                for out in (fa_out, anki_out):
                    check = subprocess.run(
                        [
                            sys.executable,
                            "-c",
                            ANKI_COUNT,
                            str(round_dir / f"check-{out.stem}.anki2"),
                            str(out),
                        ],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    assert int(check.stdout.strip()) == args.notes, (out, check.stdout)
            print(f"round {index + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()))
            shutil.rmtree(round_dir)
    print()
    print(
        f"| whole process ({args.notes:,} notes, {args.rounds} alternating rounds) "
        "| median s | best s | worst s | median CPU s |"
    )
    print("|---|---:|---:|---:|---:|")
    labels = {
        "fa-import": "`flashapp import`",
        "anki-import": "anki `import_anki_package`",
        "fa-export": "`flashapp export`",
        "anki-export": "anki `export_anki_package`",
    }
    for key, label in labels.items():
        samples = times[key]
        print(
            f"| {label} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} "
            f"| {statistics.median(CPU[key]):.2f} |"
        )
    for kind in ("import", "export"):
        ratio = statistics.median(times[f"fa-{kind}"]) / statistics.median(times[f"anki-{kind}"])
        cpu = statistics.median(CPU[f"fa-{kind}"]) / statistics.median(CPU[f"anki-{kind}"])
        print(f"{kind}: flashapp / anki, median wall: {ratio:.2f}, median CPU: {cpu:.2f}")


if __name__ == "__main__":
    main()
