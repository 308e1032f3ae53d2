"""What the CLI says when a command fails other than by bad input: one line, never a traceback.

Known conditions of the machine (a read-only or full disk, a busy collection, a folder that cannot be
written) get a line of their own and exit 1. Anything else is a bug: its traceback goes to a log file
in the data folder and the line names that file.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from pathlib import Path

LOG_NAME = "flashapp-errors.log"
MAX_LOG_BYTES = 1_000_000  # the log is rotated once past this, keeping one older file

# Bounds for integer arguments, by their argparse `dest`: what the store and the scheduler can hold.
INT_BOUNDS: dict[str, tuple[int, int]] = {
    "card_id": (1, 2**63 - 1),
    "time_ms": (0, 2**31 - 1),
    "count": (-(2**31), 10_000),  # below 1: the command says why itself
    "seed": (-(2**63), 2**63 - 1),
    "days": (1, 36_500),
}


def check_int_arguments(values: dict[str, object]) -> str | None:
    """One line naming the first integer argument out of bounds, or None."""
    for dest, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        low, high = INT_BOUNDS.get(dest, (-(2**63), 2**63 - 1))
        if not low <= value <= high:
            flag = dest if dest == "card_id" else "--" + dest.replace("_", "-")
            bound = f"at most {high}" if value > high else f"at least {low}"
            return f"{flag} {value} is out of range ({bound})"
    return None


def environment_problem(error: BaseException) -> str | None:
    """One line for a failure of the machine rather than of flashapp, or None."""
    for current in _chain(error):
        if isinstance(current, sqlite3.OperationalError | sqlite3.DatabaseError):
            message = str(current).lower()
            if "readonly" in message or "read-only" in message:
                return "the collection is read-only (file or folder permissions): nothing was changed"
            if "disk is full" in message or "disk full" in message:
                return "the disk is full: nothing was changed"
            if "database is locked" in message or "database is busy" in message:
                return "the collection is busy (another flashapp is writing to it): try again"
            if "unable to open database file" in message:
                return "cannot open the collection file (missing folder or no permission)"
            if "disk i/o error" in message:
                return "disk I/O error reading or writing the collection: nothing was changed"
        if isinstance(current, OSError) and current.errno in (
            errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EPERM, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR,
        ):  # fmt: skip
            where = f" {current.filename}" if current.filename else ""
            return f"cannot write{where}: {current.strerror or os.strerror(current.errno)}"
    return None


def _chain(error: BaseException):
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__


def log_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("flashapp", appauthor=False))


def log_unexpected(error: BaseException, argv: list[str]) -> Path | None:
    """Append the traceback (with the command line, passwords hidden) to the log; its path, or None
    when no folder could take it."""
    # Loaded here, on the way out of a failed command, not by every command that starts.
    import tempfile
    import traceback
    from datetime import UTC, datetime

    from flashapp.store.db import shown_url

    shown = [shown_url(arg) if "://" in arg else arg for arg in argv]
    entry = (
        f"--- {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} flashapp {' '.join(shown)}\n"
        + "".join(traceback.format_exception(error))
        + "\n"
    )
    for folder in (log_folder(), Path(tempfile.gettempdir())):
        path = folder / LOG_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
                path.replace(path.with_suffix(".log.1"))
            with path.open("a", encoding="utf-8") as log:
                log.write(entry)
            return path
        except OSError:
            continue
    return None


def unexpected_line(error: BaseException, command: str | None, argv: list[str]) -> str:
    what = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": ")
    if isinstance(error, RecursionError | MemoryError):
        what = type(error).__name__
    log = log_unexpected(error, argv)
    where = f"the traceback is in {log}" if log else "no log file could be written"
    return f"unexpected error in `{command or 'flashapp'}` ({what[:200]}); {where}"


class SafeStream:
    """A text stream that strips terminal control sequences from what it writes: deck names, tags,
    file names and messages reach the terminal only through it (the CLI's text output and every error
    line). JSON output bypasses it: JSON escapes control characters itself."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        from flashapp.core.text import has_control, strip_control

        if has_control(text):  # carriage returns stay: progress bars redraw their line with them
            text = "\r".join(strip_control(part) for part in text.split("\r"))
        return self._stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def install_safe_streams(stdout: bool) -> tuple[object, object]:
    """Wrap sys.stderr (and sys.stdout when `stdout`); returns the originals to put back."""
    original = sys.stdout, sys.stderr
    sys.stderr = SafeStream(sys.stderr)
    if stdout:
        sys.stdout = SafeStream(sys.stdout)
    return original
