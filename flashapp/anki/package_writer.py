"""Write an Anki package current Anki imports: the legacy layout with a schema-11 `collection.anki21`
(note types, decks and deck options as JSON in its `col` row), a `meta` entry saying so (version 2),
a JSON media map and numbered media files. Anki 2.1.50 and later read it, and so does AnkiDroid.

The package is written to a temporary file beside the target and renamed over it at the end: a
failure leaves no partial file behind. `write_package` writes rows given in Python; a caller that fills
the tables itself (the store's export, by `INSERT ... SELECT`) uses `new_collection_file`,
`finish_collection_file` and `zip_package`, the same steps.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashapp.anki import protobuf_lite as pb
from flashapp.anki.package_reader import VERSION_LEGACY_2

try:  # CPython's own SHA-1: for a short text, a third of the time OpenSSL's takes to set up a hash
    from _sha1 import sha1 as _sha1
except ImportError:  # an interpreter built without it

    def _sha1(data: bytes) -> Any:
        return hashlib.sha1(data, usedforsecurity=False)


SCHEMA_11 = """
CREATE TABLE col (
  id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
  ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL,
  conf text NOT NULL, models text NOT NULL, decks text NOT NULL, dconf text NOT NULL, tags text NOT NULL
);
CREATE TABLE notes (
  id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
  usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL,
  csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE cards (
  id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL,
  due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL,
  lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL,
  flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE revlog (
  id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL, ease integer NOT NULL,
  ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL, time integer NOT NULL,
  type integer NOT NULL
);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
"""
# Built once the rows are in: one sort per index instead of a B-tree update per row. Only the two that
# an importer's reads use (a note's cards, a card's review log): Anki opens a package's collection to
# gather it, upgrading it to its current schema, which adds the indexes that schema needs, and then reads
# it whole. Schema 11's other indexes (`ix_notes_usn`, `ix_cards_usn`, `ix_revlog_usn`, `ix_cards_sched`,
# `ix_notes_csum`) serve a live collection's syncing, scheduling and duplicate search, never an import;
# leaving them out saves their building and a quarter of the file's bytes to compress.
SCHEMA_11_INDEXES = """
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_revlog_cid ON revlog (cid);
"""


# The collection file's page size. With SQLite's default, 4096, the export fills, splits and links four
# times as many pages; at 16384 a 100,000-note export takes about 7% less CPU and its package is a
# little smaller (SQLite, and so Anki and AnkiDroid, read any page size; the rows do not depend on it).
PAGE_SIZE = 16384


@dataclass
class PackageData:
    """Everything a package holds, as schema-11 rows and JSON objects."""

    crt: int  # epoch seconds of day 0
    mod: int  # epoch milliseconds
    models: dict[str, Any]
    decks: dict[str, Any]
    deck_configs: dict[str, Any]
    config: dict[str, Any]
    notes: list[tuple[Any, ...]] = field(default_factory=list)  # id, guid, mid, mod, tags, flds, sfld, csum
    cards: list[tuple[Any, ...]] = field(default_factory=list)
    revlog: list[tuple[Any, ...]] = field(default_factory=list)
    media: list[tuple[str, Path]] = field(default_factory=list)  # (name in the notes, file)


def guid_for(text: str) -> str:
    """A stable Anki-style guid (10 characters) for a note that has none."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.b85encode(digest[:8]).decode("ascii")


def field_checksum(first_field_text: str | None, _from_bytes: Any = int.from_bytes) -> int:
    """Anki's `csum`: the first 8 hex digits of the SHA-1 of the first field's plain text (None: '').
    An export calls it once a note, from SQLite (`int.from_bytes` bound once, not looked up each call)."""
    digest = _sha1((first_field_text or "").encode()).digest()
    return _from_bytes(digest[:4], "big")  # the first 8 hex digits are the first 4 bytes


def new_collection_file(path: Path) -> sqlite3.Connection:
    """An empty schema-11 collection at `path`, in autocommit mode (the caller begins the filling
    transaction, after any ATTACH). Nothing is synced to disk along the way: the file is a scratch
    file until the package is zipped. Opened by URI, so that read-only ATTACH URIs work."""
    connection = sqlite3.connect(path.absolute().as_uri(), uri=True, isolation_level=None)
    connection.execute(f"PRAGMA page_size={PAGE_SIZE}")
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA temp_store=MEMORY")
    connection.execute("PRAGMA cache_size=-65536")
    connection.executescript(SCHEMA_11)
    return connection


def finish_collection_file(
    connection: sqlite3.Connection,
    *,
    crt: int,
    mod: int,
    config: dict[str, Any],
    models: dict[str, Any],
    decks: dict[str, Any],
    deck_configs: dict[str, Any],
) -> None:
    """The `col` row and the indexes, then commit."""
    connection.execute(
        "INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
        (crt, mod, mod, json.dumps(config), json.dumps(models), json.dumps(decks), json.dumps(deck_configs)),
    )
    for statement in SCHEMA_11_INDEXES.strip().split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute("COMMIT")


def _collection_file(path: Path, data: PackageData) -> None:
    connection = new_collection_file(path)
    try:
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')", data.notes)
        connection.executemany(
            "INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)", data.cards
        )
        connection.executemany("INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)", data.revlog)
        finish_collection_file(
            connection,
            crt=data.crt,
            mod=data.mod,
            config=data.config,
            models=data.models,
            decks=data.decks,
            deck_configs=data.deck_configs,
        )
    finally:
        connection.close()


def zip_package(partial: Path, collection: Path, media: Sequence[tuple[str, Path]]) -> None:
    """The `.apkg` archive at `partial`: meta, the collection file, the media map and the media."""
    # Level 1: several times faster than the default for a few percent more bytes.
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("meta", pb.encode_message([(1, VERSION_LEGACY_2)]), compress_type=zipfile.ZIP_STORED)
        archive.write(collection, "collection.anki21")
        media_map = {str(index): name for index, (name, _) in enumerate(media)}
        archive.writestr("media", json.dumps(media_map))
        for index, (_, source) in enumerate(media):
            archive.write(source, str(index))


def write_package(path: Path, data: PackageData) -> None:
    """Write the `.apkg` at `path` (replacing it only once it is complete)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".flashapp-export-", dir=path.parent) as work:
        collection = Path(work) / "collection.anki21"
        _collection_file(collection, data)
        partial = Path(work) / "package.apkg"
        zip_package(partial, collection, data.media)
        os.replace(partial, path)


def unique_ids(values: Sequence[int]) -> list[int]:
    """The values made unique by moving repeats upward (Anki ids are creation times in ms): each
    value, taken in increasing order, becomes at least one more than the one before it. One sort,
    so linear in the deck's size up to a log (bumping each clash one step at a time was quadratic
    when thousands of notes share a creation time)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    out = list(values)
    floor = None
    for index in order:
        value = values[index]
        if floor is not None and value <= floor:
            value = floor + 1
        out[index] = floor = value
    return out
