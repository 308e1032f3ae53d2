"""Folders the user names (an output file's, a collection's): made when missing, and a path that cannot
be used is bad input, one line naming it as the user typed it (`label`, like "-o 'out/deck.apkg'")."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flashapp.errors import UserError


def make_folder(folder: Path, label: str) -> None:
    """`folder` and its parents made where missing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UserError(f"{label}: {_first_file(folder)} is a file, not a folder") from None
    except OSError as error:
        raise UserError(f"{label}: cannot create {folder} ({error.strerror or error})") from None


def writable_folder(folder: Path, label: str) -> None:
    """`folder` made where missing, and a file made and removed in it: permission bits alone say nothing
    for root, or on /proc."""
    make_folder(folder, label)
    try:
        handle, probe = tempfile.mkstemp(prefix=".flashapp-probe-", dir=folder)
    except OSError as error:
        raise UserError(f"{label}: cannot write in {folder} ({error.strerror or error})") from None
    os.close(handle)
    os.unlink(probe)


def _first_file(folder: Path) -> Path:
    """The first component of `folder` that exists and is not a folder."""
    for part in (*reversed(folder.parents), folder):
        if part.exists() and not part.is_dir():
            return part
    return folder
