"""Anki note types: a table of imported note type definitions, and each note's link to its type.

Revision ID: 0003_anki_note_types
Revises: 0002_practice
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_anki_note_types"
down_revision = "0002_practice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_types",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("key", sa.String(2000), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("templates", sa.JSON(), nullable=False),
        sa.Column("css", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("source", "key", name="uq_note_types_source_key"),
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a REFERENCES clause in place (it is NULL in every existing row);
        # Alembic would copy the whole table to add the constraint.
        op.execute("ALTER TABLE notes ADD COLUMN note_type_id INTEGER REFERENCES note_types (id)")
    else:
        op.add_column("notes", sa.Column("note_type_id", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "notes", "note_types", ["note_type_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("note_type_id")
    op.drop_table("note_types")
