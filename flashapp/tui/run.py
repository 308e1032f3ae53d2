"""`flashapp` with no command: open the TUI on the collection (`flashapp test` and `flashapp match`:
on a practice mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flashapp.errors import UserError

if TYPE_CHECKING:
    from flashapp.tui.practice_messages import PracticeStart


def run_tui(db: str | None, *, start: PracticeStart | None = None) -> int:
    """Run the TUI until it quits; `start` opens a practice mode on top of the deck tree."""
    from flashapp.tui.app import make_app
    from flashapp.tui.widgets.card_image import prepare_graphics

    def open_collection():
        from flashapp.store.collection import Collection

        return Collection.open(db)

    prepare_graphics()  # before the app takes the terminal: textual-image asks it about graphics
    app = make_app(open_collection=open_collection, start=start)
    try:
        app.run()
    finally:
        if app.collection_ready:
            if app.open_error is None:
                app.collection.backup_if_changed()  # closing after studying or editing, as Anki does
            app.collection.close()
    if isinstance(app.open_error, UserError):
        raise app.open_error
    if app.open_error is not None:
        raise UserError(f"cannot open the collection: {app.open_error}")
    return app.return_code or 0
