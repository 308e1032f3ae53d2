"""Terminal control sequences and characters in text that is data (card text, deck names, file names):
found and stripped before it reaches the terminal. Apart from `core.text`'s Markdown patterns, so the
screens that only show names (the deck tree's first frame) compile these two patterns alone."""

from __future__ import annotations

import re

# ESC-introduced sequences (CSI, OSC with BEL or ST, other two-byte escapes) as whole units, then any
# remaining C0 control except tab and newline, DEL, C1 controls, and bidi overrides/isolates.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC ... ST
    r"|\x1b[@-Z\\-_]?"  # two-byte escapes and a lone ESC
)
CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")


def has_control(text: str) -> bool:
    """Whether `strip_control` would change anything but a CRLF (a fast test for output streams)."""
    return _CONTROL.search(text) is not None


def strip_control(text: str) -> str:
    """`text` without terminal control sequences, C0/C1 controls or bidi overrides (tab, newline kept)."""
    if _CONTROL.search(text) is None:  # the usual case, one scan: ESC and CR are controls too
        return text
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))
