"""An imported Anki note type as the renderer wants it (`NoteTypeDef`), from its `note_types` row as a
standard-library `sqlite3` connection reads it (JSON columns as text): the sqlite3 paths' counterpart of
`store.anki.definitions.definition_of`, which reads ORM rows."""

from __future__ import annotations

from typing import Any

from flashapp.anki.note_types import NoteTypeDef
from flashapp.store.sql_text import read_json

# The columns `definition_from_row` reads, in its order.
NOTE_TYPE_COLUMNS = "name, kind, fields, templates, css, properties"


def definition_from_row(row: tuple[Any, ...]) -> NoteTypeDef:
    """`row`: the values of NOTE_TYPE_COLUMNS."""
    name, kind, fields, templates, css, properties = row
    return NoteTypeDef.from_row(
        name=name,
        kind=kind,
        fields=read_json(fields),
        templates=read_json(templates),
        css=css,
        properties=read_json(properties),
    )
