"""What an Anki package import or export did (plain values; kept apart so importing the `Collection`
does not import the package machinery)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PackageImportReport:
    file: str
    format: str
    decks: tuple[str, ...]
    notes_added: int = 0
    notes_updated: int = 0
    notes_unchanged: int = 0  # already here, and not older than ours
    cards_added: int = 0
    cards_updated: int = 0
    cards_skipped: int = 0  # no note, or no template for their ordinal
    reviews_added: int = 0
    reviews_skipped: int = 0  # review-log rows of no kind Anki defines (or an impossible time)
    media_added: int = 0
    media_renamed: int = 0  # names already taken by other files here
    note_types: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "package": self.file,
            "format": self.format,
            "decks": list(self.decks),
            "notes_added": self.notes_added,
            "notes_updated": self.notes_updated,
            "notes_unchanged": self.notes_unchanged,
            "cards_added": self.cards_added,
            "cards_updated": self.cards_updated,
            "cards_skipped": self.cards_skipped,
            "reviews_added": self.reviews_added,
            "reviews_skipped": self.reviews_skipped,
            "media_added": self.media_added,
            "media_renamed": self.media_renamed,
        }


@dataclass(frozen=True)
class ExportReport:
    file: str
    decks: tuple[str, ...]
    notes: int
    cards: int
    reviews: int
    media: int
    missing_media: tuple[str, ...] = ()  # referenced by a card, but no such file here

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "decks": list(self.decks),
            "notes": self.notes,
            "cards": self.cards,
            "reviews": self.reviews,
            "media": self.media,
            "missing_media": list(self.missing_media),
        }
