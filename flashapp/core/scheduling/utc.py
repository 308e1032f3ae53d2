"""The one check every scheduling time passes: timezone-aware, converted to UTC. Its own module, so the
study calendar (`day`), which the home screen's first counts need, loads without the card types."""

from __future__ import annotations

from datetime import UTC, datetime


def ensure_utc(name: str, value: datetime) -> datetime:
    """Return `value` as a UTC datetime; `name` is the argument named in the error for a naive one."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime: {name} must be timezone-aware UTC (got {value.isoformat()})")
    return value.astimezone(UTC)
