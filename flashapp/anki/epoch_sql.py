"""Epoch seconds in imported Anki rows: the clamp every stored time goes through and the SQL that turns
them into SQLAlchemy's DateTime text. Kept apart from `scheduling_map` so that the import's staging
worker (`store/anki/stage_worker.py`) needs neither the scheduler nor the `fsrs` package."""

from __future__ import annotations

# Due dates are clamped to [1970, 2200): far enough for any real schedule, safe for datetime maths.
MAX_EPOCH = 7_258_118_400


def sql_time(epoch_expression: str) -> str:
    """SQL turning epoch seconds into the text SQLAlchemy stores for a DateTime on SQLite (`datetime()`
    writes the same text as `strftime('%Y-%m-%d %H:%M:%S')`, several times faster)."""
    return f"(datetime({epoch_expression}, 'unixepoch') || '.000000')"
