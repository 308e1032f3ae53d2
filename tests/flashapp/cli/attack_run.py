"""The issue's hostile inputs, run as a user would run them: each a `flashapp` process on a fresh copy
of a small collection, with a time limit (a hang shows as a timeout). Prints a table: input, exit
code, the one line printed, and whether a traceback, a hang or a half-written collection was seen.

    python -m tests.flashapp.cli.attack_run [WORK_DIR] [--pg URL]

With --pg (a server URL whose user may create databases) the CLI cases run on a scratch database
there too. Not part of the test suite (it takes about a minute); the suite holds the same cases as
tests (test_cli_hardening.py, test_cli_fuzz.py, test_damage_probe.py, the deck-file and Anki tests).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LIMIT_S = 120
BASE_DECK = '[deck]\nname = "Hard"\n\n[[cards]]\nid = "one"\nfront = "q"\nback = "a"\n'
ESC = "\\u001b"

# (label, deck file text): each imported into a fresh copy, then `decks`, `next` and `check` run on it.
DECK_FILES = [
    ("learning_steps = [\"36501d\"]", '[deck]\nname = "S"\nlearning_steps = ["36501d"]\n'),
    ("params nested 50,000 deep",
     '[deck]\nname = "N"\n[[cards]]\nid = "n"\nfront = "q"\nback = "a"\ndemo = "attention.self"\n'
     "params = { x = " + "[" * 50_000 + "]" * 50_000 + " }\n"),
    ("{{c99999999999999999999::y}}",
     '[deck]\nname = "C"\n[[cards]]\nid = "c"\nkind = "cloze"\ncloze = "x {{c99999999999999999999::y}}"\n'),
    ("predict question {h:>50000000}",
     '[deck]\nname = "P"\n[[cards]]\nid = "p"\nkind = "predict"\nconcept = "positional.pe_value"\n'
     'question = "{d:>50000000}"\nanswer = { kind = "float", tolerance = 0.01 }\n'
     "ranges = { d = { choices = [8, 16] }, dim = [0, 7] }\nparams = { pos = 0 }\n"),
    ("predict question {h:>3000000000}",
     '[deck]\nname = "P"\n[[cards]]\nid = "p"\nkind = "predict"\nconcept = "positional.pe_value"\n'
     'question = "{d:>3000000000}"\nanswer = { kind = "float", tolerance = 0.01 }\n'
     "ranges = { d = { choices = [8, 16] }, dim = [0, 7] }\nparams = { pos = 0 }\n"),
    ("OSC escape in a deck name",
     f'[deck]\nname = "{ESC}]0;owned\\u0007Evil{ESC}[41m"\n[[cards]]\nid = "e"\nfront = "q"\nback = "a"\n'),
    ("escape in a tag",
     f'[deck]\nname = "T"\n[[cards]]\nid = "t"\nfront = "q"\nback = "a"\ntags = ["x{ESC}[31m"]\n'),
    ("UTF-8 BOM", "\ufeff" + BASE_DECK.replace("Hard", "Bom")),
    ("nested cloze {{c1::a {{c2::b}}}}",
     '[deck]\nname = "Z"\n[[cards]]\nid = "z"\nkind = "cloze"\ncloze = "{{c1::a {{c2::b}}}}"\n'),
    ("deck name of 450 characters", f'[deck]\nname = "{"x" * 450}"\n'),
    ("new_per_day = 2^64", '[deck]\nname = "L"\nnew_per_day = 18446744073709551616\n'),
    ("desired_retention = nan", '[deck]\nname = "R"\ndesired_retention = nan\n'),
]  # fmt: skip

# (label, argv after `--db DB`; "DB" stands for the collection, "TMP" for the work folder)
COMMANDS = [
    ("answer with card id 2^63", ["answer", str(2**63), "good"]),
    ("answer --time-ms 2^63", ["answer", "1", "good", "--time-ms", str(2**63)]),
    ("next --now 9999-12-31", ["next", "--now", "9999-12-31T23:00:00Z"]),
    ("next --now 0001-01-01", ["next", "--now", "0001-01-01T00:00:00Z"]),
    ("card 2^64", ["card", str(2**64)]),
    ("test Hard --count 999999999", ["test", "Hard", "--count", "999999999", "--json"]),
    ("test Hard --seed 2^70", ["test", "Hard", "--seed", str(2**70), "--json"]),
    ("stats --now 0001-01-01", ["stats", "--now", "0001-01-01T00:00:00Z"]),
    ("plan --days 10^9", ["plan", "--days", "1000000000"]),
    ("cards --search with a lone quote", ["cards", "--search", '"']),
    ("import a folder that does not exist", ["import", "TMP/none"]),
    ("import /dev/zero", ["import", "/dev/zero"]),
    ("export -o into a missing folder", ["export", "Hard", "-o", "TMP/no/such/dir/x.toml"]),
    ("demo attention.self --save under a file", ["demo", "attention.self", "--save", "/etc/hostname/figs"]),
    ("demo attention.self --set n=10^9", ["demo", "attention.self", "--set", "n=1000000000"]),
    ("restore a backup that is not there", ["restore", "nope.db"]),
    ("--tz Mars/Olympus", ["--tz", "Mars/Olympus", "decks"]),
]


@dataclass
class Outcome:
    label: str
    code: int | str
    line: str
    note: str = ""


def flashapp(work: Path, db: str, argv: list[str]) -> tuple[int | str, str, str]:
    """Run `flashapp --db DB ARGV` (TMP in ARGV: the work folder); (code, stdout, stderr)."""
    argv = [word.replace("TMP", str(work)) for word in argv]
    head = argv[:2] if argv[:1] == ["--tz"] else []
    command = [sys.executable, "-m", "flashapp", *head, "--db", db, *argv[len(head) :]]
    env = os.environ | {"XDG_DATA_HOME": str(work / "data"), "COLUMNS": "100"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=LIMIT_S, env=env, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return "TIMEOUT", "", ""
    return done.returncode, done.stdout, done.stderr


def one_line(out: str, err: str) -> str:
    text = err.strip() or out.strip()
    lines = text.splitlines()
    first = lines[0] if lines else ""
    more = f" (+{len(lines) - 1} lines)" if len(lines) > 1 and err.strip() else ""
    return (first[:150] + ("…" if len(first) > 150 else "")) + more


def verdict(code, out: str, err: str) -> str:
    notes = []
    if "Traceback" in out + err:
        notes.append("TRACEBACK")
    if code == "TIMEOUT":
        notes.append("HANG")
    if "\x1b" in out + err or "\x07" in out + err:
        notes.append("ESCAPE REACHED THE TERMINAL")
    if len(out) > 1_000_000:
        notes.append(f"{len(out)} bytes printed")
    return ", ".join(notes)


def fresh(base: str, work: Path, name: str, pg: str | None) -> str:
    if pg:
        return pg_fresh(pg, work)
    target = work / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copy(base, target)
    return str(target)


def pg_fresh(url: str, work: Path) -> str:
    """The server database emptied, made a collection again and given deck "Hard"."""
    from sqlalchemy import create_engine

    from flashapp.store.collection import Collection

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    with Collection.open(url, shipped_decks=False) as collection:
        collection.import_paths([work / "base.toml"])
    return url


def deck_cases(base: str, work: Path, pg: str | None) -> list[Outcome]:
    results = []
    for label, text in DECK_FILES:
        db = fresh(base, work, "deck.db", pg)
        path = work / "hostile.toml"
        path.write_text(text, encoding="utf-8")
        started = time.monotonic()
        code, out, err = flashapp(work, db, ["import", str(path)])
        note = verdict(code, out, err)
        for after in (["decks"], ["next"], ["check"]):  # whatever was accepted, every command reads it
            a_code, a_out, a_err = flashapp(work, db, after)
            if a_code != 0 or verdict(a_code, a_out, a_err):
                seen = verdict(a_code, a_out, a_err)
                note += f"; then `{after[0]}` exit {a_code} {seen} {one_line(a_out, a_err)}"
        results.append(Outcome(f"deck file: {label}", code, one_line(out, err), note.strip("; ")))
        results[-1].note += f" [{time.monotonic() - started:.1f} s]"
    return results


def command_cases(base: str, work: Path, pg: str | None) -> list[Outcome]:
    results = []
    for label, argv in COMMANDS:
        db = fresh(base, work, "cmd.db", pg)
        code, out, err = flashapp(work, db, argv)
        note = verdict(code, out, err)
        c_code, c_out, c_err = flashapp(work, db, ["check"])
        if c_code != 0:
            note += f"; check after: {one_line(c_out, c_err)}"
        results.append(Outcome(label, code, one_line(out, err), note))
    if not pg:
        results += file_cases(base, work)
    results.append(Outcome('--db "://"', *_short(flashapp(work, "://", ["decks"]))))
    return results


def _short(result: tuple[int | str, str, str]) -> tuple[int | str, str, str]:
    code, out, err = result
    return code, one_line(out, err), verdict(code, out, err)


def file_cases(base: str, work: Path) -> list[Outcome]:
    """Cases about the SQLite file: read-only, damaged pages, a neighbour's backups, Anki packages."""
    results = []
    db = fresh(base, work, "ro.db", None)
    ro = f"sqlite:///file:{db}?mode=ro&uri=true"
    results.append(
        Outcome(
            "read-only collection (mode=ro): answer", *_short(flashapp(work, ro, ["answer", "1", "good"]))
        )
    )
    db = fresh(base, work, "damaged.db", None)
    damage(Path(db))
    before = Path(db).read_bytes()
    for argv in (["decks"], ["next"], ["answer", "1", "good"], ["stats"], ["check"]):
        results.append(Outcome(f"damaged collection: {' '.join(argv)}", *_short(flashapp(work, db, argv))))
    results[-1].note += "" if Path(db).read_bytes() == before else " FILE CHANGED"
    code, out, err = flashapp(work, db, ["check", "--repair"])
    results.append(
        Outcome("damaged collection: check --repair", code, one_line(out, err), verdict(code, out, err))
    )
    code, out, err = flashapp(work, db, ["check"])
    results.append(
        Outcome(
            "damaged collection: check after the repair", code, one_line(out, err), verdict(code, out, err)
        )
    )
    results += anki_cases(base, work)
    return results


def damage(path: Path) -> None:
    """Every page after the schema and the version table overwritten, as a failing disk would."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = connection.execute("PRAGMA page_size").fetchone()[0]
    count = connection.execute("PRAGMA page_count").fetchone()[0]
    version = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'alembic_version'"
    ).fetchone()[0]
    connection.close()
    with open(path, "r+b") as file:
        for page in range(2, count + 1):
            if page != version:
                file.seek((page - 1) * size)
                file.write(b"\xa5" * size)


def anki_cases(base: str, work: Path) -> list[Outcome]:
    import genanki

    model = genanki.Model(
        1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )  # fmt: skip
    results = []
    same = work / "a.png", work / "b.png"
    for path in same:
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"same bytes" * 10)
    deck = genanki.Deck(2059400110, "Media")
    deck.add_note(genanki.Note(model=model, fields=['<img src="a.png">', '<img src="b.png">'], guid="g1"))
    package = work / "media.apkg"
    genanki.Package(deck, media_files=[str(p) for p in same]).write_to_file(package)
    db = fresh(base, work, "anki.db", None)
    code, out, err = flashapp(work, db, ["import", str(package)])
    c_code, c_out, c_err = flashapp(work, db, ["check"])
    note = verdict(code, out, err) + ("" if c_code == 0 else f"; check: {one_line(c_out, c_err)}")
    results.append(Outcome("apkg: two media names, identical bytes", code, one_line(out, err), note))
    deck = genanki.Deck(2059400111, "Dupes")
    for front in ("first", "second"):
        deck.add_note(genanki.Note(model=model, fields=[front, "x"], guid="same-guid"))
    package = work / "dupes.apkg"
    genanki.Package(deck).write_to_file(package)
    db = fresh(base, work, "dupes.db", None)
    code, out, err = flashapp(work, db, ["import", str(package)])
    c_code, c_out, c_err = flashapp(work, db, ["check"])
    note = verdict(code, out, err) + ("" if c_code == 0 else f"; check: {one_line(c_out, c_err)}")
    results.append(Outcome("apkg: two notes with one guid", code, one_line(out, err), note))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", nargs="?", help="work folder (default: a new temporary one)")
    parser.add_argument("--pg", help="also run the deck-file and command cases on this PostgreSQL URL")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="flashapp-attack-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "base.toml").write_text(BASE_DECK, encoding="utf-8")
    base = str(work / "base.db")
    Path(base).unlink(missing_ok=True)
    from flashapp.store.collection import Collection

    Collection.open(base, shipped_decks=False).close()
    assert flashapp(work, base, ["import", str(work / "base.toml")])[0] == 0
    rows = [("sqlite", o) for o in deck_cases(base, work, None) + command_cases(base, work, None)]
    if args.pg:
        rows += [
            ("postgres", o) for o in deck_cases(base, work, args.pg) + command_cases(base, work, args.pg)
        ]
    print("| backend | input | exit | line printed | seen |")
    print("|---|---|---|---|---|")
    for backend, o in rows:
        line = o.line.replace("|", "\\|").replace(str(work), "TMP")
        print(f"| {backend} | {o.label} | {o.code} | {line} | {o.note.replace(str(work), 'TMP')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
