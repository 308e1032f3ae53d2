"""Turn a note's fields into the question and answer of one of its cards (Markdown strings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flashapp.core.cloze import cloze_answers, render_cloze
from flashapp.core.text import strip_control, to_plain


@dataclass(frozen=True)
class RenderedCard:
    """Markdown text, control sequences already stripped; `expected` is what a type-in card wants."""

    question: str
    answer: str
    extra: str = ""
    expected: str | None = None

    def plain(self) -> tuple[str, str]:
        """(question, answer) as plain text, the extra appended to the answer."""
        answer = self.answer + (f"\n\n{self.extra}" if self.extra else "")
        return to_plain(self.question), to_plain(answer)


def render_card(note_type: str, fields: dict[str, Any], ord: int) -> RenderedCard:
    clean = {key: strip_control(str(value)) for key, value in fields.items()}
    extra = clean.get("extra", "")
    if note_type == "cloze":
        text = clean.get("text", "")
        return RenderedCard(
            question=render_cloze(text, ord, reveal=False),
            answer=render_cloze(text, ord, reveal=True),
            extra=extra,
            expected=", ".join(cloze_answers(text, ord)),
        )
    front, back = clean.get("front", ""), clean.get("back", "")
    if note_type == "reversed" and ord == 1:
        front, back = back, front
    expected = back if note_type == "type-in" else None
    return RenderedCard(question=front, answer=back, extra=extra, expected=expected)
