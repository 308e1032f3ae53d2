"""Packages made by Anki (modern, legacy, .colpkg): flashapp imports the same notes, cards, decks,
media and scheduling that Anki itself reports for the file, and renders the same text."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC

import pytest
from anki_compare import assert_same, flashapp_view

from flashapp.anki.package_reader import read_package
from flashapp.store.collection import Collection


@pytest.fixture(scope="module")
def imported(anki_packages, tmp_path_factory, empty_collection_template):
    """Each package imported into its own fresh flashapp collection."""
    out = {}
    for kind, path in anki_packages.items():
        db = shutil.copyfile(empty_collection_template, tmp_path_factory.mktemp(kind) / "c.db")
        collection = Collection.open(db, shipped_decks=False, tz=UTC)
        report = collection.import_package(path)
        out[kind] = (collection, report)
    yield out
    for collection, _ in out.values():
        collection.close()


@pytest.mark.parametrize("kind", ["modern", "legacy", "colpkg"])
def test_import_matches_what_anki_reports(kind, imported, anki_views):
    collection, report = imported[kind]
    anki = anki_views[kind]
    assert (report.notes_added, report.cards_added) == (len(anki.notes), len(anki.cards))
    assert report.media_added == len(anki.media)
    assert_same(anki, flashapp_view(collection), crt=anki.crt)
    assert collection.check() == []


def test_big_packages_stage_their_notes_in_a_worker_process(
    anki_packages, anki_views, tmp_path, monkeypatch, empty_collection_file
):
    """Over the size thresholds the notes are checked and computed by `anki_stage_worker`: same result."""
    import flashapp.store.anki.package_import as anki_import

    monkeypatch.setattr(anki_import, "STAGE_MIN_PACKAGE_BYTES", 0)
    monkeypatch.setattr(anki_import, "STAGE_MIN_NOTES", 0)
    started = []
    original = anki_import.NoteStager.start

    def start():
        stager = original()
        started.append(stager)
        return stager

    monkeypatch.setattr(anki_import.NoteStager, "start", staticmethod(start))
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False, tz=UTC) as collection:
        collection.import_package(anki_packages["modern"])
        assert started and started[0] is not None
        anki = anki_views["modern"]
        assert_same(anki, flashapp_view(collection), crt=anki.crt)
        again = collection.import_package(anki_packages["legacy"])  # notes already here: the update path
        assert (again.notes_added, again.notes_unchanged) == (0, len(anki.notes))
        assert collection.check() == []


def _deck_file(path, name: str, count: int, start: int = 0):
    cards = "".join(f'[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n\n' for i in range(start, count))
    path.write_text(f'[deck]\nname = "{name}"\n\n{cards}', encoding="utf-8")
    return path


def _rows(database, sql: str) -> list[tuple]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _anki_ids_by_guid(package, workdir) -> dict[str, int]:
    workdir.mkdir()
    return dict(_rows(read_package(package, workdir).collection_path, "SELECT guid, id FROM notes"))


def test_new_notes_are_numbered_on_from_the_largest_id_in_anki_order(tmp_path, empty_collection_file):
    """`package_import.note_ids`: a new note's id follows the collection's largest, in the order of the
    notes' Anki ids; a note already here keeps its own id when the package comes again."""
    with Collection.open(
        empty_collection_file(tmp_path / "source.db"), shipped_decks=False, tz=UTC
    ) as source:
        source.import_paths([_deck_file(tmp_path / "words.toml", "Words", 6)])
        source.export_package("Words", tmp_path / "first.apkg")
        source.import_paths([_deck_file(tmp_path / "words.toml", "Words", 9)])
        source.export_package("Words", tmp_path / "second.apkg")
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False, tz=UTC) as collection:
        collection.import_paths([_deck_file(tmp_path / "mine.toml", "Mine", 4)])
        (base,) = _rows(tmp_path / "c.db", "SELECT max(id) FROM notes")[0]

        def anki_note_ids(package):
            by_guid = _anki_ids_by_guid(package, tmp_path / package.stem)
            notes = _rows(tmp_path / "c.db", "SELECT id, key FROM notes WHERE source = 'anki'")
            return {note_id: by_guid[key] for note_id, key in notes}

        collection.import_package(tmp_path / "first.apkg")
        first = anki_note_ids(tmp_path / "first.apkg")
        assert sorted(first) == list(range(base + 1, base + 7))
        assert sorted(first, key=first.get) == sorted(first)  # numbered in Anki's order
        report = collection.import_package(tmp_path / "second.apkg")
        assert (report.notes_added, report.notes_unchanged) == (3, 6)
        second = anki_note_ids(tmp_path / "second.apkg")
        assert {i: second[i] for i in first} == first  # the six keep their ids
        added = sorted(set(second) - set(first), key=second.get)
        assert added == list(range(base + 7, base + 10))
        assert collection.check() == []
