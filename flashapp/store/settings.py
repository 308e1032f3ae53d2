"""Collection-wide settings: the day rollover hour (0-23; 4 am, as Anki, when never set) and the
learn-ahead limit (minutes; 20, as Anki's `collapseTime`, when never set)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.core.scheduling.day import DEFAULT_ROLLOVER_HOUR
from flashapp.errors import UserError
from flashapp.store.models import CollectionSetting

ROLLOVER_HOUR = "rollover_hour"
LEARN_AHEAD_MINUTES = "learn_ahead_minutes"
DEFAULT_LEARN_AHEAD_MINUTES = 20
MAX_LEARN_AHEAD_MINUTES = 24 * 60


def rollover_hour(session: Session) -> int:
    value = session.scalar(select(CollectionSetting.value).where(CollectionSetting.key == ROLLOVER_HOUR))
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 23:
        return value
    return DEFAULT_ROLLOVER_HOUR


def set_rollover_hour(session: Session, hour: int) -> None:
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise UserError(f"rollover hour must be a whole hour from 0 to 23, got {hour!r}")
    row = session.get(CollectionSetting, ROLLOVER_HOUR)
    if row is None:
        session.add(CollectionSetting(key=ROLLOVER_HOUR, value=hour))
    else:
        row.value = hour


def learn_ahead_minutes(session: Session) -> int:
    """How long before their due time learning cards count and may be shown when nothing else is left."""
    value = session.scalar(
        select(CollectionSetting.value).where(CollectionSetting.key == LEARN_AHEAD_MINUTES)
    )
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_LEARN_AHEAD_MINUTES:
        return value
    return DEFAULT_LEARN_AHEAD_MINUTES


def set_learn_ahead_minutes(session: Session, minutes: int) -> None:
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 0 <= minutes <= MAX_LEARN_AHEAD_MINUTES
    ):
        raise UserError(
            f"learn-ahead limit must be whole minutes from 0 to {MAX_LEARN_AHEAD_MINUTES}, got {minutes!r}"
        )
    row = session.get(CollectionSetting, LEARN_AHEAD_MINUTES)
    if row is None:
        session.add(CollectionSetting(key=LEARN_AHEAD_MINUTES, value=minutes))
    else:
        row.value = minutes
