"""`CardInfo`: a card as plain values for listing, `cards --json` and the study commands, built from the
row's values alone (no session, no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flashapp.core.media_refs import media_references
from flashapp.core.render import render_card
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
    front, back = render_card(
        note_type, fields, ord_, definition, tags=tag_list, deck=deck_name, flag=flag
    ).plain()
    text = " ".join(str(value) for value in fields.values())
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
        # Most cards have no image: skip the two regular expressions unless a reference may be there.
        media=tuple(media_references(text)) if ("![" in text or "<img" in text.lower()) else (),
    )
