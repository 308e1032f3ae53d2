"""Finding the image files cards refer to. Card text is untrusted: a name may only reach files inside
the folders searched (no absolute paths, no `..`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.orm import Session

from flashapp.store.answering import get_card


def resolve_media(name: str, folders: Sequence[Path]) -> Path | None:
    """The file called `name` in the first of `folders` that has it, or None."""
    name = unquote(name.strip())
    if not name or "\x00" in name or Path(name).is_absolute() or ".." in Path(name).parts:
        return None
    for folder in folders:
        try:
            root = folder.resolve()
            candidate = (root / name).resolve()
        except (OSError, RuntimeError):
            continue
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def deck_file_folder(session: Session, card_id: int) -> Path | None:
    """The folder of the deck file the card's deck came from, if any: its images sit beside it."""
    source = get_card(session, card_id).deck.source_path
    return Path(source).parent if source else None
