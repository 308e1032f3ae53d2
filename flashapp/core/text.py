"""Card text is data: strip what could drive the terminal, and turn Markdown + `$math$` into plain text."""

from __future__ import annotations

import re

from flashapp.core.control import CONTROL_CHARS, has_control, strip_control
from flashapp.core.mathtext import latex_to_unicode

__all__ = ["has_control", "is_plain", "render_math", "strip_control", "to_plain"]

# `$$...$$`, or `$...$` not after a backslash or a `$`, with no blank inside either dollar. The opening
# `$` comes first (the inline form's look-behind checks the character before it), so that the regex
# engine finds candidates by that literal: twice as fast over a field as `\$\$(.+?)\$\$|(?<![\\$])\$...`
# (tests/flashapp/core/test_card_text.py holds the two to the same matches).
_MATH = re.compile(r"\$(?:\$(.+?)\$\$|(?<![\\$]\$)(?!\s)(.+?)(?<![\s\\])\$)", re.DOTALL)
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)")
_CODE = re.compile(r"`([^`\n]+)`")
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)


def render_math(text: str) -> str:
    """Replace each `$...$` / `$$...$$` span with its Unicode rendering."""
    return _MATH.sub(_math_of, text)


def _math_of(match: re.Match[str]) -> str:
    return latex_to_unicode(match[1] or match[2])


def to_plain(markdown: str) -> str:
    """Plain text for `--json` and non-styled output: math as Unicode, emphasis markers dropped,
    bullets as `•`. The result is safe to print: control sequences are stripped first."""
    # Each pattern runs only where its marker occurs: listing 100k cards spends most of its time here.
    text = strip_control(markdown)
    if "$" in text:
        text = render_math(text)
    if "`" in text:
        text = _CODE.sub(r"\1", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)
    if "#" in text:
        text = _HEADING.sub("", text)
    if "-" in text or "*" in text or "+" in text:
        text = _BULLET.sub(r"\1• ", text)
    return text.strip()


# What `to_plain` could change besides the surrounding whitespace: a control character (`strip_control`),
# `$` (math), a backquote (code), `*` or `__` (emphasis: a single `_` never matches), `#` opening a line
# (a heading), and `-` or `+` opening a line after blanks and followed by a blank (a bullet: `_BULLET`
# matches at the text's start or after a newline, which `_BULLET_AFTER_NEWLINE` finds by its literal).
_MARKUP_CHAR = re.compile(f"[{CONTROL_CHARS}$`*]")
_BULLET_AFTER_NEWLINE = re.compile(r"\n\s*[-+]\s")


def is_plain(markdown: str) -> bool:
    """Whether `to_plain(markdown)` is `markdown.strip()`, in a few scans of the text: for listings of
    many cards whose fields mostly hold no markup (tests/flashapp/core/test_plain_text.py holds it to
    `to_plain`)."""
    if markdown.isprintable():
        # The usual field, in one quick scan: no control character, no newline, and no blank but the
        # space (all of them non-printable), so only these markers could make markup.
        if "$" in markdown or "`" in markdown or "*" in markdown or "__" in markdown or markdown[:1] == "#":
            return False
        head = markdown.lstrip(" ")
        return not (head[:1] in ("-", "+") and head[1:2] == " ")
    if _MARKUP_CHAR.search(markdown) is not None or "__" in markdown:
        return False
    if "#" in markdown and (markdown[0] == "#" or "\n#" in markdown):
        return False
    if "-" in markdown or "+" in markdown:
        head = markdown.lstrip()
        if head[:1] in ("-", "+") and head[1:2].isspace():
            return False
        if "\n" in markdown and _BULLET_AFTER_NEWLINE.search(markdown) is not None:
            return False
    return True
