"""Collection settings: a key/value table, holding the collection's day rollover hour.

Revision ID: 0004_study_days
Revises: 0003_anki_note_types
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_study_days"
down_revision = "0003_anki_note_types"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collection_settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("collection_settings")
