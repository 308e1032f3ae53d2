"""Exporting a deck (with its subdecks) as an Anki package: notes, cards, decks, deck options, media,
scheduling and review history, in the layout `flashapp.anki.package_writer` writes.

- Notes that came from Anki go back with their own note type (same Anki id, fields, templates, CSS)
  and guid, so re-importing into the Anki they came from updates them in place.
- Deck-file notes get flashapp note types (Basic, reversed, type-in, Cloze, each with an Extra
  field), their Markdown as HTML, and a guid derived from their deck and id, stable across exports.
- Scheduling: see `scheduling_map.export_card`; day numbers count from a `crt` at the start of the
  earliest study day any review card is due in (never after today).
- Cards orphaned from their deck file are left out; suspended cards stay suspended.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.anki.latex_images import latex_images
from flashapp.anki.markdown_html import markdown_to_html
from flashapp.anki.note_types import KIND_CLOZE, NoteTypeDef, TemplateDef
from flashapp.anki.package_reader import unsafe_name_reason
from flashapp.anki.package_writer import PackageData, field_checksum, guid_for, unique_ids, write_package
from flashapp.anki.scheduling_map import MANUAL_RATING, anki_deck_config_json, export_card
from flashapp.anki.templates import strip_html
from flashapp.core.media_refs import media_references
from flashapp.core.render import render_card
from flashapp.core.scheduling import SchedulerOptions, day_start_utc
from flashapp.errors import UserError
from flashapp.store.anki.media import rename_in_html
from flashapp.store.anki.reports import ExportReport
from flashapp.store.decks import find_deck, subtree_filter
from flashapp.store.media_files import resolve_media
from flashapp.store.models import Card, Deck, Media, Note, NoteType, Review
from flashapp.store.settings import learn_ahead_minutes

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
_CARD_COLUMNS = (
    Card.id, Card.note_id, Card.deck_id, Card.ord, Card.state, Card.due, Card.interval_days, Card.ease,
    Card.step, Card.stability, Card.difficulty, Card.last_review, Card.suspended, Card.position,
    Card.modified_at, Card.reps, Card.lapses, Card.flag,
)  # fmt: skip
_NOTE_COLUMNS = (
    Note.id, Note.note_type_id, Note.note_type, Note.fields, Note.key, Note.source, Note.tags,
    Note.modified_at, Note.created_at,
)  # fmt: skip
_REVIEW_COLUMNS = (
    Review.card_id, Review.reviewed_at, Review.rating, Review.interval_after_days,
    Review.interval_before_days, Review.ease_after, Review.duration_ms, Review.state_before,
    Review.previous,
)  # fmt: skip
_STATE_TYPES = {"new": 0, "learning": 0, "review": 1, "relearning": 2}


def export_deck(
    session: Session, deck_name: str, path: Path, *, now: datetime, tz: tzinfo, media_dir: Path | None
) -> ExportReport:
    if path.suffix.lower() != ".apkg":
        raise UserError(f"{path}: an Anki deck package must end in .apkg")
    root = find_deck(session, deck_name)
    decks = list(session.scalars(select(Deck).where(subtree_filter(deck_name)).order_by(Deck.name)))
    deck_ids = {deck.id for deck in decks}
    # Plain rows, not ORM objects: building 100,000 objects costs more than writing the package.
    core = session.connection()  # Core rows: no ORM loading machinery per row
    cards = core.execute(
        select(*_CARD_COLUMNS)
        .where(Card.deck_id.in_(deck_ids), Card.orphaned.is_(False))
        .order_by(Card.note_id, Card.ord)
    ).all()
    if not cards:
        raise UserError(f"deck {deck_name!r} has no cards to export")
    notes = {
        note.id: note
        for note in core.execute(
            select(*_NOTE_COLUMNS)
            .where(
                Note.id.in_(select(Card.note_id).where(Card.deck_id.in_(deck_ids), Card.orphaned.is_(False)))
            )
            .order_by(Note.id)
        ).all()  # fetched at once: row by row costs a call into the cursor per note
    }
    note_types = {
        row.id: _definition(row)
        for row in session.scalars(
            select(NoteType).where(
                NoteType.id.in_({n.note_type_id for n in notes.values() if n.note_type_id})
            )
        )
    }
    options = {deck.id: SchedulerOptions.from_dict(deck.options) for deck in decks}
    root_options = options[root.id]

    # Day 0: the start of the earliest study day a review card is due in, and never after today.
    review_dues = [card.due for card in cards if card.state == "review" and card.due is not None]
    crt = int(day_start_utc(min([now, *review_dues]), tz, root_options.day_rollover_hour).timestamp())
    now_s, now_ms = int(now.timestamp()), int(now.timestamp() * 1000)

    models, model_ids = _models(notes, note_types, now_s)
    deck_json, config_json, anki_deck_ids = _decks(decks, options, now_s)

    note_rows, anki_note_ids, media_names, latex_names = [], {}, [], []
    ordered_notes = list(notes.values())
    ids = unique_ids([int(n.created_at.timestamp() * 1000) for n in ordered_notes])
    for anki_id, note in zip(ids, ordered_notes, strict=True):
        anki_note_ids[note.id] = anki_id
        definition, values = _note_fields(note, note_types)
        fields = [values.get(name, "") for name in definition.fields]
        sort_index = definition.properties.get("sort_field", 0) if definition.properties else 0
        sort_text = strip_html(fields[sort_index] if sort_index < len(fields) else "")
        # A note that shared its guid with another in the package it came from keeps `guid<U+001F>id`.
        guid = (
            note.key.split("\x1f", 1)[0]
            if note.source == "anki"
            else guid_for(f"{note.source}\x1f{note.key}")
        )
        note_rows.append(
            (
                anki_id,
                guid,
                model_ids[_model_key(note)],
                int(note.modified_at.timestamp()),
                note.tags if note.tags.strip() else "",
                "\x1f".join(fields),
                sort_text,
                field_checksum(strip_html(fields[0]) if fields else ""),
            )
        )
        joined = " ".join(fields)
        media_names += media_references(joined)
        media_names += [match.group(1) for match in _SOUND.finditer(joined)]
        latex_names += [image.name for image in latex_images(joined)]

    card_rows, anki_card_ids = [], {}
    positions = {
        card.id: index for index, card in enumerate(sorted(cards, key=lambda c: (c.position, c.id)), 1)
    }
    card_ids = unique_ids(
        [anki_note_ids[card.note_id] + anki_ord(card, notes[card.note_id]) for card in cards]
    )
    for anki_id, card in zip(card_ids, cards, strict=True):
        anki_card_ids[card.id] = anki_id
        exported = export_card(
            state=card.state,
            due=card.due,
            interval_days=card.interval_days,
            ease=card.ease,
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            last_review=card.last_review,
            suspended=card.suspended,
            position=positions[card.id],
            crt=crt,
            options=options[card.deck_id],
        )
        card_rows.append(
            (
                anki_id,
                anki_note_ids[card.note_id],
                anki_deck_ids[card.deck_id],
                anki_ord(card, notes[card.note_id]),
                int(card.modified_at.timestamp()),
                exported.type,
                exported.queue,
                exported.due,
                exported.ivl,
                exported.factor,
                card.reps,
                card.lapses,
                exported.left,
                card.flag,
                exported.data,
            )
        )

    reviews = core.execute(
        select(*_REVIEW_COLUMNS)
        .join(Card, Card.id == Review.card_id)
        .where(Card.deck_id.in_(deck_ids), Card.orphaned.is_(False))
        .order_by(Review.reviewed_at, Review.id)
    ).all()
    review_ids = unique_ids([int(r.reviewed_at.timestamp() * 1000) for r in reviews])
    revlog_rows = [
        (
            review_id,
            anki_card_ids[r.card_id],
            r.rating,
            r.interval_after_days,
            r.interval_before_days,
            round(r.ease_after * 1000),
            r.duration_ms,
            _revlog_type(r),
        )
        for review_id, r in zip(review_ids, reviews, strict=True)
    ]

    media, missing = _media_files(session, list(dict.fromkeys(media_names)), media_dir, decks)
    # Anki's rendered LaTeX images go along when this collection has them (Anki makes the others).
    wanted = [name for name in dict.fromkeys(latex_names) if name not in set(media_names)]
    latex_found, _ = _media_files(session, wanted, media_dir, decks)
    media += latex_found
    media, renamed = _package_names(media)
    if renamed:
        note_rows = [(*row[:5], rename_in_html(row[5], renamed), *row[6:]) for row in note_rows]
    config = {
        "activeDecks": [DEFAULT_DECK_ID],
        "curDeck": DEFAULT_DECK_ID,
        "nextPos": len(cards) + 1,
        "schedVer": 2,
        "sched2021": True,
        "rollover": root_options.day_rollover_hour,
        "creationOffset": 0,
        "fsrs": root_options.algorithm == "fsrs",
        "newCardsIgnoreReviewLimit": root_options.new_cards_ignore_review_limit,
        "collapseTime": learn_ahead_minutes(session) * 60,
    }
    write_package(
        path,
        PackageData(
            crt=crt,
            mod=now_ms,
            models=models,
            decks=deck_json,
            deck_configs=config_json,
            config=config,
            notes=note_rows,
            cards=card_rows,
            revlog=revlog_rows,
            media=media,
        ),
    )
    return ExportReport(
        file=str(path),
        decks=tuple(deck.name for deck in decks),
        notes=len(note_rows),
        cards=len(card_rows),
        reviews=len(revlog_rows),
        media=len(media),
        missing_media=tuple(missing),
    )


def _revlog_type(review: Review) -> int:
    """Anki's review-log kind: a manual entry (rating 0) keeps the kind it came with."""
    if review.rating == MANUAL_RATING:
        kind = review.previous.get("anki_type") if isinstance(review.previous, dict) else None
        return kind if kind in (0, 1, 2, 3, 4, 5) else 4
    return _STATE_TYPES.get(review.state_before, 1)


def anki_ord(card: Card, note: Note) -> int:
    """Anki's card ordinal: deck-file cloze cards count deletions from 1, Anki from 0."""
    if note.note_type_id is None and note.note_type == "cloze":
        return card.ord - 1
    return card.ord


# --- note types ------------------------------------------------------------------------------------------


def _model_key(note: Note) -> str:
    return f"nt{note.note_type_id}" if note.note_type_id is not None else f"kind:{_flashapp_kind(note)}"


def _flashapp_kind(note: Note) -> str:
    return note.note_type if note.note_type in FLASHAPP_TYPES else "basic"


def _definition(row: NoteType) -> NoteTypeDef:
    return NoteTypeDef.from_row(
        name=row.name,
        kind=row.kind,
        fields=row.fields,
        templates=row.templates,
        css=row.css,
        properties=row.properties,
    )


def _note_fields(note: Note, note_types: dict[int, NoteTypeDef]) -> tuple[NoteTypeDef, dict[str, str]]:
    """The note type a note goes out as, and its field values (HTML) by field name."""
    if note.note_type_id is not None and note.note_type_id in note_types:
        return note_types[note.note_type_id], {k: str(v) for k, v in note.fields.items()}
    kind = _flashapp_kind(note)
    values = {key: markdown_to_html(str(value)) for key, value in note.fields.items()}
    if kind == "cloze":
        return FLASHAPP_TYPES[kind], {"Text": values.get("text", ""), "Extra": values.get("extra", "")}
    if note.note_type not in FLASHAPP_TYPES or "front" not in note.fields:
        # Kinds Anki has no type for (a predict card, a note from elsewhere): as flashapp shows them.
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
    notes: dict[int, Note], note_types: dict[int, NoteTypeDef], now: int
) -> tuple[dict[str, Any], dict[str, int]]:
    models: dict[str, Any] = {}
    ids: dict[str, int] = {}
    for note in notes.values():
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


def _decks(
    decks: list[Deck], options: dict[int, SchedulerOptions], now: int
) -> tuple[dict[str, Any], dict[str, Any], dict[int, int]]:
    presets: dict[str, int] = {}
    configs: dict[str, Any] = {}
    deck_json: dict[str, Any] = {str(DEFAULT_DECK_ID): _deck_json(DEFAULT_DECK_ID, "Default", "", 1, now)}
    anki_ids: dict[int, int] = {}
    for deck in decks:
        key = repr(sorted(options[deck.id].to_dict().items()))
        if key not in presets:
            presets[key] = len(presets) + 1
            name = "Default" if presets[key] == 1 else f"{deck.name} options"
            configs[str(presets[key])] = anki_deck_config_json(presets[key], name, options[deck.id], now)
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
    session: Session, names: list[str], media_dir: Path | None, decks: list[Deck]
) -> tuple[list[tuple[str, Path]], list[str]]:
    """Each referenced file found in the media folder (or beside a deck file), and the names not found."""
    known = set(session.scalars(select(Media.name).where(Media.name.in_(names)))) if names else set()
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
