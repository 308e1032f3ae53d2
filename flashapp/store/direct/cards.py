"""`flashapp cards` on sqlite3 alone: every card of the collection (or of a deck and its subdecks), read a
batch of rows at a time and turned into its listing entry by the functions the `Collection` uses
(`store.card_info.card_json_of` and `card_info_of`), so the output is the same text.

A search query is the `Collection`'s (its filters are SQLAlchemy expressions), and so is an unknown
deck (it words the error): both raise `Unhandled` before anything is read.
`tests/flashapp/store/test_direct_cards.py` compares this listing with the `Collection`'s on a varied
collection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flashapp.store.direct.connection import DirectCollection
from flashapp.store.direct.study import Unhandled
from flashapp.store.sql_text import read_json, read_time

if TYPE_CHECKING:
    from flashapp.anki.note_types import NoteTypeDef
    from flashapp.store.card_info import CardInfo

# Rows fetched from the database at a time (as `store.card_views.BATCH_ROWS`).
BATCH_ROWS = 1000

# The columns of `store.card_views._COLUMNS`, in its order (the arguments of `card_info_of`), and its
# joins and default order.
_LISTING = (
    "SELECT cards.id, cards.note_id, notes.key, decks.name, cards.deck_id, cards.ord, cards.flag, "
    "cards.state, cards.due, cards.interval_days, cards.ease, cards.reps, cards.lapses, "
    "cards.suspended OR cards.orphaned, notes.note_type, notes.fields, notes.tags, notes.demo, "
    "notes.demo_params, notes.note_type_id "
    "FROM cards JOIN notes ON cards.note_id = notes.id JOIN decks ON cards.deck_id = decks.id"
)
_ORDER = " ORDER BY decks.name, cards.position, cards.ord, cards.id"
# A deck and its subdecks, as `store.decks.subtree_filter`: the name, or one in [name::, name::U+10FFFF).
_SUBTREE = " WHERE decks.name = ? OR (decks.name >= ? AND decks.name < ?)"
# `json.loads` without its per-call set-up (the decoder built once).
_decode = json.JSONDecoder().decode
_NOTE_TYPE = "SELECT name, kind, fields, templates, css, properties FROM note_types WHERE id = ?"


def card_rows(
    collection: DirectCollection, deck: str | None = None, search: str | None = None, *, new_due: bool = True
) -> Iterator[tuple]:
    """Each card's row values in the order `card_info_of` takes them (note type definition last), in
    deck-name and new-queue order. Raises `Unhandled` (before the first row) for a search query or an
    unknown deck. `new_due=False` leaves a new card's due time unread (None): `cards --json` writes
    none for a card that is not scheduled yet."""
    if search:
        raise Unhandled("search query")
    with collection.reading() as connection:
        if deck is None:
            cursor = connection.execute(_LISTING + _ORDER)
        else:
            if connection.execute("SELECT 1 FROM decks WHERE name = ?", (deck,)).fetchone() is None:
                raise Unhandled("unknown deck")
            prefix = deck + "::"
            cursor = connection.execute(_LISTING + _SUBTREE + _ORDER, (deck, prefix, prefix + "\U0010ffff"))
        definitions: dict[int, NoteTypeDef | None] = {}
        while batch := cursor.fetchmany(BATCH_ROWS):
            for (
                card_id, note_id, key, deck_name, deck_id, ord_, flag, state, due, interval_days, ease, reps,
                lapses, suspended, note_type, fields, tags, demo, demo_params, note_type_id,
            ) in batch:  # fmt: skip
                definition = None
                if note_type_id is not None:
                    if note_type_id not in definitions:
                        definitions[note_type_id] = _definition(connection, note_type_id)
                    definition = definitions[note_type_id]
                yield (
                    card_id, note_id, key, deck_name, deck_id, ord_, flag, state,
                    read_time(due) if new_due or state != "new" else None,
                    interval_days, ease, reps, lapses, bool(suspended), note_type, _decode(fields), tags,
                    demo,
                    None if demo_params is None or demo_params == "null" else read_json(demo_params),
                    definition,
                )  # fmt: skip


def _definition(connection: Any, note_type_id: int) -> NoteTypeDef | None:
    """An imported Anki note type as the renderer wants it (as `store.anki.definitions.definition_of`)."""
    from flashapp.anki.note_types import NoteTypeDef

    row = connection.execute(_NOTE_TYPE, (note_type_id,)).fetchone()
    if row is None:
        return None
    name, kind, fields, templates, css, properties = row
    return NoteTypeDef.from_row(
        name=name,
        kind=kind,
        fields=read_json(fields),
        templates=read_json(templates),
        css=css,
        properties=read_json(properties),
    )


def card_json(
    collection: DirectCollection, deck: str | None = None, search: str | None = None
) -> Iterator[str]:
    """Each card as the JSON text `Collection.stream_card_json` yields."""
    from flashapp.store.card_info import card_json_of

    for values in card_rows(collection, deck, search, new_due=False):
        yield card_json_of(*values)


def card_infos(
    collection: DirectCollection, deck: str | None = None, search: str | None = None
) -> Iterator[CardInfo]:
    """Each card as `Collection.stream_cards` yields it."""
    from flashapp.store.card_info import card_info_of

    for values in card_rows(collection, deck, search):
        yield card_info_of(*values)
