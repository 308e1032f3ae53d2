"""Concept demos: every concept the engine can run, to explore without studying. Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from engine.registry import CONCEPTS
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer


class ConceptsScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    ConceptsScreen { align-horizontal: center; }
    ConceptsScreen #concepts-intro { width: 100%; max-width: 120; padding: 1 2 0 2; color: $text-muted; }
    ConceptsScreen #concepts { width: 100%; max-width: 120; height: 1fr; margin: 1 2 0 2; }
    ConceptsScreen #concept-summary {
        width: 100%; max-width: 120; height: auto; min-height: 3; padding: 0 2; margin: 1 0 0 0;
    }
    """
    BINDINGS = [
        Binding("enter", "open", "Open demo", id="open", show=False),
        Binding("escape", "back", "Back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Content(
                "Each concept runs in PyTorch and draws its outputs here. Enter opens one; ⚙ trains a model."
            ),
            id="concepts-intro",
        )
        yield DataTable(id="concepts", cursor_type="row", zebra_stripes=True)
        # The summary of the highlighted concept in full, wrapped at word boundaries: a table column
        # would cut it mid-word at any terminal width.
        yield Static(id="concept-summary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Concept demos"
        table = self.query_one(DataTable)
        table.add_column(Text("Concept"), key="title")
        table.add_column(Text("Name"), key="name")
        for concept in CONCEPTS.values():
            title = Text(concept.title + (" ⚙" if concept.trains else ""), style="bold")
            table.add_row(title, Text(concept.name, style="dim"), key=concept.name)
        table.focus()

    @on(DataTable.RowHighlighted, "#concepts")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        concept = CONCEPTS.get(str(event.row_key.value))
        summary = self.query_one("#concept-summary", Static)
        if concept is None:
            summary.update(Content())
            return
        summary.update(Content.assemble((concept.title, "bold"), ": ", concept.summary))

    @property
    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected, "#concepts")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        from flashapp.tui.screens.demo import DemoScreen

        if self.selected is not None:
            self.app.push_screen(DemoScreen(self.selected))

    def action_back(self) -> None:
        self.dismiss()
