"""The four mastery levels a card goes through, as Knowt shows them (a leaf module: the deck screen
imports it for its first frame)."""

from __future__ import annotations

LEVELS = ("not_studied", "learning", "familiar", "mastered")
LEVEL_TITLES = {"not_studied": "Not studied", "learning": "Learning", "familiar": "Familiar",
                "mastered": "Mastered"}  # fmt: skip
