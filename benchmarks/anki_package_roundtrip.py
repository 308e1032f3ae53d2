"""Whole-process import and export of Anki packages of 10k, 50k and 100k notes (linearity): the
`flashapp` command against the official `anki` library, side by side in one run (rounds alternate,
so both see the same machine).

The package is the one `anki_import.py` builds with `anki` itself (modern `.apkg`, Basic notes over
10 subdecks of "Bench", a quarter of the cards in review with one review-log row each); with
`--note-types mixed` (or `basic mixed`), also one whose notes are a third each Basic, "Basic (and
reversed card)" and Cloze with one to three deletions (about two cards a note).
Each timing is a fresh process, from its start to its exit, as a person runs it:
- import: `python -m flashapp --db C.db import bench.apkg` (unpack, check, back up, one write
  transaction) against a Python process that opens an `anki` collection and runs
  `import_anki_package` with scheduling; both collections exist already, empty (made by an untimed
  process first, as a person's collection would be);
- export: `python -m flashapp --db C.db export Bench -o out.apkg` against a process that opens the
  `anki` collection and runs `export_anki_package` of deck "Bench" with scheduling (modern format).
Both exports are checked: the notes go back into `anki` with the same count.

Wall and CPU seconds (user + system of the process and its children) are both reported; on a shared,
loaded machine the CPU medians are the steadier comparison.

Every process runs with its bytecode cached, as an installed program's is (pip compiles it): the cache
is a scratch folder (PYTHONPYCACHEPREFIX, PYTHONDONTWRITEBYTECODE dropped), filled by one untimed
round of every command on a 20-note package. Without it each `flashapp` process compiled its ~50
modules from source (about 0.1 s) while `anki`'s installed modules were already compiled.

With `--baseline DIR` (another checkout of flashapp, e.g. main's), that checkout's `flashapp import`
and `export` are timed too, in the same rounds and on the same packages: a before/after comparison
that one machine's load affects alike.

Run: .venv/bin/python benchmarks/anki_package_roundtrip.py [--notes 10000 50000 100000] [--rounds 3]
     [--baseline DIR] [--note-types basic mixed]
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


def timed(argv: list[str], key: str = "", tree: Path | None = None) -> float:
    """Wall seconds of one whole process; its CPU seconds (user + system, its children included) are
    kept in CPU[key]: on a shared, loaded machine they compare the work done more steadily. `tree`: the
    flashapp checkout the process imports (the baseline's), else this one."""
    env = {**os.environ, "FLASHAPP_DB": ""}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=tree)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(key, []).append(cpu)
    return elapsed


def flashapp(*args: str) -> list[str]:
    return [sys.executable, "-m", "flashapp", *args]


LABELS = {
    "fa-import": "`flashapp import`",
    "anki-import": "anki `import_anki_package`",
    "fa-export": "`flashapp export`",
    "anki-export": "anki `export_anki_package`",
}


BASELINE_LABELS = {"base-import": "baseline `flashapp import`", "base-export": "baseline `flashapp export`"}


def measure(
    notes: int, rounds: int, folder: Path, baseline: Path | None = None, note_types: str = "basic"
) -> dict[str, list[float]]:
    """Wall seconds per kind for one package (CPU seconds go to CPU[kind@size], size as `size_label`)."""
    size = size_label(notes, note_types)
    times: dict[str, list[float]] = {key: [] for key in LABELS | (BASELINE_LABELS if baseline else {})}
    package = folder / f"bench-{notes}-{note_types}.apkg"
    start = time.perf_counter()
    build_package(package, notes, note_types=note_types)
    print(
        f"built {package.name} ({package.stat().st_size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    for index in range(rounds):
        round_dir = folder / f"round-{notes}-{note_types}-{index}"
        round_dir.mkdir()
        db, anki_col = round_dir / "fa.db", round_dir / "anki.anki2"
        # Both collections exist already (made by an untimed process), as a person's would.
        subprocess.run(flashapp("--db", str(db), "decks"), check=True, stdout=subprocess.DEVNULL)
        base_db = round_dir / "base.db"
        if baseline is not None:
            env = {**os.environ, "PYTHONPATH": str(baseline), "FLASHAPP_DB": ""}
            subprocess.run(
                flashapp("--db", str(base_db), "decks"),
                check=True,
                stdout=subprocess.DEVNULL,
                env=env,
                cwd=baseline,
            )
        subprocess.run([sys.executable, "-c", ANKI_CREATE, str(anki_col)], check=True)
        fa_out, anki_out = round_dir / "fa-out.apkg", round_dir / "anki-out.apkg"
        runs = {
            "fa-import": flashapp("--db", str(db), "import", str(package)),
            "anki-import": [sys.executable, "-c", ANKI_IMPORT, str(anki_col), str(package)],
            "fa-export": flashapp("--db", str(db), "export", "Bench", "-o", str(fa_out)),
            "anki-export": [sys.executable, "-c", ANKI_EXPORT, str(anki_col), str(anki_out)],
        }
        if baseline is not None:
            runs["base-import"] = flashapp("--db", str(base_db), "import", str(package))
            runs["base-export"] = flashapp(
                "--db", str(base_db), "export", "Bench", "-o", str(round_dir / "b.apkg")
            )
        # Alternate which program goes first, round by round.
        order = ["fa-import", "anki-import", "fa-export", "anki-export"]
        if index % 2:
            order = ["anki-import", "fa-import", "anki-export", "fa-export"]
        if baseline is not None:  # each baseline run beside this checkout's, before or after it
            order.insert(order.index("fa-import") + index % 2, "base-import")
            order.insert(order.index("fa-export") + index % 2, "base-export")
        for key in order:
            times[key].append(
                timed(runs[key], f"{key}@{size}", baseline if key.startswith("base-") else None)
            )
        if index == 0:  # both exports open in anki with every note
            for out in (fa_out, anki_out):
                check = subprocess.run(
                    [sys.executable, "-c", ANKI_COUNT, str(round_dir / f"check-{out.stem}.anki2"), str(out)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                assert int(check.stdout.strip()) == notes, (out, check.stdout)
        print(
            f"{size}, round {index + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
            flush=True,
        )
        shutil.rmtree(round_dir)
    return times


def size_label(notes: int, note_types: str) -> str:
    """How a package is named in the tables: its note count, and "mixed" for the mixed note types."""
    return f"{notes:,}" + (" mixed" if note_types == "mixed" else "")


def warm_up(folder: Path, baseline: Path | None) -> None:
    """One untimed round of every command on a small package: the bytecode cache holds every module."""
    package, anki_col = folder / "warm.apkg", folder / "warm.anki2"
    build_package(package, 20)
    subprocess.run([sys.executable, "-c", ANKI_CREATE, str(anki_col)], check=True)
    subprocess.run([sys.executable, "-c", ANKI_IMPORT, str(anki_col), str(package)], check=True)
    subprocess.run(
        [sys.executable, "-c", ANKI_EXPORT, str(anki_col), str(folder / "warm-anki.apkg")], check=True
    )
    for index, tree in enumerate([None, baseline] if baseline is not None else [None]):
        env = {**os.environ, "FLASHAPP_DB": ""} | ({"PYTHONPATH": str(tree)} if tree else {})
        db = folder / f"warm-{index}.db"
        for args in (
            ["decks"],
            ["import", str(package)],
            ["export", "Bench", "-o", str(folder / "warm-out.apkg")],
        ):
            subprocess.run(
                flashapp("--db", str(db), *args), check=True, stdout=subprocess.DEVNULL, env=env, cwd=tree
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--baseline", type=Path, metavar="DIR", help="another flashapp checkout to time in the same rounds"
    )
    parser.add_argument(
        "--note-types",
        nargs="+",
        choices=["basic", "mixed"],
        default=["basic"],
        help="the packages' notes: all Basic (default), and/or mixed (a third each of Basic, Basic and "
        "reversed, and Cloze with one to three deletions)",
    )
    args = parser.parse_args()
    labels = LABELS | (BASELINE_LABELS if args.baseline else {})
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as work:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(work) / "bytecode")  # never written into a checkout
        warm_up(Path(work), args.baseline)
        for note_types in args.note_types:
            for notes in args.notes:
                size = size_label(notes, note_types)
                results[size] = measure(notes, args.rounds, Path(work), args.baseline, note_types)
    print()
    print(
        f"| whole process ({args.rounds} alternating rounds) | notes "
        "| median s | best s | worst s | median CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for size, times in results.items():
        for key, label in labels.items():
            samples, cpu = times[key], CPU[f"{key}@{size}"]
            print(
                f"| {label} | {size} | {statistics.median(samples):.2f} | {min(samples):.2f} "
                f"| {max(samples):.2f} | {statistics.median(cpu):.2f} |"
            )
    print()
    for size, times in results.items():
        for kind in ("import", "export"):
            wall = statistics.median(times[f"fa-{kind}"]) / statistics.median(times[f"anki-{kind}"])
            cpu = statistics.median(CPU[f"fa-{kind}@{size}"]) / statistics.median(CPU[f"anki-{kind}@{size}"])
            print(f"{size} notes, {kind}: flashapp / anki, median wall {wall:.2f}, median CPU {cpu:.2f}")
            if args.baseline:
                wall = statistics.median(times[f"fa-{kind}"]) / statistics.median(times[f"base-{kind}"])
                cpu = statistics.median(CPU[f"fa-{kind}@{size}"]) / statistics.median(
                    CPU[f"base-{kind}@{size}"]
                )
                print(f"{size} notes, {kind}: flashapp / baseline, median wall {wall:.2f}, CPU {cpu:.2f}")


if __name__ == "__main__":
    main()
