"""The collection settings' names, defaults and bounds, and how a stored value is read (an invalid or
missing one reads as the default). No SQLAlchemy here: `store.settings` (the Collection) and
`store.direct` (plain sqlite3) both read the settings through these."""

from __future__ import annotations

from flashapp.core.scheduling.day import DEFAULT_ROLLOVER_HOUR
from flashapp.errors import UserError

ROLLOVER_HOUR = "rollover_hour"
LEARN_AHEAD_MINUTES = "learn_ahead_minutes"
DEFAULT_LEARN_AHEAD_MINUTES = 20
MAX_LEARN_AHEAD_MINUTES = 24 * 60


def _whole_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def valid_rollover_hour(value: object) -> bool:
    return _whole_in(value, 0, 23)


def valid_learn_ahead_minutes(value: object) -> bool:
    return _whole_in(value, 0, MAX_LEARN_AHEAD_MINUTES)


def rollover_hour_of(stored: object) -> int:
    """The rollover hour a stored value means (4 am, as Anki, when missing or invalid)."""
    return stored if valid_rollover_hour(stored) else DEFAULT_ROLLOVER_HOUR  # type: ignore[return-value]


def learn_ahead_minutes_of(stored: object) -> int:
    """The learn-ahead limit a stored value means (20 minutes, Anki's `collapseTime`, when missing or
    invalid)."""
    return stored if valid_learn_ahead_minutes(stored) else DEFAULT_LEARN_AHEAD_MINUTES  # type: ignore[return-value]


def check_setting(key: str, value: object) -> None:
    """Raise `UserError` when `value` cannot be stored as setting `key` (the rollover hour or the
    learn-ahead limit); the `Collection` and the sqlite3 side write only values that pass."""
    if key == ROLLOVER_HOUR and not valid_rollover_hour(value):
        raise UserError(f"rollover hour must be a whole hour from 0 to 23, got {value!r}")
    if key == LEARN_AHEAD_MINUTES and not valid_learn_ahead_minutes(value):
        raise UserError(
            f"learn-ahead limit must be whole minutes from 0 to {MAX_LEARN_AHEAD_MINUTES}, got {value!r}"
        )
