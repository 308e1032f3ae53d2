"""Packages made by Anki (modern, legacy, .colpkg): flashapp imports the same notes, cards, decks,
media and scheduling that Anki itself reports for the file, and renders the same text."""

from __future__ import annotations

from datetime import UTC

import pytest
from anki_compare import assert_same, flashapp_view

from flashapp.store.collection import Collection


@pytest.fixture(scope="module")
def imported(anki_packages, tmp_path_factory):
    """Each package imported into its own fresh flashapp collection."""
    out = {}
    for kind, path in anki_packages.items():
        collection = Collection.open(tmp_path_factory.mktemp(kind) / "c.db", shipped_decks=False, tz=UTC)
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


def test_big_packages_stage_their_notes_in_a_worker_process(anki_packages, anki_views, tmp_path, monkeypatch):
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
    with Collection.open(tmp_path / "c.db", shipped_decks=False, tz=UTC) as collection:
        collection.import_package(anki_packages["modern"])
        assert started and started[0] is not None
        anki = anki_views["modern"]
        assert_same(anki, flashapp_view(collection), crt=anki.crt)
        again = collection.import_package(anki_packages["legacy"])  # notes already here: the update path
        assert (again.notes_added, again.notes_unchanged) == (0, len(anki.notes))
        assert collection.check() == []
