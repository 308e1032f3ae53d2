"""Playing a card's `[sound:...]` files through a player found on the system, as Anki plays them.

Safety: the command line is fixed (the player and its own options), plus one argument, the file's
absolute path inside the collection's media folder (found by `resolve_media`, so a name from a card
cannot reach outside it, and an absolute path never starts with "-", so it cannot be read as an
option). No shell is involved, and nothing else from the card reaches the command line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

# Players in the order tried: (program, its options for playing one file without a window).
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mpv", ("--no-video", "--really-quiet", "--no-terminal")),
    ("ffplay", ("-nodisp", "-autoexit", "-loglevel", "quiet")),
    ("paplay", ()),
    ("afplay", ()),
)
# The chip `flashapp.anki.html_text` writes for `[sound:name]`, as it appears in Markdown or plain text.
_CHIP = re.compile(r"\\?\[♪ (.+?)\\?\]")
_MARKDOWN_ESCAPE = re.compile(r"\\(.)")


def sound_names(text: str) -> list[str]:
    """The file names of the sound chips in a card's text, in order, without repeats."""
    names = [_MARKDOWN_ESCAPE.sub(r"\1", match.group(1)) for match in _CHIP.finditer(text)]
    return list(dict.fromkeys(names))


def find_player(which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The command (program path and options) of the first player installed, or None."""
    for program, options in PLAYERS:
        path = which(program)
        if path:
            return [path, *options]
    return None


def play(path: Path, player: list[str] | None = None) -> subprocess.Popen[bytes] | None:
    """Start playing `path` (an absolute path); returns the process, or None without a player."""
    command = player if player is not None else find_player()
    if command is None:
        return None
    path = Path(path).resolve()
    return subprocess.Popen(
        [*command, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not stopped by the terminal's signals to the app
    )
