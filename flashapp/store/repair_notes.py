"""`check` and `check --repair` for notes: fields that are not a JSON object, and a note with no
cards. As Anki's Check Database: a note whose fields it cannot read keeps their text (Anki decodes
broken UTF-8 lossily, pads a short field list with blanks and joins extra fields into the last one)
and is tagged `db-check`; a note with no cards gets the cards its kind and fields call for, as adding
it would make them, and one that calls for none is deleted (nothing could show it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from flashapp.store.integrity_rows import Finding

REPAIR_TAG = "db-check"


def parse_fields(value: object) -> tuple[bool, object]:
    """(whether `value` is JSON, what it holds): SQLite returns the column's text, PostgreSQL the
    parsed value."""
    if value is None or isinstance(value, dict | list | int | float):
        return True, value
    try:
        return True, json.loads(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False, value


def field_names(session: Session, note_type: str, note_type_id: int | None) -> list[str]:
    """The note's field names in order: its Anki note type's, or a deck-file kind's."""
    if note_type_id is not None:
        query = text("SELECT fields FROM note_types WHERE id = :i")
        row = session.execute(query, {"i": note_type_id}).first()
        ok, names = parse_fields(row[0]) if row else (False, None)
        if ok and isinstance(names, list) and names:
            return [str(name) for name in names]
    if note_type == "cloze":
        return ["text", "extra"]
    return ["front", "back", "extra"]


def fields_from(value: object, names: list[str]) -> dict[str, str]:
    """Whatever the column holds, as the note's fields: a list fills them in order (extra items joined
    into the last, as Anki does), anything else becomes the first field's text."""
    ok, parsed = parse_fields(value)
    if isinstance(parsed, list):
        items = ["" if item is None else str(item) for item in parsed]
        if len(items) > len(names):
            items = items[: len(names) - 1] + ["; ".join(items[len(names) - 1 :])]
    elif isinstance(value, bytes):
        items = [value.decode("utf-8", errors="replace")]
    else:
        items = ["" if parsed is None else str(parsed if ok else value)]
    return {name: items[index] if index < len(items) else "" for index, name in enumerate(names)}


def note_field_findings(session: Session) -> Iterator[Finding]:
    rows = session.execute(text("SELECT id, fields, note_type, note_type_id, tags FROM notes"))
    for note_id, fields, note_type, note_type_id, tags in rows:
        ok, parsed = parse_fields(fields)
        if ok and isinstance(parsed, dict):
            continue

        def mend(session: Session, now: datetime, note_id=note_id, fields=fields, kind=note_type,
                 type_id=note_type_id, tags=tags) -> str:  # fmt: skip
            from flashapp.store.deckfile_sync import search_text, tag_text

            values = fields_from(fields, field_names(session, kind, type_id))
            tag_list = [*(str(tags or "").split()), REPAIR_TAG]
            tag_list = list(dict.fromkeys(tag_list))
            session.execute(
                text(
                    "UPDATE notes SET fields = :f, tags = :t, search_text = :s, modified_at = :m "
                    "WHERE id = :i"
                ),
                {
                    "f": json.dumps(values, ensure_ascii=False),
                    "t": tag_text(tag_list),
                    "s": search_text(values, tag_text(tag_list)),
                    "m": now,
                    "i": note_id,
                },
            )
            kept = next(iter(values))
            return f"its text kept in the field {kept!r} (the others empty), tagged {REPAIR_TAG}"

        yield Finding(f"note {note_id}: fields are not a JSON object", mend=mend)


def card_ords_for(session: Session, note_id: int) -> list[int]:
    """The cards a note calls for (their ordinals), as adding it makes them: a deck-file note by its
    kind (the cloze numbers, both sides of a reversed card, else one); an Anki note by its type (the
    cloze numbers less one, else each template whose front shows one of the note's fields)."""
    note_type, type_id, fields = session.execute(
        text("SELECT note_type, note_type_id, fields FROM notes WHERE id = :i"), {"i": note_id}
    ).one()
    parsed = parse_fields(fields)[1]
    parsed = parsed if isinstance(parsed, dict) else {}
    values = {str(key): "" if value is None else str(value) for key, value in parsed.items()}
    if type_id is None:
        from flashapp.core.deckfile import CardSpec

        return CardSpec(id="note", kind=note_type, cloze=values.get("text", "")).card_ords()
    from flashapp.store.models import NoteType

    row = session.get(NoteType, type_id)
    if row is None:
        return []
    from flashapp.store.anki.definitions import definition_of

    definition = definition_of(row)
    if definition.is_cloze:
        from flashapp.anki.cloze import cloze_numbers

        return [number - 1 for number in cloze_numbers("\n".join(values.values()))]
    from flashapp.anki.card_render import render_html

    blank = dict.fromkeys(values, "")
    return [
        ord_
        for ord_ in range(len(definition.templates))
        if render_html(definition, values, ord_)[0] != render_html(definition, blank, ord_)[0]
    ]


def childless_note_findings(session: Session) -> Iterator[Finding]:
    rows = session.execute(
        text(
            "SELECT n.id, n.deck_id FROM notes n "
            "WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.note_id = n.id) ORDER BY n.id"
        )
    )
    for note_id, deck_id in rows:

        def mend(session: Session, now: datetime, note_id=note_id, deck_id=deck_id) -> str:
            ords = card_ords_for(session, note_id)
            if not ords:
                session.execute(text("DELETE FROM notes WHERE id = :i"), {"i": note_id})
                return "deleted (its fields call for no card)"
            from flashapp.store.deckfile_sync import _insert_cards  # the import's own: new cards last

            _insert_cards(session, [(note_id, deck_id, ord_) for ord_ in ords], now)
            return f"{len(ords)} new card(s) made, as adding the note makes them"

        yield Finding(f"note {note_id}: has no cards", mend=mend)
