"""Python's cyclic garbage collector held off while a bulk job builds many objects that hold no cycles.

Reading a 100,000-card deck file makes some million dicts, lists, tuples and cards; each allocation
counts towards the collector's next pass, and each pass walks the young objects (and, now and then,
all of them) for cycles these values never form. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The collector off inside the block (nesting is fine), back as it was after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
