"""Initial schema: decks, notes, cards, the review log, media.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(400), nullable=False, unique=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(400), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_media_sha256", "media", ["sha256"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("deck_id", sa.Integer(), sa.ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("note_type", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("demo", sa.String(100), nullable=True),
        sa.Column("demo_params", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("source", "key", name="uq_notes_source_key"),
    )
    op.create_index("ix_notes_deck_id", "notes", ["deck_id"])
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("notes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deck_id", sa.Integer(), sa.ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ord", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("queue", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("due", sa.DateTime(), nullable=True),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("ease", sa.Float(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("last_review", sa.DateTime(), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.Column("buried_until", sa.DateTime(), nullable=True),
        sa.Column("flag", sa.Integer(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("note_id", "ord", name="uq_cards_note_ord"),
    )
    op.create_index("ix_cards_deck_queue_due", "cards", ["deck_id", "queue", "due", "position"])
    op.create_index("ix_cards_buried_until", "cards", ["buried_until"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("card_id", sa.Integer(), sa.ForeignKey("cards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("state_before", sa.String(12), nullable=False),
        sa.Column("state_after", sa.String(12), nullable=False),
        sa.Column("interval_before_days", sa.Integer(), nullable=False),
        sa.Column("interval_after_days", sa.Integer(), nullable=False),
        sa.Column("ease_after", sa.Float(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
    )
    op.create_index("ix_reviews_card_time", "reviews", ["card_id", "reviewed_at"])
    op.create_index("ix_reviews_reviewed_at", "reviews", ["reviewed_at"])


def downgrade() -> None:
    for table in ("reviews", "cards", "notes", "media", "decks"):
        op.drop_table(table)
