"""The stored columns of imported Anki notes, built by SQL from a package's `notes` table: the fields
as a JSON object keyed by field name, tags, plain lowercased search text and modification time.

SQLite's own functions do the common cases (small note types' fields cut apart with instr/substr,
ASCII text lowered by `lower()`); Python functions registered on the connection do the rest (HTML
made plain for search, non-ASCII lowercase, note types with many fields). Used by the importer
directly and by the staging worker (`stage_worker`), which computes them in another process.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Mapping

from flashapp.anki.epoch_sql import MAX_EPOCH, sql_time
from flashapp.core.text import strip_control

# Note types with more fields than this build their JSON in Python rather than in SQL ...
SQL_FIELDS_LIMIT = 8
# ... and those with at most this many cut their fields apart with substr (no JSON parsing).
SUBSTR_FIELDS_LIMIT = 4
STAGE_TABLE = "notes_stage"
STAGE_COLUMNS = ("guid", "fields", "tags", "search_text", "modified_at")
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_BLOCK_TAG = re.compile(r"<(?:br|div|p|li|tr|td|th|hr|h\d)\b[^>]*>", re.IGNORECASE)
# Tags holding any control character (or odd spacing) take the Python path, which cleans them.
_CONTROL_GLOB = "*[\x01-\x1e\x7f]*"
_PYTHON_FIELDS = "fa_fields(n.mid, n.flds)"
FUNCTIONS = (("fa_fields", 2), ("fa_search", 2), ("fa_lower", 1), ("fa_tags", 1))

FieldNames = Mapping[int, tuple[str, ...]]  # Anki note type id -> its field names, in order


def register_note_functions(connection: sqlite3.Connection, names: FieldNames) -> None:
    """The Python helpers the column SQL calls."""

    def fields_json(mid: int, flds: str) -> str:
        field_names = names.get(mid, ())
        values = flds.split("\x1f")
        values += [""] * (len(field_names) - len(values))
        return json.dumps(
            dict(zip(field_names, values, strict=False)), ensure_ascii=False, separators=(",", ":")
        )

    def search(flds: str, tags: str) -> str:
        text = flds.replace("\x1f", " ")
        if "<" in text:
            text = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
        if "&" in text:
            text = html.unescape(text)
        return f"{text} {tags.strip()}".lower()

    def tags_text(tags: str) -> str:
        words = strip_control(tags.replace("\x1f", " ")).split()
        return f" {' '.join(words)} " if words else ""

    connection.create_function("fa_fields", 2, fields_json, deterministic=True)
    connection.create_function("fa_search", 2, search, deterministic=True)
    connection.create_function("fa_lower", 1, str.lower, deterministic=True)
    connection.create_function("fa_tags", 1, tags_text, deterministic=True)


def note_columns_sql(names: FieldNames) -> dict[str, str]:
    """SQL for each stored column of a note `n`, a row of `notes_with_array(...)`."""
    # SQLite's lower() knows only ASCII: other text is lowered by Python, HTML made plain by Python.
    plain = "instr(n.flds, '<') = 0 AND instr(n.flds, '&') = 0"
    ascii_only = "length(n.flds || n.tags) = length(CAST(n.flds || n.tags AS BLOB))"
    joined = "replace(n.flds, char(31), ' ') || ' ' || trim(n.tags)"
    return {
        "guid": "n.guid",
        "fields": _fields_sql(names),
        "tags": f"(CASE WHEN n.tags GLOB {_sql_string(_CONTROL_GLOB)} OR instr(n.tags, '  ') "
        "OR instr(n.tags, char(9)) THEN fa_tags(n.tags) WHEN trim(n.tags) = '' THEN '' "
        "ELSE ' ' || trim(n.tags) || ' ' END)",
        "search_text": f"(CASE WHEN NOT ({plain}) THEN fa_search(n.flds, n.tags) "
        f"WHEN {ascii_only} THEN lower({joined}) ELSE fa_lower({joined}) END)",
        "modified_at": sql_time(f"max(0, min({MAX_EPOCH}, n.mod))"),
    }


def notes_with_array(alias: str) -> str:
    """The package's notes with `arr`: their fields as a JSON array (split at U+001F, which `json_quote`
    writes as the escape \\u001f)."""
    return (
        "(SELECT id, guid, mid, mod, tags, flds, "
        "'[' || replace(json_quote(flds), '\\u001f', '\",\"') || ']' AS arr "
        f"FROM {alias}.notes)"
    )


def stage_notes(connection: sqlite3.Connection, package: str, names: FieldNames) -> None:
    """Fill `STAGE_TABLE` in `connection`'s main database from the notes of the attached `package`."""
    register_note_functions(connection, names)
    columns = note_columns_sql(names)
    connection.execute(f"CREATE TABLE {STAGE_TABLE} (nid INTEGER PRIMARY KEY, {', '.join(STAGE_COLUMNS)})")
    connection.execute("BEGIN")
    selected = ", ".join(columns[name] for name in STAGE_COLUMNS)
    connection.execute(
        f"INSERT INTO {STAGE_TABLE} (nid, {', '.join(STAGE_COLUMNS)}) "
        f"SELECT n.id, {selected} FROM {notes_with_array(package)} n"
    )
    connection.execute("COMMIT")


def _fields_sql(names_by_type: FieldNames) -> str:
    """The note's fields as a JSON object keyed by field name, built by SQLite: cut apart at U+001F with
    instr/substr for small note types, or from `arr` (see `notes_with_array`); note types with many
    fields go through Python."""
    cases = []
    for mid, names in names_by_type.items():
        if len(names) > SQL_FIELDS_LIMIT:
            continue
        if len(names) <= SUBSTR_FIELDS_LIMIT:
            values, rest = [], "n.flds"
            for _ in names[:-1]:
                values.append(f"substr({rest}, 1, instr({rest}, char(31)) - 1)")
                rest = f"substr({rest}, instr({rest}, char(31)) + 1)"
            values.append(rest)
            pairs = ", ".join(
                f"{_sql_string(name)}, {value}" for name, value in zip(names, values, strict=True)
            )
            separators = "length(n.flds) - length(replace(n.flds, char(31), ''))"
            # Only when the note has exactly as many fields as its type; else the JSON array way.
            cases.append(
                f"WHEN {int(mid)} THEN (CASE WHEN {separators} = {len(names) - 1} "
                f"THEN json_object({pairs}) ELSE {_json_fields(names)} END)"
            )
        else:
            cases.append(f"WHEN {int(mid)} THEN {_json_fields(names)}")
    if not cases:
        return _PYTHON_FIELDS
    return f"(CASE n.mid {' '.join(cases)} ELSE {_PYTHON_FIELDS} END)"


def _json_fields(names: tuple[str, ...]) -> str:
    """The fields from `arr`, the note's fields as a JSON array (missing ones empty, extra ones dropped);
    a backslash in the text would confuse that split, so such notes go through Python."""
    pairs = ", ".join(
        f"{_sql_string(name)}, coalesce(json_extract(n.arr, '$[{index}]'), '')"
        for index, name in enumerate(names)
    )
    return f"(CASE WHEN instr(n.flds, char(92)) = 0 THEN json_object({pairs}) ELSE {_PYTHON_FIELDS} END)"


_PYTHON_FIELDS = "fa_fields(n.mid, n.flds)"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
