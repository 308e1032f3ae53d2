"""`CardInfo`: a card as plain values for listing, `cards --json` and the study commands, built from the
row's values alone (no session, no SQLAlchemy)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring  # the C encoder of one string
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from flashapp.core.media_refs import media_references
from flashapp.core.render import render_card
from flashapp.core.text import is_plain
from flashapp.core.timefmt import iso_utc
from flashapp.store.sql_text import read_json, read_time

if TYPE_CHECKING:
    from flashapp.anki.note_types import NoteTypeDef


@dataclass(frozen=True)
class CardInfo:
    id: int
    note_id: int
    key: str
    deck: str
    deck_id: int
    front: str
    back: str
    tags: tuple[str, ...]
    state: str
    due: datetime | None
    interval_days: int
    ease: float
    reps: int
    lapses: int
    suspended: bool
    demo: dict[str, Any] | None
    media: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "note_id": self.note_id,
            "key": self.key,
            "deck": self.deck,
            "front": self.front,
            "back": self.back,
            "tags": list(self.tags),
            "state": self.state,
            # A new card is not scheduled yet: its stored due only orders the new queue.
            "due": iso_utc(self.due) if self.state != "new" else None,
            "interval_days": self.interval_days,
            "ease": round(self.ease, 4),
            "reps": self.reps,
            "lapses": self.lapses,
            "suspended": self.suspended,
            "demo": self.demo,
            "media": list(self.media),
        }


class CardRow(NamedTuple):
    """A card's listing values as the listing queries read them (`store.card_views._COLUMNS`,
    `store.direct.cards._LISTING`, in this order), or as ORM objects hold them: `due` is stored text, a
    naive UTC datetime (PostgreSQL) or an aware one; `fields` and `demo_params` are JSON text or the
    decoded value."""

    id: int
    note_id: int
    key: str
    deck: str
    deck_id: int
    ord: int
    flag: int
    state: str
    due: str | datetime | None
    interval_days: int
    ease: float
    reps: int
    lapses: int
    suspended: bool | int  # suspended or orphaned: SQLite gives 0 or 1
    note_type: str
    fields: str | dict[str, Any]
    tags: str
    demo: str | None
    demo_params: Any
    note_type_id: int | None


def card_row(card: Any, note: Any, deck_name: str) -> CardRow:
    """The row of `card` in `deck_name` with its `note` (ORM objects, or rows with their columns as
    attributes)."""
    return CardRow(
        card.id, note.id, note.key, deck_name, card.deck_id, card.ord, card.flag, card.state, card.due,
        card.interval_days, card.ease, card.reps, card.lapses, bool(card.suspended or card.orphaned),
        note.note_type, note.fields, note.tags, note.demo, note.demo_params, note.note_type_id,
    )  # fmt: skip


def card_info_of(row: CardRow, definition: NoteTypeDef | None) -> CardInfo:
    """A card's listing entry from its row (`definition`: its note's Anki note type, if any): its text
    rendered plain, its media named."""
    front, back, media = _texts(row, definition)
    return CardInfo(
        id=row.id,
        note_id=row.note_id,
        key=row.key,
        deck=row.deck,
        deck_id=row.deck_id,
        front=front,
        back=back,
        tags=tuple(row.tags.split()),
        state=row.state,
        due=read_time(row.due),
        interval_days=row.interval_days,
        ease=row.ease,
        reps=row.reps,
        lapses=row.lapses,
        suspended=bool(row.suspended),
        demo=_demo(row),
        media=media,
    )


def _demo(row: CardRow) -> dict[str, Any] | None:
    if not row.demo:
        return None
    params = row.demo_params
    if isinstance(params, str):  # "null" (no parameters) is not worth a parse
        params = None if params == "null" else read_json(params)
    return {"concept": row.demo, "params": params or {}}


def _texts(row: CardRow, definition: NoteTypeDef | None) -> tuple[str, str, tuple[str, ...]]:
    """(front, back, media file names) of a card."""
    stored = row.fields
    fields = _decode(stored) if type(stored) is str else stored
    plain = _plain_texts(row.note_type, fields, row.ord) if definition is None else None
    if plain is None:
        plain = render_card(
            row.note_type, fields, row.ord, definition, tags=row.tags.split(), deck=row.deck, flag=row.flag
        ).plain()
    front, back = plain
    if type(stored) is str and not ("!" in stored or "<" in stored or "\\u" in stored):
        # No '!' and no '<' in the JSON text, nor an escape that could make one: no media reference.
        return front, back, ()
    text = " ".join(map(str, fields.values()))
    # Most cards have no image: skip the two regular expressions unless a reference may be there.
    media = tuple(media_references(text)) if ("![" in text or "<" in text and "<img" in text.lower()) else ()
    return front, back, media


# The deck-file kinds whose question and answer are fields as they are (`render_card`'s last branch).
_FIELD_KINDS = frozenset(("basic", "reversed", "type-in"))


def _plain_texts(note_type: str, fields: dict[str, Any], ord_: int) -> tuple[str, str] | None:
    """`render_card(...).plain()` of a basic, reversed or type-in card whose text holds no markup and no
    control character (`core.text.is_plain`): the fields themselves, stripped. None for any other card,
    which is rendered in full."""
    if note_type not in _FIELD_KINDS:
        return None
    front, back, extra = fields.get("front", ""), fields.get("back", ""), fields.get("extra", "")
    if type(front) is not str or type(back) is not str or type(extra) is not str:
        return None
    if note_type == "reversed" and ord_ == 1:
        front, back = back, front
    answer = f"{back}\n\n{extra}" if extra else back
    if not (is_plain(front) and is_plain(answer)):
        return None
    return front.strip(), answer.strip()


K = TypeVar("K")
_encode = json.JSONEncoder(ensure_ascii=False).encode
_decoder = json.JSONDecoder()
_scan = _decoder.scan_once  # the C scanner `JSONDecoder.decode` runs


def _decode(text: str) -> Any:
    """`json.loads(text)`: a stored JSON column, which starts at its first character and ends at its
    last, is scanned at once, without `decode`'s two passes over the surrounding blanks."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:  # leading blanks, or no JSON at all: `decode` says which
        return _decoder.decode(text)
    return value if end == len(text) else _decoder.decode(text)


class _EncodedOnce(dict[K, str]):
    """Value -> its JSON text, each made once per process (deck names, tag lists, states and eases
    repeat over thousands of cards); `encode` makes one, and the map is cleared past 10,000."""

    def __init__(self, encode: Callable[[K], str]):
        super().__init__()
        self.encode = encode

    def __missing__(self, value: K) -> str:
        if len(self) > 10_000:
            self.clear()
        found = self[value] = self.encode(value)
        return found


def _ease_text(ease: float) -> str:
    ease = round(ease, 4)
    return repr(ease) if type(ease) is float else _encode(ease)  # json writes a float as its repr


_deck_json = _EncodedOnce(encode_basestring)
_state_json = _EncodedOnce(encode_basestring)
_tags_json = _EncodedOnce(lambda tags: _encode(tags.split()))
# By float only, and not zero: 0.0 and -0.0 are one key with two texts.
_ease_json = _EncodedOnce(_ease_text)


def _due_json(due: str | datetime) -> str:
    """A stored due time as the JSON text of `iso_utc(read_time(due))`."""
    if type(due) is str:
        parsed = datetime.fromisoformat(due)  # parsed (and checked) even where its text is used
        if parsed.tzinfo is None:  # naive UTC, as SQLite holds it: `isoformat()` with a Z
            if len(due) == 26 and due[4:20:3] == "-- ::.":
                # 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's and `db_time`'s form): its digits are
                # the fields `isoformat()` writes, and cheaper to take than to format again.
                return f'"{due[:10]}T{due[11:19]}{due[19:] if parsed.microsecond else ""}Z"'
            return f'"{parsed.isoformat()}Z"'
        due = parsed
    return f'"{iso_utc(read_time(due))}"'


def card_json_of(row: CardRow, definition: NoteTypeDef | None) -> str:
    """`json.dumps(card_info_of(row, definition).to_json(), ensure_ascii=False)`, written straight from
    the row (`cards --json` over 100k cards): no CardInfo, no dict, the same text."""
    (
        card_id, note_id, key, deck, _, _, _, state, due, interval_days, ease, reps, lapses, suspended,
        _, _, tags, demo, _, _,
    ) = row  # fmt: skip
    front, back, media = _texts(row, definition)
    return (
        f'{{"id": {card_id}, "note_id": {note_id}, "key": {encode_basestring(key)}, '
        f'"deck": {_deck_json[deck]}, "front": {encode_basestring(front)}, '
        f'"back": {encode_basestring(back)}, "tags": {_tags_json[tags]}, "state": {_state_json[state]}, '
        # A new card is not scheduled yet: its stored due only orders the new queue.
        f'"due": {"null" if state == "new" or due is None else _due_json(due)}, '
        f'"interval_days": {interval_days}, '
        f'"ease": {_ease_json[ease] if type(ease) is float and ease else _ease_text(ease)}, '
        f'"reps": {reps}, "lapses": {lapses}, "suspended": {"true" if suspended else "false"}, '
        f'"demo": {_encode(_demo(row)) if demo else "null"}, '
        f'"media": {_encode(list(media)) if media else "[]"}}}'
    )
