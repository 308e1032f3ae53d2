"""Hostile and malformed packages: each safety rule refuses the import with one clear error, and the
collection (and its media folder) is left exactly as it was."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
import zstandard
from sqlalchemy import func, select

from flashapp.anki import protobuf_lite as pb
from flashapp.anki.collection_reader import open_readonly
from flashapp.anki.package_reader import PackageLimits, read_package
from flashapp.cli.main import main
from flashapp.errors import UserError
from flashapp.store.anki.package_import import prepare_package
from flashapp.store.collection import Collection
from flashapp.store.models import Note

ESCAPING_NAMES = ["../evil", "/abs", "C:\\x", "a/b"]


@pytest.fixture(scope="module")
def parts(anki_packages) -> dict[str, bytes]:
    """Valid pieces to build hostile packages from: a legacy and a modern collection, the placeholder."""
    with (
        zipfile.ZipFile(anki_packages["legacy"]) as legacy,
        zipfile.ZipFile(anki_packages["modern"]) as modern,
    ):
        return {
            "anki21": legacy.read("collection.anki21"),
            "anki21b": modern.read("collection.anki21b"),
            "placeholder": modern.read("collection.anki2"),
        }


def write_zip(path: Path, entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def legacy_package(path: Path, parts, media: dict[str, bytes] | None = None, **extra: bytes) -> Path:
    media = media or {}
    entries = {
        "meta": pb.encode_message([(1, 2)]),
        "collection.anki21": parts["anki21"],
        "media": json.dumps({str(i): name for i, name in enumerate(media)}).encode(),
    }
    entries.update({str(i): data for i, data in enumerate(media.values())})
    entries.update(extra)
    return write_zip(path, entries)


def zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def media_entries(entries: list[tuple[str, bytes]], *, sha1: bool = True) -> bytes:
    messages = []
    for name, data in entries:
        fields: list[tuple[int, int | bytes | str]] = [(1, name), (2, len(data))]
        if sha1:
            fields.append((3, hashlib.sha1(data).digest()))
        messages.append((1, pb.encode_message(fields)))
    return pb.encode_message(messages)


def modern_package(
    path: Path, parts, media: list[tuple[str, bytes]] = (), media_map: bytes | None = None
) -> Path:
    entries = {
        "meta": pb.encode_message([(1, 3)]),
        "collection.anki21b": parts["anki21b"],
        "collection.anki2": parts["placeholder"],
        "media": zstd(media_map if media_map is not None else media_entries(list(media))),
    }
    entries.update({str(i): zstd(data) for i, (_, data) in enumerate(media)})
    return write_zip(path, entries, compression=zipfile.ZIP_STORED)


@pytest.fixture
def collection(tmp_path, empty_collection_file):
    with Collection.open(empty_collection_file(tmp_path / "c.db"), shipped_decks=False) as opened:
        yield opened


def refused(collection: Collection, package: Path, match: str) -> None:
    """The import fails with `match`, and nothing at all was written."""
    with pytest.raises(UserError, match=match):
        collection.import_package(package)
    with collection.reading() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 0
    assert not collection.media_dir.exists()
    leftovers = [p.name for p in collection.path.parent.iterdir() if p.name.startswith(".flashapp-import")]
    assert leftovers == []


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_zip_entries_that_escape_their_folder(name, parts, collection, tmp_path):
    package = legacy_package(tmp_path / "p.apkg", parts, **{name: b"x"})
    refused(collection, package, "zip entry .* refusing a package that escapes its folder")


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_legacy_media_names_that_escape_their_folder(name, parts, collection, tmp_path):
    package = legacy_package(tmp_path / "p.apkg", parts, media={name: b"\x89PNG"})
    refused(collection, package, "media file name .* refusing a package that escapes its folder")


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_modern_media_names_that_escape_their_folder(name, parts, collection, tmp_path):
    package = modern_package(tmp_path / "p.apkg", parts, media=[(name, b"\x89PNG")])
    refused(collection, package, "media file name .* refusing a package that escapes its folder")


def test_zip_bomb_by_ratio(parts, collection, tmp_path):
    package = legacy_package(tmp_path / "p.apkg", parts, media={"zeros.png": bytes(8 * 1024**2)})
    refused(collection, package, "expands .* times .*refusing it")


def test_zip_bomb_by_total_size(parts, tmp_path):
    package = legacy_package(tmp_path / "p.apkg", parts, media={"big.png": bytes(300_000)})
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(UserError, match="declare .* bytes, over the 200,000 allowed"):
        read_package(package, work, PackageLimits(max_total_bytes=200_000))
    # The cap also counts what is actually unpacked (zstd inside the zip), whatever the zip declares.
    modern = modern_package(tmp_path / "m.apkg", parts, media=[("big.png", bytes(2_000_000))])
    with pytest.raises(UserError, match="unpacks to more than 1,000,000 bytes"):
        read_package(modern, work, PackageLimits(max_total_bytes=1_000_000, max_ratio=1e9))


def test_zstd_bomb_in_a_media_file(parts, collection, tmp_path):
    package = modern_package(tmp_path / "p.apkg", parts, media=[("zeros.png", bytes(16 * 1024**2))])
    refused(collection, package, "entry '0' expands .* times")


def test_zstd_bomb_in_the_collection(parts, collection, tmp_path):
    entries = {"meta": pb.encode_message([(1, 3)]), "collection.anki21b": zstd(bytes(64 * 1024**2))}
    package = write_zip(tmp_path / "p.apkg", entries, compression=zipfile.ZIP_STORED)
    refused(collection, package, "collection.anki21b' expands .* times")


def test_zstd_bomb_in_the_media_list(parts, tmp_path):
    package = modern_package(tmp_path / "p.apkg", parts, media_map=bytes(4 * 1024**2))
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(UserError, match="media list unpacks to more than 1,000,000 bytes"):
        read_package(package, work, PackageLimits(max_media_map_bytes=1_000_000))


def test_media_that_does_not_match_its_checksum(parts, collection, tmp_path):
    package = modern_package(tmp_path / "p.apkg", parts, media_map=media_entries([("a.png", b"original")]))
    with zipfile.ZipFile(package, "a") as archive:
        archive.writestr("0", zstd(b"tampered"))
    refused(collection, package, "does not match its checksum")


def test_corrupt_sqlite(parts, collection, tmp_path):
    garbage = write_zip(tmp_path / "g.apkg", {"collection.anki21": b"definitely not sqlite" * 100})
    refused(collection, garbage, "not a valid SQLite database")
    half = parts["anki21"][: len(parts["anki21"]) // 2]
    truncated = write_zip(tmp_path / "t.apkg", {"collection.anki21": half})
    refused(collection, truncated, "collection is (damaged|not a valid SQLite database|malformed)")


def test_placeholder_beside_a_missing_modern_collection(parts, collection, tmp_path):
    entries = {"meta": pb.encode_message([(1, 3)]), "collection.anki2": parts["placeholder"]}
    package = write_zip(tmp_path / "p.apkg", entries)
    refused(collection, package, "promises collection.anki21b, which is missing")
    # Without a meta entry, the placeholder is recognised by its content.
    bare = write_zip(tmp_path / "bare.apkg", {"collection.anki2": parts["placeholder"]})
    refused(collection, bare, "holds only Anki's placeholder collection")


def test_a_modern_package_never_reads_its_placeholder(parts, collection, tmp_path):
    package = modern_package(tmp_path / "p.apkg", parts)
    report = collection.import_package(package)
    assert report.format == "modern (collection.anki21b)" and report.notes_added > 1
    assert not collection.cards(search="update to the latest")


def test_missing_collection_not_a_zip_and_unknown_versions(collection, tmp_path):
    refused(
        collection, write_zip(tmp_path / "m.apkg", {"media": b"{}"}), "not an Anki package \\(no collection"
    )
    (tmp_path / "n.apkg").write_bytes(b"PK\x03\x04 but not really")
    refused(collection, tmp_path / "n.apkg", "not an Anki package \\(not a zip file\\)")
    future = write_zip(tmp_path / "f.apkg", {"meta": pb.encode_message([(1, 9)]), "collection.anki21b": b""})
    refused(collection, future, "format version 9 is unknown")
    broken_meta = write_zip(tmp_path / "b.apkg", {"meta": b"\xff\xff\xff", "collection.anki21": b""})
    refused(collection, broken_meta, "meta entry is corrupt")


def _altered(parts, tmp_path: Path, sql: str) -> Path:
    database = tmp_path / "altered.anki21"
    database.write_bytes(parts["anki21"])
    connection = sqlite3.connect(database)
    connection.executescript(sql)
    connection.commit()
    connection.close()
    return write_zip(tmp_path / "altered.apkg", {"collection.anki21": database.read_bytes()})


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE notes SET flds = X'00ff' WHERE id = (SELECT min(id) FROM notes);", "note .* is malformed"),
        ("UPDATE cards SET due = 'soon' WHERE id = (SELECT min(id) FROM cards);", "card .* is malformed"),
        (
            "UPDATE cards SET ord = 0 "
            "WHERE nid = (SELECT nid FROM cards GROUP BY nid HAVING count(*) > 1 LIMIT 1);",
            "cannot import it: a note has two cards with the same ordinal",
        ),
        ("UPDATE notes SET mid = 42;", "note type 42, which the package does not define"),
        ("UPDATE col SET models = '{not json';", "note types|models is not valid JSON"),
        (
            "ALTER TABLE notes RENAME TO real_notes; CREATE VIEW notes AS SELECT * FROM real_notes;",
            "no notes table",
        ),
        ("DROP TABLE cards;", "no cards table"),
    ],
)
def test_malformed_collections(sql, message, parts, collection, tmp_path):
    refused(collection, _altered(parts, tmp_path, sql), message)


def test_the_package_sqlite_is_read_only_and_its_triggers_never_run(parts, collection, tmp_path):
    """The unpacked copy is opened read-only and immutable (query_only, trusted_schema off); a trigger
    the package carries never fires, and a view cannot stand in for a table."""
    package = _altered(
        parts,
        tmp_path,
        "CREATE TABLE pwned (x); "
        "CREATE TRIGGER t AFTER UPDATE ON notes BEGIN INSERT INTO pwned VALUES (1); END;",
    )
    work = tmp_path / "work"
    work.mkdir()
    prepared = prepare_package(package, work)
    connection = open_readonly(prepared.contents.collection_path, "p.apkg")
    assert connection.execute("PRAGMA trusted_schema").fetchone() == (0,)
    with pytest.raises(sqlite3.OperationalError, match="readonly|query_only"):
        connection.execute("UPDATE notes SET mod = 1")
    connection.close()
    collection.import_package(package)
    check = sqlite3.connect(prepared.contents.collection_path)
    assert check.execute("SELECT count(*) FROM pwned").fetchone() == (0,)
    check.close()


def test_cli_refuses_with_one_line_and_writes_nothing(parts, tmp_path, capsys):
    package = legacy_package(tmp_path / "evil.apkg", parts, media={"../../etc/passwd": b"root"})
    db = tmp_path / "cli.db"
    assert main(["--db", str(db), "import", str(package)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "evil.apkg: media file name '../../etc/passwd'" in err
    with Collection.open(db) as opened:
        assert opened.cards(search="Hallo") == []
    assert not (tmp_path / "etc").exists() and not (tmp_path / "cli.media").exists()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE cards SET due = 'soon' WHERE id = (SELECT min(id) FROM cards);", "card .* is malformed"),
        ("UPDATE notes SET flds = X'00ff' WHERE id = (SELECT min(id) FROM notes);", "note .* is malformed"),
    ],
)
def test_the_staging_worker_refuses_malformed_rows_too(
    sql, message, parts, collection, tmp_path, monkeypatch
):
    import flashapp.store.anki.package_import as anki_import

    monkeypatch.setattr(anki_import, "STAGE_MIN_PACKAGE_BYTES", 0)
    monkeypatch.setattr(anki_import, "STAGE_MIN_NOTES", 0)
    refused(collection, _altered(parts, tmp_path, sql), message)
