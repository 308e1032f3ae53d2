"""Anki's field HTML as terminal text: Markdown for the study screen, plain text for `--json`.

Handled: `<br>`, block elements (`div`, `p`, headings, tables) as lines; `<b>/<strong>`, `<i>/<em>`,
`<s>/<del>` as emphasis; `<sup>`/`<sub>` as Unicode super/subscripts where every character has one
(`^(...)`/`_(...)` otherwise); non-breaking spaces kept (indentation by `&nbsp;` survives); lists;
`<img src>` as `![](name)`; cloze spans in bold; furigana as `漢字(かんじ)`; side by side inline chips
(`<span>`s with a class or style) kept apart by a space; MathJax `\\(...\\)` / `\\[...\\]` as Unicode
text by `flashapp.anki.mathjax` (definitions applied and never printed, display environments one row
a line); entities decoded. Dropped, never run: `<script>`, `<style>`, `<head>`, canvases, buttons,
media players, anything `display: none` or `visibility: hidden` (Image Occlusion's shape list),
event handlers (attributes are never copied), Anki's `[anki:tts]` text-to-speech tags. `[sound:name]`
is a chip, `[♪ name]`, never played by rendering (a key plays it, see `tui/audio_player.py`).
A hint (`{{hint:Field}}`: Anki's "show hint" link and its hidden content) is marked in the Markdown
(`HINT_START` + the link's text, its lines, `HINT_END`; the card view draws a chip a key opens) and is
"Hint: ..." in plain text. Image Occlusion masks, when given (`flashapp.anki.occlusion`), go into their
image reference's title; an overlay mask image is left out.
`[latex]`, `[$]` and `[$$]` become the image Anki renders for them (`latex-<sha1>.png`, see
`latex_images`), with the source as math for its alt text: the screen shows the image when the
package brought it, the math otherwise; plain text shows the math.

The Markdown escapes every character Markdown or Textual would read as syntax, so a card's text can
never become a link, an image, a heading or markup; control sequences are stripped.
"""

from __future__ import annotations

import html as html_lib
import re
import urllib.parse
from html.parser import HTMLParser

from flashapp.anki.latex_images import LATEX, latex_image
from flashapp.anki.mathjax import SUBSCRIPTS, SUPERSCRIPTS, MathJax
from flashapp.anki.occlusion import Mask
from flashapp.core.text import strip_control

_SKIP = {
    "script", "style", "head", "title", "canvas", "button", "template", "noscript", "object", "embed",
    "iframe", "svg", "math", "audio", "video", "select", "option", "rp", "input", "textarea", "map",
}  # fmt: skip
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCK = {
    "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "section", "article",
    "header", "footer", "dl", "dt", "dd", "figure", "figcaption", "center", "pre", "address", "main",
    "nav", "aside", "details", "summary", "ul", "ol",
}  # fmt: skip
_STRONG = {"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "th"}
_EMPHASIS = {"i", "em"}
_STRIKE = {"s", "del", "strike"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_AUDIO = re.compile(r"\[anki:tts[^\]]*\].*?\[/anki:tts\]", re.DOTALL)
_SOUND = re.compile(r"\[sound:([^\]]*)\]|\[anki:play:[^\]]*\]")
SOUND_CHIP = "♪"
_MATHJAX = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)
_MATH_SLOT = re.compile("\ue000(\\d+)\ue001")
# A hint in the Markdown: a line HINT_START + its label, the hint's lines, a line HINT_END (the card
# view draws a chip that a key opens). Private-use characters: a card's own are removed first.
HINT_START, HINT_END = "\ue010", "\ue011"
_PRIVATE_MARKERS = re.compile("[\ue000-\ue01f]")
_TAG = re.compile(r"<[^>]*>")
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")  # not U+00A0: a non-breaking space stays
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|&{}])")
_LINE_START_SPECIAL = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")
_MARKERS = {"strong": "**", "em": "*", "strike": "~~"}
MARKDOWN_BREAK = "  \n"
_ALT_ESCAPES = str.maketrans({"%": "%25", "[": "%5B", "]": "%5D", "(": "%28", ")": "%29", "\n": " "})


_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def hidden_classes(html: str) -> frozenset[str]:
    """Classes the card's own CSS (its `<style>` blocks: the note type's styling and the template's)
    hides with `display: none` or `visibility: hidden`: a rule whose selector ends in `.name`."""
    names: set[str] = set()
    for block in _STYLE_BLOCK.findall(html):
        for selectors, body in _CSS_RULE.findall(_CSS_COMMENT.sub("", block)):
            if not _HIDDEN_STYLE.search(body):
                continue
            for selector in selectors.split(","):
                last = selector.strip().split()[-1] if selector.strip() else ""
                match = re.fullmatch(r"(?:[a-z0-9]*)((?:\.[\w-]+)+)", last, re.IGNORECASE)
                if match:
                    names.update(part for part in match.group(1).split(".") if part)
    return frozenset(names)


def html_to_markdown(html: str, masks: dict[str, Mask | None] | None = None) -> str:
    """`masks`: Image Occlusion masks by image name (`flashapp.anki.occlusion.occlusion_masks`): the
    image's reference carries its mask's code; an image mapped to None is left out (a mask overlay)."""
    return _Converter(markdown=True, masks=masks).convert(html)


def html_to_plain(html: str, masks: dict[str, Mask | None] | None = None) -> str:
    return _Converter(markdown=False, masks=masks).convert(html)


class _Converter(HTMLParser):
    def __init__(self, *, markdown: bool, masks: dict[str, Mask | None] | None = None):
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.masks = masks or {}
        self.hint_label: list[str] | None = None  # the text of a "show hint" link, while inside it
        self.last_hint_label = ""
        self.lines: list[str] = []
        self.line = ""
        self.styles: list[tuple[str, int]] = []  # (kind, start offset in self.line)
        self.skip: list[str] = []  # open elements whose content is dropped
        self.lists: list[list[int | str]] = []  # [kind, next number]
        self.open_hint: list[str] = []
        self.pre = 0
        self.math: list[str] = []
        self.mathjax = MathJax()
        self.hidden_classes: frozenset[str] = frozenset()
        self.span_closed_at = -1  # where in self.line the last inline span ended

    # --- public ---------------------------------------------------------------------------------------

    def convert(self, html: str) -> str:
        self.hidden_classes = hidden_classes(html)
        html = _AUDIO.sub("", _PRIVATE_MARKERS.sub("", strip_control(html)))
        html = _SOUND.sub(self._sound_chip, html)
        html = LATEX.sub(self._latex_image, html)
        html = _MATHJAX.sub(self._stash_math, html)
        self.feed(html)
        self.close()
        self._commit()
        lines = [line.rstrip() for line in self.lines]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        out: list[str] = []
        for line in lines:  # at most one blank line in a row
            if line or (out and out[-1]):
                out.append(line)
        if self.markdown:
            text = ""
            for index, line in enumerate(out):
                if index:
                    follows_text = out[index - 1] and line and not out[index - 1].endswith("---")
                    text += MARKDOWN_BREAK if follows_text and line != "---" else "\n"
                text += line
        else:
            text = "\n".join(out).replace("\xa0", " ")
        return _MATH_SLOT.sub(self._math_text, text)

    # --- math ---------------------------------------------------------------------------------------

    def _stash_math(self, match: re.Match[str]) -> str:
        # Converted here, in the card's order, so that definitions apply to the formulas after them
        # (also those in hidden elements: MathJax reads those too).
        inline = match.group(1) is not None
        body = _TAG.sub("", match.group(1) if inline else match.group(2))
        tex = html_lib.unescape(body).replace("\xa0", " ").strip()
        self.math.append(strip_control(self.mathjax.convert(tex, display=not inline)))
        return f"\ue000{len(self.math) - 1}\ue001"

    def _sound_chip(self, match: re.Match[str]) -> str:
        """`[sound:name]`: a chip naming the file (a key plays it: `tui.audio_player`); Anki's own
        `[anki:play:q:0]` (its rendering of one) a bare chip. Never played by rendering."""
        name = (match.group(1) or "").strip()
        chip = f"[{SOUND_CHIP} {name}]" if name else f"[{SOUND_CHIP}]"
        return f" {html_lib.escape(chip)} "

    def _latex_image(self, match: re.Match[str]) -> str:
        image = latex_image(match)
        text = " ".join(self.mathjax.convert(image.source, display=image.display).split("\n"))
        src, alt = html_lib.escape(image.name), html_lib.escape(strip_control(text), quote=True)
        return f'<img src="{src}" alt="{alt}">'

    def _math_text(self, match: re.Match[str]) -> str:
        lines = self.math[int(match.group(1))].split("\n")
        if not self.markdown:
            return "\n".join(lines)
        escaped = [_MARKDOWN_SPECIAL.sub(r"\\\1", line).replace(" ", "\xa0") for line in lines]
        return MARKDOWN_BREAK.join(escaped)

    # --- parser callbacks ---------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if self.skip:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        classes = attributes.get("class", "").split()
        hidden = _HIDDEN_STYLE.search(attributes.get("style", "")) or not self.hidden_classes.isdisjoint(
            classes
        )
        if tag == "a" and "hint" in classes:
            self.skip.append(tag)  # the "show hint" link (its text, the field's name, labels the chip)
            self.hint_label = []
            return
        if hidden and "hint" in classes and tag not in _VOID:
            self._block()
            if self.markdown:
                label = " ".join(self.last_hint_label.split()) or "Hint"
                self.lines.append(HINT_START + _MARKDOWN_SPECIAL.sub(r"\\\1", label))
            else:
                self._text("Hint: ")
            self.last_hint_label = ""
            self.open_hint.append(tag)
            return
        if tag in _SKIP or hidden:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if tag == "br":
            self._newline()
        elif tag == "hr":
            self._block()
            self.lines += ["", "---", ""]
        elif tag == "img":
            self._image(attributes.get("src", ""), attributes.get("alt", ""))
        elif tag in ("ul", "ol"):
            self._block()
            self.lists.append([tag, 1])
        elif tag == "li":
            self._block()
            depth = max(len(self.lists) - 1, 0)
            kind, number = self.lists[-1] if self.lists else ["ul", 1]
            if kind == "ol":
                marker = f"{number}. "
                self.lists[-1][1] = int(number) + 1
            else:
                marker = "- " if self.markdown else "• "
            self.line = "  " * depth + marker
        elif tag in ("td", "th"):
            if self.line.strip():
                self.line += " | "
        elif tag == "rt":
            self.line += "("
        if tag in _BLOCK:
            self._block()
        if tag == "pre":
            self.pre += 1
        chip = tag == "span" and (classes or attributes.get("style"))
        if chip and self.span_closed_at == len(self.line) and self.line and not self.line[-1].isspace():
            self.line += " "  # two chips side by side: Anki draws each in its own box
        if tag in ("sup", "sub"):
            self.styles.append((tag, len(self.line)))
            return
        style = self._style_for(tag, classes)
        if style is not None:
            self.styles.append((style, len(self.line)))

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            if not self.skip and self.hint_label is not None:
                self.last_hint_label, self.hint_label = "".join(self.hint_label), None
            return
        if self.open_hint and tag == self.open_hint[-1]:
            self.open_hint.pop()
            self._block()
            if self.markdown:
                self.lines.append(HINT_END)
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "rt":
            self.line += ")"
        if tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if self.styles and tag in ("sup", "sub") and self.styles[-1][0] == tag:
            self._close_script(tag)
            return
        if self.styles and tag in _STRONG | _EMPHASIS | _STRIKE | {"span"}:
            self._close_style()
        if tag == "span":
            self.span_closed_at = len(self.line)
        if tag in _BLOCK or tag == "li":
            self._block()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.hint_label is not None:
            self.hint_label.append(data)
        if self.skip:
            return
        if self.pre:
            for index, part in enumerate(data.split("\n")):
                if index:
                    self._newline()
                self._text(part.replace("\xa0", " "))
            return
        self._text(_WHITESPACE.sub(" ", data))

    # --- building lines -----------------------------------------------------------------------------

    def _style_for(self, tag: str, classes: list[str]) -> str | None:
        if tag in _STRONG or (tag == "span" and "cloze" in classes):
            return "strong"
        if tag in _EMPHASIS:
            return "em"
        if tag in _STRIKE:
            return "strike"
        if tag == "span":
            return "none"  # keeps span nesting balanced for the closing tags
        return None

    def _text(self, text: str) -> None:
        if not text:
            return
        if not self.pre and (not self.line.strip() or self.line.endswith(" ")):
            text = text.lstrip(" ")
            if not self.line.strip():
                self.line = self.line.rstrip(" ") if not self._is_marker_line() else self.line
        if not text:
            return
        if self.markdown:
            escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
            if not self.line.strip():
                escaped = _LINE_START_SPECIAL.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
            text = escaped
        self.line += text

    def _is_marker_line(self) -> bool:
        stripped = self.line.strip()
        return stripped in ("-", "•") or bool(re.fullmatch(r"\d+\.", stripped))

    def _image(self, src: str, alt: str) -> None:
        name = src.strip()
        if not name or name.startswith("data:"):
            return
        if name in self.masks and self.masks[name] is None:
            return  # an occlusion overlay: drawn onto the image under it
        if "://" in name:
            self._text(f"[image: {alt.strip() or name}]")
            return
        if name.startswith("latex-") and alt:
            if not self.markdown:  # a LaTeX image in plain text: its math
                self._text(alt)
                return
            alt = alt.translate(_ALT_ESCAPES)  # no "]" can end the alt text early (CardImage decodes)
        else:
            alt = ""
        if self.line and not self.line.endswith((" ", "(")):
            self.line += " "
        if self.markdown:
            mask = self.masks.get(name)
            title = f' "{mask.encode()}"' if mask is not None else ""  # percent-encoded: no quote
            self.line += f"![{alt}]({urllib.parse.quote(name, safe='')}{title})"
        else:
            self.line += f"![]({name})"

    def _close_script(self, tag: str) -> None:
        """`<sup>`/`<sub>`: the text since it opened, as Unicode super/subscript characters."""
        _, start = self.styles.pop()
        content = self.line[start:]
        plain = content.replace("\\", "") if self.markdown else content
        table = SUPERSCRIPTS if tag == "sup" else SUBSCRIPTS
        if plain and all(char in table for char in plain):
            converted = "".join(table[char] for char in plain)
        elif plain:
            marker = "^" if tag == "sup" else ("\\_" if self.markdown else "_")
            converted = f"{marker}({content})" if len(plain) > 1 else f"{marker}{content}"
        else:
            converted = ""
        self.line = self.line[:start] + converted

    def _close_style(self) -> None:
        kind, start = self.styles.pop()
        marker = _MARKERS.get(kind)
        if marker is None or not self.markdown:
            return
        content = self.line[start:]
        stripped = content.strip()
        if not stripped:
            return
        lead = content[: len(content) - len(content.lstrip())]
        trail = content[len(content.rstrip()) :]
        self.line = self.line[:start] + lead + marker + stripped + marker + trail

    def _commit(self) -> None:
        open_styles = [kind for kind, _ in self.styles]
        while self.styles:
            self._close_style()
        if self.line.strip() and not self._is_marker_line():
            self.lines.append(self.line)
        self.line = ""
        self.styles = [(kind, 0) for kind in open_styles]

    def _block(self) -> None:
        """Start a new line unless already at the start of one."""
        if self.line.strip():
            self._commit()

    def _newline(self) -> None:
        """`<br>`: end the line, keeping an empty one."""
        if self.line.strip():
            self._commit()
        else:
            self.lines.append("")
            self.line = ""
