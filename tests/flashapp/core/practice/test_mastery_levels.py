"""Mastery per card: the higher of its scheduling level and its practice level."""

from __future__ import annotations

import pytest

from flashapp.core.practice.learn import CardProgress
from flashapp.core.practice.mastery import MasteryCounts, card_mastery


@pytest.mark.parametrize(
    ("state", "interval", "progress", "level"),
    [
        ("new", 0, None, "not_studied"),
        ("new", 0, CardProgress(), "not_studied"),
        ("learning", 0, None, "learning"),
        ("relearning", 0, None, "learning"),
        ("new", 0, CardProgress(1, False, 0), "learning"),  # practised, nothing right in writing yet
        ("review", 3, None, "familiar"),
        ("review", 20, None, "familiar"),
        ("review", 21, None, "mastered"),
        ("new", 0, CardProgress(2, True, 1), "familiar"),  # one right written answer
        ("new", 0, CardProgress(3, True, 2), "mastered"),  # mastered in Learn
        ("review", 40, CardProgress(1, False, 0), "mastered"),  # the higher of the two
    ],
)
def test_card_mastery(state, interval, progress, level):
    assert card_mastery(state, interval, progress) == level


def test_counts():
    counts = MasteryCounts.of(["mastered", "learning", "learning"])
    assert counts.as_dict() == {"not_studied": 0, "learning": 2, "familiar": 0, "mastered": 1}
    assert (counts + counts).total == 6
