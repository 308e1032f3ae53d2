"""The user's time zone: an IANA zone (`zoneinfo`), never a fixed UTC offset, so that study days follow
the clocks across daylight-saving changes.

`user_zone(name)`: `name` (from `--tz`) if given; else `$TZ`; else the zone `/etc/localtime` links to
(or holds); else UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["UnknownZone", "user_zone"]

LOCALTIME = Path("/etc/localtime")


class UnknownZone(ValueError):
    """A zone name that is not an IANA zone."""


def named_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` ("Europe/Berlin"); UnknownZone for anything else."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownZone(f"unknown time zone {name!r}: expected an IANA name like Europe/Berlin") from None


def user_zone(name: str | None = None) -> tzinfo:
    """The zone due dates and study days are computed in (see the module docstring)."""
    if name:
        return named_zone(name)
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        try:
            return named_zone(env)
        except UnknownZone:
            pass
    try:
        target = str(LOCALTIME.resolve())
        if "zoneinfo/" in target:
            return named_zone(target.split("zoneinfo/", 1)[1])
        with LOCALTIME.open("rb") as file:
            return ZoneInfo.from_file(file, key="localtime")
    except (OSError, ValueError):
        return UTC
