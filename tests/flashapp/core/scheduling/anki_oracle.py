"""The official `anki` library's scheduler as an oracle (test-only; flashapp never imports anki).

Anki reads the clock itself, so each answer is compared one step at a time: a card in an Anki
collection is set to the state our card is in (its due day and last review placed relative to Anki's
today exactly as many study days away as ours are from `now`), and Anki's four next states
(`get_scheduling_states`) are compared with ours for the same card at `now`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import anki.collection  # noqa: F401 - first: importing anki.cards first hits a circular import in anki
from anki.cards import FSRSMemoryState
from anki.collection import Collection

from flashapp.core.scheduling import CardState, Rating, SchedulerOptions, State, StudyCalendar

RATING_NAMES = {Rating.AGAIN: "again", Rating.HARD: "hard", Rating.GOOD: "good", Rating.EASY: "easy"}
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class Outcome:
    """One button's result, as both sides can state it."""

    state: State
    seconds: int | None  # a learning/relearning step's delay
    days: int | None  # a review interval
    stability: float | None
    difficulty: float | None
    ease: float | None = None  # SM-2's ease factor after the answer (review and relearning states)


class AnkiOracle:
    def __init__(self, folder: Path, options: SchedulerOptions, fsrs_parameters: tuple[float, ...]):
        self.col = Collection(str(folder / "oracle.anki2"))
        # Each answer rewrites the card, a commit of its own: unsynced, a commit is 0.2 ms instead of a
        # 6 ms fsync (the oracle's file is thrown away; what Anki computes does not depend on it).
        self.col.db.execute("pragma synchronous = off")
        self.options = options
        fsrs = options.algorithm == "fsrs"
        self.col.set_config("fsrs", fsrs)
        config = self.col.decks.config_dict_for_deck_id(1)
        config["new"]["delays"] = list(options.learning_steps_minutes)
        config["new"]["ints"] = [options.graduating_interval_days, options.easy_interval_days, 0]
        config["new"]["initialFactor"] = round(options.starting_ease * 1000)
        config["lapse"]["delays"] = list(options.relearning_steps_minutes)
        config["lapse"]["mult"] = options.lapse_interval_multiplier
        config["lapse"]["minInt"] = options.minimum_lapse_interval_days
        config["rev"]["ease4"] = options.easy_bonus
        config["rev"]["hardFactor"] = options.hard_multiplier
        config["rev"]["ivlFct"] = options.interval_modifier
        config["rev"]["maxIvl"] = options.maximum_interval_days
        config["desiredRetention"] = options.desired_retention
        config["fsrsParams6"] = list(fsrs_parameters)
        self.col.decks.update_config(config)
        note = self.col.new_note(self.col.models.by_name("Basic"))
        note["Front"] = "oracle"
        self.col.add_note(note, 1)
        self.card_id = note.cards()[0].id

    def close(self) -> None:
        self.col.close()

    def next_states(self, ours: CardState, now: datetime, calendar: StudyCalendar) -> dict[Rating, Outcome]:
        """Anki's four outcomes for a card in the state `ours` is in at `now`."""
        card = self.col.get_card(self.card_id)
        today = self.col.sched.today
        day_start = self.col.sched.day_cutoff - SECONDS_PER_DAY
        card.reps = ours.reps
        card.lapses = ours.lapses
        card.factor = round(ours.ease * 1000)
        if ours.state is State.NEW:
            card.type, card.queue, card.due, card.ivl, card.left = 0, 0, 1, 0, 0
            card.memory_state = None
            card.last_review_time = None
        else:
            assert ours.last_review is not None and ours.due is not None
            elapsed = calendar.days_between(ours.last_review, now)
            # A minute into Anki's study day, `elapsed` study days ago; never in the future.
            card.last_review_time = min(day_start + 60, int(time.time())) - elapsed * SECONDS_PER_DAY
            if ours.stability is not None and ours.difficulty is not None:
                card.memory_state = FSRSMemoryState(stability=ours.stability, difficulty=ours.difficulty)
            if ours.state is State.REVIEW:
                card.type, card.queue, card.ivl = 2, 2, ours.interval_days
                card.due = today + calendar.days_between(now, ours.due)
            else:
                steps = (
                    self.options.learning_steps_minutes
                    if ours.state is State.LEARNING
                    else self.options.relearning_steps_minutes
                )
                card.type = 1 if ours.state is State.LEARNING else 3
                card.queue = 1
                card.ivl = ours.interval_days
                card.left = max(1, len(steps) - ours.step)
                card.due = int(time.time())
        self.col.update_card(card)
        states = self.col._backend.get_scheduling_states(self.card_id)
        return {rating: _outcome(getattr(states, name)) for rating, name in RATING_NAMES.items()}


def _outcome(state) -> Outcome:
    normal = state.normal
    kind = normal.WhichOneof("kind")
    ease = None
    if kind == "relearning":
        inner = normal.relearning.learning
        memory = inner.memory_state if inner.HasField("memory_state") else None
        result_state, seconds, days = State.RELEARNING, inner.scheduled_secs, None
        ease = normal.relearning.review.ease_factor
    elif kind == "learning":
        inner = normal.learning
        memory = inner.memory_state if inner.HasField("memory_state") else None
        result_state, seconds, days = State.LEARNING, inner.scheduled_secs, None
    elif kind == "review":
        inner = normal.review
        memory = inner.memory_state if inner.HasField("memory_state") else None
        result_state, seconds, days = State.REVIEW, None, inner.scheduled_days
        ease = inner.ease_factor
    else:
        raise AssertionError(f"unexpected Anki state {kind}")
    return Outcome(
        result_state,
        seconds,
        days,
        memory.stability if memory is not None else None,
        memory.difficulty if memory is not None else None,
        ease,
    )
