"""Just enough of the protobuf wire format to read (and write) the few small messages Anki packages
carry: the `meta` version, the media map, note type, deck and deck-option configs.

A message is decoded into `{field_number: [values...]}`: varints as ints, length-delimited fields as
bytes (decode nested messages with another `decode` call), fixed32/fixed64 as raw little-endian bytes.
Malformed input raises `ProtobufError`, never reads out of bounds and never loops forever.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_MAX_VARINT_BYTES = 10


class ProtobufError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, next position) of the varint at `pos`."""
    value = 0
    for shift_index in range(_MAX_VARINT_BYTES):
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << (7 * shift_index)
        if not byte & 0x80:
            return value, pos
    raise ProtobufError("varint longer than 10 bytes")


def iter_fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) for each field, in order."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("field number 0")
        if wire_type == VARINT:
            value, pos = read_varint(data, pos)
            yield number, wire_type, value
        elif wire_type == LENGTH_DELIMITED:
            length, pos = read_varint(data, pos)
            if length > len(data) - pos:
                raise ProtobufError("length-delimited field runs past the end")
            yield number, wire_type, data[pos : pos + length]
            pos += length
        elif wire_type in (FIXED32, FIXED64):
            size = 4 if wire_type == FIXED32 else 8
            if size > len(data) - pos:
                raise ProtobufError("fixed-size field runs past the end")
            yield number, wire_type, data[pos : pos + size]
            pos += size
        else:  # groups (3, 4) are obsolete and never used by Anki
            raise ProtobufError(f"unsupported wire type {wire_type}")


def decode(data: bytes) -> dict[int, list[int | bytes]]:
    message: dict[int, list[int | bytes]] = {}
    for number, _wire_type, value in iter_fields(data):
        message.setdefault(number, []).append(value)
    return message


# --- typed accessors: the last value wins for singular fields, as in protobuf ------------------------


def get_int(message: dict[int, list[int | bytes]], number: int, default: int = 0) -> int:
    values = message.get(number)
    if not values or not isinstance(values[-1], int):
        return default
    return values[-1]


def get_signed(message: dict[int, list[int | bytes]], number: int, default: int = 0) -> int:
    """An int64/int32 field (two's complement varint)."""
    value = get_int(message, number, default)
    return value - (1 << 64) if value >= 1 << 63 else value


def get_bool(message: dict[int, list[int | bytes]], number: int, default: bool = False) -> bool:
    return bool(get_int(message, number, int(default)))


def get_bytes(message: dict[int, list[int | bytes]], number: int, default: bytes = b"") -> bytes:
    values = message.get(number)
    if not values or not isinstance(values[-1], bytes):
        return default
    return values[-1]


def get_str(message: dict[int, list[int | bytes]], number: int, default: str = "") -> str:
    raw = get_bytes(message, number, None)  # type: ignore[arg-type]
    if raw is None:
        return default
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtobufError(f"field {number} is not UTF-8 text") from None


def get_message(message: dict[int, list[int | bytes]], number: int) -> dict[int, list[int | bytes]] | None:
    raw = get_bytes(message, number, None)  # type: ignore[arg-type]
    return None if raw is None else decode(raw)


def get_float(message: dict[int, list[int | bytes]], number: int, default: float = 0.0) -> float:
    values = message.get(number)
    if not values or not isinstance(values[-1], bytes) or len(values[-1]) != 4:
        return default
    return struct.unpack("<f", values[-1])[0]


def get_floats(message: dict[int, list[int | bytes]], number: int) -> list[float]:
    """A `repeated float`, packed (one length-delimited run) or not (one fixed32 per value)."""
    out: list[float] = []
    for value in message.get(number, []):
        if isinstance(value, int):
            raise ProtobufError(f"field {number}: expected floats")
        if len(value) % 4:
            raise ProtobufError(f"field {number}: packed floats of odd length")
        out.extend(struct.unpack(f"<{len(value) // 4}f", value))
    return out


# --- writing -----------------------------------------------------------------------------------------


def encode_varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_field(number: int, value: int | bytes | str) -> bytes:
    if isinstance(value, int):
        return encode_varint(number << 3 | VARINT) + encode_varint(value)
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return encode_varint(number << 3 | LENGTH_DELIMITED) + encode_varint(len(raw)) + raw


def encode_message(fields: Iterable[tuple[int, int | bytes | str]]) -> bytes:
    return b"".join(encode_field(number, value) for number, value in fields)
