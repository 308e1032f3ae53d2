"""An Anki package comes in the same way whichever way it takes: `flashapp import` into an SQLite
file runs on a plain sqlite3 connection (`store/anki/direct_import.py`, no SQLAlchemy), the
`Collection` on its SQLAlchemy session; both call `package_import.write_packages`, and every row of
every table comes out the same (packages built with genanki and `anki`: shared guids, identical media
bytes, v1 relearning, buried and suspended cards, every review-log kind), on a first import and on a
re-import over it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from test_anki_tolerance import scheduled_package, tolerant_package  # noqa: F401 - fixtures

from flashapp.store.anki.direct_import import import_packages
from flashapp.store.collection import Collection
from flashapp.store.direct.connection import direct_or_none

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 8, 30, tzinfo=UTC)


def table_rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in tables}
    finally:
        db.close()


def media_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())} if folder.is_dir() else {}


def test_both_ways_write_the_same_rows(tolerant_package, scheduled_package, tmp_path):  # noqa: F811
    packages = [tolerant_package, scheduled_package[0]]
    through_collection, direct_file = tmp_path / "a.db", tmp_path / "b.db"
    for path in (through_collection, direct_file):
        Collection.open(path, shipped_decks=False).close()
    reports = {}
    for now in (NOW, LATER):  # a first import, then the same packages again over it
        with Collection.open(through_collection, shipped_decks=False, clock=lambda now=now: now, tz=UTC) as c:
            reports["collection"] = c.import_paths(packages, backup=False).packages
        direct = direct_or_none(direct_file, UTC)
        assert direct is not None  # an SQLite file at the newest schema: the sqlite3 way serves it
        with direct:
            reports["direct"] = import_packages(direct, packages, reset=False, now=now, backup=False)
        assert reports["direct"] == reports["collection"]
        assert table_rows(direct_file) == table_rows(through_collection)
        assert media_files(tmp_path / "b.media") == media_files(tmp_path / "a.media")
    rows = table_rows(direct_file)  # the packages did come in (the comparison is not of empty tables)
    assert (len(rows["notes"]), len(rows["media"])) == (3 + len(scheduled_package[1]), 4)
    assert rows["reviews"] and any(card[7] is not None for card in rows["cards"])
