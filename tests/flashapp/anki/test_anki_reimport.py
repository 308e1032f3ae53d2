"""Importing again updates without duplicates (the later-modified side wins, as in Anki), `--reset`,
media name clashes, and all-or-nothing imports."""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC

import pytest
from anki.collection import Collection as AnkiCollection
from anki_client import export_packages, png_bytes
from sqlalchemy import func, select

import flashapp.store.anki.package_import as anki_import
from flashapp.core.scheduling import Rating
from flashapp.errors import UserError
from flashapp.store.backup import backup_dir
from flashapp.store.collection import Collection
from flashapp.store.models import Card, Media, Note, Review


def counts(collection: Collection) -> tuple[int, int, int, int]:
    with collection.reading() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) for table in (Note, Card, Review, Media)
        )


@pytest.fixture
def fresh(tmp_path, empty_collection_file):
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False, tz=UTC) as collection:
        yield collection


def test_importing_twice_changes_nothing(fresh, anki_packages):
    first = fresh.import_package(anki_packages["modern"])
    before = counts(fresh)
    second = fresh.import_package(anki_packages["modern"])
    assert counts(fresh) == before
    assert (second.notes_added, second.cards_added, second.reviews_added, second.media_added) == (0, 0, 0, 0)
    assert (second.notes_updated, second.cards_updated) == (0, 0)
    assert second.notes_unchanged == first.notes_added
    # The legacy package of the same collection is the same notes (same guids): no duplicates either.
    third = fresh.import_package(anki_packages["legacy"])
    assert (third.notes_added, third.cards_added) == (0, 0)
    assert counts(fresh) == before


def test_newer_changes_in_anki_update_the_notes_and_cards(fresh, anki_source, anki_packages, tmp_path):
    fresh.import_package(anki_packages["modern"])
    before = counts(fresh)
    # The same collection, changed in Anki afterwards: one note edited, one card answered.
    copy = tmp_path / "anki-copy"
    shutil.copytree(anki_source.folder, copy)
    col = AnkiCollection(str(copy / "collection.anki2"))
    # Anki stamps modifications in whole seconds, and only a later one wins: the edit and the answer
    # are stamped (by Anki) in this second, then a second after the source's newest row at the
    # earliest, as if made a second later (instead of sleeping for that second).
    later = 1 + col.db.scalar(
        "SELECT max(m) FROM (SELECT max(mod) AS m FROM notes UNION SELECT max(mod) FROM cards)"
    )
    note_id = col.db.scalar("SELECT id FROM notes WHERE guid = ?", anki_source.guids["optional_off"])
    note = col.get_note(note_id)
    note["Back"] = "articles (definite)"
    col.update_note(note)
    card = col.get_note(
        col.db.scalar("SELECT id FROM notes WHERE guid = ?", anki_source.guids["custom2"])
    ).cards()[0]
    card.start_timer()
    col.sched.answerCard(card, 3)
    col.db.execute("UPDATE notes SET mod = max(mod, ?) WHERE id = ?", later, note_id)
    col.db.execute("UPDATE cards SET mod = max(mod, ?) WHERE id = ?", later, card.id)
    col.close()
    packages = export_packages(type(anki_source)(copy, anki_source.guids), tmp_path, ("modern",))

    report = fresh.import_package(packages["modern"])
    assert (report.notes_added, report.cards_added) == (0, 0)
    assert report.notes_updated == 1
    assert report.cards_updated == 1
    assert report.reviews_added == 1
    notes, cards, reviews, media = counts(fresh)
    assert (notes, cards, reviews, media) == (before[0], before[1], before[2] + 1, before[3])
    backs = {c.back for c in fresh.cards(search="articles")}
    assert "articles (definite)" in backs


def test_progress_made_here_survives_importing_an_older_package(fresh, anki_packages):
    fresh.import_package(anki_packages["modern"])
    card = min((c for c in fresh.cards(search="Birne") if c.state == "new"), key=lambda c: c.id)
    fresh.answer(card.id, Rating.EASY)
    studied = fresh.card(card.id)
    report = fresh.import_package(anki_packages["modern"])
    assert report.cards_updated == 0
    assert fresh.card(card.id) == studied
    assert len(fresh.review_history(card.id)) == 1


def test_reset_imports_cards_as_new_without_history(fresh, anki_packages):
    report = fresh.import_package(anki_packages["modern"], reset=True)
    assert report.reviews_added == 0
    cards = fresh.cards()
    assert {c.state for c in cards} == {"new"}
    assert all(c.reps == 0 and not c.suspended for c in cards)
    assert counts(fresh)[2] == 0
    # Every card is in the new queue (20 a day by default), the first ones in Anki's new-card order.
    queue = fresh.study_queue()
    assert queue.counts().new == min(20, len(cards)) and not queue.review and not queue.learning


def test_a_media_name_taken_by_another_file_is_renamed(fresh, anki_packages, tmp_path, empty_collection_file):
    folder = tmp_path / "decks"
    folder.mkdir()
    # A first package brings a different "pixel.png" (made by exporting from flashapp itself).
    (folder / "pixel.png").write_bytes(png_bytes(1, 1, (1, 2, 3)))
    (folder / "d.toml").write_text(
        textwrap.dedent(
            """\
            [deck]
            name = "Mine"
            [[cards]]
            id = "one"
            front = "mine ![](pixel.png)"
            back = "b"
            """
        ),
        encoding="utf-8",
    )
    fresh.import_paths([folder / "d.toml"])
    fresh.export_package("Mine", tmp_path / "mine.apkg")
    with Collection.open(empty_collection_file(tmp_path / "other.db"), shipped_decks=False) as other:
        other.import_package(tmp_path / "mine.apkg")
        report = other.import_package(anki_packages["modern"])
        assert report.media_renamed == 1
        renamed = [c for c in other.cards(search="hallo") if c.media]
        [name] = renamed[0].media
        assert name.startswith("pixel-") and name.endswith(".png")
        assert "![](" + name + ")" in renamed[0].back
        assert (other.media_dir / name).read_bytes() == png_bytes()
        assert (other.media_dir / "pixel.png").read_bytes() == png_bytes(1, 1, (1, 2, 3))
        assert other.media_path(renamed[0].id, name) == other.media_dir / name


def test_in_memory_collection_keeps_media_in_a_temporary_folder(anki_packages):
    with Collection.open("sqlite://", shipped_decks=False) as memory:
        report = memory.import_package(anki_packages["modern"])
        assert report.media_added == 2
        assert (memory.media_dir / "pixel.png").read_bytes() == png_bytes()


def test_deck_files_and_packages_in_one_import_are_all_or_nothing(fresh, anki_packages, tmp_path):
    deck = tmp_path / "deck.toml"
    deck.write_text('[deck]\nname = "D"\n[[cards]]\nid = "a"\nfront = "f"\nback = "b"\n', encoding="utf-8")
    bad = tmp_path / "bad.apkg"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(UserError, match="bad.apkg: not an Anki package"):
        fresh.import_paths([deck, anki_packages["modern"], bad])
    assert counts(fresh) == (0, 0, 0, 0)
    report = fresh.import_paths([deck, anki_packages["modern"]])
    assert [d.deck for d in report.decks] == ["D"] and report.packages[0].notes_added > 0
    assert report.added == 1 + report.packages[0].cards_added


def test_a_failure_while_writing_leaves_the_collection_as_it_was(fresh, anki_packages, monkeypatch):
    db_path = fresh.path
    fresh.import_package(anki_packages["legacy"], reset=True)
    fresh.answer(fresh.cards()[0].id, Rating.GOOD)
    before = counts(fresh)
    shutil.rmtree(fresh.media_dir)
    files_before = sorted(p.name for p in db_path.parent.iterdir())

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(anki_import, "plan_media", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        fresh.import_package(anki_packages["modern"])
    assert counts(fresh) == before
    assert not fresh.media_dir.exists()  # no file moved in before the (failed) commit
    # Only a backup was added next to the collection: no leftover work folder.
    assert sorted(p.name for p in db_path.parent.iterdir()) == files_before
    assert len(list(backup_dir(db_path).iterdir())) >= 2
    # The media folder was removed above on purpose: check reports those files, and nothing else.
    assert all("recorded but missing" in problem for problem in fresh.check())
