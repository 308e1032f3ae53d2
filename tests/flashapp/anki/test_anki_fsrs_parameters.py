"""A deck's fitted FSRS parameters travel through Anki packages both ways, checked with Anki itself."""

from __future__ import annotations

import textwrap
import zipfile

import pytest
from anki.collection import Collection as AnkiCollection
from anki.import_export_pb2 import ExportAnkiPackageOptions
from anki_client import new_collection
from fsrs.scheduler import DEFAULT_PARAMETERS

from flashapp.store.collection import Collection

# Far from the defaults, inside fsrs's bounds, and exact in float32 (Anki's protobuf stores float32).
FITTED = tuple(round(min(max(w * 1.25, 0.0625), 4.0) * 64) / 64 for w in DEFAULT_PARAMETERS[:-1]) + (0.25,)

DECK = """\
[deck]
name = "Fitted"
scheduler = "fsrs"

[[cards]]
id = "one"
front = "Q"
back = "A"
"""


@pytest.mark.parametrize("legacy", [False, True], ids=["modern", "legacy"])
def test_anki_package_parameters_come_into_the_deck_options(tmp_path, legacy, empty_collection_file):
    anki = new_collection(tmp_path / "anki")
    deck_id = anki.decks.id("Fitted")
    note = anki.new_note(anki.models.by_name("Basic"))
    note["Front"], note["Back"] = "Q", "A"
    anki.add_note(note, deck_id)
    config = anki.decks.config_dict_for_deck_id(deck_id)
    config["fsrsParams6"] = list(FITTED)
    anki.decks.update_config(config)
    package = tmp_path / "fitted.apkg"
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, legacy=legacy)
    anki.export_anki_package(out_path=str(package), options=options, limit=None)
    anki.close()

    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False) as ours:
        ours.import_package(package)
        assert ours.deck_options("Fitted").fsrs_parameters == pytest.approx(FITTED, abs=1e-6)


def test_exported_parameters_are_what_anki_reads(tmp_path, empty_collection_file):
    (tmp_path / "fitted.toml").write_text(textwrap.dedent(DECK), encoding="utf-8")
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False) as ours:
        ours.import_paths([tmp_path / "fitted.toml"])
        ours.set_deck_options("Fitted", fsrs_parameters=list(FITTED))
        ours.export_package("Fitted", tmp_path / "out.apkg")

    # Anki's importer keeps a preset it already has (our "Default" meets its own), so open the
    # package's collection with Anki directly: Anki parses the preset as it would its own.
    with zipfile.ZipFile(tmp_path / "out.apkg") as archive:
        archive.extract("collection.anki21", tmp_path)
    anki = AnkiCollection(str(tmp_path / "collection.anki21"))
    config = anki.decks.config_dict_for_deck_id(anki.decks.id_for_name("Fitted"))
    anki.close()
    assert config["fsrsParams6"] == pytest.approx(FITTED, abs=1e-6)


def test_default_parameters_stay_empty_through_export(tmp_path, empty_collection_file):
    (tmp_path / "fitted.toml").write_text(textwrap.dedent(DECK), encoding="utf-8")
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False) as ours:
        ours.import_paths([tmp_path / "fitted.toml"])
        ours.export_package("Fitted", tmp_path / "out.apkg")
    with Collection.open(empty_collection_file(tmp_path / "back.db"), shipped_decks=False) as back:
        back.import_package(tmp_path / "out.apkg")
        assert back.deck_options("Fitted").fsrs_parameters == ()
