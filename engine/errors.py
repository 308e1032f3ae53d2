"""The engine's two exceptions. Torch-free, so the CLI and the TUI can catch them without loading torch."""

from __future__ import annotations


class ConceptError(ValueError):
    """Bad input to a demo: an unknown concept, an unknown parameter, a value out of range, a device that
    is not available. The message is one line naming the concept and the parameter at fault."""


class Cancelled(Exception):
    """Raised by a training concept when its `cancel()` callback returned True."""
