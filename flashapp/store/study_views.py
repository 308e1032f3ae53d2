"""What the study screen and `flashapp next` show: a card's text, its answer buttons' intervals,
and its review history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flashapp.core.predict import predict_seed
from flashapp.core.render import RenderedCard, render_card
from flashapp.core.scheduling import CardState, Rating, SchedulerOptions, StudyCalendar, format_interval
from flashapp.store.card_info import CardInfo, card_info_of, card_row
from flashapp.store.card_state import preview_states

# SQLAlchemy and the models load only where a session is used: `study_card_of` also serves the study
# commands' SQLite path (`store/direct/`), which starts without them.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from flashapp.anki.note_types import NoteTypeDef
    from flashapp.store.models import Card


@dataclass(frozen=True)
class StudyCard:
    info: CardInfo
    note_type: str
    rendered: RenderedCard
    outcomes: dict[Rating, CardState]  # what each button does now
    labels: dict[Rating, str]  # the same as short intervals: "1m", "10m", "4d"
    flag: int = 0  # 0 none, 1-4 red, orange, green, blue (read with the card: the header shows it)

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
    from flashapp.store.anki.definitions import note_definition

    options = SchedulerOptions.from_dict(card.deck.options)
    return study_card_of(
        card,
        card.note,
        card.deck.name,
        options,
        note_definition(card.note),
        now,
        fuzz=fuzz,
        calendar=calendar,
    )


def study_card_of(
    card: Any,
    note: Any,
    deck_name: str,
    options: SchedulerOptions,
    definition: NoteTypeDef | None,
    now: datetime,
    *,
    fuzz: bool,
    calendar: StudyCalendar,
) -> StudyCard:
    """A card ready to study from its row values: `card` and `note` are anything with the `cards` and
    `notes` columns as attributes (ORM objects or plain rows), `definition` the note's Anki note type."""
    outcomes = preview_states(card, options, now, fuzz, calendar)
    tags = note.tags.split()
    rendered = render_card(
        note.note_type,
        note.fields,
        card.ord,
        definition,
        tags=tags,
        deck=deck_name,
        flag=card.flag,
        # A predict card shows the case drawn for this repetition, as the study screen does.
        seed=predict_seed(card.id, card.reps) if note.note_type == "predict" else None,
    )
    info = card_info_of(card_row(card, note, deck_name), definition)
    return StudyCard(
        info=info,
        # Anki notes: how the card behaves ("basic", "cloze", "type-in"), which is what the screen needs.
        note_type=rendered.kind or note.note_type,
        rendered=rendered,
        outcomes=outcomes,
        labels={rating: format_interval(now, state.due) for rating, state in outcomes.items()},
        flag=card.flag,
    )


def review_history(session: Session, card_id: int) -> list[ReviewEntry]:
    from sqlalchemy import select

    from flashapp.store.models import Review

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
