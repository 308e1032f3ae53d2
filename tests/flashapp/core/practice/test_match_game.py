"""The Match game's logic: the board, picking pairs, penalties and the clock."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core.practice.match import PENALTY_SECONDS, TILE_CHARS, MatchGame, choose_pairs
from flashapp.core.practice.questions import PracticeItem


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def deck(n: int = 10) -> list[PracticeItem]:
    return [PracticeItem(i, "basic", f"term {i}", f"definition {i}") for i in range(1, n + 1)]


def partner(game: MatchGame, index: int) -> int:
    tile = game.tiles[index]
    return next(i for i, other in enumerate(game.tiles) if other.card_id == tile.card_id and i != index)


def test_a_board_has_six_pairs_of_distinct_tiles_chosen_by_the_seed():
    game = MatchGame(deck(), random.Random(1), Clock())
    assert len(game.tiles) == 12 and len({tile.text for tile in game.tiles}) == 12
    assert sorted(tile.side for tile in game.tiles) == ["definition"] * 6 + ["term"] * 6
    again = MatchGame(deck(), random.Random(1), Clock())
    assert again.tiles == game.tiles


def test_short_texts_fit_on_tiles_first_and_duplicates_are_left_out():
    items = [PracticeItem(i, "basic", f"t{i}", "x" * (TILE_CHARS + 1) + str(i)) for i in range(1, 7)]
    items += [PracticeItem(i, "basic", f"t{i}", f"d{i}") for i in range(7, 10)]
    items.append(PracticeItem(10, "basic", "T7", "other"))  # the same term as card 7
    chosen = choose_pairs(items, random.Random(0), 6)
    ids = [item.card_id for item in chosen]
    assert {8, 9} < set(ids[:3]) and len(ids) == 6
    assert not {7, 10} <= set(ids)  # one term, once


def test_picking_pairs_penalties_and_the_final_time():
    clock = Clock()
    game = MatchGame(deck(), random.Random(2), clock)
    assert game.pick(0) == "selected" and game.pick(0) == "unselected"
    wrong = next(i for i in range(1, 12) if game.tiles[i].card_id != game.tiles[0].card_id)
    assert game.pick(0) == "selected" and game.pick(wrong) == "wrong"
    assert game.mistakes == 1 and game.selected is None
    clock.now += 10
    assert game.elapsed() == pytest.approx(10 + PENALTY_SECONDS)
    for index in range(12):
        if index not in game.cleared:
            assert game.pick(index) == "selected"
            assert game.pick(partner(game, index)) == "matched"
    assert game.finished and game.pick(0) == "ignored"
    clock.now += 50  # the clock stops with the last pair
    assert game.elapsed() == pytest.approx(11.0)
    checks = game.checks()
    assert len(checks) == 6 and sum(not check.correct for check in checks) == 2


def test_a_deck_too_small_for_a_game():
    with pytest.raises(ValueError, match="at least 2"):
        MatchGame(deck(1), random.Random(0), Clock())
    assert len(MatchGame(deck(3), random.Random(0), Clock()).tiles) == 6


@settings(max_examples=50, deadline=None)
@given(
    size=st.integers(min_value=2, max_value=15),
    seed=st.integers(0, 2**32),
    picks=st.lists(st.integers(0, 11)),
)
def test_any_picks_keep_the_board_consistent(size, seed, picks):
    game = MatchGame(deck(size), random.Random(seed), Clock())
    for index in picks:
        game.pick(index)
        assert all(game.tiles[i].card_id == game.tiles[partner(game, i)].card_id for i in game.cleared)
        assert all(partner(game, i) in game.cleared for i in game.cleared)
        assert game.selected is None or game.selected not in game.cleared
    assert game.finished == (len(game.cleared) == len(game.tiles))


def test_the_board_holds_one_card_per_note():
    import random as random_module

    from flashapp.core.practice.match import choose_pairs
    from flashapp.core.practice.questions import PracticeItem

    items = [PracticeItem(i, "cloze", f"[...] {i}", f"gap {i}", f"gap {i}", note_id=1) for i in range(1, 5)]
    items += [PracticeItem(i, "basic", f"term {i}", f"meaning {i}", note_id=i) for i in range(5, 9)]
    for seed in range(10):
        chosen = choose_pairs(items, random_module.Random(seed))
        assert len([item for item in chosen if item.note_id == 1]) == 1
