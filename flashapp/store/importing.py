"""Reading deck files for import: expand folders, parse every file before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flashapp.core.deckfile import DeckSpec, parse_deck
from flashapp.errors import UserError


def validate_demo(concept: str, params: Mapping[str, Any]) -> str | None:
    """Check a card's demo binding against the engine's registry (which does not import torch)."""
    from engine.registry import ConceptError, validate_params

    try:
        validate_params(concept, params)
    except ConceptError as error:
        return str(error)
    return None


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                raise UserError(f"{path}: folder has no .toml deck files")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() != ".toml":
                raise UserError(f"{path}: not a deck file (expected .toml, or a folder of them)")
            files.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    return files


def read_deck_files(paths: Sequence[str | Path]) -> list[tuple[DeckSpec, str]]:
    """Every file parsed and validated, or a `UserError` for the first bad one (nothing written)."""
    specs: list[tuple[DeckSpec, str]] = []
    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"{path}: cannot read: {error}") from None
        spec = parse_deck(text, str(path), validate_demo)
        if spec.name in seen:
            raise UserError(f"{path}: deck {spec.name!r} is also defined by {seen[spec.name]}")
        seen[spec.name] = str(path)
        specs.append((spec, str(path.resolve())))
    return specs
