"""What the study screen and `flashapp next` show: a card's text, its answer buttons' intervals,
and its review history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.core.predict import predict_seed
from flashapp.core.render import RenderedCard, render_card
from flashapp.core.scheduling import CardState, Rating, StudyCalendar, format_interval
from flashapp.store.anki.definitions import note_definition
from flashapp.store.answering import preview
from flashapp.store.card_views import CardInfo, card_info
from flashapp.store.models import Card, Review


@dataclass(frozen=True)
class StudyCard:
    info: CardInfo
    note_type: str
    rendered: RenderedCard
    outcomes: dict[Rating, CardState]  # what each button does now
    labels: dict[Rating, str]  # the same as short intervals: "1m", "10m", "4d"

    @property
    def id(self) -> int:
        return self.info.id

    def to_json(self) -> dict[str, Any]:
        question, answer = self.rendered.plain()
        return {
            **self.info.to_json(),
            "question": question,
            "answer": answer,
            "note_type": self.note_type,
            "expected": self.rendered.expected,
            "intervals": {rating.name.lower(): label for rating, label in self.labels.items()},
        }


@dataclass(frozen=True)
class ReviewEntry:
    reviewed_at: datetime
    rating: Rating
    state_before: str
    state_after: str
    interval_after_days: int
    ease_after: float
    duration_ms: int


def study_card(card: Card, now: datetime, *, fuzz: bool, calendar: StudyCalendar) -> StudyCard:
    """`card` must come with its note and deck loaded (`get_card(..., with_note=True)`)."""
    note = card.note
    outcomes = preview(card, now, fuzz, calendar)
    rendered = render_card(
        note.note_type,
        note.fields,
        card.ord,
        note_definition(note),
        tags=note.tag_list,
        deck=card.deck.name,
        flag=card.flag,
        # A predict card shows the case drawn for this repetition, as the study screen does.
        seed=predict_seed(card.id, card.reps) if note.note_type == "predict" else None,
    )
    return StudyCard(
        info=card_info(card, note, card.deck.name),
        # Anki notes: how the card behaves ("basic", "cloze", "type-in"), which is what the screen needs.
        note_type=rendered.kind or note.note_type,
        rendered=rendered,
        outcomes=outcomes,
        labels={rating: format_interval(now, state.due) for rating, state in outcomes.items()},
    )


def review_history(session: Session, card_id: int) -> list[ReviewEntry]:
    rows = session.scalars(
        # Rating 0: a manual entry imported from Anki (Forget, set due date), not an answer.
        select(Review)
        .where(Review.card_id == card_id, Review.rating > 0)
        .order_by(Review.reviewed_at, Review.id)
    )
    return [
        ReviewEntry(
            r.reviewed_at,
            Rating(r.rating),
            r.state_before,
            r.state_after,
            r.interval_after_days,
            r.ease_after,
            r.duration_ms,
        )
        for r in rows
    ]
