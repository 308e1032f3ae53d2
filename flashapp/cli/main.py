"""The `flashapp` console script: parses arguments and dispatches to one module per command.

Each command module exposes `register(subparsers)`, which adds its parser and sets `handler`, a
function `(args) -> int`. Command modules import heavy things (the store, the engine) inside their
handlers, so `flashapp --help` stays fast and never imports torch.
"""

from __future__ import annotations

import argparse
import os
import sys

from flashapp.cli import command_modules
from flashapp.cli.failures import (
    check_int_arguments,
    environment_problem,
    install_safe_streams,
    unexpected_line,
)
from flashapp.errors import UserError


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (what is wrong, and where the help is), exit 2, as
    every other bad input; `--help` still prints the whole usage."""

    def error(self, message: str):  # type: ignore[override]
        from flashapp.core.text import strip_control

        line = strip_control(message.replace("\n", " "))
        self.exit(2, f"{self.prog}: {line} (see `{self.prog} --help`)\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the arguments, only the command they name is registered: none when they name
    none (the TUI starts: its first frame waits for no command's module), all of them for `--help`,
    for a word that is no command, or when no arguments are given to look at."""
    parser = OneLineParser(
        prog="flashapp",
        description="Spaced-repetition flashcards for the terminal; concept cards run in PyTorch.",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("FLASHAPP_DB"),
        help="collection: an SQLite path or an SQLAlchemy URL (default: $FLASHAPP_DB, "
        "else a file in the user data folder)",
    )
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="your time zone, an IANA name like Europe/Berlin (default: the system's zone); "
        "study days and due dates follow it",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = None if argv is None else _command_named(argv)
    for module in [] if named == "" else command_modules(named):
        module.register(sub)
    return parser


# Global options that take a value: the word after them is not the command.
_VALUED_GLOBALS = ("--db", "--tz")


def _command_named(argv: list[str]) -> str | None:
    """The command word in `argv` (the first argument that is neither an option nor an option's
    value); "" when there is none; None for `--help`."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return None
        if word in _VALUED_GLOBALS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if problem := check_int_arguments(vars(args)):
        command = f"flashapp {args.command}" if getattr(args, "command", None) else "flashapp"
        print(f"flashapp: {problem} (see `{command} --help`)", file=sys.stderr)
        return 2
    # Every line this process prints passes through here: terminal control sequences never reach the
    # terminal, whatever a deck name, tag or file name holds (JSON escapes them itself).
    original_streams = install_safe_streams(stdout=not getattr(args, "json", False))
    try:
        return _run(args, argv)
    finally:
        sys.stdout, sys.stderr = original_streams


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    try:
        if args.tz:
            check_zone(args.tz)
        if args.command is None:
            if args.tz:  # the TUI opens its collection in the zone of the process
                os.environ["TZ"] = args.tz.strip()
            from flashapp.tui.run import run_tui

            return run_tui(args.db)
        return int(args.handler(args) or 0)
    except UserError as error:  # bad input, a damaged collection file among it (CollectionDamaged)
        print(f"flashapp: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`flashapp cards | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # noqa: BLE001 - the one place where anything unexpected becomes a line
        from flashapp.store.damage import damage_named

        if (damaged := damage_named(error, args.db)) is not None:  # met where nothing named it yet
            print(f"flashapp: {damaged}", file=sys.stderr)
            return 2
        line = environment_problem(error) or unexpected_line(error, args.command, argv)
        print(f"flashapp: {line}", file=sys.stderr)
        return 1


def check_zone(name: str) -> None:
    """`--tz` must name an IANA zone (one line on stderr, exit 2, otherwise)."""
    from flashapp.core.scheduling.zone import UnknownZone, named_zone

    try:
        named_zone(name)
    except UnknownZone as error:
        raise UserError(f"--tz: {error}") from None


if __name__ == "__main__":
    sys.exit(main())
