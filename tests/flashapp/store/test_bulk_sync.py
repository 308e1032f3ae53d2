"""Deck-file import writes new notes in chunks (Core inserts, one transaction): cards keep file order."""

from __future__ import annotations

from flashapp.core.deckfile import CardSpec, DeckSpec, dump_deck
from flashapp.store import deckfile_sync


def test_chunked_inserts_keep_file_order_and_match_notes(collection, tmp_path, monkeypatch):
    monkeypatch.setattr(deckfile_sync, "INSERT_CHUNK", 2)
    specs = [CardSpec(id=f"n{i}", front=f"Front {i}", back=f"Back {i}") for i in range(5)]
    specs.append(CardSpec(id="cz", kind="cloze", cloze="{{c1::a}} and {{c2::b}}"))
    path = tmp_path / "chunks.toml"
    path.write_text(dump_deck(DeckSpec(name="Chunks", cards=tuple(specs))), encoding="utf-8")
    report = collection.import_paths([path], backup=False)
    assert report.added == 7
    cards = collection.cards(deck="Chunks")
    assert [(card.key, card.front) for card in cards][:5] == [(f"n{i}", f"Front {i}") for i in range(5)]
    assert [card.key for card in cards[5:]] == ["cz", "cz"]
    again = collection.import_paths([path], backup=False)
    assert not again.decks[0].changed


def test_plain_sqlite_inserts_store_what_core_inserts_store(
    tmp_path, clock, empty_collection_file, monkeypatch
):
    import sqlite3

    from flashapp.store.collection import Collection

    specs = [
        CardSpec(id="basic", front="Ünïcode $x^2$", back="b", tags=("t", "ü")),
        CardSpec(id="demo", front="f", back="b", demo="attention.cross", params={"n": 2, "m": 3, "d": 4}),
        CardSpec(id="rev", kind="reversed", front="front", back="back"),
        CardSpec(id="cz", kind="cloze", cloze="{{c1::a}} and {{c2::b}}", extra="more"),
    ]
    path = tmp_path / "d.toml"
    path.write_text(dump_deck(DeckSpec(name="Same", cards=tuple(specs))), encoding="utf-8")

    def rows_after_import(name: str) -> dict[str, list]:
        db = empty_collection_file(tmp_path / name)
        with Collection.open(db, shipped_decks=False, clock=clock) as collection:
            collection.import_paths([path], backup=False)
        connection = sqlite3.connect(db)
        rows = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("notes", "cards")
        }
        types = connection.execute("SELECT typeof(demo_params), typeof(created_at) FROM notes").fetchall()
        connection.close()
        return rows | {"types": types}

    plain = rows_after_import("plain.db")
    monkeypatch.setattr(deckfile_sync, "insert_plain", deckfile_sync._insert_core)
    monkeypatch.setattr(deckfile_sync, "_insert_notes", _core_notes)
    assert plain == rows_after_import("core.db")
    assert len(plain["cards"]) == 6


def _core_notes(session, names, rows, source):
    from sqlalchemy import insert

    table = deckfile_sync.Note.__table__
    values = [dict(zip(names, row, strict=True)) for row in rows]
    return dict(session.connection().execute(insert(table).returning(table.c.key, table.c.id), values).all())
