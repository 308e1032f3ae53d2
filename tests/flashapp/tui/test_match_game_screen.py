"""The Match game in the TUI: picking tiles by key and by click, a wrong pair flashing and costing a
second, the running clock, the game stored with its time, and the deck's best time."""

from __future__ import annotations

import pytest
from pilot_waits import until
from practice_fixtures import DECK, opened
from sqlalchemy import select

from flashapp.store.models import PracticeSession
from flashapp.tui.app import make_app
from flashapp.tui.practice_messages import PracticeStart
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.match import FLASH_SECONDS, TILE_KEYS, MatchScreen
from flashapp.tui.widgets.match_tile import MatchTile


@pytest.fixture
def match_clock(monkeypatch):
    """The game's clock, advanced by hand: `match_clock.now += 4.0` is four seconds."""

    class Clock:
        now = 500.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    monkeypatch.setattr("flashapp.tui.screens.match.monotonic", clock)
    return clock


def partner(screen: MatchScreen, index: int) -> int:
    tiles = screen.game.tiles
    return next(i for i, tile in enumerate(tiles) if tile.card_id == tiles[index].card_id and i != index)


async def clear_board(pilot, screen: MatchScreen, match_clock, seconds_per_pair: float) -> None:
    for index in range(len(screen.game.tiles)):
        if index not in screen.game.cleared:
            match_clock.now += seconds_per_pair
            await pilot.press(TILE_KEYS[index], TILE_KEYS[partner(screen, index)])
            await pilot.pause()


def stored_games(collection) -> list[PracticeSession]:
    with collection.reading() as session:
        return list(session.scalars(select(PracticeSession).where(PracticeSession.kind == "match")))


async def a_game_with_a_wrong_pair_then_a_better_one(
    app, pilot, practice_collection, match_clock, screen_text
) -> None:
    app.screen.query_one("#decks").move_to(DECK)
    await pilot.press("m")
    await opened(pilot, MatchScreen)  # pushed and drawn: a loaded machine may need more than one pause
    screen = app.screen
    assert isinstance(screen, MatchScreen)
    tiles = list(screen.query(MatchTile))
    assert len(tiles) == 12 and "no best time yet" in screen_text(app)
    # The tiles hold 6 of the deck's cards, each by its term and its definition.
    items = {item.card_id: item for item in practice_collection.practice_items(DECK)}
    for tile in screen.game.tiles:
        item = items[tile.card_id]
        assert tile.text == (item.question if tile.side == "term" else item.answer)

    wrong = next(i for i in range(1, 12) if screen.game.tiles[i].card_id != screen.game.tiles[0].card_id)
    await pilot.click("#tile-0")
    await pilot.pause()
    assert tiles[0].has_class("-selected")
    await pilot.press(TILE_KEYS[wrong])
    await pilot.pause()
    assert tiles[0].has_class("-wrong") and tiles[wrong].has_class("-wrong")
    assert "(+1 s)" in screen_text(app)
    # The flash lasts FLASH_SECONDS on the game's clock (stopped here, however loaded the machine),
    # and the clock's next tick ends it.
    match_clock.now += FLASH_SECONDS
    await until(pilot, lambda: not tiles[0].has_class("-wrong"), what="the end of the flash")
    assert not tiles[wrong].has_class("-wrong")  # the flash is over

    await clear_board(pilot, screen, match_clock, 2.0)
    assert screen.game.finished and all(tile.has_class("-cleared") for tile in tiles)
    assert "Done in 13.4 s" in screen_text(app)  # 6 pairs x 2 s, the 0.4 s flash, 1 s for the wrong pair
    assert "New best time!" in screen_text(app)
    [game] = stored_games(practice_collection)
    assert (game.duration_ms, game.total, game.score) == (13_400, 6, 4)  # the wrong pair's two cards
    assert game.settings == {"pairs": 6, "mistakes": 1, "penalty_ms": 1000}

    await pilot.press("enter")  # play again
    await pilot.pause()
    assert not screen.game.finished and "best 13.4 s" in screen_text(app)
    await clear_board(pilot, screen, match_clock, 1.5)
    assert "Done in 9.0 s" in screen_text(app) and "New best time!" in screen_text(app)
    assert practice_collection.best_match_ms(DECK) == 9_000

    await pilot.press("enter")
    await pilot.pause()
    await clear_board(pilot, screen, match_clock, 3.0)
    assert "Best: 9.0 s" in screen_text(app)
    assert len(stored_games(practice_collection)) == 3
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)


def laid_out(screen: MatchScreen) -> bool:
    """The board laid out (every tile given a region), which a loaded machine may not reach in one pause."""
    tiles = screen.query(MatchTile)
    return bool(tiles) and all(tile.region.height for tile in tiles)


async def the_board_fits_small_and_large_terminals_and_the_clock_runs(
    app, pilot, match_clock, screen_text
) -> None:
    """Three cases, each a game of its own opened from the deck tree (as `make_app`'s `start` opens
    one) and left before a pair is cleared; each assertion names its case."""
    for size in ((80, 24), (200, 50)):  # Case "fits": the board fits the terminal.
        await pilot.resize_terminal(*size)
        await pilot.pause()
        app.open_practice(PracticeStart("match", DECK))
        await opened(pilot, MatchScreen, ready=laid_out)
        regions = [tile.region for tile in app.screen.query(MatchTile)]
        for region in regions:
            assert region.right <= size[0] and region.bottom <= size[1] and region.height >= 3, size
        # Four columns of three rows, no tile over another.
        assert (len({r.x for r in regions}), len({r.y for r in regions})) == (4, 3), size
        assert not any(a.overlaps(b) for i, a in enumerate(regions) for b in regions[i + 1 :]), size
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), size

    # Case "clock": the clock runs, and a tile can be unpicked.
    app.open_practice(PracticeStart("match", DECK))
    await opened(pilot, MatchScreen)
    screen = app.screen
    match_clock.now += 4.25
    shown = ("⏱ 4.2 s", "⏱ 4.3 s")
    await until(pilot, lambda: any(time in screen_text(app) for time in shown), what="the clock's tick")
    await pilot.press("a", "a")
    await pilot.pause()
    assert screen.game.selected is None and not screen.query(".-selected"), "clock"


async def leaving_a_game_in_progress_asks_first(app, pilot, practice_collection, screen_text) -> None:
    from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen

    app.screen.query_one("#decks").move_to(DECK)
    await pilot.press("m")
    await opened(pilot, MatchScreen)  # pushed and drawn: a loaded machine may need more than one pause
    screen = app.screen
    assert isinstance(screen, MatchScreen)
    await pilot.press(TILE_KEYS[0], TILE_KEYS[partner(screen, 0)])  # one pair cleared
    await pilot.pause()
    await pilot.press("q")  # q does what Escape does here: it asks
    await pilot.pause()
    assert isinstance(app.screen, ConfirmDiscardScreen)
    shown = screen_text(app)
    assert "leaving it records no time" in shown
    footer = shown.splitlines()[-1]  # the keys say what the buttons say
    assert "Keep playing" in footer and "Leave" in footer and "editing" not in footer, footer
    await pilot.press("k")  # keep playing
    await pilot.pause()
    assert app.screen is screen and screen.game.cleared
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("d")  # leave
    for _ in range(50):
        if isinstance(app.screen, HomeScreen):
            break
        await pilot.pause(0.02)
    assert isinstance(app.screen, HomeScreen)
    assert stored_games(practice_collection) == [], "leaving"


async def test_match_games_fit_the_terminal_ask_before_being_left_and_store_their_times(
    practice_collection, match_clock, screen_text
):
    """Three cases in one app (the functions above, named in a failure's traceback), each on games of
    its own opened over the deck tree: the board's fit and clock, and a game left, store nothing;
    then three whole games are stored."""
    app = make_app(practice_collection)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_board_fits_small_and_large_terminals_and_the_clock_runs(
            app, pilot, match_clock, screen_text
        )
        await pilot.press("escape")  # no pair cleared: the game is left at once
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "clock"
        await pilot.resize_terminal(100, 32)
        await leaving_a_game_in_progress_asks_first(app, pilot, practice_collection, screen_text)
        await a_game_with_a_wrong_pair_then_a_better_one(
            app, pilot, practice_collection, match_clock, screen_text
        )
