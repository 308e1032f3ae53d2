"""Anki's card templates: `{{Field}}`, `{{#Field}}...{{/Field}}`, `{{^Field}}...{{/Field}}` (nested),
`{{FrontSide}}`, the special fields (Tags, Type, Deck, Subdeck, Card, CardFlag) and the filters
`cloze:`, `cloze-only:`, `type:`, `text:`, `hint:`, `furigana:`, `kana:`, `kanji:` (chained as in
`{{text:hint:Field}}`, the one nearest the field first; unknown filters leave the text as it is).

The output is the HTML Anki itself renders for the same note and card, minus the note type's CSS, so
tests can hold the two side by side. `{{type:Field}}` renders as Anki's `[[type:Field]]` marker; the
card renderer turns it into a type-in prompt.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from flashapp.anki.cloze import cloze_only, reveal_clozes

_HANDLEBAR = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_ALT_SYNTAX = "{{=<% %>=}}"
# What Anki counts as an empty field: only whitespace, <br> and <div> tags.
_EMPTY_FIELD = re.compile(r"^(?:\s|</?(?:br|div)\s?/?>)*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_FURIGANA = re.compile(r" ?([^ >]+?)\[(.+?)\]")
SPECIAL_FIELDS = ("FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag")


class TemplateError(ValueError):
    """A template whose conditionals do not nest."""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Replacement:
    key: str
    filters: tuple[str, ...]  # in the order they apply: the one written nearest the field first


@dataclass(frozen=True)
class Conditional:
    key: str
    negated: bool
    children: tuple[Text | Replacement | Conditional, ...]


Node = Text | Replacement | Conditional


@lru_cache(maxsize=512)
def parse_template(template: str) -> tuple[Node, ...]:
    """The template's nodes (cached: a note type's templates render thousands of cards)."""
    if template.lstrip().startswith(_ALT_SYNTAX):
        template = template.lstrip()[len(_ALT_SYNTAX) :].replace("<%", "{{").replace("%>", "}}")
    stack: list[tuple[str | None, bool, list[Node]]] = [(None, False, [])]
    position = 0
    for match in _HANDLEBAR.finditer(template):
        if match.start() > position:
            stack[-1][2].append(Text(template[position : match.start()]))
        position = match.end()
        inner = match.group(1).strip()
        if len(inner) >= 2 and inner[0] in "#^":
            stack.append((inner[1:].strip(), inner[0] == "^", []))
        elif len(inner) >= 2 and inner[0] == "/":
            key = inner[1:].strip()
            open_key, negated, children = stack[-1]
            if open_key != key:
                raise TemplateError(f"{{{{/{key}}}}} closes {'nothing' if open_key is None else open_key!r}")
            stack.pop()
            stack[-1][2].append(Conditional(key, negated, tuple(children)))
        else:
            key, *filters = reversed(inner.split(":"))
            stack[-1][2].append(Replacement(key.strip(), tuple(f.strip() for f in filters)))
    if position < len(template):
        stack[-1][2].append(Text(template[position:]))
    if len(stack) > 1:
        raise TemplateError(f"{{{{#{stack[-1][0]}}}}} is never closed")
    return tuple(stack[0][2])


def field_is_empty(text: str) -> bool:
    return _EMPTY_FIELD.match(text) is not None


def strip_html(text: str) -> str:
    """Anki's `text:` filter: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True)
class CardContext:
    """What a template sees besides the fields."""

    card_ord: int  # 0-based: the template index, or the cloze number - 1
    question: bool
    front_side: str = ""  # the rendered question, for `{{FrontSide}}` on the answer side


def render_template(template: str, fields: Mapping[str, str], context: CardContext) -> str:
    """`fields` holds the note's fields and the special fields (see `special_fields`)."""
    try:
        nodes = parse_template(template)
    except TemplateError as error:
        return f"<div>{{template error: {html.escape(str(error))}}}</div>"
    out: list[str] = []
    _render(nodes, fields, context, out)
    return "".join(out)


def special_fields(
    *, tags: tuple[str, ...] | list[str], note_type: str, deck: str, card_name: str, flag: int
) -> dict[str, str]:
    return {
        "Tags": " ".join(tags),
        "Type": note_type,
        "Deck": deck,
        "Subdeck": deck.rsplit("::", 1)[-1],
        "Card": card_name,
        "CardFlag": f"flag{flag}" if flag else "",
    }


def _render(nodes: tuple[Node, ...], fields: Mapping[str, str], context: CardContext, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Conditional):
            present = _nonempty(node.key, fields, context)
            if present != node.negated:
                _render(node.children, fields, context, out)
        else:
            out.append(_replacement(node, fields, context))


def _nonempty(key: str, fields: Mapping[str, str], context: CardContext) -> bool:
    if key == "FrontSide":
        return not context.question and bool(context.front_side)
    value = fields.get(key)
    return value is not None and not field_is_empty(value)


def _replacement(node: Replacement, fields: Mapping[str, str], context: CardContext) -> str:
    if node.key == "FrontSide" and not node.filters:
        return "" if context.question else context.front_side
    if "type" in node.filters:
        # Anki leaves a marker for the reviewer, naming the field and the other filters.
        others = [f for f in reversed(node.filters) if f != "type"]
        return "[[type:" + ":".join([*others, node.key]) + "]]"
    text = fields.get(node.key)
    if text is None:
        if node.key == "" and not node.filters:
            return "{{}}"
        return f"{{unknown field {html.escape(node.key)}}}"
    for name in node.filters:
        text = _apply_filter(name, text, node.key, context)
    return text


def _apply_filter(name: str, text: str, field_name: str, context: CardContext) -> str:
    if name == "cloze":
        return reveal_clozes(text, context.card_ord + 1, question=context.question)
    if name == "cloze-only":
        return cloze_only(text, context.card_ord + 1, question=context.question)
    if name == "text":
        return strip_html(text)
    if field_is_empty(text) and name in ("hint", "furigana", "kana", "kanji"):
        return ""
    if name == "hint":
        return _hint(text, field_name)
    if name == "furigana":
        return _furigana(text, lambda m: f"<ruby><rb>{m.group(1)}</rb><rt>{m.group(2)}</rt></ruby>")
    if name == "kanji":
        return _furigana(text, lambda m: m.group(1))
    if name == "kana":
        return _furigana(text, lambda m: m.group(2))
    if name.startswith("tts"):
        return ""  # text to speech: nothing to show in a terminal
    return text


def _furigana(text: str, replace) -> str:
    def keep_sound(match: re.Match[str]) -> str:
        # `[sound:...]` is an audio tag, not a reading
        return match.group(0) if match.group(2).startswith("sound:") else replace(match)

    return _FURIGANA.sub(keep_sound, text.replace("&nbsp;", " "))


def _hint(text: str, field_name: str) -> str:
    hint_id = "hint" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    return (
        '<a class=hint href="#"\n'
        "onclick=\"this.style.display='none';\n"
        f"document.getElementById('{hint_id}').style.display='block';\n"
        'return false;" draggable=false>\n'
        f"{html.escape(field_name)}</a>\n"
        f'<div id="{hint_id}" class=hint style="display: none">{text}</div>\n'
    )
