"""Adding notes from the app, and writing a deck back out as a deck file.

A note added in the app is a deck-file note without a file yet: its source is the deck's
(`deckfile:<deck>`) and its key a stable id made from its text, so `flashapp export DECK -o FILE.toml`
writes it with that id and importing the file back finds it (nothing changes). It is validated by the
deck-file parser itself (the same messages as a deck file). In a deck that has a file, the file is the
source of truth: re-importing the file takes out of study (suspends, history kept) a card the file
does not have, so export the deck to its file to keep such cards.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from flashapp.core.deckfile import (
    CARD_KINDS,
    DECK_KEYS,
    CardSpec,
    DeckFileError,
    DeckSpec,
    dump_deck,
    parse_deck,
)
from flashapp.core.predict import PredictSpec, PredictSpecError, parse_predict
from flashapp.core.scheduling.types import SchedulerOptions
from flashapp.core.text import to_plain
from flashapp.errors import UserError
from flashapp.store.deckfile_sync import _insert_cards, _note_values, note_source
from flashapp.store.decks import ensure_deck, find_deck
from flashapp.store.models import Card, Deck, Note

KEY_CHARS = 40
# The deck-file keys of scheduler options (`SchedulerOptions` names -> deck-file names).
FILE_OPTION_NAMES = {"algorithm": "scheduler"}


@dataclass(frozen=True)
class AddedNote:
    note_id: int
    key: str
    deck: str
    cards: int


@dataclass(frozen=True)
class Duplicate:
    note_id: int
    deck: str
    text: str


def _first_field(kind: str, fields: dict[str, str]) -> str:
    return fields.get("text" if kind == "cloze" else "front", "")


def _slug(text: str) -> str:
    text = re.sub(r"\{\{c\d+::(.*?)(::[^}]*)?\}\}", r"\1", text)  # a cloze's answers, not its markup
    words = re.sub(r"[^a-z0-9]+", "-", to_plain(text).lower()).strip("-")
    return (words[:KEY_CHARS].rstrip("-") or "note").lstrip("-._") or "note"


def card_spec(kind: str, fields: dict[str, str], tags: list[str] | tuple[str, ...], key: str) -> CardSpec:
    """The note as a deck-file card, checked by the deck-file parser (UserError with its message)."""
    if kind not in CARD_KINDS:
        raise UserError(f"unknown kind {kind!r}; kinds: {', '.join(CARD_KINDS)}")
    text = {name: value.replace("\r\n", "\n") for name, value in fields.items()}
    predict = None
    if kind == "predict":
        try:
            predict = PredictSpec.from_fields(text)
        except PredictSpecError as error:
            raise UserError(str(error)) from None
    spec = CardSpec(
        id=key, kind=kind, front=text.get("front", ""), back=text.get("back", ""),
        cloze=text.get("text", ""), extra=text.get("extra", ""), tags=tuple(tags), predict=predict,
    )  # fmt: skip
    from flashapp.store.importing import validate_demo, validate_predict

    text_of_file = dump_deck(DeckSpec(name="Added", cards=(spec,)))
    try:
        [checked] = parse_deck(
            text_of_file, "the new note", validate_demo, validate_predict=validate_predict
        ).cards
    except DeckFileError as error:
        raise UserError(error.reason) from None
    return checked


def predict_fields(concept: str, question: str, answer: str, ranges: str, params: str = "") -> dict[str, str]:
    """A predict note's fields from what a deck file would say: `answer`, `ranges` and `params` in TOML
    (`{ kind = "vector", tolerance = 0.01 }`, `{ n = [1, 4] }`); UserError naming the key at fault."""
    raw: dict[str, object] = {"concept": concept.strip(), "question": question}
    for key, value in (("answer", answer), ("ranges", ranges), ("params", params)):
        if not value.strip():
            continue
        try:
            raw[key] = tomllib.loads(f"value = {value.strip()}")["value"]
        except tomllib.TOMLDecodeError as error:
            raise UserError(f"{key}: not a TOML value ({str(error).split(' (at')[0]})") from None
    try:
        return parse_predict(raw).to_fields()
    except PredictSpecError as error:
        raise UserError(str(error)) from None


def duplicates(session: Session, kind: str, fields: dict[str, str]) -> list[Duplicate]:
    """Notes of the same kind whose first field (front, or cloze text) reads the same."""
    first = " ".join(to_plain(_first_field(kind, fields)).lower().split())
    if not first:
        return []
    found = []
    rows = session.execute(
        select(Note.id, Note.fields, Deck.name)
        .join(Deck, Note.deck_id == Deck.id)
        .where(Note.note_type == kind)
    )
    for note_id, note_fields, deck in rows:
        text = _first_field(kind, {k: str(v) for k, v in note_fields.items()})
        if " ".join(to_plain(text).lower().split()) == first:
            found.append(Duplicate(note_id, deck, text))
    return found


def add_note(
    session: Session,
    deck: str,
    kind: str,
    fields: dict[str, str],
    tags: list[str] | tuple[str, ...],
    now: datetime,
) -> AddedNote:
    """Add a note (and its cards, new, after every other new card) to `deck`, created if needed."""
    if not deck.strip() or any(not part.strip() for part in deck.split("::")):
        raise UserError(f"deck name {deck!r} has an empty part")
    source = note_source(deck)
    taken = set(session.scalars(select(Note.key).where(Note.source == source)))
    base = _slug(_first_field(kind, fields) or fields.get("front", ""))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    spec = card_spec(kind, fields, tags, key)
    row = ensure_deck(session, deck, now)
    values = {"source": source, "key": key, "deck_id": row.id, "created_at": now, "modified_at": now}
    note_id = session.execute(insert(Note).returning(Note.id), [values | _note_values(spec)]).scalar_one()
    ords = spec.card_ords()
    _insert_cards(session, [(note_id, row.id, ord_) for ord_ in ords], now)
    return AddedNote(note_id, key, deck, len(ords))


def deck_file_of(session: Session, deck: str) -> str | None:
    """The deck file `deck` was imported from (None: no such deck, or none)."""
    return session.scalar(select(Deck.source_path).where(Deck.name == deck))


def deck_file_spec(session: Session, deck: str) -> tuple[DeckSpec, int]:
    """The deck's notes (its own, not its subdecks') as a deck file's spec, and how many notes were
    left out (imported from Anki: their templates have no deck-file form; export those as .apkg)."""
    row = find_deck(session, deck)
    source = note_source(deck)
    notes = session.scalars(select(Note).where(Note.deck_id == row.id).order_by(Note.id)).all()
    # Each note where its first card stands in the new-card order (the file's order on import).
    positions = dict(
        session.execute(
            select(Card.note_id, Card.position).where(Card.deck_id == row.id).order_by(Card.position.desc())
        ).all()
    )
    cards, left_out = [], 0
    for note in sorted(notes, key=lambda note: (positions.get(note.id, 0), note.id)):
        if note.source != source or note.note_type not in CARD_KINDS:
            left_out += 1
            continue
        fields = {key: str(value) for key, value in note.fields.items()}
        spec = card_spec(note.note_type, fields, note.tag_list, note.key)
        if note.demo:
            spec = replace(spec, demo=note.demo, params=dict(note.demo_params or {}))
        cards.append(spec)
    defaults = SchedulerOptions().to_dict()
    options = {key: value for key, value in row.options.items() if value != defaults.get(key)}
    return DeckSpec(name=row.name, description=row.description, options=options, cards=tuple(cards)), left_out


def export_deck_file(session: Session, deck: str, path: str | Path) -> tuple[int, int]:
    """Write the deck as a deck file (UTF-8, written whole or not at all); (notes written, left out).
    Options the deck-file format has no key for are not written."""
    spec, left_out = deck_file_spec(session, deck)
    text = dump_deck(_file_options_only(spec))
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(f"cannot write {target}: {error.strerror or error}") from None
    return len(spec.cards), left_out


def _file_options_only(spec: DeckSpec) -> DeckSpec:
    def file_name(key: str) -> str:
        return FILE_OPTION_NAMES.get(key, key.removesuffix("_minutes"))

    options = {key: value for key, value in spec.options.items() if file_name(key) in DECK_KEYS}
    return DeckSpec(spec.name, spec.description, options, spec.cards)
