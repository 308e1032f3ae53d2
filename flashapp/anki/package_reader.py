"""Open an Anki package (`.apkg`, `.colpkg`) safely: check its zip, pick its newest collection, and
unpack the collection and its media into a work folder, within size limits.

Layouts (what Anki writes; `meta` holds a protobuf `PackageMetadata { version = 1 }`):
- legacy 1: `collection.anki2` (schema 11), JSON media map `{"0": "name.png"}`, media files `0`, `1`...
- legacy 2: also `collection.anki21` (same schema, newer scheduler); Anki 2.1.50+ adds `meta` = 2.
- latest 3: `collection.anki21b`, zstd-compressed (schema 18); the media map is a zstd-compressed
  protobuf `MediaEntries`, and every media file is zstd-compressed. Such packages also carry a
  `collection.anki2` whose only note asks the user to update Anki: it is never the one to read.

Nothing in a package is trusted: entry and media names must be plain file names (no `..`, no
separators, no absolute paths or drive letters); every byte written is counted against a total cap,
and an entry that expands more than `max_ratio` times is refused (zip and zstd bombs). Files are
streamed to disk, never held whole in memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import zstandard

from flashapp.anki import protobuf_lite as pb
from flashapp.errors import UserError

VERSION_LEGACY_1, VERSION_LEGACY_2, VERSION_LATEST = 1, 2, 3
COLLECTION_ENTRIES = {
    VERSION_LEGACY_1: "collection.anki2",
    VERSION_LEGACY_2: "collection.anki21",
    VERSION_LATEST: "collection.anki21b",
}
PACKAGE_SUFFIXES = (".apkg", ".colpkg")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_CHUNK = 1 << 20
# Drive letters ("C:"), and names Windows reserves whatever their extension.
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class PackageLimits:
    """Caps against zip and zstd bombs. `max_ratio` applies to entries that unpack to more than
    `ratio_floor_bytes` (tiny files legitimately compress very well)."""

    max_total_bytes: int = 8 * 1024**3
    max_ratio: float = 250.0
    ratio_floor_bytes: int = 1024**2
    max_entries: int = 500_000
    max_meta_bytes: int = 64 * 1024
    max_media_map_bytes: int = 256 * 1024**2


DEFAULT_LIMITS = PackageLimits()


@dataclass(frozen=True)
class MediaFile:
    name: str  # as the notes refer to it (NFC)
    sha256: str
    size: int
    staged: Path  # its bytes, in the work folder


@dataclass(frozen=True)
class PackageContents:
    source: Path
    version: int
    collection_entry: str
    collection_path: Path  # the unpacked SQLite file, in the work folder
    media: tuple[MediaFile, ...]

    @property
    def format_name(self) -> str:
        return {
            VERSION_LEGACY_1: "legacy (collection.anki2)",
            VERSION_LEGACY_2: "legacy (collection.anki21)",
            VERSION_LATEST: "modern (collection.anki21b)",
        }[self.version]


def unsafe_name_reason(name: str) -> str | None:
    """Why `name` is not a plain file name that stays inside its folder, or None when it is."""
    if not name or name.strip() == "":
        return "empty name"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if name in (".", ".."):
        return "is a relative folder reference"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if _CONTROL.search(name):
        return "contains control characters"
    if len(name.encode("utf-8", "surrogatepass")) > 255:
        return "is longer than 255 bytes"
    return None


class _Budget:
    """Counts every byte unpacked from one package against the total cap."""

    def __init__(self, label: str, limits: PackageLimits):
        self.label = label
        self.limits = limits
        self.used = 0

    def take(self, count: int) -> None:
        self.used += count
        if self.used > self.limits.max_total_bytes:
            raise UserError(
                f"{self.label}: unpacks to more than {self.limits.max_total_bytes:,} bytes; refusing it "
                "(a zip or zstd bomb?)"
            )


def read_package(path: Path, workdir: Path, limits: PackageLimits = DEFAULT_LIMITS) -> PackageContents:
    """Check and unpack the package at `path` into `workdir` (which must exist and be empty)."""
    label = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UserError(f"{label}: not an Anki package (not a zip file)") from None
    except OSError as error:
        raise UserError(f"{label}: cannot read: {error.strerror or error}") from None
    with archive:
        entries = _checked_entries(archive, label, limits)
        budget = _Budget(label, limits)
        version = _package_version(archive, entries, label, limits)
        collection_entry = _newest_collection(entries, version, label)
        collection_path = workdir / "collection.sqlite"
        zstd_collection = collection_entry == COLLECTION_ENTRIES[VERSION_LATEST]
        with open(collection_path, "wb") as out:
            _unpack(archive, entries[collection_entry], out, zstd_collection, budget, label)
        media = _read_media(archive, entries, version, workdir, budget, label, limits)
    return PackageContents(path, version, collection_entry, collection_path, media)


def _checked_entries(
    archive: zipfile.ZipFile, label: str, limits: PackageLimits
) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise UserError(
            f"{label}: has {len(infos):,} zip entries, more than the {limits.max_entries:,} allowed"
        )
    entries: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        name = info.filename
        reason = unsafe_name_reason(name)
        if reason is not None:
            raise UserError(
                f"{label}: zip entry {name!r} {reason}; refusing a package that escapes its folder"
            )
        if name in entries:
            raise UserError(f"{label}: zip entry {name!r} appears twice")
        if info.flag_bits & 0x1:
            raise UserError(f"{label}: zip entry {name!r} is encrypted")
        declared += info.file_size
        _check_ratio(info.file_size, info.compress_size, name, label, limits)
        entries[name] = info
    if declared > limits.max_total_bytes:
        raise UserError(
            f"{label}: its entries declare {declared:,} bytes, over the {limits.max_total_bytes:,} allowed "
            "(a zip bomb?)"
        )
    return entries


def _check_ratio(unpacked: int, packed: int, name: str, label: str, limits: PackageLimits) -> None:
    if unpacked > limits.ratio_floor_bytes and unpacked > limits.max_ratio * max(packed, 1):
        raise UserError(
            f"{label}: entry {name!r} expands {unpacked / max(packed, 1):,.0f} times "
            f"(more than {limits.max_ratio:g}); refusing it (a zip or zstd bomb?)"
        )


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, label: str) -> bytes:
    if info.file_size > cap:
        raise UserError(f"{label}: entry {info.filename!r} is larger than {cap:,} bytes")
    try:
        with archive.open(info) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise UserError(f"{label}: entry {info.filename!r} is corrupt: {error}") from None
    if len(data) > cap:
        raise UserError(f"{label}: entry {info.filename!r} is larger than {cap:,} bytes")
    return data


def _package_version(
    archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], label: str, limits: PackageLimits
) -> int:
    if "meta" in entries:
        data = _read_small(archive, entries["meta"], limits.max_meta_bytes, label)
        try:
            version = pb.get_int(pb.decode(data), 1)
        except pb.ProtobufError as error:
            raise UserError(f"{label}: its meta entry is corrupt ({error})") from None
        if version not in COLLECTION_ENTRIES:
            raise UserError(
                f"{label}: package format version {version} is unknown (made by a newer Anki?); "
                "export it from Anki with 'Support older Anki versions' ticked"
            )
        return version
    if COLLECTION_ENTRIES[VERSION_LATEST] in entries:
        return VERSION_LATEST
    if COLLECTION_ENTRIES[VERSION_LEGACY_2] in entries:
        return VERSION_LEGACY_2
    return VERSION_LEGACY_1


def _newest_collection(entries: dict[str, zipfile.ZipInfo], version: int, label: str) -> str:
    """The newest collection file present: `meta` may understate it, never the other way round."""
    for candidate in (VERSION_LATEST, VERSION_LEGACY_2, VERSION_LEGACY_1):
        name = COLLECTION_ENTRIES[candidate]
        if name in entries and candidate >= version:
            return name
    wanted = COLLECTION_ENTRIES[version]
    if any(name in entries for name in COLLECTION_ENTRIES.values()):
        raise UserError(
            f"{label}: its meta entry promises {wanted}, which is missing; the older collection beside "
            "it is only a placeholder"
        )
    raise UserError(
        f"{label}: not an Anki package (no collection.anki21b, collection.anki21 or collection.anki2)"
    )


def _unpack(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    out: BinaryIO,
    zstd_compressed: bool,
    budget: _Budget,
    label: str,
    on_chunk: Callable[[bytes], None] | None = None,
) -> int:
    """Stream one entry (zstd-decompressed when asked) to `out`; returns the bytes written."""
    written = 0
    try:
        with archive.open(info) as stream:
            reader: BinaryIO = stream
            if zstd_compressed:
                reader = zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)  # type: ignore[assignment]
            while chunk := reader.read(_CHUNK):
                written += len(chunk)
                budget.take(len(chunk))
                _check_ratio(written, info.compress_size, info.filename, label, budget.limits)
                if on_chunk is not None:
                    on_chunk(chunk)
                out.write(chunk)
    except UserError:
        raise
    except (zipfile.BadZipFile, zstandard.ZstdError, EOFError, ValueError, NotImplementedError) as error:
        what = "zstd data" if zstd_compressed else "data"
        raise UserError(f"{label}: entry {info.filename!r} has corrupt {what}: {error}") from None
    except OSError as error:
        raise UserError(f"{label}: cannot unpack entry {info.filename!r}: {error}") from None
    return written


def _media_map(
    archive: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    version: int,
    label: str,
    limits: PackageLimits,
) -> list[tuple[str, str, int | None, bytes | None]]:
    """(zip entry, media name, declared size, declared sha1) for each media file."""
    info = entries.get("media")
    if info is None:
        return []
    raw = _read_small(archive, info, limits.max_media_map_bytes, label)
    if raw.startswith(ZSTD_MAGIC):
        return _modern_media_map(_unzstd_small(raw, limits.max_media_map_bytes, label), label)
    if version == VERSION_LATEST:
        raise UserError(f"{label}: its media list is not zstd-compressed, as a modern package's must be")
    try:
        mapping = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{label}: its media list is not valid JSON ({error})") from None
    if not isinstance(mapping, dict):
        raise UserError(f"{label}: its media list is not a JSON object")
    out = []
    for key, name in mapping.items():
        if not (isinstance(key, str) and key.isdigit() and isinstance(name, str)):
            raise UserError(f"{label}: media list entry {key!r}: {name!r} is not a number and a file name")
        out.append((str(int(key)), name, None, None))
    return out


def _unzstd_small(raw: bytes, cap: int, label: str) -> bytes:
    """Decompress a small zstd blob, refusing to produce more than `cap` bytes."""
    out = bytearray()
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw), read_across_frames=True)
        while chunk := reader.read(_CHUNK):
            out += chunk
            if len(out) > cap:
                raise UserError(f"{label}: its media list unpacks to more than {cap:,} bytes (a zstd bomb?)")
    except zstandard.ZstdError as error:
        raise UserError(f"{label}: its media list is corrupt ({error})") from None
    return bytes(out)


def _modern_media_map(raw: bytes, label: str) -> list[tuple[str, str, int | None, bytes | None]]:
    out = []
    try:
        for index, value in enumerate(pb.decode(raw).get(1, [])):
            if not isinstance(value, bytes):
                raise pb.ProtobufError("media entry is not a message")
            entry = pb.decode(value)
            zip_name = str(pb.get_int(entry, 4)) if 4 in entry else str(index)
            sha1 = pb.get_bytes(entry, 3) or None
            out.append((zip_name, pb.get_str(entry, 1), pb.get_int(entry, 2), sha1))
    except pb.ProtobufError as error:
        raise UserError(f"{label}: its media list is corrupt ({error})") from None
    return out


def _read_media(
    archive: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    version: int,
    workdir: Path,
    budget: _Budget,
    label: str,
    limits: PackageLimits,
) -> tuple[MediaFile, ...]:
    listed = _media_map(archive, entries, version, label, limits)
    if not listed:
        return ()
    staging = workdir / "media"
    staging.mkdir()
    seen: set[str] = set()
    files = []
    for index, (zip_name, raw_name, size, sha1) in enumerate(listed):
        reason = unsafe_name_reason(raw_name)
        if reason is not None:
            raise UserError(
                f"{label}: media file name {raw_name!r} {reason}; refusing a package that escapes its folder"
            )
        name = unicodedata.normalize("NFC", raw_name)
        if name in seen:
            raise UserError(f"{label}: media file {name!r} is listed twice")
        seen.add(name)
        info = entries.get(zip_name)
        if info is None:
            raise UserError(
                f"{label}: media file {name!r} (zip entry {zip_name!r}) is missing from the package"
            )
        sha256, sha1_check = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)

        def digest(chunk: bytes, sha256=sha256, sha1_check=sha1_check) -> None:
            sha256.update(chunk)
            sha1_check.update(chunk)

        temporary = staging / f"incoming-{index}"
        with open(temporary, "wb") as out:
            written = _unpack(archive, info, out, version == VERSION_LATEST, budget, label, digest)
        if size and written != size:
            raise UserError(f"{label}: media file {name!r} is {written} bytes, its list says {size}")
        if sha1 and sha1_check.digest() != sha1:
            raise UserError(f"{label}: media file {name!r} does not match its checksum (corrupt package)")
        # One staged file per name (never per content): two names may hold identical bytes, and each
        # is installed under its own name.
        staged = staging / f"{index}"
        os.replace(temporary, staged)
        files.append(MediaFile(name, sha256.hexdigest(), written, staged))
    return tuple(files)
