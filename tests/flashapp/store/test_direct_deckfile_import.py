"""Deck-file import on sqlite3 alone (`store/direct/deckfile_import.py`, what `flashapp import` runs on
an SQLite file at the newest schema) writes what the `Collection`'s import writes: every table, row for
row, and the same reports, through first imports, edits, removals, moves within a deck tree, returns
and a re-import that changes nothing."""

from __future__ import annotations

import sqlite3
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flashapp.store.collection import Collection
from flashapp.store.direct.connection import direct_or_none
from flashapp.store.direct.deckfile_import import import_deck_files

pytestmark = pytest.mark.sqlite_only  # the sqlite3 path is for SQLite files; PostgreSQL is the Collection's

ROOT = Path(__file__).resolve().parents[3]
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

MIX_KEPT = """\
[deck]
name = "Mix"
description = "Varied cards"
new_per_day = 15

[[cards]]
id = "attention"
front = "Scaled dot-product attention?"
back = '''$\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$ and $x_i$, **bold**'''
extra = 'See <img src="attention.png"> and [sound:ding.mp3]'
tags = ["attention", "math"]

[[cards]]
id = "both-ways"
kind = "reversed"
front = "Encoder"
back = "Reads the input"
tags = ["math"]

[[cards]]
id = "gaps"
cloze = "{{c1::Queries}} meet {{c2::keys}} to weigh {{c3::values::what}}"
extra = '$\\alpha_{ij}$'

[[cards]]
id = "runs"
front = "Cross attention"
back = "Q from the decoder"
demo = "attention.cross"
params = { n = 4, m = 6, d = 8 }
"""
TYPED = """
[[cards]]
id = "typed"
kind = "type-in"
front = "Softmax of equal scores over $n$ keys?"
back = "1/n"
"""
LEAVES = """
[[cards]]
id = "leaves"
front = "Gone in the next version"
back = "- a bullet\\n- another"
"""
MIX = MIX_KEPT + TYPED + LEAVES
SUB = """\
[deck]
name = "Mix::Sub"

[[cards]]
id = "sub-one"
front = "In the subdeck"
back = "`code` and ünïcode"
tags = ["sub"]
"""
# Edited text and tags, a cloze number dropped, a new card, new options; "leaves" removed, "typed"
# moved to the subdeck.
MIX_EDITED = (
    MIX_KEPT.replace("Reads the input", "Reads the whole input")
    .replace('tags = ["math"]', 'tags = ["math", "edited"]')
    .replace(" to weigh {{c3::values::what}}", "")
    .replace('description = "Varied cards"', 'description = "Edited"\nscheduler = "fsrs"')
    + '\n[[cards]]\nid = "new-one"\nfront = "$x^2$"\nback = "square"\n'
)


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows in rowid order."""
    connection = sqlite3.connect(db)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in tables
        }
    finally:
        connection.close()


def import_with_collection(db: Path, paths: list[Path], now: datetime):
    with Collection.open(db, shipped_decks=False, clock=lambda: now, tz=UTC) as collection:
        report = collection.import_paths(paths, backup=False)
    return report.files, report.decks


def import_direct(db: Path, paths: list[Path], now: datetime):
    direct = direct_or_none(db, UTC)
    assert direct is not None
    with direct:
        report = import_deck_files(direct, paths, now=now, backup=False)
    return report.files, report.decks


def study_some(db: Path) -> None:
    """The same answers, suspensions and burials in both collections, so that the orphaned cards'
    queues come from real states."""
    connection = sqlite3.connect(db)
    with connection:
        card_ids = [row[0] for row in connection.execute("SELECT id FROM cards ORDER BY id")]
        connection.execute(
            "UPDATE cards SET state = 'review', queue = 2, reps = 3, interval_days = 4 WHERE id IN (?, ?, ?)",
            card_ids[:3],
        )
        connection.execute("UPDATE cards SET suspended = 1, queue = -1 WHERE id = ?", (card_ids[3],))
        connection.execute(
            "UPDATE cards SET buried_until = '2026-03-05 04:00:00.000000', queue = -2 WHERE id = ?",
            (card_ids[-1],),
        )
    connection.close()


def test_the_sqlite3_import_writes_what_the_collection_writes(tmp_path, empty_collection_file):
    folders = {name: tmp_path / name for name in ("orm", "direct")}
    for folder in folders.values():
        folder.mkdir()
    dbs = {name: empty_collection_file(folder / "c.db") for name, folder in folders.items()}
    mix, sub = tmp_path / "mix.toml", tmp_path / "mix-sub.toml"

    def both(paths: list[Path], now: datetime):
        reports = (import_with_collection(dbs["orm"], paths, now), import_direct(dbs["direct"], paths, now))
        assert reports[0] == reports[1]
        assert dump(dbs["orm"]) == dump(dbs["direct"])
        return reports[1][1]

    def write(path: Path, text: str) -> Path:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    shipped = both([ROOT / "decks"], START)  # the shipped decks: predict cards, demos, a deck tree
    assert sum(report.added for report in shipped) > 50

    write(mix, MIX), write(sub, SUB)
    first = both([mix, sub], START + timedelta(hours=1))
    assert [report.added for report in first] == [9, 1]
    for db in dbs.values():
        study_some(db)

    write(mix, MIX_EDITED), write(sub, SUB + TYPED)
    edited = both([mix, sub], START + timedelta(days=1))
    assert (edited[0].updated, edited[0].orphaned, edited[0].added) == (2, 3, 1)
    assert (edited[1].moved, edited[1].restored) == (1, 1)

    write(mix, MIX_EDITED + LEAVES)
    back = both([mix, sub], START + timedelta(days=2))
    assert back[0].restored == 1

    again = both([mix, sub], START + timedelta(days=3))
    assert not any(report.changed for report in again)


def test_chunks_of_one_card_notes_and_of_mixed_kinds_write_what_the_collection_writes(
    tmp_path, empty_collection_file, monkeypatch
):
    """New notes go in chunks: a chunk of one-card notes gets its cards from the notes' rows in one
    statement, a chunk with reversed or cloze notes card by card; ids and positions run on across
    chunks of both kinds and after the cards already there."""
    from flashapp.store.direct import deckfile_import

    monkeypatch.setattr(deckfile_import, "INSERT_CHUNK", 2)
    kinds = ["basic", "type-in", "basic", "reversed", "cloze", "basic", "basic", "basic", "reversed"]
    cards = []
    for i, kind in enumerate(kinds):
        text = (
            f'cloze = "{{{{c1::a{i}}}}} and {{{{c2::b{i}}}}}"'
            if kind == "cloze"
            else f'front = "q{i}"\nback = "a{i}"'
        )
        cards.append(f'\n[[cards]]\nid = "n{i}"\nkind = "{kind}"\n{text}\n')
    deck = tmp_path / "chunks.toml"
    deck.write_text('[deck]\nname = "Chunks"\n' + "".join(cards), encoding="utf-8")
    dbs = {}
    for name, run in (("orm", import_with_collection), ("direct", import_direct)):
        (tmp_path / name).mkdir()
        dbs[name] = empty_collection_file(tmp_path / name / "c.db")
        run(dbs[name], [ROOT / "decks" / "attention-toy-transformer.toml"], START)
        files, reports = run(dbs[name], [deck], START + timedelta(hours=1))
        assert [report.added for report in reports] == [12]
    assert dump(dbs["orm"]) == dump(dbs["direct"])
