"""What every command shares: opening the collection, `--now` and `--json` handling."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flashapp.core.timefmt import iso_utc as iso  # noqa: F401 - re-exported for the commands
from flashapp.errors import UserError

if TYPE_CHECKING:
    from flashapp.store.collection import Collection
    from flashapp.store.direct.connection import DirectCollection


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def add_now_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--now", help="act as if it were this ISO 8601 time (default: now)")


NOW_YEARS = (1970, 9000)


def parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--now {text!r} is not an ISO 8601 time like 2026-01-31T09:00:00Z") from None
    if value.tzinfo is None:
        raise UserError(f"--now {text!r} needs a time zone, like 2026-01-31T09:00:00Z")
    # Dates a century of intervals away must still exist: keep "now" well inside datetime's range.
    if not NOW_YEARS[0] <= value.year <= NOW_YEARS[1]:
        raise UserError(f"--now {text!r} is outside the years {NOW_YEARS[0]} to {NOW_YEARS[1]}")
    return value.astimezone(UTC)


def card_id_argument(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) >= 2**63:
        raise argparse.ArgumentTypeError(f"card id must be a number (see `flashapp cards`), got {text!r}")
    return int(text)


# Interval fuzz for answers given from the command line (tests turn it off for exact intervals).
FUZZ = True


def open_collection(args: argparse.Namespace, **options: Any) -> Collection:
    # Imported here, not at the top: the TUI starts from the same entry point and must show its first
    # frame before SQLAlchemy is loaded.
    from flashapp.core.scheduling.zone import user_zone
    from flashapp.store.collection import Collection, utc_now

    now = parse_now(getattr(args, "now", None)) if getattr(args, "now", None) else None
    tz = user_zone(getattr(args, "tz", None))
    return Collection.open(args.db, clock=(lambda: now) if now else utc_now, tz=tz, fuzz=FUZZ, **options)


def open_direct(args: argparse.Namespace) -> DirectCollection | None:
    """The collection opened with `sqlite3` alone, for `decks`, `next` and `answer`, when it is an SQLite
    file at the current schema; None otherwise (then `open_collection`). See `store/direct/`."""
    from flashapp.core.scheduling.zone import user_zone
    from flashapp.store.direct.connection import direct_or_none

    return direct_or_none(args.db, user_zone(getattr(args, "tz", None)))


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
