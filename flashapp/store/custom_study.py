"""Custom study (Anki's): which cards a session outside the day's queue takes.

- ahead: review cards due within the next N days (not yet due), soonest first;
- forgotten: cards answered Again within the last N days (1: today);
- search: the cards a search finds (`tag:x`, words, `deck:...`);
- new: N more new cards of the deck, in their queue order, beyond today's limit;
- cram: every card of the deck, answered without rescheduling.
Unlike Anki's filtered decks the cards never leave their decks: a session is a list of card ids, so
it ends (or is abandoned) with every card where it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.errors import UserError
from flashapp.store.decks import find_deck, subtree_filter
from flashapp.store.models import QUEUE_REVIEW, Card, Deck, Review

CUSTOM_MODES = ("ahead", "forgotten", "search", "new", "cram")
MAX_CARDS = 9999


def _in_deck(deck: str):
    return select(Card.id).join(Deck, Card.deck_id == Deck.id).where(subtree_filter(deck))


def custom_study_cards(
    session: Session, deck: str, mode: str, now: datetime, *, days: int = 1, count: int = 20
) -> list[int]:
    """The card ids of a custom session, in the order to study them."""
    if mode not in CUSTOM_MODES or mode == "search":
        raise UserError(f"unknown custom study {mode!r}; choose one of {', '.join(CUSTOM_MODES)}")
    if not 1 <= days <= 3650:
        raise UserError("days must be from 1 to 3650")
    if not 1 <= count <= MAX_CARDS:
        raise UserError(f"the number of cards must be from 1 to {MAX_CARDS}")
    find_deck(session, deck)
    active = (Card.suspended.is_(False), Card.orphaned.is_(False), Card.id.in_(_in_deck(deck)))
    if mode == "ahead":
        query = (
            select(Card.id)
            .where(
                *active, Card.queue == QUEUE_REVIEW, Card.due >= now, Card.due < now + timedelta(days=days)
            )
            .order_by(Card.due, Card.id)
        )
    elif mode == "forgotten":
        since = now - timedelta(days=days)
        forgot = select(Review.card_id).where(Review.rating == 1, Review.reviewed_at >= since)
        query = select(Card.id).where(*active, Card.id.in_(forgot)).order_by(Card.id)
    elif mode == "new":
        query = select(Card.id).where(*active, Card.state == "new").order_by(Card.position, Card.ord)
    else:
        query = select(Card.id).where(*active).order_by(Card.position, Card.ord, Card.id)
    return list(session.scalars(query.limit(count)))
