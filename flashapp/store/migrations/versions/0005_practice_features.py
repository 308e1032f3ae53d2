"""Deck option presets shared between decks (Anki's presets), and Flashcards-mode progress per deck.

Revision ID: 0005_practice_features
Revises: 0003_anki_note_types
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_practice_features"
down_revision = "0004_study_days"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "option_presets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # In place (NULL in every existing row), as 0003 does: no copy of the table.
        op.execute("ALTER TABLE decks ADD COLUMN preset_id INTEGER REFERENCES option_presets (id)")
    else:
        op.add_column("decks", sa.Column("preset_id", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "decks", "option_presets", ["preset_id"], ["id"])
    op.create_table(
        "flashcard_marks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deck_id", sa.Integer(), sa.ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("card_id", sa.Integer(), sa.ForeignKey("cards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=True),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("deck_id", "card_id", name="uq_flashcard_marks_deck_card"),
    )
    op.create_index("ix_flashcard_marks_card_id", "flashcard_marks", ["card_id"])


def downgrade() -> None:
    op.drop_index("ix_flashcard_marks_card_id", "flashcard_marks")
    op.drop_table("flashcard_marks")
    with op.batch_alter_table("decks") as batch:
        batch.drop_column("preset_id")
    op.drop_table("option_presets")
