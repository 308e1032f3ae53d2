"""`flashapp import` of Anki packages alone into an SQLite collection file at the newest schema, on
the `sqlite3` connection of `store/direct/` (no SQLAlchemy: importing it and the mapped models
costs a process about as much as its whole SQL work for 30,000 notes).

The steps and the writing are the `Collection`'s (`Collection.import_paths`): the same
`prepared_packages`, the backup, then `write_packages` in one BEGIN IMMEDIATE transaction with the
packages attached (`attached_packages`), media installed last before the commit. Only the way to the
connection differs. Deck files, PostgreSQL, a collection to create or upgrade: the `Collection`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from flashapp.store.anki.media import media_folder, remove_installed
from flashapp.store.anki.package_import import attached_packages, prepared_packages, write_packages
from flashapp.store.anki.reports import PackageImportReport
from flashapp.store.backup import backup_collection
from flashapp.store.direct.connection import DirectCollection


def import_packages(
    direct: DirectCollection, packages: Sequence[Path], *, reset: bool, now: datetime, backup: bool = True
) -> tuple[PackageImportReport, ...]:
    """Import Anki packages into `direct`'s collection, all or nothing (see `package_import`)."""
    media_dir = media_folder(direct.path)
    with prepared_packages(packages, media_dir.parent, media_dir=media_dir) as prepared:
        if backup:
            backup_collection(direct.path, now, "import")
        direct.probe_before_writing()  # before attaching: its quick_check reads every attached file
        installed: list[Path] = []
        try:
            with attached_packages(direct.connection, prepared) as aliases, direct.writing() as db:
                return write_packages(
                    db,
                    aliases,
                    prepared,
                    now=now,
                    reset=reset,
                    tz=direct.tz,
                    media_dir=media_dir,
                    installed=installed,
                )
        except BaseException:
            remove_installed(installed)
            raise
