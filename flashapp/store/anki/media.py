"""The collection's media folder: image and sound files that cards refer to by name.

Files sit in `<collection stem>.media/` next to the SQLite file, under the name the notes use (so the
study screen finds `media_dir / name`, as Anki does); the `media` table records each name's sha256
and size. An imported file whose name is taken by different content is renamed `stem-<hash>.ext`
and the imported notes' references follow it.

All or nothing: files are installed *inside* the import's transaction, just before it commits, and
only under names no media row holds (a name taken by other bytes was renamed above). So a crash
before the commit leaves the old rows and, at most, files that no row names (harmless: the next
import that brings such a name overwrites it); a crash after the commit leaves every new row with
its file. A failed transaction removes the files it installed. Each file is written under a
temporary name and renamed into place, so no name ever holds half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flashapp.store.sql_text import db_time

if TYPE_CHECKING:
    from flashapp.anki.package_reader import MediaFile


@dataclass(frozen=True)
class MediaPlan:
    """What an import does with its package's media: rows to add, files to move, names changed."""

    moves: tuple[tuple[Path, str], ...]  # (staged file, name in the media folder)
    renamed: dict[str, str]  # package name -> name in the collection
    added: int
    already_present: int


def media_folder(collection_file: Path) -> Path:
    """`<collection stem>.media/` beside an SQLite collection file."""
    return collection_file.with_name(f"{collection_file.stem}.media")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def plan_media(db: sqlite3.Connection, files: tuple[MediaFile, ...], now: datetime) -> MediaPlan:
    """Insert the media rows (inside the import's transaction, on its sqlite3 connection) and say
    which files to move."""
    if not files:
        return MediaPlan((), {}, 0, 0)
    known = {name: sha for name, sha in db.execute("SELECT name, sha256 FROM main.media")}
    # Case-insensitive file systems (macOS, Windows) would let "A.png" overwrite "a.png".
    folded = {name.casefold(): name for name in known}
    rows, moves, renamed, present = [], [], {}, 0
    for media in files:
        name = media.name
        if known.get(name) == media.sha256:
            present += 1
            continue
        taken = folded.get(name.casefold())
        if taken is not None:
            if known[taken] == media.sha256:  # the same file, perhaps under other capitals
                if taken != name:
                    renamed[name] = taken
                present += 1
                continue
            stem, dot, suffix = name.rpartition(".")
            base = f"{stem}-{media.sha256[:12]}.{suffix}" if dot and stem else f"{name}-{media.sha256[:12]}"
            if known.get(base) == media.sha256:
                renamed[name] = base
                present += 1
                continue
            renamed[name] = name = base
        known[name] = media.sha256
        folded[name.casefold()] = name
        rows.append((name, media.sha256, media.size, db_time(now)))
        moves.append((media.staged, name))
    if rows:
        db.executemany("INSERT INTO main.media (name, sha256, size, created_at) VALUES (?, ?, ?, ?)", rows)
    return MediaPlan(tuple(moves), renamed, len(rows), present)


PARTIAL_PREFIX = ".flashapp-partial-"


def install_media(media_dir: Path, moves: tuple[tuple[Path, str], ...], installed: list[Path]) -> None:
    """Move staged files into the media folder; each file newly created is appended to `installed`
    (as it appears), so that a failed transaction can take them away again (`remove_installed`)."""
    if not moves:
        return
    media_dir.mkdir(parents=True, exist_ok=True)
    for index, (staged, name) in enumerate(moves):
        target = media_dir / name
        existed = target.exists()
        try:
            os.replace(staged, target)
        except OSError:  # another file system: copy, then swap in atomically
            partial = media_dir / f"{PARTIAL_PREFIX}{os.getpid()}-{index}"
            shutil.copyfile(staged, partial)
            os.replace(partial, target)
        if not existed:
            installed.append(target)


def remove_installed(installed: list[Path]) -> None:
    """Undo `install_media` after the transaction failed: no row names these files."""
    for path in installed:
        path.unlink(missing_ok=True)


_REFERENCE = r"""(?P<lead>\bsrc\s*=\s*["']?|\[sound:){name}(?P<tail>["'\s>\]]|$)"""


def rename_in_html(text: str, renamed: dict[str, str]) -> str:
    """`text` with `src="old"` and `[sound:old]` pointing at the new names."""
    for old, new in renamed.items():
        if old in text:
            pattern = re.compile(_REFERENCE.format(name=re.escape(old)), re.IGNORECASE)
            text = pattern.sub(lambda m, new=new: m.group("lead") + new + m.group("tail"), text)
    return text


def rename_references(fields_json: str, renamed: dict[str, str]) -> str:
    """A note's fields (JSON) with their media references renamed."""
    fields = json.loads(fields_json)
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = rename_in_html(value, renamed)
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
