"""`flashapp` with no command: open the TUI on the collection."""

from __future__ import annotations

from flashapp.store.collection import Collection


def run_tui(db: str | None) -> int:
    from flashapp.tui.app import make_app

    with Collection.open(db) as collection:
        make_app(collection).run()
    return 0
