"""Short answer forms and fair distractors for recognition questions (multiple choice, true/false).

An option is a card's core answer: its first paragraph, or its first sentence when the paragraph is
long, and never more than `OPTION_CHARS` characters (a card whose first sentence is longer, or whose
answer opens with a list, is not asked by recognition). Distractors come from other notes (a sibling
would give the answer away), are never the right answer nor contain it, and never talk about the
question's own subject (a card that mentions "diffusion" may well be true of "where do diffusion models
sit?"); among those left, the same kind of card and a similar length come first.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from flashapp.core.practice.grading import normalize_answer
from flashapp.core.practice.questions import PracticeItem

# The longest option or true/false statement, in characters: about two lines of a narrow terminal.
OPTION_CHARS = 160
# A word of the prompt is its subject when at most this share of the deck's cards mention it
# ("attention" in an attention deck is everywhere and says nothing; "diffusion" is the subject).
SUBJECT_SHARE = 0.25
SUBJECT_MIN_CHARS = 4
QUESTION_WORDS = frozenset(
    ("what", "which", "where", "when", "whose", "does", "into", "with", "from", "that", "this", "than",
     "they", "them", "their", "there", "these", "those", "about", "between", "example", "give", "name",
     "called", "mean", "used", "using", "many", "much")
)  # fmt: skip
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def short_form(text: str) -> str | None:
    """The card's core answer: its first paragraph (or line) when that fits in `OPTION_CHARS`, else its
    first sentence if that fits; None when not even that is short, or when the answer opens with a
    list or a lead-in to one ("Three steps:"), whose first line is not the answer."""
    text = text.strip()
    if not text:
        return None
    paragraph = re.split(r"\n\s*\n", text, maxsplit=1)[0].strip()
    if "\n" in paragraph:
        paragraph = paragraph.splitlines()[0].strip()
    if _LIST_ITEM.match(paragraph) or paragraph.endswith(":"):
        return None  # a list's first item, or the lead-in to a list: neither is the answer
    if len(paragraph) <= OPTION_CHARS:
        return paragraph or None
    sentence = _SENTENCE_END.split(paragraph, maxsplit=1)[0].strip()
    return sentence if 0 < len(sentence) <= OPTION_CHARS else None


def _stem(word: str) -> str:
    return word[:-1] if len(word) > SUBJECT_MIN_CHARS and word.endswith("s") else word


def _words(text: str) -> set[str]:
    return {_stem(word) for word in normalize_answer(text).split()}


class SubjectIndex:
    """How many cards of the deck mention each word, to tell a question's subject from common words."""

    def __init__(self, items: Sequence[PracticeItem]) -> None:
        self.size = len(items)
        self.mentions: dict[str, int] = {}
        for item in items:
            for word in _words(item.question) | _words(item.answer):
                self.mentions[word] = self.mentions.get(word, 0) + 1

    def subject(self, prompt: str) -> set[str]:
        """The prompt's rare content words."""
        limit = max(1, int(self.size * SUBJECT_SHARE))
        return {
            word
            for word in _words(prompt)
            if len(word) >= SUBJECT_MIN_CHARS
            and word not in QUESTION_WORDS
            and not word.isdigit()
            and self.mentions.get(word, 0) <= limit
        }


def distractors(
    item: PracticeItem,
    prompt: str,
    answer: str,
    pool: Sequence[PracticeItem],
    side: Callable[[PracticeItem], str | None],
    rng: random.Random,
    subjects: SubjectIndex | None = None,
) -> list[str]:
    """Other notes' short forms (`side` gives one, or None), fair as wrong answers, most alike first."""
    answer_key = normalize_answer(answer)
    seen = {answer_key}
    subject = subjects.subject(prompt) if subjects is not None else set()
    scored = []
    for other in pool:
        if other.note_key == item.note_key:
            continue
        text = side(other)
        if text is None:
            continue
        key = normalize_answer(text)
        if not key or key in seen or f" {answer_key} " in f" {key} " or f" {key} " in f" {answer_key} ":
            continue
        if subject & _words(text):
            continue  # it speaks of the question's subject: it may be true too
        seen.add(key)
        length_gap = abs(len(text) - len(answer)) / max(len(text), len(answer), 1)
        scored.append(((other.kind != item.kind) + length_gap + rng.random() * 0.1, text))
    return [text for _, text in sorted(scored)]
