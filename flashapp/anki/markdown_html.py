"""Deck-file Markdown as Anki field HTML, for export: `**bold**`, `*italic*`, `` `code` ``, images,
line breaks, and `$math$` / `$$math$$` as MathJax `\\(...\\)` / `\\[...\\]` (which Anki renders).
Everything else is escaped: a card's text never becomes markup in Anki."""

from __future__ import annotations

import html
import re

_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)(.+?)(?<![\s\\])\$", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CODE = re.compile(r"`([^`\n]+)`")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)")
_SLOT = re.compile("\ue000(\\d+)\ue001")


def markdown_to_html(markdown: str) -> str:
    slots: list[str] = []

    def stash(fragment: str) -> str:
        slots.append(fragment)
        return f"\ue000{len(slots) - 1}\ue001"

    text = markdown.replace("\r\n", "\n")
    text = _MATH.sub(
        lambda m: stash(
            f"\\[{html.escape(m.group(1), quote=False)}\\]"
            if m.group(1) is not None
            else f"\\({html.escape(m.group(2), quote=False)}\\)"
        ),
        text,
    )
    text = _IMAGE.sub(lambda m: stash(f'<img src="{html.escape(m.group(2))}">'), text)
    text = _CODE.sub(lambda m: stash(f"<code>{html.escape(m.group(1), quote=False)}</code>"), text)
    text = html.escape(text, quote=False)
    text = _STRONG.sub(r"<b>\2</b>", text)
    text = _EMPHASIS.sub(r"<i>\1</i>", text)
    text = text.replace("\n", "<br>")
    return _SLOT.sub(lambda m: slots[int(m.group(1))], text)
