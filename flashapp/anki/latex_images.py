"""Anki's `[latex]…[/latex]`, `[$]…[/$]` and `[$$]…[/$$]` and the images Anki renders for them.

Anki names each image by the SHA-1 of the LaTeX it typesets: `latex-<sha1>.png`, where the body is
the source with `<br>` as newlines, other HTML removed and entities decoded, `[$]x[/$]` wrapped as
`$x$` and `[$$]x[/$$]` as `\\begin{displaymath}x\\end{displaymath}` (the preamble is not part of
it). A shared deck ships those images, so flashapp can show them and keep them on export without a
LaTeX installation. The tests hold this naming to the `anki` library's own.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

LATEX = re.compile(
    r"\[latex\](?P<latex>.+?)\[/latex\]|\[\$\](?P<inline>.+?)\[/\$\]|\[\$\$\](?P<display>.+?)\[/\$\$\]",
    re.IGNORECASE | re.DOTALL,
)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)


@dataclass(frozen=True)
class LatexImage:
    source: str  # the LaTeX as written between the markers (HTML removed)
    display: bool  # `[$$]` or `[latex]`: a block of its own
    name: str  # the image file Anki renders it to


def latex_body(source: str) -> str:
    """The text Anki typesets (and hashes) for one marker's contents."""
    return html.unescape(_TAG.sub("", _BR.sub("\n", source)))


def latex_image(match: re.Match[str]) -> LatexImage:
    if match.group("inline") is not None:
        plain = latex_body(match.group("inline"))
        body, display = f"${plain}$", False
    elif match.group("display") is not None:
        plain = latex_body(match.group("display"))
        body, display = f"\\begin{{displaymath}}{plain}\\end{{displaymath}}", True
    else:
        plain = body = latex_body(match.group("latex"))
        display = True
    name = f"latex-{hashlib.sha1(body.encode('utf-8'), usedforsecurity=False).hexdigest()}.png"
    return LatexImage(plain, display, name)


def latex_images(text: str) -> list[LatexImage]:
    """Every LaTeX marker in `text`, in order."""
    return [latex_image(match) for match in LATEX.finditer(text)]
