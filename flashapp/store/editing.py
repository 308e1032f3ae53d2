"""Editing from the TUI: a note's fields and tags, and a card's flag.

A note that came from a deck file can be edited here, but the deck file stays the source of truth:
re-importing it overwrites the edit (`EditableNote.deck_file` says which file that is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from flashapp.core.cloze import cloze_numbers, cloze_problem
from flashapp.errors import UserError
from flashapp.store.answering import get_card
from flashapp.store.card_state import refresh_queue
from flashapp.store.deckfile_sync import search_text, tag_text
from flashapp.store.models import Card, Deck, Note, queue_for

# Anki's first four flags; 0 is no flag.
FLAG_NAMES = ("none", "red", "orange", "green", "blue")
DECKFILE_SOURCE = "deckfile:"
# Fields that must not be left empty, per built-in note type (imported Anki note types: none).
REQUIRED_FIELDS = {"basic": ("front", "back"), "reversed": ("front", "back"), "type-in": ("front", "back")}


@dataclass(frozen=True)
class EditableNote:
    id: int
    note_type: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    deck: str
    deck_file: str | None  # the deck file this note came from: re-importing it overwrites edits

    @property
    def from_deck_file(self) -> bool:
        return self.deck_file is not None


def _get_note(session: Session, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None:
        raise UserError(f"unknown note {note_id}")
    return note


def editable_note(session: Session, note_id: int) -> EditableNote:
    note = _get_note(session, note_id)
    deck_file = None
    if note.source.startswith(DECKFILE_SOURCE):
        deck_name = note.source.removeprefix(DECKFILE_SOURCE)
        path = session.scalar(select(Deck.source_path).where(Deck.name == deck_name))
        deck_file = path or deck_name
    deck = session.scalar(select(Deck.name).where(Deck.id == note.deck_id)) or ""
    return EditableNote(
        id=note.id,
        note_type=note.note_type,
        fields={key: str(value) for key, value in note.fields.items()},
        tags=tuple(note.tag_list),
        deck=deck,
        deck_file=deck_file,
    )


def _validate(note: Note, changed: dict[str, str], fields: dict[str, str], tags: list[str]) -> None:
    where = f"note {note.id}"
    unknown = sorted(set(changed) - set(note.fields))
    if unknown:
        raise UserError(f"{where}: no field {unknown[0]!r}; its fields are {', '.join(note.fields)}")
    for key in REQUIRED_FIELDS.get(note.note_type, ()):
        if not str(fields.get(key, "")).strip():
            raise UserError(f"{where}: the {key} field cannot be empty")
    if note.note_type == "cloze" and (problem := cloze_problem(str(fields.get("text", "")))):
        raise UserError(f"{where}: {problem}")
    for tag in tags:
        if '"' in tag:
            raise UserError(f"{where}: tag {tag!r} cannot contain a double quote")


def edit_note(
    session: Session,
    note_id: int,
    fields: dict[str, str],
    now: datetime,
    tags: list[str] | tuple[str, ...] | None = None,
) -> EditableNote:
    """Change some of a note's fields (and its tags, when given); nothing is written if nothing changed.

    A cloze note gets cards for new deletion numbers; cards whose number is gone are taken out of
    study (orphaned, history kept) and come back if the number does.
    """
    note = _get_note(session, note_id)
    new_fields = {key: str(value) for key, value in note.fields.items()}
    new_fields.update({key: value.replace("\r\n", "\n") for key, value in fields.items()})
    new_tags = list(dict.fromkeys(tag for tag in (tags if tags is not None else note.tag_list) if tag))
    _validate(note, fields, new_fields, new_tags)
    if new_fields == note.fields and new_tags == note.tag_list:
        return editable_note(session, note_id)
    note.fields = new_fields
    note.tags = tag_text(new_tags)
    note.search_text = search_text(new_fields, note.tags)
    note.modified_at = now
    if note.note_type == "cloze":
        _sync_cloze_cards(session, note, cloze_numbers(new_fields.get("text", "")), now)
    session.flush()
    return editable_note(session, note_id)


def _sync_cloze_cards(session: Session, note: Note, numbers: list[int], now: datetime) -> None:
    cards = {card.ord: card for card in session.scalars(select(Card).where(Card.note_id == note.id))}
    for ord_, card in cards.items():
        orphaned = ord_ not in numbers
        if card.orphaned != orphaned:
            card.orphaned = orphaned
            card.modified_at = now
            refresh_queue(card)
    missing = [number for number in numbers if number not in cards]
    if not missing:
        return
    deck_id = next(iter(cards.values())).deck_id if cards else note.deck_id
    start = (session.scalar(select(func.max(Card.position))) or 0) + 1
    session.execute(
        insert(Card),
        [
            {
                "note_id": note.id,
                "deck_id": deck_id,
                "ord": number,
                "position": start + index,
                "queue": queue_for("new", suspended=False, orphaned=False, buried=False),
                "state": "new",
                "due": now,
                "modified_at": now,
            }
            for index, number in enumerate(missing)
        ],
    )


def set_flag(session: Session, card_id: int, flag: int, now: datetime) -> None:
    if not 0 <= flag < len(FLAG_NAMES):
        raise UserError(f"flag {flag}: use 0 (none) to {len(FLAG_NAMES) - 1}")
    card = get_card(session, card_id)
    if card.flag != flag:
        card.flag = flag
        card.modified_at = now


def card_flag(session: Session, card_id: int) -> int:
    return get_card(session, card_id).flag
