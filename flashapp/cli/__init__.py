"""Command-line interface: one module per command, each with `register(subparsers)`."""

from __future__ import annotations

import importlib
from types import ModuleType

# Command name -> module under flashapp.cli, in the order `flashapp --help` lists the commands.
COMMAND_MODULES: dict[str, str] = {
    "decks": "decks", "next": "next_cmd", "answer": "answer", "undo": "undo", "cards": "cards",
    "card": "card_cmd", "import": "import_cmd", "export": "export", "check": "check", "demo": "demo",
    "test": "test_cmd", "match": "match", "backups": "backups", "restore": "restore", "optimize": "optimize",
    "evaluate": "evaluate", "stats": "stats", "plan": "plan",
}  # fmt: skip
COMMANDS: tuple[str, ...] = tuple(COMMAND_MODULES.values())


def command_modules(only: str | None = None) -> list[ModuleType]:
    """Every command's module, or with `only` (a command's name) that command's alone: a process that
    runs one command does not load the other seventeen."""
    names = [COMMAND_MODULES[only]] if only in COMMAND_MODULES else COMMANDS
    return [importlib.import_module(f"flashapp.cli.{name}") for name in names]
