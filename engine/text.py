"""Wrapping the engine's explanations at word boundaries without splitting a formula across lines.

Torch-free and numpy-free: `DemoResult.summary` (the CLI) and the demo screen's explanation widget both
use it. A formula in running text, `x_t = (1 - t)·x0 + t·x1`, has spaces in it; a plain word wrap may
break the line after `=` or inside the parentheses. Here the spaces around an operator and inside a
short parenthesised group become no-break spaces before wrapping, and plain spaces again after.
"""

from __future__ import annotations

import re
import textwrap

NBSP = "\u00a0"
OPERATORS = frozenset(
    {
        "=",
        "+",
        "-",
        "−",
        "·",
        "x",
        "×",
        "/",
        "<",
        ">",
        "<=",
        ">=",
        "≤",
        "≥",
        "≈",
        "~",
        "→",
        "←",
        "->",
        "|",
        "∝",
        "∩",
        "∪",
        "∈",
        "±",
        "Π",
        "Σ",
    }
)
MAX_GROUP = 40  # a parenthesised group longer than this is prose, and may wrap inside


def _is_operator(token: str) -> bool:
    return token in OPERATORS or token.rstrip(",.;:") in OPERATORS and len(token) <= 3


def protect_formulas(paragraph: str) -> str:
    """The paragraph on one line, with no-break spaces where a break would split a formula."""
    tokens = paragraph.split()
    if not tokens:
        return ""
    glue = [False] * len(tokens)  # glue[i]: the space before token i must not break
    for i in range(1, len(tokens)):
        if _is_operator(tokens[i]) or _is_operator(tokens[i - 1]):
            glue[i] = True
    # short groups in parentheses: (1 - t), (C_in 2, C_out 3) stay on one line
    depth_start: list[int] = []
    for i, token in enumerate(tokens):
        for char in token:
            if char == "(":
                depth_start.append(i)
            elif char == ")" and depth_start:
                start = depth_start.pop()
                if not depth_start and len(" ".join(tokens[start : i + 1])) <= MAX_GROUP:
                    for j in range(start + 1, i + 1):
                        glue[j] = True
    out = [tokens[0]]
    for i in range(1, len(tokens)):
        out.append((NBSP if glue[i] else " ") + tokens[i])
    return "".join(out)


def wrap_paragraph(paragraph: str, width: int) -> list[str]:
    """Lines of at most `width` cells where that is possible (a formula longer than the width gets a
    line of its own), broken only between words, never inside a protected formula."""
    lines = textwrap.wrap(
        protect_formulas(paragraph), width=max(8, width), break_long_words=False, break_on_hyphens=False
    )  # textwrap splits on ASCII whitespace only: the no-break spaces hold
    return [line.replace(NBSP, " ") for line in lines]


TREE_PREFIX = re.compile(r"^[ │├└─]*")


def wrap_indented_line(line: str, width: int) -> list[str]:
    """A line of an indented block (a formula, a tree's branch) as it is when it fits; else wrapped at
    word boundaries (formulas kept whole) with a hanging indent under its text, the tree's trunk drawn
    on: "│   ├── A long label" continues as "│   │   label"."""
    prefix = TREE_PREFIX.match(line).group(0)  # type: ignore[union-attr]
    room = width - len(prefix)
    if len(line) <= width or room < 12:
        return [line]
    hanging = prefix.replace("├", "│").replace("└", " ").replace("─", " ")
    parts = wrap_paragraph(line[len(prefix) :], room)
    return [prefix + parts[0], *(hanging + part for part in parts[1:])]


def wrap_explanation(text: str, width: int) -> str:
    """Prose paragraphs wrapped to `width`; indented paragraphs (formulas, trees) kept line for line,
    a line too long for `width` wrapped under its own indentation."""
    out = []
    for paragraph in text.strip().split("\n\n"):
        if paragraph.startswith("  "):
            lines = paragraph.split("\n")
            out.append("\n".join(part for line in lines for part in wrap_indented_line(line, width)))
        else:
            out.append("\n".join(wrap_paragraph(paragraph, width)))
    return "\n\n".join(out)
