"""The Match game as pure logic: a board of term and definition tiles, picked two at a time.

Picking a term and its definition clears both; a wrong pair adds `PENALTY_SECONDS` to the time. The
game's time is the time since the start plus the penalties, frozen when the last pair is cleared. The
clock (seconds, monotonic) and the random source are injected.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from flashapp.core.practice.grading import normalize_answer
from flashapp.core.practice.questions import PracticeItem, Question
from flashapp.core.practice.scoring import AnswerCheck

BOARD_PAIRS = 6
MIN_PAIRS = 2
PENALTY_SECONDS = 1.0
# Texts longer than this crowd a tile, and a cloze sentence out of its card reads poorly: both are
# used only when the deck has too few other cards.
TILE_CHARS = 90

Side = Literal["term", "definition"]
Pick = Literal["selected", "unselected", "matched", "wrong", "ignored"]


@dataclass(frozen=True)
class Tile:
    card_id: int
    side: Side
    text: str


def choose_pairs(
    items: Sequence[PracticeItem], rng: random.Random, count: int = BOARD_PAIRS
) -> list[PracticeItem]:
    """Up to `count` cards with distinct terms and definitions, those that fit on a tile first, one
    card per note (a cloze sibling's tile would show another's answer)."""
    pool = sorted(items, key=lambda item: item.card_id)
    rng.shuffle(pool)
    pool.sort(key=lambda item: (max(len(item.question), len(item.answer)) > TILE_CHARS, item.kind == "cloze"))
    chosen: list[PracticeItem] = []
    seen: set[str] = set()
    notes: set[int] = set()
    for item in pool:
        keys = {normalize_answer(item.question), normalize_answer(item.answer)}
        if "" in keys or keys & seen or len(keys) < 2 or item.note_key in notes:
            continue
        chosen.append(item)
        seen |= keys
        notes.add(item.note_key)
        if len(chosen) == count:
            break
    return chosen


class MatchGame:
    def __init__(
        self,
        items: Sequence[PracticeItem],
        rng: random.Random,
        clock: Callable[[], float],
        *,
        pairs: int = BOARD_PAIRS,
    ) -> None:
        self.pairs = choose_pairs(items, rng, pairs)
        if len(self.pairs) < MIN_PAIRS:
            raise ValueError(f"a match game needs at least {MIN_PAIRS} cards with distinct sides")
        tiles = [Tile(item.card_id, "term", item.question) for item in self.pairs]
        tiles += [Tile(item.card_id, "definition", item.answer) for item in self.pairs]
        rng.shuffle(tiles)
        self.tiles: tuple[Tile, ...] = tuple(tiles)
        self.clock = clock
        self.started = clock()
        self.selected: int | None = None
        self.cleared: set[int] = set()  # tile indices
        self.mistakes = 0
        self.missed_cards: set[int] = set()  # cards in a wrong pair at least once
        self._finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self._finished_at is not None

    @property
    def penalty(self) -> float:
        return self.mistakes * PENALTY_SECONDS

    def elapsed(self) -> float:
        """The game's time in seconds: since the start, plus the penalties."""
        end = self._finished_at if self._finished_at is not None else self.clock()
        return end - self.started + self.penalty

    def pick(self, index: int) -> Pick:
        """Select tile `index`: the first of a pair is selected (again: unselected); the second clears
        both when they belong together, and is a wrong pair otherwise (both unselected)."""
        if self.finished or not 0 <= index < len(self.tiles) or index in self.cleared:
            return "ignored"
        if self.selected is None:
            self.selected = index
            return "selected"
        if self.selected == index:
            self.selected = None
            return "unselected"
        first, second = self.tiles[self.selected], self.tiles[index]
        self.selected = None
        if first.card_id == second.card_id:
            self.cleared |= {self.tiles.index(first), index}
            if len(self.cleared) == len(self.tiles):
                self._finished_at = self.clock()
            return "matched"
        self.mistakes += 1
        self.missed_cards |= {first.card_id, second.card_id}
        return "wrong"

    def checks(self) -> list[AnswerCheck]:
        """One check per pair for the results: right when the pair was never part of a wrong pick."""
        checks = []
        for number, item in enumerate(self.pairs, start=1):
            question = Question(number, "matching", item.question, item.answer, (item.card_id,))
            correct = item.card_id not in self.missed_cards
            checks.append(
                AnswerCheck(
                    question, item.answer, correct, item.answer, missed=() if correct else (item.card_id,)
                )
            )
        return checks
