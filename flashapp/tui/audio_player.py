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
import threading
from collections.abc import Callable
from pathlib import Path

from flashapp.core.text import strip_control

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


NO_PLAYER = "No audio player found: install mpv, ffplay (FFmpeg), paplay (PulseAudio) or afplay (macOS)"


class Playback:
    """Plays files one after another, in a background thread, as Anki plays a card's sounds; starting
    again (or `stop`) ends what is playing."""

    def __init__(self, which: Callable[[str], str | None] = shutil.which) -> None:
        self.which = which
        self._process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def start(self, paths: list[Path]) -> bool:
        """Start playing `paths` in order; False (nothing started) when no player is installed."""
        player = find_player(self.which)
        if player is None:
            return False
        self.stop()
        stop = self._stop = threading.Event()
        threading.Thread(target=self._play_all, args=(player, list(paths), stop), daemon=True).start()
        return True

    def _play_all(self, player: list[str], paths: list[Path], stop: threading.Event) -> None:
        for path in paths:
            with self._lock:
                if stop.is_set():
                    return
                try:
                    self._process = process = play(path, player)
                except OSError:
                    return
            if process is None:
                return
            process.wait()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()


def play_card_sounds(text: str, find_media: Callable[[str], Path | None], playback: Playback) -> str:
    """Play the sounds of a card's text (its chips, in order); the one-line message to show."""
    names = sound_names(text)
    if not names:
        return "No sound on this side of the card"
    found = [path for path in (find_media(name) for name in names) if path is not None]
    missing = [name for name in names if find_media(name) is None]
    if not found:
        return strip_control(f"Not in the collection's media: {', '.join(missing)}")
    if not playback.start(found):
        return NO_PLAYER
    playing = ", ".join(path.name for path in found)
    return strip_control(f"Playing {playing}" + (f" (missing: {', '.join(missing)})" if missing else ""))
