"""`flashapp cards` on sqlite3 alone: every card of the collection (or of a deck and its subdecks), read a
batch of rows at a time, each row a `store.card_info.CardRow` turned into its listing entry by the
functions the `Collection` uses (`card_json_of` and `card_info_of`), so the output is the same text.

A search query is the `Collection`'s (its filters are SQLAlchemy expressions), and so is an unknown
deck (it words the error): both raise `Unhandled` before anything is read.
`tests/flashapp/store/test_direct_cards.py` compares this listing with the `Collection`'s on a varied
collection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flashapp.store.direct.connection import DirectCollection
from flashapp.store.direct.study import Unhandled

if TYPE_CHECKING:
    from flashapp.anki.note_types import NoteTypeDef
    from flashapp.store.card_info import CardInfo, CardRow

# Rows fetched from the database at a time (as `store.card_views.BATCH_ROWS`).
BATCH_ROWS = 1000

# The columns of a `CardRow` (as `store.card_views._COLUMNS`), and its joins and default order.
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


def card_rows(
    collection: DirectCollection, deck: str | None = None, search: str | None = None
) -> Iterator[tuple[Iterator[CardRow], _Definitions]]:
    """The cards' rows a batch at a time, in deck-name and new-queue order, each batch with the Anki note
    types of the collection by id (a deck-file note has none). Raises `Unhandled` (before the first
    row) for a search query or an unknown deck."""
    from flashapp.store.card_info import CardRow

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
        definitions = _Definitions(connection)
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield map(CardRow._make, batch), definitions


class _Definitions(dict[int, "NoteTypeDef | None"]):
    """Anki note type id -> its definition, read from the database the first time it is asked for."""

    def __init__(self, connection: Any):
        super().__init__()
        self.connection = connection

    def __missing__(self, note_type_id: int) -> NoteTypeDef | None:
        found = self[note_type_id] = _definition(self.connection, note_type_id)
        return found


def _definition(connection: Any, note_type_id: int) -> NoteTypeDef | None:
    """An imported Anki note type as the renderer wants it (as `store.anki.definitions.definition_of`)."""
    from flashapp.store.note_type_rows import NOTE_TYPE_COLUMNS, definition_from_row

    sql = f"SELECT {NOTE_TYPE_COLUMNS} FROM note_types WHERE id = ?"
    row = connection.execute(sql, (note_type_id,)).fetchone()
    return None if row is None else definition_from_row(row)


def card_json_batches(
    collection: DirectCollection, deck: str | None = None, search: str | None = None
) -> Iterator[list[str]]:
    """The cards as the JSON texts `Collection.stream_card_json` yields, a batch at a time."""
    from flashapp.store.card_info import card_json_of

    for rows, definitions in card_rows(collection, deck, search):
        yield [
            card_json_of(row, None if row.note_type_id is None else definitions[row.note_type_id])
            for row in rows
        ]


def card_info_batches(
    collection: DirectCollection, deck: str | None = None, search: str | None = None
) -> Iterator[list[CardInfo]]:
    """The cards as `Collection.stream_cards` yields them, a batch at a time."""
    from flashapp.store.card_info import card_info_of

    for rows, definitions in card_rows(collection, deck, search):
        yield [
            card_info_of(row, None if row.note_type_id is None else definitions[row.note_type_id])
            for row in rows
        ]
