"""Flashcards mode's rounds: sorting, stars, going again with the cards still learning."""

from __future__ import annotations

import random

from flashapp.core.practice.flashcards import FlashcardsRound


def test_sort_then_again_with_those_still_learning():
    flash = FlashcardsRound.start([1, 2, 3, 4])
    assert flash.current == 1 and not flash.flipped
    flash.flip()
    assert flash.flipped
    flash.sort(True)
    assert (flash.current, flash.flipped) == (2, False)
    flash.sort(False)
    flash.back()
    assert flash.current == 2
    flash.sort(True)
    flash.sort(False)
    assert flash.toggle_star() and flash.starred == {4}
    flash.sort(True)
    assert flash.finished and flash.counts() == (3, 1) and flash.still_learning() == [3]
    again = FlashcardsRound.start([1, 2, 3, 4], known=flash.known, only_learning=True)
    assert again.cards == [3]
    starred = FlashcardsRound.start([1, 2, 3, 4], known=flash.known, starred=flash.starred, only_starred=True)
    assert starred.cards == [4]


def test_shuffle_is_seeded_and_keeps_every_card():
    one = FlashcardsRound.start(range(20), random.Random(5)).cards
    assert one == FlashcardsRound.start(range(20), random.Random(5)).cards
    assert sorted(one) == list(range(20)) and one != list(range(20))
