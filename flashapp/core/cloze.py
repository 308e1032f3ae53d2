"""Cloze deletions: `{{c1::answer}}` and `{{c1::answer::hint}}`, one card per distinct number."""

from __future__ import annotations

import re

CLOZE_PATTERN = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
# What a well-formed deletion cannot contain; used to report stray braces as errors.
_OPEN = "{{c"


def cloze_numbers(text: str) -> list[int]:
    """The distinct deletion numbers in `text`, ascending."""
    return sorted({int(match.group(1)) for match in CLOZE_PATTERN.finditer(text)})


def cloze_problem(text: str) -> str | None:
    """What is wrong with a cloze text, or None: no deletion, c0, or an unclosed `{{c`."""
    numbers = cloze_numbers(text)
    if not numbers:
        return "cloze text has no deletion like {{c1::answer}}"
    if 0 in numbers:
        return "cloze numbers start at c1, not c0"
    for match in CLOZE_PATTERN.finditer(text):
        if not match.group(2).strip():
            return f"cloze deletion c{match.group(1)} is empty"
    if _OPEN in CLOZE_PATTERN.sub("", text):
        return "unclosed or malformed cloze deletion (expected {{cN::answer}} or {{cN::answer::hint}})"
    return None


def render_cloze(text: str, number: int, *, reveal: bool) -> str:
    """The text of card `number`: its deletions hidden as `[...]` (or `[hint]`) or revealed.

    Deletions with other numbers always show their answer, as in Anki.
    """

    def replace(match: re.Match[str]) -> str:
        answer, hint = match.group(2), match.group(3)
        if int(match.group(1)) != number:
            return answer
        if reveal:
            return f"[{answer}]"
        return f"[{hint}]" if hint else "[...]"

    return CLOZE_PATTERN.sub(replace, text)


def cloze_answers(text: str, number: int) -> list[str]:
    """The answers hidden on card `number`, in order (what a type-in cloze would expect)."""
    return [m.group(2) for m in CLOZE_PATTERN.finditer(text) if int(m.group(1)) == number]
