"""How well a card is known, from its scheduling state and its practice results.

Four levels, as Knowt shows them: not studied, learning, familiar, mastered. A card is at the higher of
- its scheduling level: new -> not studied; learning or relearning -> learning; review with an interval
  under `MASTERED_INTERVAL_DAYS` -> familiar; at least that -> mastered;
- its practice level (see `learn.CardProgress.level`): never practised -> not studied; practised with
  no right written answer in a row -> learning; one -> familiar; two (mastered in Learn) -> mastered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flashapp.core.practice.learn import CardProgress
from flashapp.core.practice.levels import LEVEL_TITLES, LEVELS

MASTERED_INTERVAL_DAYS = 21

__all__ = ["LEVELS", "LEVEL_TITLES", "MASTERED_INTERVAL_DAYS", "MasteryCounts", "card_mastery"]


def scheduling_level(state: str, interval_days: int) -> str:
    if state == "review":
        return "mastered" if interval_days >= MASTERED_INTERVAL_DAYS else "familiar"
    return "not_studied" if state == "new" else "learning"


def card_mastery(state: str, interval_days: int, progress: CardProgress | None = None) -> str:
    """One of LEVELS for a card in scheduling `state` with `interval_days`, and its practice progress."""
    level = scheduling_level(state, interval_days)
    if progress is None:
        return level
    return max(level, progress.level, key=LEVELS.index)


@dataclass(frozen=True)
class MasteryCounts:
    not_studied: int = 0
    learning: int = 0
    familiar: int = 0
    mastered: int = 0

    @classmethod
    def of(cls, levels: Iterable[str]) -> MasteryCounts:
        counts = dict.fromkeys(LEVELS, 0)
        for level in levels:
            counts[level] += 1
        return cls(**counts)

    @property
    def total(self) -> int:
        return self.not_studied + self.learning + self.familiar + self.mastered

    def as_dict(self) -> dict[str, int]:
        return {level: getattr(self, level) for level in LEVELS}

    def __add__(self, other: MasteryCounts) -> MasteryCounts:
        return MasteryCounts(*(getattr(self, level) + getattr(other, level) for level in LEVELS))
