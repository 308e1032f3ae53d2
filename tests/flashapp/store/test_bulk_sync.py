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
