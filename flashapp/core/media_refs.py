"""File names of the images a card's text refers to (Markdown `![alt](name)` and HTML `<img src>`)."""

from __future__ import annotations

import re

_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(?:\"([^\"]+)\"|'([^']+)'|([^\s>]+))", re.IGNORECASE)


def media_references(text: str) -> list[str]:
    """Local file names referenced by `text`, in order, without duplicates; URLs are not media."""
    names = [m.group(1) for m in _MARKDOWN_IMAGE.finditer(text)]
    names += [next(g for g in m.groups() if g) for m in _HTML_IMAGE.finditer(text)]
    local = [name for name in names if "://" not in name and not name.startswith("data:")]
    return list(dict.fromkeys(local))
