"""Flashcards mode (Knowt's and Quizlet's): flip through cards in order or shuffled, sort each into
"know" or "still learning", star some, and go again with those still learning. Outside the schedule:
nothing here touches a card's scheduling. Pure: the order comes from an injected `random.Random`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class FlashcardsRound:
    """One pass over `cards` (card ids, in the order shown). `known` holds each card's sort so far
    (True: know, False: still learning), kept across rounds and sessions; `starred` the starred cards."""

    cards: list[int]
    known: dict[int, bool] = field(default_factory=dict)
    starred: set[int] = field(default_factory=set)
    index: int = 0
    flipped: bool = False
    sorted_this_round: dict[int, bool] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        cards: Sequence[int],
        rng: random.Random | None = None,
        *,
        known: Mapping[int, bool] | None = None,
        starred: set[int] | None = None,
        only_learning: bool = False,
        only_starred: bool = False,
    ) -> FlashcardsRound:
        """A round over `cards` (shuffled when `rng` is given); `only_learning` leaves out the cards
        sorted into "know", `only_starred` those not starred."""
        known = dict(known or {})
        starred = set(starred or ())
        chosen = [
            card
            for card in cards
            if not (only_learning and known.get(card) is True) and not (only_starred and card not in starred)
        ]
        if rng is not None:
            rng.shuffle(chosen)
        return cls(chosen, known, starred)

    @property
    def finished(self) -> bool:
        return self.index >= len(self.cards)

    @property
    def current(self) -> int | None:
        return None if self.finished else self.cards[self.index]

    def flip(self) -> None:
        if not self.finished:
            self.flipped = not self.flipped

    def sort(self, know: bool) -> int:
        """Sort the current card and move to the next; returns the card sorted."""
        card = self.current
        if card is None:
            raise RuntimeError("the round is over")
        self.known[card] = know
        self.sorted_this_round[card] = know
        self.index += 1
        self.flipped = False
        return card

    def back(self) -> None:
        """Back to the previous card (its sort stays until sorted again)."""
        if self.index > 0:
            self.index -= 1
            self.flipped = False

    def toggle_star(self) -> bool:
        card = self.current
        if card is None:
            return False
        self.starred ^= {card}
        return card in self.starred

    def counts(self) -> tuple[int, int]:
        """(know, still learning) among this round's cards."""
        know = sum(self.known.get(card) is True for card in self.cards)
        learning = sum(self.known.get(card) is False for card in self.cards)
        return know, learning

    def still_learning(self) -> list[int]:
        return [card for card in self.cards if self.known.get(card) is not True]
