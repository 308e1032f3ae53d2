"""`flashapp check`: verify the collection's file, schema and invariants; report what is wrong."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from flashapp.store import schema
from flashapp.store.models import Card, Deck, Note, Review, queue_for

STATES = ("new", "learning", "review", "relearning")


def check_collection(session: Session, engine: Engine) -> list[str]:
    """One line per problem found; an empty list means the collection is sound."""
    problems: list[str] = []
    if engine.dialect.name == "sqlite":
        result = session.execute(text("PRAGMA integrity_check")).scalars().all()
        if result != ["ok"]:
            problems += [f"sqlite integrity: {line}" for line in result]
        problems += [
            f"foreign key: {row[0]} row {row[1]} points to a missing {row[2]}"
            for row in session.execute(text("PRAGMA foreign_key_check"))
        ]
    revision = schema.current_revision(engine)
    if revision != schema.HEAD_REVISION:
        problems.append(f"schema at revision {revision}, expected {schema.HEAD_REVISION}")

    bad_state = session.scalar(select(func.count()).where(Card.state.not_in(STATES)))
    if bad_state:
        problems.append(f"{bad_state} card(s) have an unknown state")
    for card in session.scalars(select(Card).where(Card.state != "new", Card.due.is_(None))):
        problems.append(f"card {card.id}: {card.state} card has no due date")
    for card in session.scalars(select(Card).where(Card.ease < 1.3)):
        problems.append(f"card {card.id}: ease {card.ease} below the minimum 1.3")
    for card in session.scalars(select(Card).where(Card.interval_days < 0)):
        problems.append(f"card {card.id}: negative interval {card.interval_days}")
    rows = session.execute(
        select(Card.id, Card.queue, Card.state, Card.suspended, Card.orphaned, Card.buried_until)
    )
    for card_id, queue, state, suspended, orphaned, buried_until in rows:
        expected = queue_for(state, suspended=suspended, orphaned=orphaned, buried=buried_until is not None)
        if queue != expected:
            problems.append(f"card {card_id}: queue {queue} does not match its state (expected {expected})")
    notes_without_cards = session.scalar(
        select(func.count()).select_from(Note).where(~select(Card.id).where(Card.note_id == Note.id).exists())
    )
    if notes_without_cards:
        problems.append(f"{notes_without_cards} note(s) have no cards")
    orphan_reviews = session.scalar(
        select(func.count())
        .select_from(Review)
        .where(~select(Card.id).where(Card.id == Review.card_id).exists())
    )
    if orphan_reviews:
        problems.append(f"{orphan_reviews} review(s) belong to no card")
    deck_names = set(session.scalars(select(Deck.name)))
    for name in sorted(deck_names):
        parent = name.rsplit("::", 1)[0] if "::" in name else None
        if parent and parent not in deck_names:
            problems.append(f"deck {name!r} has no parent deck {parent!r}")
    return problems
