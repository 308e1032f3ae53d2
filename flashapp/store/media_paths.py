"""Where a media file a card names lies on disk. Card text is untrusted: a name may only reach files
inside the folders searched (no absolute paths, no `..`). Plain `pathlib`, so that the commands that
run without SQLAlchemy (a package export) resolve names as the `Collection` does."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote


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
