"""How the deck tree, the command palette and the command line ask the app for a practice mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.message import Message

if TYPE_CHECKING:  # the practice code loads with its screens, not with the deck tree that asks for them
    from flashapp.core.practice.questions import PracticeSettings

PracticeMode = Literal["test", "learn", "match"]


@dataclass(frozen=True)
class PracticeStart:
    """A practice mode on `deck`; a test's set-up dialog opens filled with `settings` (or defaults)."""

    mode: PracticeMode
    deck: str
    settings: PracticeSettings | None = None


@dataclass
class PracticeRequested(Message):
    start: PracticeStart
