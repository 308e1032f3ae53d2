"""Messages that screens and the command palette send up to the app, which opens the screen asked for."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StudyRequested(Message):
    """Start a study session on `deck` and its subdecks (None: every deck)."""

    deck: str | None


@dataclass
class BrowseRequested(Message):
    """Open the card browser, searching for `query`."""

    query: str = ""
