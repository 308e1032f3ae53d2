"""Everything Anki tolerates in a package, flashapp imports as Anki does: identical bytes under two
media names, two notes sharing a guid, v1-scheduler relearning cards, buried and suspended cards,
every review-log kind (manual entries too); what cannot be kept is counted in the report. Each
package is built with genanki or the `anki` library and imported by Anki's own importer beside ours;
an export goes back into Anki with the same notes, media (audio and LaTeX images) and history."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection as AnkiCollection
from anki.import_export_pb2 import ExportAnkiPackageOptions
from anki_client import import_into_anki, new_collection, png_bytes
from sqlalchemy import select

from flashapp.store.collection import Collection
from flashapp.store.models import Card, Media, Note, Review

MODEL = genanki.Model(
    1607392320,
    "Tolerance",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
)
SOUND = b"ID3\x03\x00\x00\x00\x00\x00\x00not really an mp3 but bytes all the same"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def latex_name(body: str) -> str:
    """Anki's name for the image of a LaTeX body (the oracle below checks it)."""
    return f"latex-{hashlib.sha1(body.encode()).hexdigest()}.png"


@pytest.fixture(scope="module")
def tolerant_package(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tolerant")
    picture = png_bytes(4, 4, (10, 200, 10))
    (folder / "first.png").write_bytes(picture)
    (folder / "second copy.png").write_bytes(picture)  # identical bytes, another name
    (folder / "hello.mp3").write_bytes(SOUND)
    (folder / latex_name("$x^2$")).write_bytes(png_bytes(5, 2, (0, 0, 0)))
    deck = genanki.Deck(2059400120, "Tolerant")
    deck.add_note(genanki.Note(model=MODEL, fields=["twin one", '<img src="first.png">'], guid="twin"))
    deck.add_note(genanki.Note(model=MODEL, fields=["twin two", '<img src="second copy.png">'], guid="twin"))
    deck.add_note(genanki.Note(model=MODEL, fields=["say it [sound:hello.mp3]", "[$]x^2[/$]"], guid="sound"))
    package = genanki.Package(deck)
    package.media_files = [
        str(folder / name) for name in ("first.png", "second copy.png", "hello.mp3", latex_name("$x^2$"))
    ]
    package.write_to_file(str(folder / "tolerant.apkg"))
    return folder / "tolerant.apkg"


@pytest.fixture
def fresh(tmp_path, empty_collection_file):
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False, tz=UTC) as collection:
        yield collection


def test_anki_names_latex_images_as_we_do(tmp_path):
    col = new_collection(tmp_path / "oracle")
    try:
        for body in ("[$]x^2[/$]", "[$]a &lt; b<br>c[/$]", "[$$]\\int f[/$$]", "[latex]a\\\\b[/latex]"):
            [extracted] = col._backend.extract_latex(text=body, svg=False, expand_clozes=False).latex
            from flashapp.anki.latex_images import latex_images

            assert [image.name for image in latex_images(body)] == [extracted.filename]
    finally:
        col.close()


def test_identical_bytes_under_two_names_and_a_shared_guid(fresh, tolerant_package, tmp_path):
    anki = import_into_anki(tolerant_package, tmp_path / "anki")
    report = fresh.import_package(tolerant_package)
    # Anki keeps both notes that share a guid (its view is keyed by guid, so count its rows).
    anki_col = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        anki_notes = sorted(anki_col.db.list("SELECT flds FROM notes"))
    finally:
        anki_col.close()
    with fresh.reading() as session:
        ours = sorted("\x1f".join(note.fields.values()) for note in session.scalars(select(Note)))
        media = set(session.scalars(select(Media.name)))
    assert ours == anki_notes and len(ours) == 3
    assert report.notes_added == 3 and report.media_added == 4
    assert media == set(anki.media)
    for name, data in anki.media.items():
        assert (fresh.media_dir / name).read_bytes() == data
    # Importing again changes nothing: both twins are matched, not duplicated.
    again = fresh.import_package(tolerant_package)
    assert (again.notes_added, again.notes_unchanged, again.media_added) == (0, 3, 0)


def test_export_keeps_shared_guids_audio_and_latex_images(fresh, tolerant_package, tmp_path):
    fresh.import_package(tolerant_package)
    out = tmp_path / "back.apkg"
    report = fresh.export_package("Tolerant", out)
    assert report.missing_media == ()
    anki = import_into_anki(out, tmp_path / "anki-back")
    original = import_into_anki(tolerant_package, tmp_path / "anki-original")
    assert set(anki.media) == set(original.media)
    assert anki.media["hello.mp3"] == SOUND
    assert latex_name("$x^2$") in anki.media
    col = AnkiCollection(str(tmp_path / "anki-back" / "collection.anki2"))
    try:
        assert sorted(col.db.list("SELECT guid FROM notes")) == ["sound", "twin", "twin"]
    finally:
        col.close()


@pytest.fixture(scope="module")
def scheduled_package(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """Built with Anki: a v1 relearning card, a buried new card, a sibling-buried review card, a
    suspended card, and review-log rows of every kind (answers, Forget, rescheduled) plus one row
    with a button Anki does not define."""
    folder = tmp_path_factory.mktemp("scheduled")
    col = new_collection(folder / "source")
    cards = {}
    for label in ("v1", "buried_new", "buried_review", "suspended"):
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = label, "answer"
        col.add_note(note, col.decks.id("Scheduled"))
        cards[label] = note.cards()[0].id
    today = col.sched.today
    v1 = col.get_card(cards["v1"])
    v1.type, v1.queue, v1.due, v1.ivl, v1.left, v1.factor, v1.reps, v1.lapses = (
        2,
        1,
        1_900_000_000,
        9,
        1,
        2300,
        5,
        1,
    )
    col.update_card(v1)
    review = col.get_card(cards["buried_review"])
    review.type, review.queue, review.due, review.ivl, review.factor, review.reps = (
        2,
        2,
        today + 3,
        12,
        2500,
        4,
    )
    col.update_card(review)
    col.sched.bury_cards([cards["buried_new"]])
    col.sched.bury_cards([cards["buried_review"]], manual=False)
    col.sched.suspend_cards([cards["suspended"]])
    rows = [  # id, cid, usn, ease, ivl, lastIvl, factor, time, type
        (1_700_000_000_000, cards["v1"], -1, 3, 1, 0, 2500, 4000, 0),
        (1_700_100_000_000, cards["v1"], -1, 1, -600, 9, 2300, 3000, 1),
        (1_700_200_000_000, cards["v1"], -1, 0, 0, 9, 2300, 0, 4),  # Forget
        (1_700_300_000_000, cards["v1"], -1, 0, 7, 0, 2300, 0, 5),  # rescheduled
        (1_700_400_000_000, cards["v1"], -1, 7, 7, 7, 2300, 0, 1),  # no such button (Anki keeps it)
    ]
    for row in rows:
        col.db.execute("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", *row)
    path = folder / "scheduled.apkg"
    col.export_anki_package(
        out_path=str(path),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=True),
        limit=None,
    )
    col.close()
    return path, cards


def test_scheduling_states_and_every_review_kind(fresh, scheduled_package, tmp_path):
    path, _ = scheduled_package
    anki_folder = tmp_path / "anki"
    import_into_anki(path, anki_folder)
    col = AnkiCollection(str(anki_folder / "collection.anki2"))
    try:
        anki_cards = {
            col.get_card(cid).note()["Front"]: (card_type, queue)
            for cid, card_type, queue in col.db.all("SELECT id, type, queue FROM cards")
        }
        anki_revlog = col.db.scalar("SELECT count(*) FROM revlog")
    finally:
        col.close()
    report = fresh.import_package(path)
    with fresh.reading() as session:
        ours = {
            note.fields["Front"]: card
            for card, note in session.execute(select(Card, Note).join(Note, Note.id == Card.note_id))
        }
        reviews = list(session.scalars(select(Review).order_by(Review.reviewed_at)))
    # Anki keeps each state as it was; ours in our terms.
    assert anki_cards["v1"] == (2, 1)
    v1 = ours["v1"]
    assert (v1.state, v1.interval_days, v1.queue) == ("relearning", 9, 1)
    assert v1.due == datetime.fromtimestamp(1_900_000_000, UTC)
    assert anki_cards["buried_new"][1] == -3 and anki_cards["buried_review"][1] == -2
    for label in ("buried_new", "buried_review"):
        assert ours[label].queue == -2 and ours[label].buried_until is not None
        assert ours[label].buried_until > datetime.now(UTC)
    assert ours["buried_review"].state == "review"
    assert anki_cards["suspended"][1] == -1 and ours["suspended"].suspended
    # Every row Anki keeps; the one with no such button counted, never silently dropped.
    assert anki_revlog == 5
    assert [r.rating for r in reviews] == [3, 1, 0, 0]
    assert report.reviews_added == 4 and report.reviews_skipped == 1
    # Buried cards are not studied today, and come back on the next study day.
    queue = fresh.study_queue()
    assert queue.counts().new == 0


def test_manual_review_rows_go_back_to_anki(fresh, scheduled_package, tmp_path):
    path, _ = scheduled_package
    fresh.import_package(path)
    out = tmp_path / "back.apkg"
    fresh.export_package("Scheduled", out)
    import_into_anki(out, tmp_path / "anki")
    col = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        kinds = sorted(col.db.list("SELECT type FROM revlog WHERE ease = 0"))
    finally:
        col.close()
    assert kinds == [4, 5]


def test_the_cli_says_what_it_skipped(scheduled_package, tmp_path, capsys):
    from flashapp.cli.main import main

    path, _ = scheduled_package
    assert main(["--db", str(tmp_path / "c.db"), "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 review-log row(s) of an unknown kind or button skipped" in out
    shutil.rmtree(tmp_path / "c.media", ignore_errors=True)
