"""Cards as plain structures for listing and `cards --json`, filtered by deck and search query.

Listing reads plain rows (Core columns, no ORM objects) and yields as it goes, a batch of rows at a
time, so `cards --json` over the whole collection runs in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from flashapp.core.scheduling import StudyCalendar
from flashapp.core.search import SearchQuery, parse_search
from flashapp.errors import UserError
from flashapp.store.anki.definitions import definition_of, note_definition
from flashapp.store.card_info import CardInfo, CardRow, card_info_of, card_json_of, card_row
from flashapp.store.decks import find_deck, subtree_filter
from flashapp.store.models import QUEUE_BURIED, QUEUE_LEARNING, QUEUE_REVIEW, Card, Deck, Note, NoteType

# Rows fetched from the database at a time while listing.
BATCH_ROWS = 1000

if TYPE_CHECKING:
    from flashapp.anki.note_types import NoteTypeDef


def card_info(card: Card, note: Note, deck_name: str) -> CardInfo:
    return card_info_of(card_row(card, note, deck_name), note_definition(note))


def apply_search(query: Select, search: SearchQuery, now: datetime, calendar: StudyCalendar) -> Select:
    for word in search.words:
        query = query.where(Note.search_text.contains(word, autoescape=True))
    for word in search.excluded:
        query = query.where(~Note.search_text.contains(word, autoescape=True))
    if search.decks:
        query = query.where(or_(*(subtree_filter(name) for name in search.decks)))
    for tag in search.tags:  # lower-cased by the parser; tags are kept as written, found in any case
        query = query.where(func.lower(Note.tags).contains(f" {tag} ", autoescape=True))
    day_end = calendar.day_end(now)
    state_filters = {
        "new": Card.state == "new",
        "learn": Card.state.in_(("learning", "relearning")),
        "review": Card.state == "review",
        "due": and_(Card.queue.in_((QUEUE_LEARNING, QUEUE_REVIEW)), Card.due < day_end),
        "suspended": or_(Card.suspended, Card.orphaned),
        "buried": Card.queue == QUEUE_BURIED,
    }
    if search.flags:
        query = query.where(Card.flag.in_(search.flags))
    for state in search.states:
        query = query.where(state_filters[state])
    return query


def list_cards(session: Session, **options: Any) -> list[CardInfo]:
    """`iter_cards` gathered into a list (same keyword options)."""
    return list(iter_cards(session, **options))


# The browser's sort orders, done by the database so that a limit keeps the first cards of the whole
# result: key -> columns, the card id last so that equal values keep one order.
SORT_ORDERS = {
    "due": (Card.state == "new", Card.due),  # new cards after the scheduled ones
    "interval": (Card.interval_days,),
    "ease": (Card.ease,),
    "difficulty": (Card.difficulty,),
    "reps": (Card.reps,),
    "lapses": (Card.lapses,),
    "added": (Note.created_at,),
    "flag": (Card.flag,),
    "deck": (Deck.name,),
    "id": (),
}


def _sort_columns(order: str, descending: bool) -> list:
    if order not in SORT_ORDERS:
        raise UserError(f"unknown sort order {order!r}; orders: {', '.join(SORT_ORDERS)}")
    columns = [*SORT_ORDERS[order], Card.id]
    return [column.desc() for column in columns] if descending else columns


# The columns of a `CardRow`, read as plain rows (building ORM objects costs more than rendering). The
# due time and the JSON columns come as the driver gives them (NullType: no SQLAlchemy result
# processing, the costliest step per row); `card_info_of` and `card_json_of` read them either way.
_COLUMNS = (
    Card.id, Card.note_id, Note.key, Deck.name, Card.deck_id, Card.ord, Card.flag, Card.state,
    type_coerce(Card.due, NullType()), Card.interval_days, Card.ease, Card.reps, Card.lapses,
    Card.suspended | Card.orphaned, Note.note_type, type_coerce(Note.fields, NullType()), Note.tags,
    Note.demo, type_coerce(Note.demo_params, NullType()), Note.note_type_id,
)  # fmt: skip


def iter_cards(session: Session, **options: Any) -> Iterator[CardInfo]:
    """The cards in deck-name and new-queue order (or by `order`, a key of SORT_ORDERS), rendered one at
    a time as the rows arrive. An unknown deck or a bad query raises (UserError) before the first card.
    Options: now, calendar, deck, search, limit, order, descending (see `_rows`)."""
    for row, definition in _rows(session, **options):
        yield card_info_of(row, definition)


def iter_card_json(session: Session, **options: Any) -> Iterator[str]:
    """The same cards as `iter_cards`, each as its `to_json()` object already encoded (`cards --json`)."""
    for row, definition in _rows(session, **options):
        yield card_json_of(row, definition)


def _rows(
    session: Session,
    *,
    now: datetime,
    calendar: StudyCalendar,
    deck: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    order: str | None = None,
    descending: bool = False,
) -> Iterator[tuple[CardRow, NoteTypeDef | None]]:
    """Each card's row, with its note's Anki note type (None for a deck-file note)."""
    query = select(*_COLUMNS).join(Note, Card.note_id == Note.id).join(Deck, Card.deck_id == Deck.id)
    if deck is not None:
        find_deck(session, deck)
        query = query.where(subtree_filter(deck))
    if search:
        query = apply_search(query, parse_search(search), now, calendar)
    if order is None:
        query = query.order_by(Deck.name, Card.position, Card.ord, Card.id)
    else:
        query = query.order_by(*_sort_columns(order, descending))
    query = query.limit(limit)
    definitions: dict[int, NoteTypeDef | None] = {}
    # On the connection, not the session: plain rows without the ORM's result machinery.
    for values in session.connection().execute(query.execution_options(yield_per=BATCH_ROWS)):
        row = CardRow._make(values)
        note_type_id = row.note_type_id
        if note_type_id is not None and note_type_id not in definitions:
            found = session.get(NoteType, note_type_id)
            definitions[note_type_id] = None if found is None else definition_of(found)
        yield row, None if note_type_id is None else definitions[note_type_id]
