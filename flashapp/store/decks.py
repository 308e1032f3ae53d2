"""Deck rows: creation with parents, lookup by name, and the subtree of a deck."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from flashapp.errors import UserError
from flashapp.store.decks_sql import SEPARATOR, parent_names  # noqa: F401 - shared with the sqlite3 side
from flashapp.store.models import Deck


def ensure_deck(session: Session, name: str, now: datetime, description: str | None = None) -> Deck:
    """The deck called `name`, created (with any missing parents) if needed (on a plain sqlite3
    connection: `decks_sql.ensure_deck_id`, the same rule)."""
    for parent in parent_names(name):
        if session.scalar(select(Deck.id).where(Deck.name == parent)) is None:
            session.add(Deck(name=parent, description="", options={}, created_at=now))
    deck = session.scalar(select(Deck).where(Deck.name == name))
    if deck is None:
        deck = Deck(name=name, description=description or "", options={}, created_at=now)
        session.add(deck)
        session.flush()
    elif description is not None and deck.description != description:
        deck.description = description
    return deck


def find_deck(session: Session, name: str) -> Deck:
    deck = session.scalar(select(Deck).where(Deck.name == name))
    if deck is None:
        known = session.scalars(select(Deck.name).order_by(Deck.name)).all()
        hint = f"; decks: {', '.join(known)}" if known else "; the collection has no decks"
        raise UserError(f"unknown deck {name!r}{hint}")
    return deck


def subtree_filter(name: str) -> ColumnElement[bool]:
    """Decks named `name` or below it (dialect-neutral: a range on the name, no LIKE escaping)."""
    prefix = name + SEPARATOR
    # Every child name starts with "name::"; the range [prefix, prefix + U+10FFFF) holds exactly those.
    return or_(Deck.name == name, (Deck.name >= prefix) & (Deck.name < prefix + "\U0010ffff"))


def subtree_ids(session: Session, name: str) -> list[int]:
    find_deck(session, name)
    return list(session.scalars(select(Deck.id).where(subtree_filter(name))))
