"""The cyclic collector's frozen heap (`gc.freeze`), held by whoever needs it and thawed by the last.

`gc.freeze()` moves every object alive now out of the collector's reach; `gc.unfreeze()` gives back
all of them at once, whoever froze them. Two parts of the TUI freeze: the start-up, after Textual's
imports (200,000 objects that live as long as the app), and the study screen, once its first card
is up (a full collection walked ~120k objects, a 70-90 ms pause on some answer). A plain
`gc.unfreeze()` when the study screen closed also thawed the start-up's objects. Here each freeze is
a hold, and the heap is thawed only when the last hold is released.

What froze under a hold that is released while another remains stays frozen until the last release
(Python cannot thaw part of the frozen heap): leaving the study screen with the start-up's hold
still held keeps what was alive when the session began out of the collector's reach, garbage
included, until the app closes.
"""

from __future__ import annotations

import gc

_holds = 0


def freeze() -> None:
    """Freeze what is alive now and hold the heap frozen until the matching `release()`."""
    global _holds
    gc.freeze()
    _holds += 1


def release() -> None:
    """Give up one hold; the last one thaws the heap (`gc.unfreeze()`)."""
    global _holds
    if _holds == 0:
        raise RuntimeError("frozen_heap.release() without a freeze()")
    _holds -= 1
    if _holds == 0:
        gc.unfreeze()


def holds() -> int:
    """How many holds keep the heap frozen now."""
    return _holds
