"""Cards as plain structures for listing and `cards --json`, filtered by deck and search query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from flashapp.core.media_refs import media_references
from flashapp.core.render import render_card
from flashapp.core.scheduling.day import next_day_start_utc
from flashapp.core.search import SearchQuery, parse_search
from flashapp.core.timefmt import iso_utc
from flashapp.store.anki.definitions import note_definition
from flashapp.store.decks import find_deck, subtree_filter
from flashapp.store.models import QUEUE_BURIED, QUEUE_LEARNING, QUEUE_REVIEW, Card, Deck, Note


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


def card_info(card: Card, note: Note, deck_name: str) -> CardInfo:
    front, back = render_card(
        note.note_type,
        note.fields,
        card.ord,
        note_definition(note),
        tags=note.tag_list,
        deck=deck_name,
        flag=card.flag,
    ).plain()
    text = " ".join(str(value) for value in note.fields.values())
    demo = {"concept": note.demo, "params": note.demo_params or {}} if note.demo else None
    return CardInfo(
        id=card.id,
        note_id=note.id,
        key=note.key,
        deck=deck_name,
        deck_id=card.deck_id,
        front=front,
        back=back,
        tags=tuple(note.tag_list),
        state=card.state,
        due=card.due,
        interval_days=card.interval_days,
        ease=card.ease,
        reps=card.reps,
        lapses=card.lapses,
        suspended=card.suspended or card.orphaned,
        demo=demo,
        media=tuple(media_references(text)),
    )


def apply_search(query: Select, search: SearchQuery, now: datetime, tz: tzinfo) -> Select:
    for word in search.words:
        query = query.where(Note.search_text.contains(word, autoescape=True))
    for word in search.excluded:
        query = query.where(~Note.search_text.contains(word, autoescape=True))
    if search.decks:
        query = query.where(or_(*(subtree_filter(name) for name in search.decks)))
    for tag in search.tags:
        query = query.where(Note.tags.contains(f" {tag} ", autoescape=True))
    day_end = next_day_start_utc(now, tz)
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


def list_cards(
    session: Session,
    *,
    now: datetime,
    tz: tzinfo,
    deck: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[CardInfo]:
    query = (
        select(Card, Note, Deck.name).join(Note, Card.note_id == Note.id).join(Deck, Card.deck_id == Deck.id)
    )
    if deck is not None:
        find_deck(session, deck)
        query = query.where(subtree_filter(deck))
    if search:
        query = apply_search(query, parse_search(search), now, tz)
    query = query.order_by(Deck.name, Card.position, Card.ord, Card.id).limit(limit)
    return [card_info(card, note, name) for card, note, name in session.execute(query)]
