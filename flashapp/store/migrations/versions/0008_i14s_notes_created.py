"""An index on the notes' creation time: the statistics' "cards added" count each study day's notes
by a range of it (and their cards through `uq_cards_note_ord`), instead of reading every note.

Revision ID: 0008_i14s_notes_created
Revises: 0007_i14_stats_index
"""

from alembic import op

revision = "0008_i14s_notes_created"
down_revision = "0007_i14_stats_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notes_created_at", "notes", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_notes_created_at", table_name="notes")
