"""A note's Anki note type as the renderer wants it (`NoteTypeDef`), from its `note_types` row."""

from __future__ import annotations

from datetime import datetime

from flashapp.anki.note_types import NoteTypeDef
from flashapp.store.models import Note, NoteType

_CACHE_SIZE = 256
_cache: dict[tuple[int, datetime], NoteTypeDef] = {}


def definition_of(row: NoteType) -> NoteTypeDef:
    """Cached by row and modification time: listing thousands of cards of one type builds it once."""
    key = (row.id, row.modified_at)
    found = _cache.get(key)
    if found is None:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        found = _cache[key] = NoteTypeDef.from_row(
            name=row.name,
            kind=row.kind,
            fields=row.fields,
            templates=row.templates,
            css=row.css,
            properties=row.properties,
        )
    return found


def note_definition(note: Note) -> NoteTypeDef | None:
    """The note's Anki note type, or None for deck-file notes (needs the note's session open)."""
    if note.note_type_id is None:
        return None
    row = note.definition
    return None if row is None else definition_of(row)
