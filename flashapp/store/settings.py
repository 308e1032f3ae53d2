"""Collection-wide settings: the day rollover hour (0-23; 4 am, as Anki, when never set) and the
learn-ahead limit (minutes; 20, as Anki's `collapseTime`, when never set)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashapp.store.models import CollectionSetting
from flashapp.store.setting_values import (
    DEFAULT_LEARN_AHEAD_MINUTES,
    LEARN_AHEAD_MINUTES,
    MAX_LEARN_AHEAD_MINUTES,
    ROLLOVER_HOUR,
    check_setting,
    learn_ahead_minutes_of,
    rollover_hour_of,
)

__all__ = [
    "DEFAULT_LEARN_AHEAD_MINUTES",
    "LEARN_AHEAD_MINUTES",
    "MAX_LEARN_AHEAD_MINUTES",
    "ROLLOVER_HOUR",
    "learn_ahead_minutes",
    "rollover_hour",
    "set_learn_ahead_minutes",
    "set_rollover_hour",
]


def rollover_hour(session: Session) -> int:
    return rollover_hour_of(
        session.scalar(select(CollectionSetting.value).where(CollectionSetting.key == ROLLOVER_HOUR))
    )


def set_rollover_hour(session: Session, hour: int) -> None:
    check_setting(ROLLOVER_HOUR, hour)
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
    return learn_ahead_minutes_of(value)


def set_learn_ahead_minutes(session: Session, minutes: int) -> None:
    check_setting(LEARN_AHEAD_MINUTES, minutes)
    row = session.get(CollectionSetting, LEARN_AHEAD_MINUTES)
    if row is None:
        session.add(CollectionSetting(key=LEARN_AHEAD_MINUTES, value=minutes))
    else:
        row.value = minutes
