"""Home: the deck tree with new / learning / due counts, and what was studied today."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from flashapp.core.control import strip_control
from flashapp.errors import UserError
from flashapp.tui.formatting import duration_text, percent
from flashapp.tui.messages import BrowseRequested, StudyRequested
from flashapp.tui.practice_messages import PracticeRequested, PracticeStart
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.deck_tree import DeckTree
from flashapp.tui.widgets.footer import Footer
from flashapp.tui.widgets.mastery_bar import mastery_content

if TYPE_CHECKING:
    from flashapp.store.counts import DeckCounts
    from flashapp.store.study_stats import TodayStats


def today_content(stats: TodayStats) -> Content:
    """What was studied since the study day began, counted as Anki does (every answer, so a card
    answered three times counts three); the session summary shows the same line."""
    if not stats.answers:
        return Content.styled("Nothing studied yet today.", "dim")
    return Content.assemble(
        "Studied today: ",
        (f"{stats.answers} card{'s' if stats.answers != 1 else ''}", "bold"),
        " in ",
        (duration_text(stats.duration_ms), "bold"),
        ("  ·  again ", "dim"),
        (percent(stats.again, stats.answers), "bold"),
    )


def deck_query(deck: str) -> str:
    """A search for one deck, quoted so the search parser reads the whole name."""
    return f'deck:"{deck}"' if '"' not in deck and "\\" not in deck else shlex.quote(f"deck:{deck}")


# The footer shows "t l m Practice"; the help names each: Test, Learn, Match.
PRACTICE_KEYS = Binding.Group("Practice")


class HomeScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    HomeScreen { align-horizontal: center; }
    HomeScreen #home { width: 100%; max-width: 100; height: 1fr; padding: 1 2 0 2; }
    HomeScreen #decks { height: auto; max-height: 1fr; }
    HomeScreen #today { margin: 1 0 0 1; height: auto; }
    HomeScreen #deck-info { margin: 0 0 0 1; height: auto; color: $text-muted; }
    HomeScreen #empty { margin: 1 0 0 1; height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("b", "browse", "Browse", id="browse"),
        Binding("s", "stats", "Stats", id="stats"),
        Binding("d", "app.concept_demos", "Demos", id="demos"),
        Binding("t", "practice('test')", "Test", id="test", group=PRACTICE_KEYS),
        Binding("l", "practice('learn')", "Learn", id="learn", group=PRACTICE_KEYS),
        Binding("m", "practice('match')", "Match", id="match", group=PRACTICE_KEYS),
        Binding("f", "flashcards", "Flashcards", id="flashcards", group=PRACTICE_KEYS),
        Binding("a", "add_note", "Add", id="add"),
        # In help (?) and not the footer, which has no room left at 80 columns.
        Binding("o", "deck_options", "Options", id="options", show=False),
        Binding("c", "custom_study", "Custom study", id="custom-study", show=False),
        Binding("slash", "app.command_palette", "Commands", id="commands"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    _info_shown_for: DeckCounts | None = None  # the deck whose size and mastery are on screen
    _first_counts_shown = False  # the tree shows counts read before the collection opened

    def __init__(self, first_counts: list[DeckCounts] | None = None) -> None:
        """`first_counts`: the deck tree's counts read before the collection opened, for the first
        frame (`FlashApp.on_mount`)."""
        super().__init__()
        self._first_counts = first_counts

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield DeckTree(id="decks")
            yield Static(id="empty")
            yield Static(id="today")
            yield Static(id="deck-info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self._first_counts is not None:
            self.show_first_counts(self._first_counts)
            self._first_counts = None
        self.refresh_decks()

    def on_screen_resume(self) -> None:
        if self._resumed:  # not the first resume (StyledOnMount's), which follows the mount at once
            self.refresh_decks()

    def collection_changed(self) -> None:
        """Another process changed the collection (see `FlashApp._check_changes`)."""
        self.refresh_decks()

    def refresh_decks(self) -> None:
        """Read the counts again (after studying, editing, or once the collection has opened)."""
        if not self.app.collection_ready:  # type: ignore[attr-defined]
            if not self._first_counts_shown:
                self.query_one("#empty", Static).update(Content.styled("Opening collection…", "dim"))
            return
        collection = self.app.collection  # type: ignore[attr-defined]
        self._show_counts(collection.deck_counts())
        self.query_one("#today", Static).update(today_content(collection.today_stats()))
        self._info_shown_for = None
        self.call_after_refresh(self._show_deck_info)

    def show_first_counts(self, decks: list[DeckCounts]) -> None:
        """The counts read before the collection opened (given to the screen, or later by
        `FlashApp._first_counts_read`): the tree with them; today's figures and the deck's mastery
        follow once the collection is open."""
        self._first_counts_shown = True
        self._show_counts(decks)

    def _show_counts(self, decks: list[DeckCounts]) -> None:
        tree = self.query_one(DeckTree)
        tree.show_decks(decks)
        tree.display = bool(decks)
        empty = self.query_one("#empty", Static)
        empty.update(Content("No decks yet. Import some with: flashapp import PATH"))
        empty.display = not decks
        tree.focus()

    def _show_deck_info(self) -> None:
        """The highlighted deck's size and mastery, after the frame that shows the tree: the mastery
        query reads every card of the deck, and the counts come first. Once per deck and refresh (the
        tree's highlight event and a refresh both ask for it); none before the collection is open."""
        if not self.app.collection_ready:  # type: ignore[attr-defined]
            return
        tree = self.query_one(DeckTree)
        deck = tree.counts_for(tree.selected_deck)
        if deck is not None and deck == self._info_shown_for:
            return
        self._info_shown_for = deck
        info = (
            Content()
            if deck is None
            else Content.assemble(strip_control(deck.name), f"  ·  {deck.total:,} cards")
        )
        if deck is not None and deck.total:
            mastery = self.app.collection.mastery(deck.name)  # type: ignore[attr-defined]
            info = Content.assemble(info, "\n", mastery_content(mastery.as_dict(), 24))
        self.query_one("#deck-info", Static).update(info)

    @on(DataTable.RowHighlighted, "#decks")
    def _highlighted(self) -> None:
        self.call_after_refresh(self._show_deck_info)

    @on(DataTable.RowSelected, "#decks")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(StudyRequested(event.row_key.value))

    def action_practice(self, mode: str) -> None:
        deck = self.query_one(DeckTree).selected_deck
        if deck is not None:
            self.post_message(PracticeRequested(PracticeStart(mode, deck)))  # type: ignore[arg-type]

    def action_stats(self) -> None:
        self.app.open_stats(self.query_one(DeckTree).selected_deck)  # type: ignore[attr-defined]

    def action_add_note(self) -> None:
        from flashapp.tui.screens.add_note import AddNoteScreen

        if self.app.collection_ready:  # type: ignore[attr-defined]
            deck = self.query_one(DeckTree).selected_deck or ""
            self.app.push_screen(AddNoteScreen(self.app.collection, deck))  # type: ignore[attr-defined]

    def action_flashcards(self) -> None:
        from flashapp.tui.screens.flashcards import FlashcardsScreen

        deck = self.query_one(DeckTree).selected_deck
        if deck is not None and self.app.collection_ready:  # type: ignore[attr-defined]
            self.app.push_screen(FlashcardsScreen(self.app.collection, deck))  # type: ignore[attr-defined]

    def action_custom_study(self) -> None:
        from flashapp.tui.screens.custom_session import CustomSessionScreen
        from flashapp.tui.screens.custom_study import CustomStudy, CustomStudyScreen

        deck = self.query_one(DeckTree).selected_deck
        if deck is None or not self.app.collection_ready:  # type: ignore[attr-defined]
            return
        collection = self.app.collection  # type: ignore[attr-defined]

        def chosen(choice: CustomStudy | None) -> None:
            if choice is None:
                return
            try:
                if choice.mode == "search":
                    cards = collection.cards(search=f"{deck_query(deck)} {choice.search}")
                    ids = [card.id for card in cards if not card.suspended]
                else:
                    days = choice.number if choice.mode in ("ahead", "forgotten") else 1
                    count = choice.number if choice.mode in ("new", "cram") else 9999
                    ids = collection.custom_study_cards(deck, choice.mode, days=days, count=count)
            except UserError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            if not ids:
                self.notify("No cards match: nothing to study.", severity="warning")
                return
            self.app.push_screen(CustomSessionScreen(collection, choice, ids))

        self.app.push_screen(CustomStudyScreen(deck), chosen)

    def action_deck_options(self) -> None:
        from flashapp.tui.screens.deck_options import DeckOptionsScreen

        deck = self.query_one(DeckTree).selected_deck
        if deck is not None and self.app.collection_ready:  # type: ignore[attr-defined]
            self.app.push_screen(DeckOptionsScreen(self.app.collection, deck))  # type: ignore[attr-defined]

    def action_browse(self) -> None:
        deck = self.query_one(DeckTree).selected_deck
        self.post_message(BrowseRequested(deck_query(deck) if deck else ""))
