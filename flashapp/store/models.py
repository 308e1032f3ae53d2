"""The collection's tables as SQLAlchemy 2.0 typed models.

Times are stored as naive UTC and come back tz-aware (`UTCDateTime`), so the rest of the app only
ever sees aware UTC datetimes. Scheduling columns carry the names of `core.scheduling.CardState`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

# Re-exported: the queue codes live in a module of their own, free of SQLAlchemy.
from flashapp.store.queue_codes import (  # noqa: F401
    QUEUE_BURIED,
    QUEUE_LEARNING,
    QUEUE_NEW,
    QUEUE_REVIEW,
    QUEUE_SUSPENDED,
    queue_for,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; naive values are refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times must be timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def unbounded(sqlite_length: int) -> TypeEngine[str]:
    """Text of any length: unlimited TEXT on a server (a 500-character deck name must not fail there);
    SQLite keeps the VARCHAR its first schema declared, a length it never enforces."""
    return String(sqlite_length).with_variant(Text(), "postgresql")


# Ids are `integer` columns: 64-bit on SQLite, 32-bit (int4) on PostgreSQL, where an id above this names
# no row (and the server refuses to compare a column with it: "integer out of range").
SERVER_ID_MAX = 2**31 - 1


def id_fits(dialect: str, row_id: int) -> bool:
    """Whether a row id can name a row in a database of this dialect (`session.get_bind().dialect.name`)."""
    return dialect == "sqlite" or row_id <= SERVER_ID_MAX


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Deck(Base):
    __tablename__ = "decks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Full hierarchical name, "Parent::Child"; parents exist as rows of their own.
    name: Mapped[str] = mapped_column(unbounded(400), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # SchedulerOptions.to_dict(): algorithm, limits, steps, desired retention.
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    # The shared preset these options follow (None: the deck's own); saving a preset rewrites `options`
    # of every deck that uses it, so the scheduler reads `options` alone.
    preset_id: Mapped[int | None] = mapped_column(ForeignKey("option_presets.id"))


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_notes_source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Where the note came from ("deckfile:<deck name>", "anki") and its stable id there.
    source: Mapped[str] = mapped_column(unbounded(400))
    key: Mapped[str] = mapped_column(unbounded(200))
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), index=True)
    note_type: Mapped[str] = mapped_column(unbounded(100))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Space-padded (" a b ") so `tag:x` is an exact-word LIKE on any database.
    tags: Mapped[str] = mapped_column(Text, default="")
    # Plain lowercased text of every field, for free-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    demo: Mapped[str | None] = mapped_column(unbounded(100))
    demo_params: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(index=True)  # the statistics' cards added, by day
    modified_at: Mapped[datetime]
    # Notes imported from Anki render from their note type's templates (None for deck-file notes).
    note_type_id: Mapped[int | None] = mapped_column(ForeignKey("note_types.id"))

    cards: Mapped[list[Card]] = relationship(back_populates="note", cascade="all, delete-orphan")
    # Many-to-one: loading it for many notes of one type hits the session's identity map, not SQL.
    definition: Mapped[NoteType | None] = relationship()

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("note_id", "ord", name="uq_cards_note_ord"),
        Index("ix_cards_deck_queue_due", "deck_id", "queue", "due", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"))
    # Template ordinal: 0 front->back, 1 back->front; cloze number for cloze notes.
    ord: Mapped[int] = mapped_column(Integer, default=0)
    # New cards are shown in position order (file order for deck files).
    position: Mapped[int] = mapped_column(Integer, default=0)
    queue: Mapped[int] = mapped_column(Integer, default=QUEUE_NEW)

    state: Mapped[str] = mapped_column(String(12), default="new")
    due: Mapped[datetime | None] = mapped_column()
    interval_days: Mapped[int] = mapped_column(Integer, default=0)
    ease: Mapped[float] = mapped_column(Float, default=2.5)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    last_review: Mapped[datetime | None] = mapped_column()

    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its note (or cloze number) is gone from the source deck file: kept, with its history, out of study.
    orphaned: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None] = mapped_column(index=True)
    flag: Mapped[int] = mapped_column(Integer, default=0)
    modified_at: Mapped[datetime]

    note: Mapped[Note] = relationship(back_populates="cards")
    deck: Mapped[Deck] = relationship()


# The statistics' index on reviews: each (state, rating)'s answers in a time range, by index alone.
STATS_INDEX_COLUMNS = (
    "state_before",
    "rating",
    "reviewed_at",
    "interval_before_days",
    "duration_ms",
    "card_id",
)


class Review(Base):
    """Append-only review log; `previous` holds the card's columns before the answer, for undo."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_card_time", "card_id", "reviewed_at"),
        Index("ix_reviews_stats", *STATS_INDEX_COLUMNS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    reviewed_at: Mapped[datetime] = mapped_column(index=True)
    rating: Mapped[int] = mapped_column(Integer)
    state_before: Mapped[str] = mapped_column(String(12))
    state_after: Mapped[str] = mapped_column(String(12))
    interval_before_days: Mapped[int] = mapped_column(Integer)
    interval_after_days: Mapped[int] = mapped_column(Integer)
    ease_after: Mapped[float] = mapped_column(Float)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    previous: Mapped[dict[str, Any]] = mapped_column(default=dict)


class NoteType(Base):
    """An imported Anki note type: its fields, card templates and styling (see `flashapp.anki`)."""

    __tablename__ = "note_types"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_note_types_source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(unbounded(400))  # "anki"
    # Anki's id for the type plus its kind and field names: a re-import with the same fields updates
    # the templates in place; a changed field list is a new type (old notes keep rendering).
    key: Mapped[str] = mapped_column(unbounded(2000))
    name: Mapped[str] = mapped_column(unbounded(400))
    kind: Mapped[str] = mapped_column(String(20))  # "standard" | "cloze"
    fields: Mapped[list[Any]] = mapped_column(default=list)  # field names, in order
    templates: Mapped[list[Any]] = mapped_column(default=list)  # [{"name", "front", "back"}]
    css: Mapped[str] = mapped_column(Text, default="")
    # anki_id, sort_field, latex_pre, latex_post, original_stock_kind: what an export back needs.
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]


class Media(Base):
    """A file referenced by cards, stored once by content hash in the collection's media folder."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unbounded(400), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class PracticeSession(Base):
    """One practice test, Learn round or Match game."""

    __tablename__ = "practice_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # test | learn | match
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column()
    score: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)

    answers: Mapped[list[PracticeAnswer]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class PracticeAnswer(Base):
    """One question of a practice session: what was asked, answered and expected."""

    __tablename__ = "practice_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"), index=True)
    question_kind: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    given: Mapped[str] = mapped_column(Text, default="")
    expected: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)

    session: Mapped[PracticeSession] = relationship(back_populates="answers")


class OptionPreset(Base):
    """Named scheduler options that several decks share (Anki's deck-option presets)."""

    __tablename__ = "option_presets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class FlashcardMark(Base):
    """Flashcards mode, per deck and card: sorted into "know" (True) or "still learning" (False), starred."""

    __tablename__ = "flashcard_marks"
    __table_args__ = (UniqueConstraint("deck_id", "card_id", name="uq_flashcard_marks_deck_card"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    known: Mapped[bool | None]
    starred: Mapped[bool] = mapped_column(default=False)
    modified_at: Mapped[datetime]


class CollectionSetting(Base):
    """One collection-wide setting (`rollover_hour`: the local hour a study day starts, 0-23)."""

    __tablename__ = "collection_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
