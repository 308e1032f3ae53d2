"""Flashcards-mode progress per deck: each card's sort ("know" / "still learning") and star."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flashapp.store.decks import find_deck
from flashapp.store.models import FlashcardMark


def flashcard_marks(session: Session, deck: str) -> tuple[dict[int, bool], set[int]]:
    """(known per card, starred cards) kept for `deck`."""
    deck_id = find_deck(session, deck).id
    known: dict[int, bool] = {}
    starred: set[int] = set()
    for mark in session.scalars(select(FlashcardMark).where(FlashcardMark.deck_id == deck_id)):
        if mark.known is not None:
            known[mark.card_id] = mark.known
        if mark.starred:
            starred.add(mark.card_id)
    return known, starred


def save_flashcard_mark(
    session: Session,
    deck: str,
    card_id: int,
    now: datetime,
    *,
    known: bool | None = None,
    starred: bool | None = None,
) -> None:
    """Set a card's sort and/or star in `deck` (None leaves that part as it is)."""
    deck_id = find_deck(session, deck).id
    mark = session.scalar(
        select(FlashcardMark).where(FlashcardMark.deck_id == deck_id, FlashcardMark.card_id == card_id)
    )
    if mark is None:
        mark = FlashcardMark(deck_id=deck_id, card_id=card_id, known=None, starred=False, modified_at=now)
        session.add(mark)
    if known is not None:
        mark.known = known
    if starred is not None:
        mark.starred = starred
    mark.modified_at = now


def reset_flashcard_sorts(session: Session, deck: str) -> None:
    """Forget every card's sort in `deck` (stars stay)."""
    deck_id = find_deck(session, deck).id
    session.execute(
        delete(FlashcardMark).where(FlashcardMark.deck_id == deck_id, FlashcardMark.starred.is_(False))
    )
    for mark in session.scalars(select(FlashcardMark).where(FlashcardMark.deck_id == deck_id)):
        mark.known = None
