"""Calling the CLI in-process from a test: the exit code and what it printed."""

from __future__ import annotations

from flashapp.cli.main import main


def call(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `flashapp ARGV...` through `main`; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
