"""One card of an Anki note, as Anki renders it (HTML) and as flashapp shows it (Markdown and plain).

`render_html` runs the note type's templates the way Anki does. `card_text` then turns a question and
answer HTML pair (ours, or Anki's own `card.question()` / `card.answer()` in the tests) into what the
study screen shows:
- a `[[type:Field]]` marker becomes a type-in prompt: removed from the question (the screen shows an
  input), replaced on the answer by the expected text, which is also returned;
- Image Occlusion masks (Anki's own note type and the Enhanced add-on's) go with their image, to be
  drawn onto it (`flashapp.anki.occlusion`);
- the answer keeps only what follows `<hr id=answer>` when the template has one (the question is
  already on screen above it), else the whole answer (cloze cards show the full revealed text).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flashapp.anki.cloze import cloze_answer_for_typing
from flashapp.anki.html_text import html_to_markdown, html_to_plain
from flashapp.anki.note_types import NoteTypeDef
from flashapp.anki.occlusion import occlusion_masks
from flashapp.anki.templates import CardContext, render_template, special_fields, strip_html

_TYPE_MARKER = re.compile(r"\[\[type:(.+?)\]\]")
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_HIDES = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_ANSWER_RULE = re.compile(r"<hr\b[^>]*\bid\s*=\s*[\"']?answer\b[\"']?[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class CardText:
    question: str  # Markdown
    answer: str  # Markdown
    question_plain: str
    answer_plain: str
    expected: str | None  # what a type-in card wants typed


def render_html(
    definition: NoteTypeDef,
    fields: Mapping[str, object],
    ord_: int,
    *,
    tags: tuple[str, ...] | list[str] = (),
    deck: str = "",
    flag: int = 0,
) -> tuple[str, str]:
    """(question HTML, answer HTML) of card `ord_`, without the note type's CSS."""
    template = definition.template_for(ord_)
    if template is None:
        return "", ""
    values = {name: str(fields.get(name, "")) for name in definition.fields}
    for name, value in fields.items():  # fields the note has but its type lost: still renderable
        values.setdefault(str(name), str(value))
    values.update(
        special_fields(tags=tags, note_type=definition.name, deck=deck, card_name=template.name, flag=flag)
    )
    question = render_template(template.front, values, CardContext(ord_, question=True))
    answer = render_template(template.back, values, CardContext(ord_, question=False, front_side=question))
    return question, answer


def expected_answer(marker: str, fields: Mapping[str, object], ord_: int) -> str:
    """The text a `[[type:...]]` marker asks for: a field's text, or the card's cloze deletions."""
    *filters, name = marker.split(":")
    value = str(fields.get(name, ""))
    if "cloze" in filters:
        value = cloze_answer_for_typing(value, ord_ + 1)
    return strip_html(value).replace("\xa0", " ").strip()


def card_text(question_html: str, answer_html: str, fields: Mapping[str, object], ord_: int) -> CardText:
    marker = _TYPE_MARKER.search(question_html) or _TYPE_MARKER.search(answer_html)
    expected = expected_answer(marker.group(1), fields, ord_) if marker else None
    question_html = _TYPE_MARKER.sub("", question_html)
    shown = html.escape(expected or "")
    answer_html = _TYPE_MARKER.sub(lambda _m: f"<div>{shown}</div>", answer_html)
    rule = _ANSWER_RULE.search(answer_html)
    if rule is not None:
        # What the part above the rule sets up still applies below it: its styling and its math
        # definitions (both carried over, hidden).
        above = answer_html[: rule.start()]
        styles = "".join(_STYLE_BLOCK.findall(above))
        math = "".join(match.group(0) for match in _MATH.finditer(above))
        answer_html = f'{styles}<div style="display:none">{math}</div>' + answer_html[rule.end() :]
    # Image Occlusion: the masks travel with their image (and an overlay SVG is not shown by itself).
    question_masks, answer_masks = occlusion_masks(question_html), occlusion_masks(answer_html)
    return CardText(
        question=html_to_markdown(question_html, question_masks),
        answer=html_to_markdown(answer_html, answer_masks),
        question_plain=html_to_plain(question_html, question_masks),
        answer_plain=html_to_plain(answer_html, answer_masks),
        expected=expected,
    )


def render_card_text(
    definition: NoteTypeDef,
    fields: Mapping[str, object],
    ord_: int,
    *,
    tags: tuple[str, ...] | list[str] = (),
    deck: str = "",
    flag: int = 0,
) -> CardText:
    question, answer = render_html(definition, fields, ord_, tags=tags, deck=deck, flag=flag)
    if definition.css and _HIDES.search(definition.css):  # as Anki, which puts it in a <style> first
        style = f"<style>{definition.css}</style>"
        question, answer = style + question, style + answer
    return card_text(question, answer, fields, ord_)
