"""Turn a note's fields into the question and answer of one of its cards (Markdown strings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flashapp.core.cloze import cloze_answers, render_cloze
from flashapp.core.predict import PredictSpec, PredictSpecError
from flashapp.core.text import strip_control, to_plain

if TYPE_CHECKING:
    from flashapp.anki.note_types import NoteTypeDef

# `notes.note_type` of notes imported from Anki; their cards render from their note type's templates.
ANKI_NOTE_TYPE = "anki"


@dataclass(frozen=True)
class RenderedCard:
    """Markdown text, control sequences already stripped; `expected` is what a type-in card wants."""

    question: str
    answer: str
    extra: str = ""
    expected: str | None = None
    # Cards of imported Anki notes: how the study screen should treat the card ("basic", "cloze",
    # "type-in"), and their plain text, made from the HTML directly (their Markdown is escaped).
    kind: str | None = None
    plain_question: str | None = None
    plain_answer: str | None = None
    # Predict cards: the spec (the study screen draws the case, the engine grades the typed answer).
    predict: PredictSpec | None = None

    def plain(self) -> tuple[str, str]:
        """(question, answer) as plain text, the extra appended to the answer."""
        if self.plain_question is not None and self.plain_answer is not None:
            return self.plain_question, self.plain_answer
        answer = self.answer + (f"\n\n{self.extra}" if self.extra else "")
        return to_plain(self.question), to_plain(answer)


def render_card(
    note_type: str,
    fields: dict[str, Any],
    ord: int,
    definition: NoteTypeDef | None = None,
    *,
    tags: tuple[str, ...] | list[str] = (),
    deck: str = "",
    flag: int = 0,
    seed: int | str | None = None,
) -> RenderedCard:
    """A card of a note. Notes imported from Anki pass their note type's `definition` (templates and
    fields) and what its special fields show (tags, deck, flag); deck-file notes need only the type.
    A predict card's question is its template, with the case drawn from `seed` filled in when given
    (`flashapp.core.predict.predict_seed(card_id, reps)`)."""
    if definition is not None or note_type == ANKI_NOTE_TYPE:
        return render_anki_card(definition, fields, ord, tags=tags, deck=deck, flag=flag)
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
    if note_type == "predict":
        return render_predict(clean, seed)
    front, back = clean.get("front", ""), clean.get("back", "")
    if note_type == "reversed" and ord == 1:
        front, back = back, front
    expected = back if note_type == "type-in" else None
    return RenderedCard(question=front, answer=back, extra=extra, expected=expected)


def render_predict(fields: dict[str, str], seed: int | str | None = None) -> RenderedCard:
    """The question with its drawn case (or its `{placeholders}`), and how the answer is checked. A note
    whose spec was damaged by hand still shows its text, as a plain card."""
    extra = fields.get("extra", "")
    try:
        spec = PredictSpec.from_fields(fields)
    except PredictSpecError as error:
        return RenderedCard(
            question=fields.get("front", ""),
            answer=f"(this predict card cannot be checked: {error})",
            extra=extra,
        )
    values = spec.draw(seed) if seed is not None else None
    return RenderedCard(
        question=spec.question_for(values), answer=fields.get("back", ""), extra=extra, predict=spec
    )


def render_anki_card(
    definition: NoteTypeDef | None,
    fields: dict[str, Any],
    ord: int,
    *,
    tags: tuple[str, ...] | list[str] = (),
    deck: str = "",
    flag: int = 0,
) -> RenderedCard:
    """A card of an Anki note: its note type's templates rendered as Anki does, HTML turned into text.
    Without its note type (a damaged collection) the fields are shown in order, the first as the
    question."""
    from flashapp.anki.card_render import render_card_text
    from flashapp.anki.html_text import html_to_markdown, html_to_plain

    if definition is None:
        values = [str(value) for value in fields.values()]
        question, answer = (values[0] if values else ""), "<br>".join(values[1:])
        return RenderedCard(
            question=html_to_markdown(question),
            answer=html_to_markdown(answer),
            kind="basic",
            plain_question=html_to_plain(question),
            plain_answer=html_to_plain(answer),
        )
    text = render_card_text(definition, fields, ord, tags=tags, deck=deck, flag=flag)
    if definition.is_cloze:
        kind = "cloze"
    elif text.expected is not None:
        kind = "type-in"
    else:
        kind = "basic"
    return RenderedCard(
        question=text.question,
        answer=text.answer,
        expected=text.expected,
        kind=kind,
        plain_question=text.question_plain,
        plain_answer=text.answer_plain,
    )
