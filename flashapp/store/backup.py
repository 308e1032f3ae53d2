"""Rotating backups of an SQLite collection, taken with SQLite's online backup (safe under WAL)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

KEEP_BACKUPS = 10


def backup_dir(collection_file: Path) -> Path:
    return collection_file.parent / "backups"


def backup_collection(collection_file: Path | None, now: datetime) -> Path | None:
    """Copy the collection to backups/<name>-<UTC time>.db, keeping the newest KEEP_BACKUPS.

    Only SQLite files are backed up here; a server database has its own backups. An empty
    (just created) collection is not worth a backup.
    """
    if collection_file is None or not collection_file.exists():
        return None
    folder = backup_dir(collection_file)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{collection_file.stem}-{now:%Y%m%d-%H%M%S-%f}.db"
    source = sqlite3.connect(collection_file)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    for old in sorted(folder.glob(f"{collection_file.stem}-*.db"))[:-KEEP_BACKUPS]:
        old.unlink()
    return target
