"""No arbitrary length limits on a server: names, keys and sources become unlimited TEXT on
PostgreSQL (a deck name over 400 characters failed there). SQLite never enforces VARCHAR lengths, so
its tables stay as they are (no table rebuild).

Revision ID: 0006_hardening
Revises: 0003_anki_note_types
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_hardening"
down_revision = "0005_practice_features"
branch_labels = None
depends_on = None

# (table, column, length it had)
COLUMNS = (
    ("decks", "name", 400),
    ("notes", "source", 400),
    ("notes", "key", 200),
    ("notes", "note_type", 100),
    ("notes", "demo", 100),
    ("note_types", "source", 400),
    ("note_types", "key", 2000),
    ("note_types", "name", 400),
    ("media", "name", 400),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length in COLUMNS:
        op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length in COLUMNS:
        op.alter_column(table, column, type_=sa.String(length), existing_type=sa.Text())
