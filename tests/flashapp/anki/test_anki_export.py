"""`export DECK -o out.apkg`: Anki itself opens the package with the same notes, cards, decks, media,
scheduling and review history, for deck-file notes and for notes that came from Anki."""

from __future__ import annotations

import shutil
import textwrap
import zipfile

import pytest
from anki_client import import_into_anki, png_bytes
from anki_compare import assert_same, flashapp_view

from flashapp.anki.markdown_html import markdown_to_html
from flashapp.core.scheduling import Rating
from flashapp.errors import UserError
from flashapp.store.anki.package_export import anki_ord
from flashapp.store.collection import Collection

DECK = """\
[deck]
name = "Flash"
description = "Deck-file notes of every kind"

[[cards]]
id = "basic"
front = "What is **softmax** of $x_i$?"
back = "$e^{x_i} / \\\\sum_j e^{x_j}$ <and> more"
extra = "See ![](figure.png)"
tags = ["ml", "math"]

[[cards]]
id = "both-ways"
kind = "reversed"
front = "Hund"
back = "dog"

[[cards]]
id = "typed"
kind = "type-in"
front = "Capital of *Italy*?"
back = "Rome"

[[cards]]
id = "gaps"
cloze = "{{c1::Attention}} is all you {{c2::need::verb}}"
extra = "Vaswani et al."
"""

SUBDECK = """\
[deck]
name = "Flash::Sub"

[[cards]]
id = "sub-basic"
front = "Sub question"
back = "Sub answer"
"""


@pytest.fixture(scope="module")
def flash_collection(tmp_path_factory, anki_packages, empty_collection_template):
    """Deck-file notes (studied a little) plus the notes of an Anki package, in one collection."""
    folder = tmp_path_factory.mktemp("flash")
    (folder / "figure.png").write_bytes(png_bytes(4, 4, (0, 120, 0)))
    (folder / "flash.toml").write_text(textwrap.dedent(DECK), encoding="utf-8")
    (folder / "sub.toml").write_text(textwrap.dedent(SUBDECK), encoding="utf-8")
    path = shutil.copyfile(empty_collection_template, folder / "c.db")  # migrated once per process
    collection = Collection.open(path, shipped_decks=False, fuzz=False)
    collection.import_paths([folder / "flash.toml", folder / "sub.toml"])
    collection.import_package(anki_packages["modern"])
    cards = {card.key: card for card in collection.cards(deck="Flash")}
    for rating in (Rating.GOOD, Rating.GOOD):  # learning, then graduated: a review card
        collection.answer(cards["basic"].id, rating)
    collection.answer(cards["typed"].id, Rating.AGAIN)  # learning
    collection.suspend(cards["sub-basic"].id)
    collection.set_flag(cards["both-ways"].id, 3)
    yield collection
    collection.close()


@pytest.fixture(scope="module")
def flash_export(flash_collection, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "flash.apkg"
    report = flash_collection.export_package("Flash", path)
    return path, report


def test_export_report_and_layout(flash_export):
    path, report = flash_export
    assert report.decks == ("Flash", "Flash::Sub")
    assert (report.notes, report.cards, report.media, report.missing_media) == (5, 7, 1, ())
    assert report.reviews == 3
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == {"meta", "collection.anki21", "media", "0"}
        assert archive.read("meta") == b"\x08\x02"


def test_anki_opens_a_deck_file_export(flash_collection, flash_export, tmp_path):
    path, _ = flash_export
    anki = import_into_anki(path, tmp_path / "anki")
    assert anki.decks == {"Flash", "Flash::Sub"}
    ours = {card.key + f"/{card.id}": card for card in flash_collection.cards(deck="Flash")}
    by_key = {}
    with flash_collection.reading() as session:
        from sqlalchemy import select

        from flashapp.store.models import Card, Note

        for card, note in session.execute(select(Card, Note).join(Note)).all():
            by_key[(note.key, card.ord)] = (card, note)
    assert len(anki.cards) == len(ours)
    for (guid, ord_), theirs in anki.cards.items():
        note_fields = anki.notes[guid]["fields"]
        matches = [
            (c, n) for (c, n) in by_key.values() if anki_ord(c, n) == ord_ and _same_note(n, note_fields)
        ]
        assert len(matches) == 1, (guid, note_fields)
        card, note = matches[0]
        assert anki.notes[guid]["tags"] == sorted(note.tag_list)  # Anki keeps tags sorted
        assert theirs["deck"] == ("Flash::Sub" if note.key == "sub-basic" else "Flash")
        assert theirs["state"] == card.state
        assert (theirs["reps"], theirs["lapses"]) == (card.reps, card.lapses)
        assert (theirs["queue"] == -1) == card.suspended
        assert theirs["flags"] == card.flag
        assert theirs["revlog"] == sum(1 for _ in flash_collection.review_history(card.id))
        if card.state == "review":
            assert (
                anki.crt + theirs["due"] * 86400
                <= card.due.timestamp()
                < anki.crt + (theirs["due"] + 1) * 86400
            )
            assert theirs["ivl"] == card.interval_days
            assert theirs["factor"] == round(card.ease * 1000)
        elif card.state in ("learning", "relearning"):
            assert theirs["due"] == int(card.due.timestamp())
    # The image the basic card shows travelled with it.
    assert anki.media == {"figure.png": png_bytes(4, 4, (0, 120, 0))}


def _same_note(note, anki_fields: dict[str, str]) -> bool:
    if note.source == "anki":
        return note.fields == anki_fields
    if note.note_type == "cloze":
        return anki_fields.get("Text") == markdown_to_html(note.fields["text"])
    return anki_fields.get("Front") == markdown_to_html(note.fields["front"])


def test_reimporting_the_export_shows_what_anki_shows(flash_export, tmp_path, empty_collection_file):
    """Our rendering of the exported note types agrees with Anki's, and scheduling survives."""
    path, _ = flash_export
    anki = import_into_anki(path, tmp_path / "anki")
    with Collection.open(empty_collection_file(tmp_path / "again.db"), shipped_decks=False) as again:
        again.import_package(path)
        assert_same(anki, flashapp_view(again), crt=anki.crt)


def test_anki_notes_go_back_unchanged(flash_collection, anki_views, tmp_path):
    """Notes that came from Anki keep their guid, note type, fields, scheduling and rendering."""
    path = tmp_path / "lang.apkg"
    flash_collection.export_package("Lang", path)
    anki = import_into_anki(path, tmp_path / "anki")
    original = anki_views["modern"]
    lang = {key: card for key, card in original.cards.items() if card["deck"].startswith("Lang")}
    assert set(anki.cards) == set(lang)
    for key, theirs in anki.cards.items():
        before = lang[key]
        assert anki.notes[key[0]]["fields"] == original.notes[key[0]]["fields"]
        assert anki.notes[key[0]]["notetype"].rstrip("+") == original.notes[key[0]]["notetype"].rstrip("+")
        for column in ("deck", "state", "queue", "ivl", "reps", "lapses", "flags", "stability", "difficulty"):
            assert theirs[column] == before[column], (key, column)
        assert theirs["question"] == before["question"]
        assert theirs["answer"] == before["answer"]
        assert theirs["revlog"] == before["revlog"]
    assert anki.media == {name: data for name, data in original.media.items() if name == "pixel.png"}


def test_export_errors(flash_collection, tmp_path):
    with pytest.raises(UserError, match="unknown deck 'Nope'"):
        flash_collection.export_package("Nope", tmp_path / "x.apkg")
    with pytest.raises(UserError, match="must end in .apkg"):
        flash_collection.export_package("Flash", tmp_path / "x.zip")
    assert not (tmp_path / "x.apkg").exists() and not (tmp_path / "x.zip").exists()
