"""The Match game: 6 terms and their 6 definitions on a 4 x 3 board of tiles. Pick two tiles (their
letter, or a click) to pair them; a right pair clears both, a wrong one flashes and adds a second.
The clock runs until the board is clear; the game is stored, and the deck's best time shown.

A wrong pair's flash is timed on the game's clock (the one its time and penalty are counted on) and
ended by the clock's tick, not by a timer of its own.
"""

from __future__ import annotations

import random
from time import monotonic
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Static

from flashapp.core.practice.match import BOARD_PAIRS, MatchGame
from flashapp.errors import UserError
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer
from flashapp.tui.widgets.match_tile import MatchTile

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

TILE_KEYS = "abcdefghijkl"
FLASH_SECONDS = 0.4
TICK_SECONDS = 0.1
PICK_KEYS = Binding.Group("Pick")


def seconds_text(seconds: float) -> str:
    return f"{seconds:.1f} s"


class MatchScreen(StyledOnMount, Screen[None]):
    DEFAULT_CSS = """
    MatchScreen #match-status { height: 1; padding: 0 2; margin: 1 0 0 0; }
    MatchScreen #clock { width: 1fr; text-style: bold; }
    MatchScreen #best { width: auto; color: $text-muted; }
    MatchScreen #board {
        grid-size: 4 3; grid-gutter: 1 1; padding: 1 2; height: 1fr;
    }
    MatchScreen #result { height: auto; padding: 0 2 1 2; }
    """
    BINDINGS = [
        *(Binding(key, f"pick({i})", "Pick", group=PICK_KEYS) for i, key in enumerate(TILE_KEYS)),
        Binding("enter", "play_again", "Play again", id="again"),
        Binding("escape", "back", "Decks", id="back"),
    ]

    def __init__(self, collection: Collection, deck: str, *, seed: int | None = None) -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck
        self.rng = random.Random(seed if seed is not None else random.SystemRandom().randrange(2**31))
        self.game: MatchGame | None = None
        self.best_ms: int | None = None
        self.last_ms: int | None = None
        self._ticker: Timer | None = None
        self._flashes: list[tuple[float, list[MatchTile]]] = []  # (ends at, on the game's clock; tiles)
        self._started_at = collection.clock()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="match-status"):
            yield Static(id="clock")
            yield Static(id="best")
        yield Grid(id="board")
        yield Static(id="result")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.sub_title = f"Match · {self.deck}"
        try:
            self.items = self.collection.practice_items(self.deck)
            self.best_ms = self.collection.best_match_ms(self.deck)
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss()
            return
        await self.new_game()

    async def new_game(self) -> None:
        try:
            self.game = MatchGame(self.items, self.rng, monotonic, pairs=BOARD_PAIRS)
        except ValueError as error:
            self.notify(f"Cannot play Match on this deck: {error}.", severity="warning", markup=False)
            self.dismiss()
            return
        board = self.query_one("#board", Grid)
        columns = 4 if len(self.game.tiles) > 9 else 3
        board.styles.grid_size_columns = columns
        board.styles.grid_size_rows = -(-len(self.game.tiles) // columns)
        with self.app.batch_update():
            await board.remove_children()
            await board.mount_all(
                MatchTile(index, TILE_KEYS[index], tile.text) for index, tile in enumerate(self.game.tiles)
            )
        self.query_one("#result", Static).update(Content())
        self._started_at = self.collection.clock()
        self._show_best()
        self._tick()
        if self._ticker is None:
            self._ticker = self.set_interval(TICK_SECONDS, self._tick)
        else:
            self._ticker.resume()
        self.refresh_bindings()

    def _tick(self) -> None:
        game = self.game
        if game is None:
            return
        if self._flashes:
            self._end_flashes(monotonic())
        penalty = f"  (+{game.penalty:.0f} s)" if game.mistakes else ""
        self.query_one("#clock", Static).update(
            Content.assemble("⏱ ", seconds_text(game.elapsed()), (penalty, "$text-error"))
        )

    def _end_flashes(self, now: float) -> None:
        """Take the wrong pairs' flash off the tiles whose flash has lasted its time by `now`."""
        for ends, tiles in self._flashes:
            if now >= ends:
                for tile in tiles:
                    tile.remove_class("-wrong")
        self._flashes = [flash for flash in self._flashes if now < flash[0]]

    def _show_best(self) -> None:
        best = "no best time yet" if self.best_ms is None else f"best {seconds_text(self.best_ms / 1000)}"
        self.query_one("#best", Static).update(Content(best))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        game = self.game
        if action == "pick":
            return game is not None and not game.finished and int(parameters[0]) < len(game.tiles)  # type: ignore[call-overload]
        if action == "play_again":
            return game is not None and game.finished
        return True

    @on(MatchTile.Picked)
    def _clicked(self, event: MatchTile.Picked) -> None:
        self.action_pick(event.index)

    def action_pick(self, index: int) -> None:
        game = self.game
        if game is None or game.finished or index >= len(game.tiles):
            return
        first = game.selected
        outcome = game.pick(index)
        tile = self.query_one(f"#tile-{index}", MatchTile)
        if outcome == "selected":
            tile.add_class("-selected")
        elif outcome == "unselected":
            tile.remove_class("-selected")
        elif outcome == "matched":
            for cleared in (first, index):
                self.query_one(f"#tile-{cleared}", MatchTile).set_class(True, "-cleared").remove_class(
                    "-selected"
                )
        elif outcome == "wrong":
            pair = [self.query_one(f"#tile-{first}", MatchTile), tile]
            for wrong in pair:
                wrong.remove_class("-selected")
                wrong.add_class("-wrong")
            self._flashes.append((monotonic() + FLASH_SECONDS, pair))
        self._tick()
        if game.finished:
            self._finish()

    def _finish(self) -> None:
        game = self.game
        assert game is not None
        if self._ticker is not None:
            self._ticker.pause()
        self._end_flashes(float("inf"))  # no tick to end them now
        time_ms = round(game.elapsed() * 1000)
        previous_best = self.best_ms
        try:
            self.collection.record_practice(
                "match", self.deck, self._started_at, game.checks(),
                {"pairs": len(game.pairs), "mistakes": game.mistakes,
                 "penalty_ms": round(game.penalty * 1000)},
                duration_ms=time_ms,
            )  # fmt: skip
        except UserError as error:
            self.notify(f"Game not saved: {error}", severity="error", markup=False)
        self.last_ms = time_ms
        new_best = previous_best is None or time_ms < previous_best
        if new_best:
            self.best_ms = time_ms
        mistakes = (
            f"{game.mistakes} wrong pair{'s' if game.mistakes != 1 else ''}"
            if game.mistakes
            else "no mistakes"
        )
        verdict = (
            Content.styled("New best time!", "bold $text-success")
            if new_best
            else Content.assemble(("Best: ", "dim"), (seconds_text(previous_best / 1000), "bold"))  # type: ignore[operator]
        )
        self.query_one("#result", Static).update(
            Content.assemble(
                ("Done in ", "bold"),
                (seconds_text(time_ms / 1000), "bold $text-primary"),
                (f"  ({mistakes})  ", "dim"),
                verdict,
                ("\nEnter: play again · Esc: back to the decks", "dim"),
            )  # fmt: skip
        )
        self._show_best()
        self.refresh_bindings()

    async def action_play_again(self) -> None:
        if self.game is not None and self.game.finished:
            await self.new_game()

    def action_back(self) -> None:
        game = self.game
        if game is None or game.finished or not game.cleared:
            self.dismiss()
            return
        from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        left = "This game is not finished: leaving it records no time."
        self.app.push_screen(ConfirmDiscardScreen(left, keep="Keep playing", discard="Leave"), answered)
