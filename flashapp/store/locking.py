"""Row locks for every write path on a server database, always taken in one order (decks by id, then
notes by id, then cards by id) so that concurrent processes never lose an update, never undo one
answer twice and never deadlock.

SQLite needs none of this: each write transaction starts with `BEGIN IMMEDIATE`, which holds the
whole file's write lock. On PostgreSQL a transaction sees each statement's newest committed rows, so
a read-modify-write of a card (an answer: read the state, schedule, write it back) must hold the
card's row lock from before the read; `SELECT ... FOR UPDATE` does that.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.store.models import Card, Deck, Note, Review, id_fits


def _server(session: Session) -> bool:
    return session.get_bind().dialect.name != "sqlite"


def lock_rows(
    session: Session, *, decks: Iterable[int] = (), notes: Iterable[int] = (), cards: Iterable[int] = ()
) -> None:
    """Lock these rows FOR UPDATE in the fixed order: decks, notes, cards, each by ascending id."""
    if not _server(session):
        return
    for model, ids in ((Deck, decks), (Note, notes), (Card, cards)):
        wanted = sorted(set(ids))
        if wanted:
            session.execute(select(model.id).where(model.id.in_(wanted)).order_by(model.id).with_for_update())


def lock_card(session: Session, card_id: int) -> None:
    """Before changing a card (answer, bury, suspend, flag, forget): its deck, its note, and every
    card of that note (an answer buries siblings)."""
    if not _server(session) or not id_fits(session.get_bind().dialect.name, card_id):
        return  # no locks on SQLite; an id the column cannot hold names no card (the lookup says so)
    row = session.execute(select(Card.deck_id, Card.note_id).where(Card.id == card_id)).first()
    if row is not None:
        siblings = session.scalars(select(Card.id).where(Card.note_id == row.note_id))
        lock_rows(session, decks=[row.deck_id], notes=[row.note_id], cards=siblings)


def lock_note(session: Session, note_id: int) -> None:
    """Before editing a note: its deck, the note, its cards."""
    if not _server(session):
        return
    deck_id = session.scalar(select(Note.deck_id).where(Note.id == note_id))
    if deck_id is not None:
        cards = session.scalars(select(Card.id).where(Card.note_id == note_id))
        lock_rows(session, decks=[deck_id], notes=[note_id], cards=cards)


def lock_all_decks(session: Session) -> None:
    """Before an undo or an import: every deck row, so no answer anywhere runs meanwhile; then (undo)
    the card the newest answer belongs to. Taking decks first keeps the one order."""
    if not _server(session):
        return
    session.execute(select(Deck.id).order_by(Deck.id).with_for_update())


def lock_cards(session: Session, card_ids: Iterable[int]) -> None:
    """Before a bulk action on many cards (or its undo), which can also create or change decks: every
    deck, then the cards' notes, then the cards, each by ascending id."""
    if not _server(session):
        return
    lock_all_decks(session)
    wanted = sorted(set(card_ids))
    if wanted:
        notes = session.scalars(select(Card.note_id).where(Card.id.in_(wanted)).distinct())
        lock_rows(session, notes=notes, cards=wanted)


def lock_for_undo(session: Session) -> None:
    """Undo takes back the newest answer, whichever card it was: with every deck locked no answer can
    slip in between finding that answer and undoing it, so one answer is never undone twice."""
    if not _server(session):
        return
    lock_all_decks(session)
    card_id = session.scalar(select(Review.card_id).order_by(Review.id.desc()).limit(1))
    if card_id is not None:
        lock_card(session, card_id)
