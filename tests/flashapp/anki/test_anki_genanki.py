"""Packages written by genanki (the legacy schema-11 `collection.anki2` only, no `meta`): flashapp
imports what Anki reports for the same file."""

from __future__ import annotations

from datetime import UTC

import genanki
import pytest
from anki_client import import_into_anki, png_bytes
from anki_compare import assert_same, flashapp_view

from flashapp.store.collection import Collection

BASIC = genanki.Model(
    1607392319,
    "Simple Model",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Picture"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}{{#Picture}}<br>{{Picture}}{{/Picture}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
        },
        {
            "name": "Card 2",
            "qfmt": "{{#Answer}}Reverse: {{Answer}}{{/Answer}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Question}}',
        },
    ],
    css=".card { font-family: arial; }",
)
CLOZE = genanki.Model(
    998877661,
    "Genanki Cloze",
    fields=[{"name": "Text"}, {"name": "Extra"}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Extra}}"}],
    model_type=genanki.Model.CLOZE,
)


@pytest.fixture(scope="module")
def genanki_package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("genanki")
    (folder / "diagram.png").write_bytes(png_bytes(3, 3))
    parent = genanki.Deck(2059400110, "Genanki Deck")
    child = genanki.Deck(2059400111, "Genanki Deck::Cloze & more")
    parent.add_note(
        genanki.Note(
            model=BASIC, fields=["Capital of France?", "Paris", '<img src="diagram.png">'], tags=["geo"]
        )
    )
    parent.add_note(genanki.Note(model=BASIC, fields=["2 + 2 = <b>?</b>", "", ""], guid="fixed-guid-1"))
    child.add_note(
        genanki.Note(
            model=CLOZE,
            fields=["{{c1::Rome}} was founded in {{c2::753 BC::year}}", "Legend"],
            tags=["history"],
        )
    )
    package = genanki.Package([parent, child])
    package.media_files = [str(folder / "diagram.png")]
    path = folder / "genanki.apkg"
    package.write_to_file(str(path))
    return path


def test_genanki_package_matches_anki(genanki_package, tmp_path, empty_collection_file):
    anki = import_into_anki(genanki_package, tmp_path / "anki")
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False, tz=UTC) as collection:
        report = collection.import_package(genanki_package)
        assert report.format == "legacy (collection.anki2)"
        assert (report.notes_added, report.cards_added, report.media_added) == (3, len(anki.cards), 1)
        assert_same(anki, flashapp_view(collection), crt=anki.crt)
        fronts = sorted(card.front for card in collection.cards(deck="Genanki Deck"))
        assert "Capital of France?\n![](diagram.png)" in fronts
        assert "Rome was founded in [year]" in fronts
