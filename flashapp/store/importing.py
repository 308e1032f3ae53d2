"""Reading deck files for import: expand folders, parse every file before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashapp.errors import UserError

if TYPE_CHECKING:  # the deck-file parser loads when a deck file is read: an Anki package never needs it
    from flashapp.core.deckfile import DeckSpec
    from flashapp.core.predict import PredictSpec


def validate_demo(concept: str, params: Mapping[str, Any]) -> str | None:
    """Check a card's demo binding against the engine's registry (which does not import torch)."""
    from engine.registry import ConceptError, validate_params

    try:
        validate_params(concept, params)
    except ConceptError as error:
        return str(error)
    return None


def validate_predict(spec: PredictSpec) -> str | None:
    """Check a predict card against the engine's torch-free task registry: the task exists and computes
    this kind of answer, the ranges and params cover exactly its parameters, and every case they allow
    can be computed."""
    from engine.predict_registry import check_card, get_task

    problem = check_card(spec.task, spec.answer.kind, spec.candidates())
    if problem is None and spec.answer.kind == "choice":
        missing = [option for option in get_task(spec.task).options if option not in spec.answer.options]
        if missing:
            return f"answer: options must include {missing[0]!r}, a possible answer of {spec.task}"
    return problem


# Anki packages, imported by `store.anki.package_import` rather than parsed here.
PACKAGE_SUFFIXES = (".apkg", ".colpkg")


def is_package(path: Path) -> bool:
    return path.suffix.lower() in PACKAGE_SUFFIXES


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Deck files, the deck files of folders, and Anki packages, in the order given."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                raise UserError(f"{path}: folder has no .toml deck files")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() != ".toml" and not is_package(path):
                raise UserError(
                    f"{path}: not a deck file or Anki package (expected .toml, .apkg, .colpkg, or a folder)"
                )
            files.append(path)
        elif path.exists():  # a device, a pipe, a socket
            raise UserError(
                f"{path}: not a regular file or folder (expected .toml, .apkg, .colpkg, or a folder)"
            )
        else:
            raise UserError(f"{path}: no such file or folder")
    return files


def split_packages(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """(deck files, Anki packages) among `paths` (folders expanded to their deck files)."""
    files = expand_paths(paths)
    return [f for f in files if not is_package(f)], [f for f in files if is_package(f)]


def read_deck_files(paths: Sequence[str | Path]) -> list[tuple[DeckSpec, str]]:
    """Every file parsed and validated, or a `UserError` for the first bad one (nothing written)."""
    from flashapp.core.deckfile import parse_deck

    specs: list[tuple[DeckSpec, str]] = []
    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        if is_package(path):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"{path}: cannot read: {error}") from None
        spec = parse_deck(text, str(path), validate_demo, validate_predict=validate_predict)
        if spec.name in seen:
            raise UserError(f"{path}: deck {spec.name!r} is also defined by {seen[spec.name]}")
        seen[spec.name] = str(path)
        specs.append((spec, str(path.resolve())))
    return specs
