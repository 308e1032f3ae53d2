"""Command-line interface: one module per command, each with `register(subparsers)`."""

from __future__ import annotations

import importlib
from types import ModuleType

# Module names under flashapp.cli, in the order `flashapp --help` lists the commands.
COMMANDS: tuple[str, ...] = (
    "decks", "next_cmd", "answer", "undo", "cards", "card_cmd", "import_cmd", "export", "check", "demo",
    "test_cmd", "match", "backups", "restore", "optimize", "evaluate", "stats", "plan",
)  # fmt: skip


def command_modules() -> list[ModuleType]:
    return [importlib.import_module(f"flashapp.cli.{name}") for name in COMMANDS]
