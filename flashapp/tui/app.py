"""The Textual application: holds the collection and opens on the home screen."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from flashapp.store.collection import Collection
from flashapp.tui.screens.home import HomeScreen


class FlashApp(App[None]):
    TITLE = "flashapp"
    SUB_TITLE = "spaced repetition, concepts that run"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, collection: Collection) -> None:
        super().__init__()
        self.collection = collection

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())


def make_app(collection: Collection) -> FlashApp:
    """Build the app the way the CLI does; tests call this too."""
    return FlashApp(collection)
