"""Finding the image files cards refer to: `resolve_media` (in `media_paths`, free of SQLAlchemy) and the
folder of a card's deck file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from flashapp.store.answering import get_card
from flashapp.store.media_paths import resolve_media  # noqa: F401 - where the Collection and tests find it


def deck_file_folder(session: Session, card_id: int) -> Path | None:
    """The folder of the deck file the card's deck came from, if any: its images sit beside it."""
    source = get_card(session, card_id).deck.source_path
    return Path(source).parent if source else None
