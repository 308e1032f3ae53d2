"""`CardInfo`: a card as plain values for listing, `cards --json` and the study commands, built from the
row's values alone (no session, no SQLAlchemy)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring  # the C encoder of one string
from typing import TYPE_CHECKING, Any

from flashapp.core.media_refs import media_references
from flashapp.core.render import render_card
from flashapp.core.text import is_plain
from flashapp.core.timefmt import iso_utc

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


def card_info_of(
    card_id: int,
    note_id: int,
    key: str,
    deck_name: str,
    deck_id: int,
    ord_: int,
    flag: int,
    state: str,
    due: datetime | None,
    interval_days: int,
    ease: float,
    reps: int,
    lapses: int,
    suspended: bool,
    note_type: str,
    fields: dict[str, Any],
    tags: str,
    demo: str | None,
    demo_params: dict[str, Any] | None,
    definition: NoteTypeDef | None,
) -> CardInfo:
    """A card's listing entry from its row values: its text rendered plain, its media named."""
    tag_list = tags.split()
    front, back, media = _texts(note_type, fields, ord_, definition, tag_list, deck_name, flag)
    return CardInfo(
        id=card_id,
        note_id=note_id,
        key=key,
        deck=deck_name,
        deck_id=deck_id,
        front=front,
        back=back,
        tags=tuple(tag_list),
        state=state,
        due=due,
        interval_days=interval_days,
        ease=ease,
        reps=reps,
        lapses=lapses,
        suspended=suspended,
        demo={"concept": demo, "params": demo_params or {}} if demo else None,
        media=media,
    )


def _texts(
    note_type: str,
    fields: dict[str, Any],
    ord_: int,
    definition: NoteTypeDef | None,
    tag_list: list[str],
    deck_name: str,
    flag: int,
) -> tuple[str, str, tuple[str, ...]]:
    """(front, back, media file names) of a card."""
    plain = _plain_texts(note_type, fields, ord_) if definition is None else None
    if plain is None:
        plain = render_card(
            note_type, fields, ord_, definition, tags=tag_list, deck=deck_name, flag=flag
        ).plain()
    front, back = plain
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


_encode = json.JSONEncoder(ensure_ascii=False).encode
# Deck names and tag lists repeat over thousands of cards: each is encoded once per process.
_encoded: dict[str, str] = {}


def _encoded_once(text: str, value: Any) -> str:
    found = _encoded.get(text)
    if found is None:
        if len(_encoded) > 10_000:
            _encoded.clear()
        found = _encoded[text] = _encode(value)
    return found


def card_json_of(
    card_id: int,
    note_id: int,
    key: str,
    deck_name: str,
    deck_id: int,
    ord_: int,
    flag: int,
    state: str,
    due: datetime | None,
    interval_days: int,
    ease: float,
    reps: int,
    lapses: int,
    suspended: bool,
    note_type: str,
    fields: dict[str, Any],
    tags: str,
    demo: str | None,
    demo_params: dict[str, Any] | None,
    definition: NoteTypeDef | None,
) -> str:
    """`json.dumps(card_info_of(...).to_json(), ensure_ascii=False)`, written straight from the row
    values (`cards --json` over 100k cards): no CardInfo, no dict, the same text."""
    tag_list = tags.split()
    front, back, media = _texts(note_type, fields, ord_, definition, tag_list, deck_name, flag)
    due_text = "null" if state == "new" or due is None else f'"{iso_utc(due)}"'
    ease = round(ease, 4)
    ease_text = repr(ease) if type(ease) is float else _encode(ease)  # json writes a float as its repr
    demo_text = "null" if not demo else _encode({"concept": demo, "params": demo_params or {}})
    return (
        f'{{"id": {card_id}, "note_id": {note_id}, "key": {encode_basestring(key)}, '
        f'"deck": {_encoded_once("d" + deck_name, deck_name)}, "front": {encode_basestring(front)}, '
        f'"back": {encode_basestring(back)}, "tags": {_encoded_once("t" + tags, tag_list)}, '
        f'"state": {encode_basestring(state)}, "due": {due_text}, "interval_days": {interval_days}, '
        f'"ease": {ease_text}, "reps": {reps}, "lapses": {lapses}, '
        f'"suspended": {"true" if suspended else "false"}, "demo": {demo_text}, '
        f'"media": {_encode(list(media)) if media else "[]"}}}'
    )
