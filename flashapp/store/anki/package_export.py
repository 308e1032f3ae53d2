"""Exporting a deck (with its subdecks) as an Anki package: notes, cards, decks, deck options, media,
scheduling and review history, in the layout `flashapp.anki.package_writer` writes.

- Notes that came from Anki go back with their own note type (same Anki id, fields, templates, CSS)
  and guid, so re-importing into the Anki they came from updates them in place.
- Deck-file notes get flashapp note types (Basic, reversed, type-in, Cloze, each with an Extra
  field), their Markdown as HTML, and a guid derived from their deck and id, stable across exports.
- Scheduling: see `scheduling_map.export_card`; day numbers count from a `crt` at the start of the
  earliest study day any review card is due in (never after today).
- Cards orphaned from their deck file are left out; suspended cards stay suspended.

Everything is read from flashapp's tables attached to the package's own SQLite connection as `src`
(`write_export`): the collection file itself, or for a server or in-memory database a staging copy
(`export_stage`). `flashapp export` on an SQLite file at the newest schema calls
`export_collection_file`, which needs neither SQLAlchemy nor the models (about a fifth of the command's
time at 100,000 notes went to loading them); `Collection.export_package` calls `export_deck`.
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashapp.anki.latex_images import latex_images
from flashapp.anki.markdown_html import markdown_to_html
from flashapp.anki.note_types import KIND_CLOZE, NoteTypeDef, TemplateDef
from flashapp.anki.package_reader import unsafe_name_reason
from flashapp.anki.package_writer import (
    field_checksum,
    finish_collection_file,
    guid_for,
    new_collection_file,
    zip_package,
)
from flashapp.anki.scheduling_map import MANUAL_RATING, anki_deck_config_json
from flashapp.anki.templates import strip_html
from flashapp.core.media_refs import media_references
from flashapp.core.scheduling import SchedulerOptions, day_start_utc
from flashapp.errors import UserError
from flashapp.store.anki.export_sql import (
    MEDIA_FILTER_SQL,
    create_maps,
    earliest_review_due,
    epoch_sql,
    insert_anki_notes,
    insert_cards,
    insert_revlog,
    register_functions,
)
from flashapp.store.anki.reports import ExportReport
from flashapp.store.db import sqlite_file
from flashapp.store.media_paths import resolve_media
from flashapp.store.note_type_rows import NOTE_TYPE_COLUMNS, definition_from_row
from flashapp.store.setting_values import LEARN_AHEAD_MINUTES, learn_ahead_minutes_of
from flashapp.store.sql_text import read_json, read_time

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from flashapp.store.models import Card, Note

DEFAULT_DECK_ID = 1
_EXTRA = "{{#Extra}}<br><br>{{Extra}}{{/Extra}}"
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"
# flashapp's own note types, with fixed ids so every export maps to the same types in Anki.
FLASHAPP_TYPES: dict[str, NoteTypeDef] = {
    "basic": NoteTypeDef(
        "flashapp Basic",
        "standard",
        ("Front", "Back", "Extra"),
        (TemplateDef("Card 1", "{{Front}}", _ANSWER + "{{Back}}" + _EXTRA),),
        anki_id=1_735_689_600_001,
    ),
    "reversed": NoteTypeDef(
        "flashapp Basic (and reversed card)",
        "standard",
        ("Front", "Back", "Extra"),
        (
            TemplateDef("Card 1", "{{Front}}", _ANSWER + "{{Back}}" + _EXTRA),
            TemplateDef("Card 2", "{{Back}}", _ANSWER + "{{Front}}" + _EXTRA),
        ),
        anki_id=1_735_689_600_002,
    ),
    "type-in": NoteTypeDef(
        "flashapp Basic (type in the answer)",
        "standard",
        ("Front", "Back", "Extra"),
        (
            TemplateDef(
                "Card 1",
                "{{Front}}\n\n{{type:Back}}",
                "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}" + _EXTRA,
            ),
        ),
        anki_id=1_735_689_600_003,
    ),
    "cloze": NoteTypeDef(
        "flashapp Cloze",
        KIND_CLOZE,
        ("Text", "Extra"),
        (TemplateDef("Cloze", "{{cloze:Text}}", "{{cloze:Text}}" + _EXTRA),),
        anki_id=1_735_689_600_004,
    ),
}
_CARD_CSS = ".card {\n font-family: arial;\n font-size: 20px;\n text-align: center;\n}\n" + (
    ".cloze { font-weight: bold; }\n"
)
_SOUND = re.compile(r"\[sound:([^\]]+)\]")


@dataclass(frozen=True)
class _NoteRow:
    """The columns of a note the note-type choice and a deck-file note's fields read."""

    id: int
    note_type_id: int | None
    note_type: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class _DeckRow:
    """The columns of an exported deck the package's deck list and media lookup read."""

    id: int
    name: str
    description: str
    options: SchedulerOptions
    source_path: str | None


# Fills the `src` schema of the package's connection (given the work folder) with flashapp's tables.
Attach = Callable[[sqlite3.Connection, Path], None]


def export_deck(
    session: Session, deck_name: str, path: Path, *, now: datetime, tz: tzinfo, media_dir: Path | None
) -> ExportReport:
    """`Collection.export_package`: the collection file itself when SQLite can attach it, else (a server
    or in-memory database) a staging copy of the rows the export reads."""
    file = sqlite_file(str(session.get_bind().url))

    def attach(connection: sqlite3.Connection, work: Path) -> None:
        if file is not None and file.exists() and _attach_file(connection, file):
            return
        from flashapp.store.anki.export_stage import stage_rows
        from flashapp.store.decks import subtree_ids

        staged = work / "rows.db"
        stage_rows(session, set(subtree_ids(session, deck_name)), staged)
        connection.execute("ATTACH DATABASE ? AS src", (staged.absolute().as_uri(),))
        _map_source(connection)

    return write_export(attach, deck_name, path, now=now, tz=tz, media_dir=media_dir)


def export_collection_file(
    file: Path, deck_name: str, path: Path, *, now: datetime, tz: tzinfo, media_dir: Path | None
) -> ExportReport:
    """The same export read from an SQLite collection file (at the newest schema) with `sqlite3` alone,
    as `flashapp export` runs it: no SQLAlchemy, no models."""

    def attach(connection: sqlite3.Connection, work: Path) -> None:
        if not _attach_file(connection, file):
            raise UserError(f"{file}: cannot be read as an SQLite collection")

    return write_export(attach, deck_name, path, now=now, tz=tz, media_dir=media_dir)


def write_export(
    attach: Attach, deck_name: str, path: Path, *, now: datetime, tz: tzinfo, media_dir: Path | None
) -> ExportReport:
    """Everything from flashapp's tables as `src` (attached by `attach`), read in one transaction."""
    if path.suffix.lower() != ".apkg":
        raise UserError(f"{path}: an Anki deck package must end in .apkg")
    now_s, now_ms = int(now.timestamp()), int(now.timestamp() * 1000)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".flashapp-export-", dir=path.parent) as work:
        collection_file = Path(work) / "collection.anki21"
        connection = new_collection_file(collection_file)
        try:
            attach(connection, Path(work))
            register_functions(connection)
            connection.execute("BEGIN")
            decks = _subtree(connection, deck_name)
            root_options = next(deck for deck in decks if deck.name == deck_name).options
            deck_json, config_json, anki_deck_ids = _decks(decks, now_s)
            deck_rows = [
                (
                    deck.id,
                    anki_deck_ids[deck.id],
                    len(deck.options.learning_steps_minutes),
                    len(deck.options.relearning_steps_minutes),
                )
                for deck in decks
            ]
            create_maps(connection, deck_rows)
            (card_count,) = connection.execute("SELECT count(*) FROM card_map").fetchone()
            if not card_count:
                raise UserError(f"deck {deck_name!r} has no cards to export")
            # Day 0: the start of the earliest study day a review card is due in, never after today.
            earliest = earliest_review_due(connection)
            first_day = now if earliest is None else min(now, read_time(earliest))
            crt = int(day_start_utc(first_day, tz, root_options.day_rollover_hour).timestamp())

            note_types = _note_types(connection)
            models, model_ids = _models(_first_notes(connection), note_types, now_s)
            for type_id, definition in note_types.items():
                sort_index = definition.properties.get("sort_field", 0) if definition.properties else 0
                insert_anki_notes(
                    connection, type_id, model_ids[f"nt{type_id}"], definition.fields, sort_index
                )
            _insert_deck_file_notes(connection, note_types, model_ids)
            insert_cards(connection, crt)
            insert_revlog(connection, MANUAL_RATING)

            media_names, latex_names = _media_names(connection)
            media, missing = _media_files(connection, media_names, media_dir, decks)
            # Anki's rendered LaTeX images go along when this collection has them (Anki makes the others).
            wanted = [name for name in latex_names if name not in set(media_names)]
            latex_found, _ = _media_files(connection, wanted, media_dir, decks)
            media += latex_found
            media, renamed = _package_names(media)
            if renamed:
                _rename_references(connection, renamed)
            (note_count,) = connection.execute("SELECT count(*) FROM main.notes").fetchone()
            (review_count,) = connection.execute("SELECT count(*) FROM main.revlog").fetchone()
            config = {
                "activeDecks": [DEFAULT_DECK_ID],
                "curDeck": DEFAULT_DECK_ID,
                "nextPos": card_count + 1,
                "schedVer": 2,
                "sched2021": True,
                "rollover": root_options.day_rollover_hour,
                "creationOffset": 0,
                "fsrs": root_options.algorithm == "fsrs",
                "newCardsIgnoreReviewLimit": root_options.new_cards_ignore_review_limit,
                "collapseTime": _learn_ahead_minutes(connection) * 60,
            }
            for table in ("card_map", "note_map", "deck_map"):
                connection.execute(f"DROP TABLE temp.{table}")
            finish_collection_file(
                connection,
                crt=crt,
                mod=now_ms,
                config=config,
                models=models,
                decks=deck_json,
                deck_configs=config_json,
            )
            connection.execute("DETACH DATABASE src")
        finally:
            connection.close()
        partial = Path(work) / "package.apkg"
        zip_package(partial, collection_file, media)
        os.replace(partial, path)
    return ExportReport(
        file=str(path),
        decks=tuple(deck.name for deck in decks),
        notes=note_count,
        cards=card_count,
        reviews=review_count,
        media=len(media),
        missing_media=tuple(missing),
    )


def _attach_file(connection: sqlite3.Connection, file: Path) -> bool:
    """The collection file as `src`, read-only; False when SQLite cannot attach or read it here."""
    try:
        connection.execute("ATTACH DATABASE ? AS src", (file.absolute().as_uri() + "?mode=ro",))
    except sqlite3.DatabaseError:
        return False
    try:  # SQLite opens an attached file lazily: read it once to know it can be read
        connection.execute("SELECT count(*) FROM src.sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        connection.execute("DETACH DATABASE src")
        return False
    _map_source(connection)
    return True


def _map_source(connection: sqlite3.Connection) -> None:
    """`src` read through a memory map: the export scans its notes several times, otherwise each time
    with a read call per page."""
    connection.execute("PRAGMA src.mmap_size = 1073741824")


def _subtree(connection: sqlite3.Connection, name: str) -> list[_DeckRow]:
    """The deck called `name` and the decks below it, by name (as `store.decks.subtree_filter`: every
    child's name starts with "name::", the range [prefix, prefix + U+10FFFF) holds exactly those)."""
    prefix = name + "::"
    rows = connection.execute(
        "SELECT id, name, description, options, source_path FROM src.decks "
        "WHERE name = ? OR (name >= ? AND name < ?) ORDER BY name",
        (name, prefix, prefix + "\U0010ffff"),
    ).fetchall()
    if not any(row[1] == name for row in rows):
        known = [row[0] for row in connection.execute("SELECT name FROM src.decks ORDER BY name")]
        hint = f"; decks: {', '.join(known)}" if known else "; the collection has no decks"
        raise UserError(f"unknown deck {name!r}{hint}")
    return [
        _DeckRow(
            deck_id,
            deck_name,
            description or "",
            SchedulerOptions.from_dict(read_json(options) or {}),
            source,
        )
        for deck_id, deck_name, description, options, source in rows
    ]


def _learn_ahead_minutes(connection: sqlite3.Connection) -> int:
    """`store.settings.learn_ahead_minutes`, read from `src`."""
    row = connection.execute(
        "SELECT value FROM src.collection_settings WHERE key = ?", (LEARN_AHEAD_MINUTES,)
    ).fetchone()
    return learn_ahead_minutes_of(None if row is None else read_json(row[0]))


def _note_types(connection: sqlite3.Connection) -> dict[int, NoteTypeDef]:
    """The Anki note types the exported notes have, by id."""
    rows = connection.execute(
        f"SELECT id, {NOTE_TYPE_COLUMNS} FROM src.note_types "
        "WHERE id IN (SELECT note_type_id FROM note_map) ORDER BY id"
    )
    return {row[0]: definition_from_row(row[1:]) for row in rows}


def _first_notes(connection: sqlite3.Connection) -> list[_NoteRow]:
    """The first note (by id) of each note type and kind the exported notes have, in id order: among
    them the first of each note type `_models` names it by. An Anki note type's first note is the
    least note id the note map holds for that type (read from the map alone); its notes of another
    kind, which come after it, would go unused by `_models`. Deck-file notes (no note type) by kind."""
    rows = connection.execute(
        "SELECT id, note_type_id, note_type, fields FROM src.notes WHERE id IN ("
        "SELECT min(note_id) FROM note_map WHERE note_type_id IS NOT NULL GROUP BY note_type_id "
        "UNION ALL SELECT min(n.id) FROM note_map m JOIN src.notes n ON n.id = m.note_id "
        "WHERE m.note_type_id IS NULL GROUP BY n.note_type) ORDER BY id"
    )
    return [_NoteRow(i, type_id, kind, json.loads(fields)) for i, type_id, kind, fields in rows]


def _insert_deck_file_notes(
    connection: sqlite3.Connection, note_types: dict[int, NoteTypeDef], model_ids: dict[str, int]
) -> None:
    """Notes from deck files: Markdown to HTML in Python (a few per deck file, not Anki's thousands)."""
    rows = connection.execute(
        "SELECT m.anki_id, n.id, n.note_type, n.fields, n.key, n.source, n.tags, "
        f"{epoch_sql('n.modified_at')} FROM note_map m JOIN src.notes n ON n.id = m.note_id "
        "WHERE m.note_type_id IS NULL"
    ).fetchall()
    out = []
    for anki_id, note_id, note_type, fields_json, key, source, tags, modified in rows:
        note = _NoteRow(note_id, None, note_type, json.loads(fields_json))
        definition, values = _note_fields(note, note_types)
        fields = [values.get(name, "") for name in definition.fields]
        sort_index = definition.properties.get("sort_field", 0) if definition.properties else 0
        sort_text = strip_html(fields[sort_index] if sort_index < len(fields) else "")
        guid = key.split("\x1f", 1)[0] if source == "anki" else guid_for(f"{source}\x1f{key}")
        out.append(
            (
                anki_id,
                guid,
                model_ids[_model_key(note)],
                modified,
                tags if tags.strip() else "",
                "\x1f".join(fields),
                sort_text,
                field_checksum(strip_html(fields[0]) if fields else ""),
            )
        )
    connection.executemany("INSERT INTO main.notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')", out)


def _media_names(connection: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """The media files and Anki LaTeX images the exported notes name, in note order, each once."""
    media_names: list[str] = []
    latex_names: list[str] = []
    # The package's notes scanned alone (few name a file), then put in the order of flashapp's note ids.
    found = connection.execute(f"SELECT n.id, n.flds FROM main.notes n WHERE {MEDIA_FILTER_SQL}").fetchall()
    if not found:
        return [], []
    order = dict(
        connection.execute(
            "SELECT anki_id, note_id FROM note_map WHERE anki_id IN (SELECT value FROM json_each(?))",
            (json.dumps([anki_id for anki_id, _ in found]),),
        )
    )
    found.sort(key=lambda row: order[row[0]])
    for _, flds in found:
        joined = flds.replace("\x1f", " ")
        media_names += media_references(joined)
        media_names += [match.group(1) for match in _SOUND.finditer(joined)]
        latex_names += [image.name for image in latex_images(joined)]
    return list(dict.fromkeys(media_names)), list(dict.fromkeys(latex_names))


def _rename_references(connection: sqlite3.Connection, renamed: dict[str, str]) -> None:
    from flashapp.store.anki.media import rename_in_html  # loaded only when a name changes

    connection.create_function("fa_rename", 1, lambda text: rename_in_html(text, renamed))
    names = list(renamed)
    where = " OR ".join("instr(flds, ?) > 0" for _ in names)
    connection.execute(f"UPDATE main.notes SET flds = fa_rename(flds) WHERE {where}", names)


def anki_ord(card: Card, note: Note) -> int:
    """Anki's card ordinal: deck-file cloze cards count deletions from 1, Anki from 0."""
    if note.note_type_id is None and note.note_type == "cloze":
        return card.ord - 1
    return card.ord


# --- note types ------------------------------------------------------------------------------------------


def _model_key(note: _NoteRow | Note) -> str:
    return f"nt{note.note_type_id}" if note.note_type_id is not None else f"kind:{_flashapp_kind(note)}"


def _flashapp_kind(note: _NoteRow | Note) -> str:
    return note.note_type if note.note_type in FLASHAPP_TYPES else "basic"


def _note_fields(
    note: _NoteRow | Note, note_types: dict[int, NoteTypeDef]
) -> tuple[NoteTypeDef, dict[str, str]]:
    """The note type a note goes out as, and its field values (HTML) by field name."""
    if note.note_type_id is not None and note.note_type_id in note_types:
        return note_types[note.note_type_id], {k: str(v) for k, v in note.fields.items()}
    kind = _flashapp_kind(note)
    values = {key: markdown_to_html(str(value)) for key, value in note.fields.items()}
    if kind == "cloze":
        return FLASHAPP_TYPES[kind], {"Text": values.get("text", ""), "Extra": values.get("extra", "")}
    if note.note_type not in FLASHAPP_TYPES or "front" not in note.fields:
        # Kinds Anki has no type for (a predict card, a note from elsewhere): as flashapp shows them.
        from flashapp.core.render import render_card  # loaded only when such a note goes out

        rendered = render_card(note.note_type, dict(note.fields), 0)
        return FLASHAPP_TYPES["basic"], {
            "Front": markdown_to_html(rendered.question),
            "Back": markdown_to_html(rendered.answer),
            "Extra": markdown_to_html(rendered.extra),
        }
    return FLASHAPP_TYPES[kind], {
        "Front": values.get("front", ""),
        "Back": values.get("back", ""),
        "Extra": values.get("extra", ""),
    }


def _model_json(definition: NoteTypeDef, anki_id: int, now: int) -> dict[str, Any]:
    properties = definition.properties or {}
    return {
        "id": anki_id,
        "name": definition.name,
        "type": 1 if definition.is_cloze else 0,
        "mod": now,
        "usn": -1,
        "sortf": properties.get("sort_field", 0),
        "did": None,
        "tmpls": [
            {
                "name": t.name,
                "ord": index,
                "qfmt": t.front,
                "afmt": t.back,
                "bqfmt": "",
                "bafmt": "",
                "did": None,
                "bfont": "",
                "bsize": 0,
            }
            for index, t in enumerate(definition.templates)
        ],
        "flds": [
            {
                "name": name,
                "ord": index,
                "sticky": False,
                "rtl": False,
                "font": "Arial",
                "size": 20,
                "media": [],
            }
            for index, name in enumerate(definition.fields)
        ],
        "css": definition.css or _CARD_CSS,
        "latexPre": properties.get("latex_pre", ""),
        "latexPost": properties.get("latex_post", ""),
        "latexsvg": False,
        "req": [[index, "any", [0]] for index in range(len(definition.templates))],
        "originalStockKind": properties.get("original_stock_kind", 0),
    }


def _models(
    notes: list[_NoteRow], note_types: dict[int, NoteTypeDef], now: int
) -> tuple[dict[str, Any], dict[str, int]]:
    """Anki note types by id, and the id each note-type key goes out as; `notes` in id order."""
    models: dict[str, Any] = {}
    ids: dict[str, int] = {}
    for note in notes:
        key = _model_key(note)
        if key in ids:
            continue
        definition, _ = _note_fields(note, note_types)
        anki_id = definition.anki_id or 1_735_689_700_000 + len(ids)
        while str(anki_id) in models:  # two versions of one Anki type: the second gets a new id
            anki_id += 1
        ids[key] = anki_id
        models[str(anki_id)] = _model_json(definition, anki_id, now)
    return models, ids


# --- decks and options ----------------------------------------------------------------------------------


def _decks(decks: list[_DeckRow], now: int) -> tuple[dict[str, Any], dict[str, Any], dict[int, int]]:
    presets: dict[str, int] = {}
    configs: dict[str, Any] = {}
    deck_json: dict[str, Any] = {str(DEFAULT_DECK_ID): _deck_json(DEFAULT_DECK_ID, "Default", "", 1, now)}
    anki_ids: dict[int, int] = {}
    for deck in decks:
        key = repr(sorted(deck.options.to_dict().items()))
        if key not in presets:
            presets[key] = len(presets) + 1
            name = "Default" if presets[key] == 1 else f"{deck.name} options"
            configs[str(presets[key])] = anki_deck_config_json(presets[key], name, deck.options, now)
        anki_id = 1_735_689_800_000 + deck.id
        anki_ids[deck.id] = anki_id
        deck_json[str(anki_id)] = _deck_json(anki_id, deck.name, deck.description, presets[key], now)
    return deck_json, configs, anki_ids


def _deck_json(anki_id: int, name: str, description: str, config_id: int, now: int) -> dict[str, Any]:
    return {
        "id": anki_id,
        "mod": now,
        "name": name,
        "usn": -1,
        "lrnToday": [0, 0],
        "revToday": [0, 0],
        "newToday": [0, 0],
        "timeToday": [0, 0],
        "collapsed": False,
        "browserCollapsed": False,
        "desc": html.escape(description).replace("\n", "<br>"),
        "dyn": 0,
        "conf": config_id,
        "extendNew": 0,
        "extendRev": 0,
    }


# --- media ------------------------------------------------------------------------------------------------


def _media_files(
    connection: sqlite3.Connection, names: list[str], media_dir: Path | None, decks: list[_DeckRow]
) -> tuple[list[tuple[str, Path]], list[str]]:
    """Each referenced file found in the media folder (or beside a deck file), and the names not found."""
    if not names:
        return [], []
    known = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM src.media WHERE name IN (SELECT value FROM json_each(?))", (json.dumps(names),)
        )
    }
    folders = list(dict.fromkeys(Path(deck.source_path).parent for deck in decks if deck.source_path))
    found, missing = [], []
    for name in names:
        path = resolve_media(name, [media_dir]) if name in known and media_dir is not None else None
        if path is None:
            path = resolve_media(name, folders)
        if path is None:
            missing.append(name)
        else:
            found.append((name, path))
    return found, missing


def _package_names(media: list[tuple[str, Path]]) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """Names as a package may hold them (a deck file's `img/x.png` becomes `img_x.png`), and the
    renames to apply to the notes."""
    out, renamed, used = [], {}, set()
    for name, path in media:
        safe = name
        if unsafe_name_reason(safe) is not None:
            safe = "_".join(
                part for part in name.replace("\\", "/").split("/") if part not in ("", ".", "..")
            )
            safe = safe or path.name
        while safe in used:
            safe = f"{path.stem}-{len(used)}{path.suffix}"
        used.add(safe)
        if safe != name:
            renamed[name] = safe
        out.append((safe, path))
    return out, renamed
