"""Add notes without leaving the app (Anki's Add window): every kind, deck and tags, a live preview of
the card's Markdown and math, duplicates flagged.

ctrl+s adds the note and clears the text for the next one (kind, deck and tags stay); ctrl+l wraps the
selected text of a cloze in the next {{cN::…}}; Escape (or q outside a text box) closes, asking first
when text would be lost.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Select, Static, TextArea

from flashapp.core.deckfile import CARD_KINDS
from flashapp.core.render import render_card
from flashapp.core.text import strip_control
from flashapp.errors import UserError
from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.card_view import CardText
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

FRONT_BACK = (("front", "Front"), ("back", "Back"), ("extra", "Extra (shown under the answer)"))
KIND_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "basic": FRONT_BACK,
    "reversed": (("front", "Front (asked both ways)"), *FRONT_BACK[1:]),
    "type-in": (("front", "Front"), ("back", "Answer to type"), FRONT_BACK[2]),
    "cloze": (("text", "Cloze text: select words, ctrl+l makes them a gap"), FRONT_BACK[2]),
    "predict": (
        ("concept", "Concept (a predict task, e.g. softmax)"),
        ("front", "Question, with {placeholders}"),
        ("answer", 'Answer, in TOML: "int" or { kind = "vector", tolerance = 0.01 }'),
        ("ranges", "Ranges, in TOML: { s0 = [-2, 3] }"),
        FRONT_BACK[2],
    ),
}
KIND_TITLES = {"basic": "Basic", "reversed": "Basic and reversed", "cloze": "Cloze", "type-in": "Type in",
               "predict": "Predict (the engine computes the answer)"}  # fmt: skip
_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")


def next_cloze(text: str, selected: str) -> str:
    """`selected` wrapped as the next deletion of `text`: "{{c3::selected}}" after c1 and c2."""
    numbers = [int(number) for number in _CLOZE_NUMBER.findall(text)]
    return f"{{{{c{max(numbers, default=0) + 1}::{selected}}}}}"


class AddNoteScreen(StyledOnMount, Screen[bool]):
    DEFAULT_CSS = """
    AddNoteScreen #add { height: 1fr; padding: 0 1; }
    AddNoteScreen #form { width: 1fr; height: 1fr; padding: 0 1 0 0; }
    AddNoteScreen #preview-box { width: 1fr; height: 1fr; border-left: vkey $panel-lighten-2; padding: 0 1; }
    AddNoteScreen .row { height: auto; margin: 1 0 0 0; }
    AddNoteScreen .row-label { width: 6; color: $text-muted; padding: 0 0 0 0; }
    AddNoteScreen #kind { width: 1fr; }
    AddNoteScreen #deck { width: 1fr; }
    AddNoteScreen #fields { height: auto; }
    AddNoteScreen .field-label { margin: 1 0 0 0; color: $text-muted; }
    AddNoteScreen TextArea { height: auto; min-height: 3; max-height: 10; }
    AddNoteScreen #notice { color: $text-warning; height: auto; display: none; }
    AddNoteScreen #duplicate { color: $text-warning; height: auto; display: none; }
    AddNoteScreen #error { color: $text-error; height: auto; display: none; }
    AddNoteScreen .preview-title { color: $text-muted; text-style: bold; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Add", id="add", priority=True),
        Binding("ctrl+l", "cloze", "Cloze gap", id="cloze", priority=True),
        Binding("escape", "close", "Close", id="close"),
    ]

    def __init__(self, collection: Collection, deck: str = "", kind: str = "basic") -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck
        self.kind = kind if kind in CARD_KINDS else "basic"
        self.added = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="add"):
            with VerticalScroll(id="form"):
                with Horizontal(classes="row"):
                    yield Label(Content("Kind"), classes="row-label")
                    yield Select(
                        [(KIND_TITLES[kind], kind) for kind in CARD_KINDS],
                        value=self.kind, allow_blank=False, id="kind", compact=True,
                    )  # fmt: skip
                with Horizontal(classes="row"):
                    yield Label(Content("Deck"), classes="row-label")
                    yield Input(self.deck, placeholder="Parent::Child", id="deck", compact=True)
                yield Static(id="notice")
                yield Static(id="duplicate")
                yield Static(id="error")
                yield Vertical(id="fields")
                yield Label(Content("Tags (separated by spaces)"), classes="field-label")
                yield Input(id="tags", compact=True)
            with VerticalScroll(id="preview-box"):
                yield Static(Content("Question"), classes="preview-title")
                yield CardText(id="preview-question")
                yield Static(Content("Answer"), classes="preview-title")
                yield CardText(id="preview-answer")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.sub_title = "Add notes"
        await self._show_fields({})
        self._show_notice()

    # --- the form ----------------------------------------------------------------------------------

    def fields(self) -> dict[str, str]:
        return {key: area.text for key, area in self._areas().items()}

    def _areas(self) -> dict[str, TextArea]:
        return {
            area.id.removeprefix("field-"): area for area in self.query("#fields TextArea").results(TextArea)
        }  # type: ignore[union-attr]

    async def _show_fields(self, keep: dict[str, str]) -> None:
        box = self.query_one("#fields", Vertical)
        widgets = []
        for key, label in KIND_FIELDS[self.kind]:
            widgets.append(Label(Content(label), classes="field-label"))
            widgets.append(
                TextArea(keep.get(key, ""), id=f"field-{key}", soft_wrap=True, tab_behavior="focus")
            )
        # No frame between removing the old fields and the new ones being styled: a TextArea drawn
        # before its styles are applied raises in Textual ("No 'text-area--gutter' key").
        with self.app.batch_update():
            await box.remove_children()
            await box.mount_all(widgets)
        first = self.query("#fields TextArea").first(TextArea)
        first.focus()
        await self._update_preview()

    @property
    def dirty(self) -> bool:
        return any(text.strip() for text in self.fields().values())

    @on(Select.Changed, "#kind")
    async def _kind_changed(self, event: Select.Changed) -> None:
        if event.value == self.kind or not isinstance(event.value, str):
            return
        kept = self.fields()
        if "text" in kept and "front" not in kept:
            kept["front"] = kept["text"]
        elif "front" in kept and "text" not in kept:
            kept["text"] = kept["front"]
        self.kind = event.value
        await self._show_fields(kept)

    @on(Input.Changed, "#deck")
    def _deck_changed(self) -> None:
        self._show_notice()

    def _show_notice(self) -> None:
        deck = self.query_one("#deck", Input).value.strip()
        source = self.collection.deck_file_of(deck) if deck else None
        notice = self.query_one("#notice", Static)
        notice.display = source is not None
        if source is not None:
            notice.update(
                Content.assemble(
                    "This deck comes from ",
                    (strip_control(source), "bold"),
                    ": its next import sets aside notes added here, unless you first export the deck "
                    "to it (flashapp export DECK -o FILE.toml).",
                )
            )

    @on(TextArea.Changed)
    async def _text_changed(self) -> None:
        self._show_error("")
        await self._update_preview()
        self._check_duplicates()

    def _note_fields(self) -> dict[str, str]:
        """The fields as the collection stores them (a predict note's TOML read into its fields)."""
        fields = self.fields()
        if self.kind != "predict":
            return fields
        from flashapp.store.note_adding import predict_fields

        values = predict_fields(
            fields.get("concept", ""),
            fields.get("front", ""),
            fields.get("answer", ""),
            fields.get("ranges", ""),
        )
        return values | {"extra": fields.get("extra", "")}

    async def _update_preview(self) -> None:
        fields = self.fields()
        try:
            card = render_card(self.kind, fields if self.kind != "predict" else {}, 0)
            question, answer = card.question, card.answer + (f"\n\n{card.extra}" if card.extra else "")
        except Exception:  # noqa: BLE001 - a half-typed note: show its text as typed
            question, answer = fields.get("front", fields.get("text", "")), fields.get("back", "")
        if self.kind == "predict":
            question = fields.get("front", "")
            answer = "The engine computes the answer for each drawn case."
        await self.query_one("#preview-question", CardText).show(question or "…")
        await self.query_one("#preview-answer", CardText).show(answer or "…")

    def _check_duplicates(self) -> None:
        found = self.collection.note_duplicates(self.kind, self.fields()) if self.kind != "predict" else []
        box = self.query_one("#duplicate", Static)
        box.display = bool(found)
        if found:
            decks = ", ".join(dict.fromkeys(strip_control(duplicate.deck) for duplicate in found))
            box.update(Content(f"Duplicate: {len(found)} {self.kind} note(s) in {decks} read the same."))

    # --- actions -----------------------------------------------------------------------------------

    async def action_save(self) -> None:
        deck = self.query_one("#deck", Input).value.strip()
        tags = self.query_one("#tags", Input).value.split()
        if not deck:
            self._show_error("Name a deck to add the note to.")
            return
        try:
            added = self.collection.add_note(deck, self.kind, self._note_fields(), tags)
        except UserError as problem:
            self._show_error(str(problem))
            return
        self.added += 1
        cards = f"{added.cards} card{'s' if added.cards != 1 else ''}"
        self.notify(f"Added {cards} to {deck} (id {added.key}).", markup=False)
        await self._show_fields({})
        self._show_notice()
        # Back to the top for the next note, as after opening: the kind, the deck and its notice in view.
        self.query_one("#form", VerticalScroll).scroll_home(animate=False, immediate=True)

    def _show_error(self, text: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Content(text))
        error.display = bool(text)

    def action_cloze(self) -> None:
        area = self.focused
        if not isinstance(area, TextArea) or area.id != "field-text":
            self.notify("Select words in the cloze text first (kind: Cloze).", severity="warning")
            return
        selected = area.selected_text
        area.replace(next_cloze(area.text, selected), *area.selection)

    def action_close(self) -> None:
        if not self.dirty:
            self.dismiss(self.added > 0)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.added > 0)

        self.app.push_screen(ConfirmDiscardScreen("The note on screen is not added yet."), answered)
