"""An index that serves the statistics: the review log by state, rating and time, carrying the columns
the statistics read (interval before, answer time, card), so `flashapp stats` counts each study day's
and each hour's answers by index range scans, without reading or sorting a million table rows.

Revision ID: 0007_i14_stats_index
Revises: 0006_hardening
"""

from alembic import op

revision = "0007_i14_stats_index"
down_revision = "0006_hardening"
branch_labels = None
depends_on = None

COLUMNS = ["state_before", "rating", "reviewed_at", "interval_before_days", "duration_ms", "card_id"]


def upgrade() -> None:
    op.create_index("ix_reviews_stats", "reviews", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_reviews_stats", table_name="reviews")
