"""Flashcards mode (Knowt's, Quizlet's): flip through a deck or a search, sort each card into "know" or
"still learning", star cards, then go again with those still learning. Outside the schedule: nothing
here changes when a card is due. The sorts and stars are kept per deck, so a deck picks up where it
was left.

Space flips; → or k: know; ← or j: still learning; b: back one card; s: star; h: shuffle on/off;
*: starred cards only; at the end r goes again with the cards still learning, a with all of them.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Static

from flashapp.core.practice.flashcards import FlashcardsRound
from flashapp.core.text import strip_control
from flashapp.errors import UserError
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.card_view import CardText
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection


class FlashcardsScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    FlashcardsScreen #flash-status { height: 1; padding: 0 2; margin: 1 0 0 0; }
    FlashcardsScreen #flash-side { height: 1; padding: 0 2; color: $text-muted; }
    FlashcardsScreen #flash-card {
        height: 1fr; margin: 0 2 1 2; padding: 1 2; border: round $primary; background: $surface;
    }
    FlashcardsScreen #flash-card.-back { border: round $success; }
    FlashcardsScreen #flash-end { height: auto; padding: 1 2; display: none; }
    """
    BINDINGS = [
        Binding("space,enter", "flip", "Flip", id="flip"),
        Binding("right,k", "sort(True)", "Know", id="know"),
        Binding("left,j", "sort(False)", "Still learning", id="learning"),
        Binding("b,backspace", "back", "Back one", id="back-one", show=False),
        Binding("s", "star", "Star", id="star"),
        Binding("h", "shuffle", "Shuffle", id="shuffle"),
        Binding("asterisk", "starred_only", "Starred only", id="starred", show=False),
        Binding("r", "again(True)", "Still learning again", id="again"),
        Binding("a", "again(False)", "All again", id="all-again", show=False),
        Binding("escape", "leave", "Leave", id="leave"),
    ]
    finished = reactive(False, bindings=True)

    def __init__(
        self,
        collection: Collection,
        deck: str | None = None,
        *,
        search: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck
        self.search = search
        self.rng = rng or random.Random()
        self.shuffled = False
        self.starred_only = False
        self.card_decks: dict[int, str] = {}
        self.round = FlashcardsRound([])

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="flash-status")
        yield Static(id="flash-side")
        with VerticalScroll(id="flash-card"):
            yield CardText(id="flash-text")
        yield Static(id="flash-end")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        what = self.deck if self.deck is not None else f"search {self.search}"
        self.sub_title = f"Flashcards · {strip_control(what or '')}"
        try:
            cards = self.collection.cards(deck=self.deck, search=self.search)
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss()
            return
        self.card_decks = {card.id: card.deck for card in cards if not card.suspended}
        if not self.card_decks:
            self.notify("No cards to flip through here.", severity="warning")
            self.dismiss()
            return
        await self._new_round(only_learning=True)

    def _marks(self) -> tuple[dict[int, bool], set[int]]:
        known: dict[int, bool] = {}
        starred: set[int] = set()
        for deck in sorted(set(self.card_decks.values())):
            deck_known, deck_starred = self.collection.flashcard_marks(deck)
            known |= {card: value for card, value in deck_known.items() if card in self.card_decks}
            starred |= deck_starred & set(self.card_decks)
        return known, starred

    async def _new_round(self, *, only_learning: bool) -> None:
        known, starred = self._marks()
        cards = list(self.card_decks)
        if only_learning and all(known.get(card) is True for card in cards) and not self.starred_only:
            only_learning = False  # every card known: a fresh pass over all of them
        self.round = FlashcardsRound.start(
            cards, self.rng if self.shuffled else None, known=known, starred=starred,
            only_learning=only_learning, only_starred=self.starred_only,
        )  # fmt: skip
        if not self.round.cards:
            self.notify("No starred cards here: * shows every card again.", severity="warning")
        await self._show()

    async def _show(self) -> None:
        flash = self.round
        self.finished = flash.finished
        know, learning = flash.counts()
        star = "  ·  ★ starred" if flash.current in flash.starred else ""
        modes = ("  ·  shuffled" if self.shuffled else "") + (
            "  ·  starred only" if self.starred_only else ""
        )
        position = min(flash.index + 1, len(flash.cards))
        self.query_one("#flash-status", Static).update(
            Content.assemble(
                (f"Card {position} of {len(flash.cards)}", "bold"),
                ("  ·  ", "dim"),
                (f"know {know}", "$text-success"),
                ("  ·  ", "dim"),
                (f"still learning {learning}", "$text-warning"),
                (star, "bold $text-warning"),
                (modes, "dim"),
            )  # fmt: skip
        )
        card = self.query_one("#flash-card")
        end = self.query_one("#flash-end", Static)
        card.display = not flash.finished
        end.display = flash.finished
        if flash.finished:
            self.query_one("#flash-side", Static).update("")
            left = len(flash.still_learning())
            end.update(
                Content.assemble(
                    ("Round done. ", "bold"),
                    f"Know {know} · still learning {learning}.\n\n",
                    f"r: go again with the {left} still learning · a: all cards again · Esc: leave"
                    if left
                    else "Every card known. a: all cards again · Esc: leave",
                )
            )
            return
        card_id = flash.current
        assert card_id is not None
        try:
            rendered = self.collection.study_card(card_id).rendered
        except UserError as error:
            question, answer = str(error), ""
        else:
            question = rendered.question
            answer = rendered.answer + (f"\n\n{rendered.extra}" if rendered.extra else "")
        side = "Back" if flash.flipped else "Front"
        hint = "← still learning · → know" if flash.flipped else "Space flips"
        self.query_one("#flash-side", Static).update(Content(f"{side}  ·  {hint}"))
        card.set_class(flash.flipped, "-back")
        await self.query_one("#flash-text", CardText).show(
            answer if flash.flipped else question,
            lambda name, card=card_id: self.collection.media_path(card, name),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("flip", "sort", "star", "back"):
            return not self.finished
        if action == "again":
            return self.finished
        return True

    async def action_flip(self) -> None:
        self.round.flip()
        await self._show()

    async def action_sort(self, know: bool) -> None:
        if self.round.finished:
            return
        card = self.round.sort(know)
        self.collection.save_flashcard_mark(self.card_decks[card], card, known=know)
        await self._show()

    async def action_back(self) -> None:
        self.round.back()
        await self._show()

    async def action_star(self) -> None:
        card = self.round.current
        if card is None:
            return
        starred = self.round.toggle_star()
        self.collection.save_flashcard_mark(self.card_decks[card], card, starred=starred)
        await self._show()

    async def action_shuffle(self) -> None:
        self.shuffled = not self.shuffled
        self.notify("Shuffled" if self.shuffled else "In order", timeout=2)
        await self._new_round(only_learning=True)

    async def action_starred_only(self) -> None:
        self.starred_only = not self.starred_only
        await self._new_round(only_learning=False)

    async def action_again(self, only_learning: bool) -> None:
        if not only_learning:
            for deck in sorted(set(self.card_decks.values())):
                self.collection.reset_flashcard_sorts(deck)
        await self._new_round(only_learning=only_learning)

    def action_leave(self) -> None:
        self.dismiss()  # every sort is saved as it is made: nothing to lose
