"""The official `anki` library as the reference client for the tests: building packages the way Anki
does, and reading back what Anki itself makes of a package (test-only; flashapp never imports anki)."""

from __future__ import annotations

import os
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anki.collection  # noqa: F401 - first: importing anki.cards first hits a circular import in anki
from anki.cards import FSRSMemoryState
from anki.collection import Collection, DeckIdLimit
from anki.import_export_pb2 import (
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

STATES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}


def png_bytes(width: int = 2, height: int = 2, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    row = b"\x00" + bytes(colour) * width
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def new_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


@dataclass
class SourceCollection:
    """A collection built with Anki, covering every note type and scheduling state we read."""

    folder: Path
    guids: dict[str, str] = field(default_factory=dict)  # label -> guid


def _add(col: Collection, notetype: str, deck: str, values: dict[str, str], tags: list[str]) -> Any:
    note = col.new_note(col.models.by_name(notetype))
    for name, value in values.items():
        note[name] = value
    note.tags = tags
    col.add_note(note, col.decks.id(deck))
    return note


def _custom_notetype(col: Collection) -> None:
    models = col.models
    model = models.new("Custom Vocab")
    for name in ("Word", "Meaning", "Example", "Notes", "Hidden"):
        models.add_field(model, models.new_field(name))
    forward = models.new_template("Recognise")
    forward["qfmt"] = (
        "<div class=word>{{Word}}</div>{{#Example}}<div><i>{{Example}}</i></div>{{/Example}}"
        "{{^Notes}}<div>no notes</div>{{/Notes}}{{hint:Meaning}}"
    )
    forward["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{text:Example}}<ul><li>{{Tags}}</li></ul>"
    backward = models.new_template("Produce")
    backward["qfmt"] = (
        "{{#Meaning}}{{Meaning}} &mdash; {{Deck}} / {{Subdeck}} / {{Card}}{{/Meaning}}{{type:Word}}"
    )
    backward["afmt"] = "{{FrontSide}}<hr id=answer>{{type:Word}}{{#Notes}}<div>{{Notes}}</div>{{/Notes}}"
    models.add_template(model, forward)
    models.add_template(model, backward)
    models.add(model)
    cloze = models.copy(models.by_name("Cloze"), add=False)
    cloze["name"] = "Custom Cloze"
    cloze["tmpls"][0]["qfmt"] = "<h3>{{Title}}</h3>{{cloze:Text}}"
    cloze["tmpls"][0]["afmt"] = "<h3>{{Title}}</h3>{{cloze:Text}}<br>{{Back Extra}}"
    models.add_field(cloze, models.new_field("Title"))
    models.add(cloze)


def build_source(folder: Path) -> SourceCollection:
    """Notes of every stock type, a custom one, subdecks, tags, an image, and cards in every
    scheduling state (answered through Anki's scheduler, or set the way Anki stores them)."""
    col = new_collection(folder)
    source = SourceCollection(folder)
    (folder / "pixel.png").write_bytes(png_bytes())
    image = col.media.add_file(str(folder / "pixel.png"))
    (folder / "blue.png").write_bytes(png_bytes(colour=(20, 20, 220)))
    blue = col.media.add_file(str(folder / "blue.png"))
    _custom_notetype(col)
    notes = {
        "basic": _add(
            col,
            "Basic",
            "Lang::Vocab",
            {"Front": "Hello <b>world</b> &amp; more", "Back": f'Hallo<br><img src="{image}">'},
            ["german", "greeting"],
        ),
        "reversed": _add(
            col,
            "Basic (and reversed card)",
            "Lang::Vocab",
            {"Front": "cat", "Back": "<div>Katze</div><div>die</div>"},
            ["german"],
        ),
        "optional_on": _add(
            col,
            "Basic (optional reversed card)",
            "Lang::Vocab",
            {"Front": "dog", "Back": "Hund", "Add Reverse": "y"},
            [],
        ),
        "optional_off": _add(
            col,
            "Basic (optional reversed card)",
            "Lang::Grammar",
            {"Front": "der/die/das", "Back": "articles"},
            ["grammar"],
        ),
        "typing": _add(
            col,
            "Basic (type in the answer)",
            "Lang::Grammar",
            {"Front": "Plural of <i>Haus</i>?", "Back": "Häuser"},
            [],
        ),
        "cloze": _add(
            col,
            "Cloze",
            "Science",
            {
                "Text": "{{c1::Paris::city}} is the capital of {{c2::France}}; {{c1::Berlin}} of Germany. "
                "Energy: \\(E = mc^2\\)",
                "Back Extra": "Geography [sound:capitals.mp3]",
            },
            ["geo"],
        ),
        "nested": _add(
            col,
            "Cloze",
            "Science",
            {"Text": "{{c1::The {{c2::mitochondria}} is the powerhouse}} of the cell", "Back Extra": ""},
            [],
        ),
        "occlusion": _add(
            col,
            "Image Occlusion",
            "Science::Anatomy",
            {
                "Occlusion": "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.2:oi=1}}"
                "{{c2::image-occlusion:ellipse:left=.5:top=.5:rx=.1:ry=.2}}",
                "Image": f'<img src="{blue}">',
                "Header": "Label the <b>parts</b>",
                "Back Extra": "From a diagram",
                "Comments": "",
            },
            ["anatomy"],
        ),
        "custom": _add(
            col,
            "Custom Vocab",
            "Lang::Vocab",
            {
                "Word": "Apfel",
                "Meaning": "apple",
                "Example": "Der <b>Apfel</b> ist rot.",
                "Notes": "",
                "Hidden": "x",
            },
            ["fruit", "food::fruit"],
        ),
        "custom2": _add(
            col,
            "Custom Vocab",
            "Lang",
            {"Word": "Birne", "Meaning": "pear", "Example": "", "Notes": "feminine", "Hidden": ""},
            [],
        ),
        "custom_cloze": _add(
            col,
            "Custom Cloze",
            "Science",
            {
                "Text": "Water boils at {{c1::100 °C}} at {{c2::sea level::where?}}",
                "Back Extra": "",
                "Title": "Physics",
            },
            [],
        ),
        "markup": _add(
            col,
            "Basic",
            "Lang",
            {
                "Front": "Lists <ul><li>one</li><li>two &lt;3</li></ul><script>alert(1)</script>",
                "Back": '<span onclick="evil()">ok</span> [latex]x^2[/latex] 1 * 2 # $5',
            },
            [],
        ),
    }
    source.guids = {label: note.guid for label, note in notes.items()}
    # Scheduling, the way a user's reviews leave it.
    sched = col.sched
    learning = notes["basic"].cards()[0]
    learning.start_timer()
    sched.answerCard(learning, 3)  # new -> learning, intraday (due in epoch seconds)
    graduated = notes["reversed"].cards()[0]
    for rating in (3, 3, 3):  # learning steps, then graduates to review
        graduated = col.get_card(graduated.id)
        graduated.start_timer()
        sched.answerCard(graduated, rating)
    # A review card, set as Anki stores one: due in days since the collection began.
    review = notes["cloze"].cards()[0]
    review.type, review.queue, review.ivl, review.due = 2, 2, 12, sched.today + 5
    review.factor, review.reps, review.lapses = 2300, 7, 1
    review.memory_state = FSRSMemoryState(stability=14.5, difficulty=6.25)
    col.update_card(review)
    relearning = notes["typing"].cards()[0]
    relearning.type, relearning.queue, relearning.ivl, relearning.due = (
        3,
        1,
        3,
        int(__import__("time").time()) + 600,
    )
    relearning.factor, relearning.reps, relearning.lapses, relearning.left = 2100, 9, 3, 1
    col.update_card(relearning)
    overdue = notes["custom"].cards()[0]
    overdue.type, overdue.queue, overdue.ivl, overdue.due = 2, 2, 30, sched.today - 4
    overdue.factor, overdue.reps = 2650, 4
    col.update_card(overdue)
    suspended = notes["custom"].cards()[1]
    suspended.type, suspended.queue, suspended.ivl, suspended.due = 2, -1, 8, sched.today + 2
    suspended.factor, suspended.reps = 2500, 3
    col.update_card(suspended)
    flagged = notes["optional_on"].cards()[0]
    col.set_user_flag_for_cards(2, [flagged.id])
    col.close()
    return source


PACKAGE_KINDS = ("modern", "legacy", "colpkg")


def export_packages(
    source: SourceCollection, out: Path, kinds: tuple[str, ...] = PACKAGE_KINDS
) -> dict[str, Path]:
    """The source as a modern .apkg, a legacy .apkg and a .colpkg (those of `kinds`), exported by Anki
    (a quarter of a second each)."""
    col = Collection(str(source.folder / "collection.anki2"))
    names = {"modern": "modern.apkg", "legacy": "legacy.apkg", "colpkg": "whole.colpkg"}
    paths = {kind: out / names[kind] for kind in kinds}
    for kind in ("modern", "legacy"):
        if kind in paths:
            options = ExportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=True, with_media=True, legacy=kind == "legacy"
            )
            col.export_anki_package(out_path=str(paths[kind]), options=options, limit=None)
    if "colpkg" in paths:
        col.export_collection_package(str(paths["colpkg"]), include_media=True, legacy=False)
    col.close()
    return paths


def export_deck(source: SourceCollection, deck: str, out: Path) -> Path:
    col = Collection(str(source.folder / "collection.anki2"))
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False)
    col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(col.decks.id(deck)))
    col.close()
    return out


@dataclass
class AnkiView:
    """What Anki reports for a package once it has imported it."""

    decks: set[str]
    notes: dict[str, dict[str, Any]]  # guid -> fields, tags, notetype
    cards: dict[tuple[str, int], dict[str, Any]]  # (guid, ord) -> columns and rendering
    media: dict[str, bytes]
    reviews: dict[tuple[str, int], int]
    crt: int
    today: int


def import_into_anki(package: Path, folder: Path) -> AnkiView:
    """Anki's own importer on `package`, in a fresh collection; .colpkg replaces the collection."""
    if folder.exists():
        shutil.rmtree(folder)
    if package.suffix == ".colpkg":
        folder.mkdir(parents=True)
        from anki._backend import RustBackend

        _import_colpkg(RustBackend(), package, folder)
        col = Collection(str(folder / "collection.anki2"))
    else:
        col = new_collection(folder)
        request = ImportAnkiPackageRequest(
            package_path=str(package),
            options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True),
        )
        col.import_anki_package(request)
    try:
        return read_view(col)
    finally:
        col.close()


def _import_colpkg(backend: Any, package: Path, folder: Path) -> None:
    """Anki's collection-package import (it replaces the collection at `col_path`)."""
    from anki.import_export_pb2 import ImportCollectionPackageRequest

    request = ImportCollectionPackageRequest(
        col_path=str(folder / "collection.anki2"),
        backup_path=str(package),
        media_folder=str(folder / "collection.media"),
        media_db=str(folder / "collection.media.db2"),
    )
    backend.import_collection_package_raw(request.SerializeToString())


def read_view(col: Collection) -> AnkiView:
    notes: dict[str, dict[str, Any]] = {}
    cards: dict[tuple[str, int], dict[str, Any]] = {}
    decks: set[str] = set()
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        model = note.note_type()
        notes[note.guid] = {
            "fields": dict(note.items()),
            "tags": list(note.tags),
            "notetype": model["name"],
        }
        for card in note.cards():
            deck = col.decks.name(card.odid or card.did)
            decks.add(deck)
            memory = card.memory_state
            cards[(note.guid, card.ord)] = {
                "deck": deck,
                "state": STATES[card.type],
                "queue": card.queue,
                "due": card.odue if card.odid else card.due,
                "ivl": card.ivl,
                "factor": card.factor,
                "reps": card.reps,
                "lapses": card.lapses,
                "flags": card.user_flag(),
                "stability": None if memory is None else round(memory.stability, 3),
                "difficulty": None if memory is None else round(memory.difficulty, 3),
                "question": card.question(),
                "answer": card.answer(),
                "fields": dict(note.items()),
                "revlog": len(
                    [r for r in col.db.list("select ease from revlog where cid = ?", card.id) if 1 <= r <= 4]
                ),
            }
    media_folder = Path(col.media.dir())
    media = {
        name: (media_folder / name).read_bytes()
        for name in os.listdir(media_folder)
        if (media_folder / name).is_file()
    }
    reviews = {key: value["revlog"] for key, value in cards.items()}
    return AnkiView(decks, notes, cards, media, reviews, col.crt, col.sched.today)
