"""`flashapp` with no command: open the TUI on the collection (`flashapp test` and `flashapp match`:
on a practice mode)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from flashapp.errors import UserError

if TYPE_CHECKING:
    from flashapp.store.counts import DeckCounts
    from flashapp.tui.practice_messages import PracticeStart


def direct_deck_counts(
    db: str | Path | None, *, now: datetime | None = None, tz: tzinfo | None = None
) -> list[DeckCounts] | None:
    """The home screen's deck counts through `sqlite3` alone (`store/direct/`, what `flashapp decks`
    uses), before the `Collection` is open; None where that path does not serve the collection
    (PostgreSQL, a file to create or upgrade, one marked damaged): then the home screen waits for the
    `Collection`, as it always did. The same count function as `Collection.deck_counts`, at the same
    time zone (`tz`: the user's) and clock (`now`: the current time)."""
    from flashapp.core.scheduling.zone import user_zone
    from flashapp.store.direct.connection import direct_or_none

    direct = direct_or_none(db, tz or user_zone())
    if direct is None:
        return None
    from flashapp.store.direct.deck_tree import deck_rows

    with direct:
        return deck_rows(direct, now or datetime.now(UTC))


def counts_in_thread(read: Callable[[], list[DeckCounts] | None]) -> Future[list[DeckCounts] | None]:
    """`read` (`direct_deck_counts`), started now in a thread of its own: its result to come. An error
    in it comes back as None, so the `Collection`'s opening meets the problem again and words it
    (damage, a locked file) as it always did."""
    future: Future[list[DeckCounts] | None] = Future()

    def run() -> None:
        counts = None
        try:
            counts = read()
        except BaseException:  # noqa: BLE001, S110 - see above: never lost, only left to the Collection
            pass
        finally:
            future.set_result(counts)

    threading.Thread(target=run, name="flashapp-first-counts", daemon=True).start()
    return future


def run_tui(db: str | None, *, start: PracticeStart | None = None) -> int:
    """Run the TUI until it quits; `start` opens a practice mode on top of the deck tree.

    The deck tree's counts are read (through `sqlite3`, where that serves the collection) in a thread
    started before the app's own imports, which take longer: the home screen's first frame shows them."""
    first_counts = counts_in_thread(lambda: direct_deck_counts(db))

    # Textual's import makes some 200,000 objects that live as long as the app: the cyclic collector,
    # run meanwhile every 700 allocations, would walk them again and again (~10% of the start-up's
    # CPU). Paused for the imports; after them they are frozen (never walked again) and it resumes.
    # The hold is the app's: the study screen's own hold, given back when it closes, leaves it frozen.
    from flashapp.core.gc_pause import gc_paused
    from flashapp.tui import frozen_heap

    with gc_paused():
        try:
            from flashapp.tui.app import make_app
            from flashapp.tui.widgets.card_image import prepare_graphics
        finally:
            frozen_heap.freeze()

    def open_collection():
        from flashapp.store.collection import Collection

        return Collection.open(db)

    prepare_graphics()  # before the app takes the terminal: textual-image asks it about graphics
    app = make_app(open_collection=open_collection, first_counts=first_counts, start=start)
    try:
        app.run()
    finally:
        frozen_heap.release()
        if app.collection_ready:
            if app.open_error is None:
                app.collection.backup_if_changed()  # closing after studying or editing, as Anki does
            app.collection.close()
    if isinstance(app.open_error, UserError):
        raise app.open_error
    if app.open_error is not None:
        raise UserError(f"cannot open the collection: {app.open_error}")
    return app.return_code or 0
