"""The workload planner (`flashapp plan`), without the store: deterministic, and never waiting."""

from __future__ import annotations

import random
import time

from flashapp.core.scheduling.workload import RETENTIONS, SimCard, plan_workload

CARDS = [SimCard(None, None, position, 0) for position in range(30)] + [
    SimCard(stability, 5.0, due, -3) for stability, due in ((2.0, 0), (10.0, 4), (40.0, 9), (0.5, -2))
]


def plan(days: int = 30) -> list:
    return plan_workload(
        CARDS, days=days, new_per_day=5, seconds_pass=8.0, seconds_lapse=20.0, rng=random.Random(0)
    )


def test_the_plan_never_sleeps(monkeypatch):
    """py-fsrs's Card() without an id sleeps a millisecond to make one up: the planner, which makes
    thousands of cards, gives its own (it took 4 s of a 4.5 s `flashapp plan`)."""

    def refuse(seconds: float) -> None:
        raise AssertionError(f"the planner slept {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)
    rows = plan()
    assert [row.desired_retention for row in rows] == list(RETENTIONS)


def test_the_plan_is_the_same_for_the_same_seed_and_grows_with_retention():
    rows = plan()
    assert rows == plan()
    assert rows[-1].reviews_per_day > rows[0].reviews_per_day
    assert rows[-1].expected_recall > rows[0].expected_recall
    assert all(row.minutes_per_day > 0 for row in rows)
