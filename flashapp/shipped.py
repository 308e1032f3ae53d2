"""Where the shipped decks live: inside the installed package (wheel) or in the checkout's `decks/`."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_decks_dir() -> Path:
    bundled = _PACKAGE / "shipped_decks"  # the wheel maps the checkout's decks/ here
    return bundled if bundled.is_dir() else _PACKAGE.parent / "decks"


def shipped_deck_files() -> list[Path]:
    return sorted(shipped_decks_dir().glob("*.toml"))
