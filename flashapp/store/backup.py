"""Backups of an SQLite collection, kept as Anki keeps them.

Each collection has a folder of its own, `backups/<file name>/` beside it (so `c.db` and `c-2.db`
never touch each other's), holding copies taken with SQLite's online backup (safe under WAL) and
named `YYYYmmdd-HHMMSS-ffffff-<reason>.db` in UTC. They are taken while studying (at most every 30
minutes), on closing the TUI after a change, and before imports, repairs, restores and schema
upgrades. Old ones are thinned by age: the newest RECENT, then one a day for DAILY days, one a week
for WEEKLY weeks, one a month for MONTHLY months. A server database has its own backups (pg_dump).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flashapp.errors import UserError

RECENT, DAILY, WEEKLY, MONTHLY = 10, 14, 8, 12
STUDY_INTERVAL = timedelta(minutes=30)
REASONS = ("study", "close", "import", "repair", "restore", "upgrade", "manual")
_NAME = re.compile(r"^(\d{8}-\d{6}-\d{6})-([a-z]+)\.db$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime  # UTC
    reason: str
    size: int


def backup_dir(collection_file: Path) -> Path:
    """This collection's own backup folder."""
    return collection_file.parent / "backups" / collection_file.name


def list_backups(collection_file: Path) -> list[Backup]:
    """Newest first."""
    folder = backup_dir(collection_file)
    found = []
    for path in folder.glob("*.db") if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match:
            taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S-%f").replace(tzinfo=UTC)
            found.append(Backup(path, taken, match.group(2), path.stat().st_size))
    return sorted(found, key=lambda backup: backup.taken_at, reverse=True)


def backups_to_keep(times: list[datetime], now: datetime) -> set[datetime]:
    """Which backup times survive thinning: the RECENT newest, and the newest of each day, week and
    month within DAILY days, WEEKLY weeks and MONTHLY months of `now`."""
    ordered = sorted(times, reverse=True)
    keep = set(ordered[:RECENT])
    buckets: set[tuple[str, object]] = set()
    for moment in ordered:
        age = now - moment
        day = moment.date()
        for kind, bucket, limit in (
            ("day", day, timedelta(days=DAILY)),
            ("week", tuple(day.isocalendar())[:2], timedelta(weeks=WEEKLY)),
            ("month", (day.year, day.month), timedelta(days=31 * MONTHLY)),
        ):
            if age <= limit and (kind, bucket) not in buckets:
                buckets.add((kind, bucket))
                keep.add(moment)
    return keep


def backup_collection(collection_file: Path | None, now: datetime, reason: str = "manual") -> Path | None:
    """Copy the collection into its backup folder, then thin the folder by age.

    Only SQLite files are backed up here; a server database has its own backups."""
    if collection_file is None or not collection_file.exists():
        return None
    folder = backup_dir(collection_file)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{now.astimezone(UTC):%Y%m%d-%H%M%S-%f}-{reason}.db"
    partial = target.with_suffix(".part")
    try:
        _copy(collection_file, partial)
        os.replace(partial, target)  # a crash leaves a .part, never a half backup under a backup's name
    finally:
        partial.unlink(missing_ok=True)
    backups = list_backups(collection_file)
    keep = backups_to_keep([b.taken_at for b in backups], now)
    for old in backups:
        if old.taken_at not in keep:
            old.path.unlink(missing_ok=True)
    return target


def _copy(source_file: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.DatabaseError:
        # A damaged file: SQLite may refuse to read it, so keep its bytes as they are.
        shutil.copyfile(source_file, target)
    finally:
        source.close()


def newest_backup_time(collection_file: Path) -> datetime | None:
    """When the newest backup was taken (None: there is none): `list_backups()[0].taken_at` from the
    names alone, whose fixed-width UTC times sort as they read. Every answer asks (`backup_due`); a
    full folder (some 40 backups) cost it 0.6 ms of stat and strptime calls."""
    try:
        names = os.listdir(backup_dir(collection_file))
    except (FileNotFoundError, NotADirectoryError):
        return None
    stamps = [match.group(1) for name in names if (match := _NAME.match(name))]
    return datetime.strptime(max(stamps), "%Y%m%d-%H%M%S-%f").replace(tzinfo=UTC) if stamps else None


def backup_due(collection_file: Path | None, now: datetime) -> bool:
    """Whether studying calls for a backup: none yet, or the newest is STUDY_INTERVAL old."""
    if collection_file is None or not collection_file.exists():
        return False
    newest = newest_backup_time(collection_file)
    return newest is None or now - newest >= STUDY_INTERVAL


def find_backup(collection_file: Path, name: str) -> Path:
    """A backup by its file name (or a path to one): UserError when there is none."""
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    for backup in list_backups(collection_file):
        if backup.path.name in (name, f"{name}.db") or backup.path.stem.startswith(name):
            return backup.path
    raise UserError(f"no backup {name!r} of {collection_file} (see `flashapp backups`)")


def restore_backup(collection_file: Path, backup: Path, now: datetime) -> Path | None:
    """Replace the collection with `backup`, after backing up the current state (returned)."""
    check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.DatabaseError as error:
        raise UserError(f"{backup} is not a sound backup: {error}") from None
    finally:
        check.close()
    if result != ("ok",):
        raise UserError(f"{backup} is not a sound backup: {result[0]}")
    saved = backup_collection(collection_file, now, "restore") if collection_file.exists() else None
    staged = collection_file.with_name(collection_file.name + ".restoring")
    _copy(backup, staged)
    for suffix in ("-wal", "-shm"):
        collection_file.with_name(collection_file.name + suffix).unlink(missing_ok=True)
    os.replace(staged, collection_file)
    return saved
