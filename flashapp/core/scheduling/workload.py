"""The workload planner: the deck's next days simulated under FSRS, for several desired retentions.

Each card keeps its FSRS memory state; the learner is FSRS itself with the deck's parameters (recall
drawn with the probability FSRS predicts, seeded), new cards come in at the deck's daily limit, each
review costs the learner's own mean answer time (a lapse its own, longer one), and expected recall is
the mean retrievability of the deck's studied cards over the period (FSRS's forgetting curve
integrated between reviews). Decks over `SAMPLE_CARDS` cards are simulated on a random sample and scaled.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

__all__ = ["PlanRow", "SimCard", "plan_workload", "RETENTIONS"]

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.88, 0.90, 0.92, 0.94, 0.95, 0.97)
SAMPLE_CARDS = 400
_DAY0 = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SimCard:
    """A card as the planner sees it: None stability for a new card; `due_day` and `last_day` count
    study days from today (last_day <= 0)."""

    stability: float | None
    difficulty: float | None
    due_day: int
    last_day: int


@dataclass(frozen=True)
class PlanRow:
    desired_retention: float
    reviews_per_day: float
    minutes_per_day: float
    expected_recall: float

    def to_dict(self) -> dict[str, float]:
        return {
            "desired_retention": self.desired_retention,
            "reviews_per_day": round(self.reviews_per_day, 1),
            "minutes_per_day": round(self.minutes_per_day, 1),
            "expected_recall": round(self.expected_recall, 4),
        }


def _recall_integral(stability: float, days: float, decay: float, factor: float) -> float:
    """The integral of FSRS's recall (1 + factor t / S) ** -decay for t from 0 to `days`."""
    return stability / factor * ((1 + factor * days / stability) ** (1 - decay) - 1) / (1 - decay)


def plan_workload(
    cards: Sequence[SimCard],
    *,
    parameters: Sequence[float] = (),
    days: int,
    new_per_day: int,
    seconds_pass: float,
    seconds_lapse: float,
    rng: random.Random,
    retentions: Sequence[float] = RETENTIONS,
) -> list[PlanRow]:
    weights = tuple(parameters) or DEFAULT_PARAMETERS
    decay, scale = weights[20], 1.0
    factor = 0.9 ** (-1 / decay) - 1
    sample = list(cards)
    if len(sample) > SAMPLE_CARDS:
        scale = len(sample) / SAMPLE_CARDS
        sample = rng.sample(sample, SAMPLE_CARDS)
    new_quota = new_per_day / scale  # new cards a day in the sample's proportion
    seed = rng.random()
    rows = []
    for retention in retentions:
        draw = random.Random(seed)  # the same draws for every retention
        scheduler = fsrs.Scheduler(
            parameters=weights,
            desired_retention=retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=False,
        )
        reviews = lapses = 0
        recall_days = card_days = 0.0
        for card in sample:
            state = None
            if card.stability is not None:
                state = fsrs.Card(
                    card_id=0,  # py-fsrs sleeps a millisecond when it must make up an id
                    state=fsrs.State.Review,
                    stability=card.stability,
                    difficulty=card.difficulty or 5.0,
                    due=_DAY0 + timedelta(days=card.due_day),
                    last_review=_DAY0 + timedelta(days=card.last_day),
                )
            else:
                position = card.due_day  # a new card's place in the new-card queue
                day = math.floor(position / new_quota) if new_quota > 0 else days
                if day >= days:
                    continue
                at = _DAY0 + timedelta(days=day)
                state, _ = scheduler.review_card(fsrs.Card(card_id=0, due=at), fsrs.Rating.Good, at)
                reviews += 1
            while True:
                last = (state.last_review - _DAY0).days
                due = max((state.due - _DAY0).days, last + 1, 0)
                end = min(due, days)
                if end > max(last, 0):  # the recall this card keeps on the days it spends inside the window
                    stability = state.stability
                    recall_days += _recall_integral(stability, end - last, decay, factor) - _recall_integral(
                        stability, max(last, 0) - last, decay, factor
                    )
                    card_days += end - max(last, 0)
                if due >= days:
                    break
                at = _DAY0 + timedelta(days=due)
                recalled = draw.random() < scheduler.get_card_retrievability(state, at)
                state, _ = scheduler.review_card(
                    state, fsrs.Rating.Good if recalled else fsrs.Rating.Again, at
                )
                reviews += 1
                lapses += not recalled
        minutes = ((reviews - lapses) * seconds_pass + lapses * seconds_lapse) / 60
        recall = recall_days / card_days if card_days else 0.0
        rows.append(PlanRow(retention, reviews * scale / days, minutes * scale / days, recall))
    return rows
