"""Anki's cloze deletions, including nested ones: `{{c1::text}}`, `{{c1::text::hint}}`,
`{{c1::outer {{c2::inner}} text}}`, and Image Occlusion shapes `{{c1::image-occlusion:rect:...}}`.

Produces the same HTML as Anki (a `<span class="cloze">` per deletion of the card being shown,
`cloze-inactive` for the others), so what our HTML converter makes of it matches what it makes of
Anki's own rendering of the same note.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")
# Anki stops nesting at this depth; deeper openings are treated as text.
MAX_NESTING = 10
# Anki reads deletion numbers as 16-bit; a bigger one is not a deletion.
MAX_ORDINAL = 65535
_MATHJAX = re.compile(r"(\\[(\[])(.*?)(\\[)\]])", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


@dataclass
class Cloze:
    ordinal: int
    nodes: list[str | Cloze] = field(default_factory=list)
    hint: str | None = None

    def text(self) -> str:
        return "".join(node if isinstance(node, str) else node.text() for node in self.nodes)

    def image_occlusion(self) -> str | None:
        first = self.nodes[0] if self.nodes else None
        if isinstance(first, str) and first.startswith("image-occlusion:"):
            return first[len("image-occlusion:") :]
        return None


def parse_clozes(text: str) -> list[str | Cloze]:
    """Top-level text runs and clozes. A `}}` outside any cloze is text; an unclosed cloze is dropped,
    as Anki drops it."""
    output: list[str | Cloze] = []
    open_clozes: list[Cloze] = []
    position = 0

    def add_text(run: str) -> None:
        if not run:
            return
        if open_clozes:
            cloze = open_clozes[-1]
            if "::" in run:
                run, cloze.hint = run.split("::", 1)
            cloze.nodes.append(run)
        else:
            output.append(run)

    for match in _TOKEN.finditer(text):
        add_text(text[position : match.start()])
        position = match.end()
        if match.group(1) is not None:
            if len(open_clozes) < MAX_NESTING and int(match.group(1)) <= MAX_ORDINAL:
                open_clozes.append(Cloze(int(match.group(1))))
            else:
                add_text(match.group(0))
        elif open_clozes:
            closed = open_clozes.pop()
            (open_clozes[-1].nodes if open_clozes else output).append(closed)
        else:
            output.append("}}")
    add_text(text[position:])
    return output


def cloze_numbers(text: str) -> list[int]:
    """Distinct deletion numbers (> 0), ascending, nested ones included."""
    found: set[int] = set()

    def walk(nodes: list[str | Cloze]) -> None:
        for node in nodes:
            if isinstance(node, Cloze) and node.ordinal > 0:
                found.add(node.ordinal)
                walk(node.nodes)

    walk(parse_clozes(text))
    return sorted(found)


def reveal_clozes(text: str, number: int, *, question: bool) -> str:
    """Card `number`'s side of a cloze field, as Anki's `{{cloze:Field}}` renders it ("" when the card's
    deletion is not in the text)."""
    found = False
    parts: list[str] = []

    def render(cloze: Cloze, out: list[str]) -> None:
        nonlocal found
        active = cloze.ordinal == number
        found |= active
        shape = cloze.image_occlusion()
        if shape is not None:
            out.append(_occlusion(shape, cloze.ordinal, question=question, active=active))
            return
        inner: list[str] = []
        for node in cloze.nodes:
            if isinstance(node, str):
                inner.append(node)
            else:
                render(node, inner)
        content = "".join(inner)
        if question and active:
            hint = cloze.hint if cloze.hint is not None else "..."
            out.append(
                f'<span class="cloze" data-cloze="{html.escape(content)}" data-ordinal="{cloze.ordinal}">'
                f"[{hint}]</span>"
            )
        elif active:
            out.append(f'<span class="cloze" data-ordinal="{cloze.ordinal}">{content}</span>')
        else:
            out.append(f'<span class="cloze-inactive" data-ordinal="{cloze.ordinal}">{content}</span>')

    for node in parse_clozes(text):
        if isinstance(node, str):
            parts.append(node)
        else:
            render(node, parts)
    if not found:
        return ""
    return _MATHJAX.sub(lambda m: m.group(1) + _TAG.sub("", m.group(2)) + m.group(3), "".join(parts))


def cloze_only(text: str, number: int, *, question: bool) -> str:
    """Anki's `{{cloze-only:Field}}`: the hints (question) or texts (answer) of card `number`'s deletions."""
    out: list[str] = []

    def walk(nodes: list[str | Cloze]) -> None:
        for node in nodes:
            if isinstance(node, Cloze):
                if node.ordinal == number:
                    out.append((node.hint or "...") if question else node.text())
                walk(node.nodes)

    walk(parse_clozes(text))
    return ", ".join(out)


def cloze_answer_for_typing(text: str, number: int) -> str:
    """What a type-in cloze card expects: its deletions' texts, once if they are all the same."""
    out: list[str] = []

    def walk(nodes: list[str | Cloze]) -> None:
        for node in nodes:
            if isinstance(node, Cloze):
                if node.ordinal == number:
                    out.append(node.text())
                walk(node.nodes)

    walk(parse_clozes(text))
    if not out:
        return ""
    return out[0] if len(set(out)) == 1 else ", ".join(out)


_SHAPE_PROPERTY = re.compile(r"^([a-zA-Z]+)=(.*)$")


def _occlusion(shape: str, ordinal: int, *, question: bool, active: bool) -> str:
    """An Image Occlusion shape as Anki writes it: a `div` whose data attributes the card's script draws."""
    kind, _, rest = shape.partition(":")
    attributes = [f'data-shape="{html.escape(kind)}"']
    for part in rest.split(":"):
        match = _SHAPE_PROPERTY.match(part)
        if match:
            name = "occludeInactive" if match.group(1) == "oi" else match.group(1)
            attributes.append(f'data-{html.escape(name)}="{html.escape(match.group(2))}"')
    if (question and active) or ordinal == 0:
        css_class = "cloze"
    elif not active:
        css_class = "cloze-inactive"
    else:
        css_class = "cloze-highlight"
    return f'<div class="{css_class}" data-ordinal="{ordinal}" {" ".join(attributes)} ></div>'
