"""What a deck-file card writes to its note, and the reports of an import, without SQLAlchemy: shared
by the `Collection`'s sync (`store/deckfile_sync.py`) and the `sqlite3` one
(`store/direct/deckfile_import.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flashapp.core.text import to_plain

if TYPE_CHECKING:
    from flashapp.core.deckfile import CardSpec
    from flashapp.store.anki.reports import PackageImportReport


@dataclass
class SyncReport:
    deck: str
    added: int = 0  # cards
    updated: int = 0  # notes whose text, tags or demo changed
    orphaned: int = 0  # cards taken out of study because they left the file
    restored: int = 0  # orphaned cards back in the file
    moved: int = 0  # notes taken over from another deck file of the same deck tree

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.orphaned or self.restored or self.moved)


@dataclass(frozen=True)
class ImportReport:
    files: tuple[str, ...]
    decks: tuple[SyncReport, ...]
    packages: tuple[PackageImportReport, ...] = ()  # Anki packages, in the order given

    @property
    def added(self) -> int:
        return sum(r.added for r in self.decks) + sum(p.cards_added for p in self.packages)


def note_source(deck_name: str) -> str:
    return f"deckfile:{deck_name}"


def tag_text(tags: tuple[str, ...] | list[str]) -> str:
    return f" {' '.join(tags)} " if tags else ""


def search_text(fields: dict[str, str], tags: str) -> str:
    parts = [to_plain(value) for value in fields.values() if value]
    parts.append(tags.strip())
    return " ".join(parts).lower()


# What a deck-file card sets of its note (`note_row`, in this order), and a new note's columns.
NOTE_VALUE_COLUMNS = ("note_type", "fields", "tags", "search_text", "demo", "demo_params")
NEW_NOTE_COLUMNS = ("source", "key", "deck_id", "created_at", "modified_at", *NOTE_VALUE_COLUMNS)
# A new card's columns that differ from the schema's defaults (`_insert_cards`).
NEW_CARD_COLUMNS = ("note_id", "deck_id", "ord", "position", "queue", "state", "due", "modified_at")


def note_row(spec: CardSpec) -> tuple:
    """The values of NOTE_VALUE_COLUMNS for the card's note."""
    fields = spec.fields()
    tags = tag_text(spec.tags)
    return (spec.kind, fields, tags, search_text(fields, tags), spec.demo, spec.params or None)
