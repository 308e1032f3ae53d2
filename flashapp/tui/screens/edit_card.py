"""Edit a card's note: one text box per field, plus its tags. Returns True when something was saved.

A note that came from a deck file changes in the collection only: the notice says that re-importing
the file will overwrite the edit (the deck file stays the source of truth).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from flashapp.errors import UserError
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

FIELD_LABELS = {"front": "Front", "back": "Back", "text": "Cloze text", "extra": "Extra"}


class EditCardScreen(StyledOnMount, ModalScreen[bool]):
    DEFAULT_CSS = """
    EditCardScreen { align: center middle; }
    EditCardScreen #edit {
        width: 90%; max-width: 110; height: 90%; padding: 0 2;
        border: round $primary; background: $surface;
    }
    EditCardScreen #fields { height: 1fr; }
    EditCardScreen .field-label { margin: 1 0 0 0; color: $text-muted; }
    EditCardScreen TextArea { height: auto; min-height: 3; max-height: 12; }
    EditCardScreen #notice { color: $text-warning; margin: 1 0 0 0; }
    EditCardScreen #error { color: $text-error; height: auto; }
    EditCardScreen #edit-buttons { height: 3; align-horizontal: right; }
    EditCardScreen #edit-buttons Button { margin: 0 0 0 2; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self, collection: Collection, note_id: int) -> None:
        super().__init__()
        self.collection = collection
        self.note = collection.note_fields(note_id)

    def compose(self) -> ComposeResult:
        note = self.note
        with Vertical(id="edit") as box:
            box.border_title = f"Edit note {note.id}"
            yield Static(
                Content.assemble(("Note type ", "dim"), note.note_type, ("  ·  deck ", "dim"), note.deck)
            )
            if note.from_deck_file:
                yield Static(
                    Content.assemble(
                        "From deck file ",
                        (str(note.deck_file), "bold"),
                        ": this edit changes the collection only; re-importing that file overwrites it.",
                    ),
                    id="notice",
                )
            with VerticalScroll(id="fields"):
                for key, value in note.fields.items():
                    yield Label(Content(FIELD_LABELS.get(key, key)), classes="field-label")
                    yield TextArea(value, id=f"field-{key}", soft_wrap=True, tab_behavior="focus")
                yield Label(Content("Tags (separated by spaces)"), classes="field-label")
                yield Input(" ".join(note.tags), id="tags")
            yield Static(id="error")
            with Horizontal(id="edit-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query(TextArea).first().focus()

    def _fields(self) -> dict[str, str]:
        return {key: self.query_one(f"#field-{key}", TextArea).text for key in self.note.fields}

    def action_save(self) -> None:
        tags = self.query_one("#tags", Input).value.split()
        try:
            self.collection.edit_note(self.note.id, self._fields(), tags)
        except UserError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        tags = self.query_one("#tags", Input).value.split()
        if self._fields() == dict(self.note.fields) and tags == list(self.note.tags):
            self.dismiss(False)
            return
        from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(False)

        self.app.push_screen(ConfirmDiscardScreen("The edits on screen are not saved."), answered)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
