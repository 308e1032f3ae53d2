"""Compare a typed answer with the expected one: a verdict plus a character-level diff to show.

Pure: no Textual, no database. The study screen colours the parts; the user still picks the rating
(we only suggest one), as in Anki.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from flashapp.core.scheduling import Rating
from flashapp.core.text import to_plain

_SPACES = re.compile(r"\s+")


class Mark(Enum):
    """How one run of characters compares."""

    SAME = "same"  # typed and expected agree
    WRONG = "wrong"  # typed, but the expected answer has something else here
    EXTRA = "extra"  # typed, and the expected answer has nothing here
    MISSING = "missing"  # expected, not typed


@dataclass(frozen=True)
class DiffPart:
    mark: Mark
    text: str


@dataclass(frozen=True)
class TypedAnswer:
    typed: str  # what was typed, whitespace collapsed
    expected: str  # the expected answer as plain text (Markdown and $math$ rendered)
    correct: bool  # equal after normalising case, whitespace and Unicode forms
    parts: tuple[DiffPart, ...]  # typed vs expected, in reading order

    @property
    def suggested_rating(self) -> Rating:
        return Rating.GOOD if self.correct else Rating.AGAIN

    def typed_parts(self) -> list[DiffPart]:
        """The line of what was typed: SAME, WRONG and EXTRA runs."""
        return [part for part in self.parts if part.mark is not Mark.MISSING]

    def expected_parts(self) -> list[DiffPart]:
        """The line of what was expected: SAME and MISSING runs (MISSING also covers replaced text)."""
        return [part for part in self.parts if part.mark in (Mark.SAME, Mark.MISSING)]


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> str:
    """The form two answers are compared in: NFKC (so `QKᵀ` equals `QKT`), casefolded, spaces collapsed."""
    return collapse_spaces(unicodedata.normalize("NFKC", text).casefold())


def check_typed_answer(typed: str, expected_markdown: str) -> TypedAnswer:
    """Compare `typed` with a card's expected answer (Markdown, as in `RenderedCard.expected`)."""
    typed = collapse_spaces(typed)
    expected = collapse_spaces(to_plain(expected_markdown))
    matcher = difflib.SequenceMatcher(None, typed, expected, autojunk=False)
    parts: list[DiffPart] = []
    for op, t1, t2, e1, e2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(DiffPart(Mark.SAME, typed[t1:t2]))
            continue
        if t2 > t1:
            parts.append(DiffPart(Mark.WRONG if op == "replace" else Mark.EXTRA, typed[t1:t2]))
        if e2 > e1:
            parts.append(DiffPart(Mark.MISSING, expected[e1:e2]))
    return TypedAnswer(
        typed=typed,
        expected=expected,
        correct=bool(typed) and normalise(typed) == normalise(expected),
        parts=tuple(parts),
    )
