"""Practice material from a deck's cards, and practice results (tests, Learn, Match) in the collection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.core.practice.questions import MAX_WRITTEN_WORDS, PracticeItem
from flashapp.core.practice.scoring import AnswerCheck
from flashapp.core.render import render_card
from flashapp.core.text import to_plain
from flashapp.store.decks import find_deck, subtree_filter
from flashapp.store.models import Card, Deck, Note, PracticeAnswer, PracticeSession


def _short(text: str) -> bool:
    return 0 < len(text.split()) <= MAX_WRITTEN_WORDS


def practice_items(session: Session, deck: str) -> list[PracticeItem]:
    """One item per card of the deck and its subdecks, leaving out suspended cards and the reverse
    side of reversed notes (the same pair again)."""
    find_deck(session, deck)
    rows = session.execute(
        select(Card, Note)
        .join(Note, Card.note_id == Note.id)
        .join(Deck, Card.deck_id == Deck.id)
        .where(subtree_filter(deck), Card.suspended.is_(False), Card.orphaned.is_(False))
        .order_by(Card.position, Card.ord)
    ).all()
    items = []
    for card, note in rows:
        if note.note_type == "reversed" and card.ord != 0:
            continue
        rendered = render_card(note.note_type, note.fields, card.ord)
        question, answer = to_plain(rendered.question), to_plain(rendered.answer)
        typed, typed_prompt = None, None
        if note.note_type in ("type-in", "cloze") and rendered.expected:
            typed = to_plain(rendered.expected)
        elif note.note_type == "reversed" and _short(question):
            typed, typed_prompt = question, answer  # give the definition, type the term
        elif _short(answer):
            typed = answer
        items.append(PracticeItem(card.id, note.note_type, question, answer, typed, typed_prompt))
    return items


def record_session(
    session: Session,
    *,
    kind: str,
    deck: str,
    started_at: datetime,
    finished_at: datetime,
    checks: Sequence[AnswerCheck],
    settings: dict,
) -> int:
    """Store one finished practice session with a row per question; returns its id."""
    row = PracticeSession(
        kind=kind,
        deck_id=find_deck(session, deck).id,
        started_at=started_at,
        finished_at=finished_at,
        score=sum(check.correct for check in checks),
        total=len(checks),
        duration_ms=int((finished_at - started_at).total_seconds() * 1000),
        settings=settings,
    )
    row.answers = [
        PracticeAnswer(
            card_id=check.question.card_ids[0] if len(check.question.card_ids) == 1 else None,
            question_kind=check.question.kind,
            prompt=check.question.prompt,
            given=check.given,
            expected=check.expected,
            correct=check.correct,
        )
        for check in checks
    ]
    session.add(row)
    session.flush()
    return row.id
