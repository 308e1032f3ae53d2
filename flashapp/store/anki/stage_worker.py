"""The staging worker: a short-lived process that checks a package (`quick_check`, then its bulk rows)
and computes its notes' stored columns into a staging file (see `stager`). Reads one JSON job on
stdin, answers one JSON line on stdout; imports nothing heavier than sqlite3 and flashapp's small
Anki modules.

Run by the importer as `python -m flashapp.store.anki.stage_worker`; an empty stdin means "not
needed" (the importer started it early, then found the package small).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path


def stage(job: dict) -> None:
    from flashapp.anki.collection_reader import (
        READ_MMAP_BYTES,
        check_row_types,
        quick_check,
        sqlite_uri,
        unicase_collation,
    )
    from flashapp.store.anki.notes_sql import stage_notes

    connection = sqlite3.connect(job["stage"], isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")  # a scratch file: no journal, no syncing
        connection.execute("PRAGMA synchronous=OFF")
        # Big pages: a sixteenth of the writes here, and of the pages the import maps and reads back.
        connection.execute("PRAGMA page_size=65536")
        connection.execute("PRAGMA trusted_schema=OFF")
        connection.create_collation("unicase", unicase_collation)
        connection.execute("ATTACH DATABASE ? AS package", (sqlite_uri(Path(job["collection"])),))
        connection.execute(f"PRAGMA package.mmap_size={READ_MMAP_BYTES}")
        quick_check(connection, job["label"], "package")  # first: nothing below reads a damaged file
        check_row_types(connection, job["label"], job["has_revlog"])
        names = {int(mid): tuple(fields) for mid, fields in job["fields"].items()}
        stage_notes(connection, "package", names)
    finally:
        connection.close()


def main() -> int:
    text = sys.stdin.read()
    if not text.strip():
        return 0
    try:
        stage(json.loads(text))
    except Exception as error:  # reported to the importer, which turns it into one line
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(json.dumps({"error": message, "user": type(error).__name__ == "UserError"}), flush=True)
        return 1
    print(json.dumps({"ok": True}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
