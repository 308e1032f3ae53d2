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


def test_both_ways_write_the_same_rows(tolerant_package, scheduled_package, tmp_path, empty_collection_file):  # noqa: F811
    packages = [tolerant_package, scheduled_package[0]]
    through_collection, direct_file = tmp_path / "a.db", tmp_path / "b.db"
    for path in (through_collection, direct_file):
        Collection.open(empty_collection_file(path), shipped_decks=False).close()
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


def test_the_cards_index_built_after_the_rows_holds_what_growing_it_did(
    tolerant_package,  # noqa: F811
    scheduled_package,  # noqa: F811
    tmp_path,
    monkeypatch,
    empty_collection_file,
):
    """A package bringing at least as many cards as the collection holds has `DEFERRED_CARD_INDEXES`
    dropped and built again after its cards (`package_import._drop_deferred_indexes`): the same rows,
    the same index (name and SQL), and every index entry matching its row (integrity_check)."""
    from flashapp.store.anki import package_import

    packages = [tolerant_package, scheduled_package[0]]
    files = {"grown": tmp_path / "grown.db", "rebuilt": tmp_path / "rebuilt.db"}
    for path in files.values():
        Collection.open(empty_collection_file(path), shipped_decks=False).close()
    dropped: list[str] = []
    original = package_import._drop_deferred_indexes

    def drop(run, incoming):
        rebuild = original(run, incoming)
        dropped.extend(rebuild)
        return rebuild

    monkeypatch.setattr(package_import, "_drop_deferred_indexes", drop)
    drops = []
    for now in (NOW, LATER):  # a first import (each package brings more cards than are here), then again
        for name, path in files.items():
            monkeypatch.setattr(package_import, "DEFER_INDEX_MIN_CARDS", 0 if name == "rebuilt" else 10**9)
            with direct_or_none(path, UTC) as direct:
                import_packages(direct, packages, reset=False, now=now, backup=False)
        assert table_rows(files["rebuilt"]) == table_rows(files["grown"])
        drops.append(dropped[:])
        dropped.clear()
    index_sql = "CREATE INDEX ix_cards_deck_queue_due ON cards (deck_id, queue, due, position)"
    assert drops == [[index_sql, index_sql], []]  # the second time, the cards held outnumber those coming
    schemas = {}
    for name, path in files.items():
        db = sqlite3.connect(path)
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            schemas[name] = db.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            ).fetchall()
        finally:
            db.close()
    assert schemas["rebuilt"] == schemas["grown"]
    assert ("ix_cards_deck_queue_due", "cards", index_sql) in schemas["rebuilt"]
