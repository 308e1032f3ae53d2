"""Card text on screen: Markdown with `$math$` as Unicode, images inline (with their Image Occlusion
masks drawn on them) and hints as chips a key opens, never read as markup.

Card text is data. Textual's Markdown widget builds `Content` from the parsed tokens (no Rich/Textual
markup parsing), and its links only post `LinkClicked`, which nothing here opens. HTML is not
executed: inline tags are dropped and block HTML is shown as its text.

A side of text alone can be concealed (`CardText.conceal`): it keeps its place and is painted blank,
nothing of its text drawn or selectable, so showing it again is a repaint of its lines, not a layout
of the screen (the study screen's answer, between the question and the reveal).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.filter import LineFilter
from textual.widget import Widget
from textual.widgets import Markdown, Rule

from flashapp.anki.html_text import HINT_END, HINT_START
from flashapp.anki.occlusion import Mask
from flashapp.core.mathtext import latex_to_unicode
from flashapp.tui.widgets.card_image import CardImage
from flashapp.tui.widgets.hint_chip import HintChip
from flashapp.tui.widgets.in_place import update_fitted

_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<md>[^)\s>]+)>?(?:\s+\"(?P<title>[^\"]*)\")?\s*\)"
    r"|<img\b[^>]*?\bsrc\s*=\s*(?:\"(?P<dq>[^\"]+)\"|'(?P<sq>[^']+)'|(?P<bare>[^\s>]+))[^>]*>",
    re.IGNORECASE,
)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HINT = re.compile(f"{HINT_START}([^\n]*?) *\n(.*?){HINT_END}", re.DOTALL)


@dataclass(frozen=True)
class ImageRef:
    name: str
    alt: str = ""
    mask: Mask | None = None  # Image Occlusion masks to draw on it


@dataclass(frozen=True)
class HintRef:
    label: str  # Markdown (the field's name, as Anki's "show hint" link)
    markdown: str


def split_images(markdown: str) -> list[str | ImageRef]:
    """The text cut at each image reference: Markdown pieces and the images between them."""
    parts: list[str | ImageRef] = []
    position = 0
    for match in _IMAGE.finditer(markdown):
        parts.append(markdown[position : match.start()])
        name = next(group for group in match.group("md", "dq", "sq", "bare") if group)
        if match.group("md"):
            name = unquote(name)  # a Markdown destination is percent-encoded (a space is %20)
        mask = Mask.decode(match.group("title") or "")
        parts.append(ImageRef(name, match.group("alt") or "", mask))
        position = match.end()
    parts.append(markdown[position:])
    return [part for part in parts if isinstance(part, ImageRef) or part.strip()]


def split_card(markdown: str) -> list[str | ImageRef | HintRef]:
    """`split_images`, with each hint (as `flashapp.anki.html_text` marks it) a piece of its own."""
    parts: list[str | ImageRef | HintRef] = []
    position = 0
    for match in _HINT.finditer(markdown):
        parts += split_images(markdown[position : match.start()])
        parts.append(HintRef(match.group(1).strip(), match.group(2).strip()))
        position = match.end()
    parts += split_images(markdown[position:])
    return parts


def image_refs(markdown: str) -> list[ImageRef]:
    """Every image of a card's text, those inside hints included, in order."""
    refs: list[ImageRef] = []
    for part in split_card(markdown):
        if isinstance(part, ImageRef):
            refs.append(part)
        elif isinstance(part, HintRef):
            refs += image_refs(part.markdown)
    return refs


def _text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _paragraph(text: str, source: Token) -> list[Token]:
    inline = Token("inline", "", 0, map=source.map, content=text, children=[_text_token(text)])
    return [
        Token("paragraph_open", "p", 1, map=source.map, block=True),
        inline,
        Token("paragraph_close", "p", -1, block=True),
    ]


def _html_as_text(source: str) -> str:
    text = _BREAK.sub("\n", _SCRIPT.sub("", source))
    return html.unescape(_TAG.sub("", text)).strip()


def _terminal_friendly(state: StateCore) -> None:
    """A core rule run after parsing: math becomes Unicode text, HTML becomes plain text."""
    tokens: list[Token] = []
    for token in state.tokens:
        if token.type.startswith("math_block"):
            tokens += _paragraph(latex_to_unicode(token.content.strip()), token)
            continue
        if token.type == "html_block":
            text = _html_as_text(token.content)
            if text:
                tokens += _paragraph(text, token)
            continue
        for child in token.children or ():
            if child.type.startswith("math_inline"):
                child.type, child.content = "text", latex_to_unicode(child.content)
            elif child.type == "html_inline" and _BREAK.fullmatch(child.content.strip()):
                child.type = "hardbreak"
        if token.children and any(c.type == "text" and "\xa0" in c.content for c in token.children):
            token.children = [piece for child in token.children for piece in _kept_spaces(child)]
        tokens.append(token)
    state.tokens = tokens


def _kept_spaces(token: Token) -> list[Token]:
    """A text token with non-breaking spaces cut so each of them is a token of its own: Textual's
    Markdown collapses every run of whitespace inside one text token, which would flatten code
    indented by `&nbsp;` (as Anki keeps it)."""
    if token.type != "text" or "\xa0" not in token.content:
        return [token]
    return [_text_token(part) for part in re.split("(\xa0)", token.content) if part]


@functools.cache  # one parser for every card: building it costs more than parsing a card
def card_markdown_parser() -> MarkdownIt:
    parser = MarkdownIt("gfm-like").use(dollarmath_plugin, allow_space=False, double_inline=True)
    parser.core.ruler.push("terminal_friendly", _terminal_friendly)
    return parser


class Blank(LineFilter):
    """Paints a line blank: as many cells, each a space on the background, no text left."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        width = sum(cell_len(segment.text) for segment in segments if not segment.control)
        return [Segment(" " * width, Style(bgcolor=background.rich_color))]


BLANK = Blank()


def repaint_through_filters(widget: Widget) -> None:
    """Paint `widget` again from the lines it has drawn, through its line filters now: what
    concealing or showing it needs, without drawing its text again (`refresh()` would)."""
    widget._repaint_required = True  # Textual's own flag: an update of its region once idle
    widget.check_idle()


class Concealable:
    """For a widget (mixed in before its class): painted blank, and not selectable, while
    `concealed` or while the `CardText` it belongs to is. (A mixin, not a `Widget`: a widget class of
    its own would take part in the CSS of every class it is mixed into.)"""

    concealed = False

    def is_concealed(self) -> bool:
        node: object = self
        while isinstance(node, Widget):
            if isinstance(node, Concealable) and node.concealed:
                return True
            if isinstance(node, CardText):
                return False
            node = node.parent
        return False

    def get_line_filters(self):  # noqa: ANN201 (Textual's Sequence[LineFilter])
        filters = super().get_line_filters()  # type: ignore[misc]
        return [BLANK, *filters] if self.is_concealed() else filters

    @property
    def allow_select(self) -> bool:
        return super().allow_select and not self.is_concealed()  # type: ignore[misc]


# Textual's paragraph block (not exported by name): its text can be changed in place.
MarkdownParagraph = Markdown.BLOCKS["paragraph_open"]


class CardParagraph(Concealable, MarkdownParagraph):  # type: ignore[misc, valid-type]
    """A card's paragraph: its text changes in place, and it is blank while its side is concealed."""


class AnswerRule(Concealable, Rule):
    """The rule over the answer: concealed with it."""

    def conceal(self, concealed: bool) -> None:
        if concealed != self.concealed:
            self.concealed = concealed
            repaint_through_filters(self)


class CardMarkdown(Markdown):
    """Markdown that never opens links (a card's link is data, not an action)."""

    DEFAULT_CSS = """
    CardMarkdown { margin: 0; padding: 0; background: transparent; }
    CardMarkdown > MarkdownBlock:last-child { margin-bottom: 0; }
    """
    BLOCKS = {**Markdown.BLOCKS, "paragraph_open": CardParagraph}

    def __init__(self, markdown: str, **kwargs) -> None:
        super().__init__(markdown, open_links=False, parser_factory=card_markdown_parser, **kwargs)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()

    def paragraphs_for(self, markdown: str) -> list[tuple[Token, Token]] | None:
        """The new paragraphs (each its `paragraph_open` and `inline` tokens) when `markdown` is
        paragraphs only, as many as on screen (then `show_paragraphs` changes the text in place);
        None when the blocks must be rebuilt. (Parsed, not built: no block widget is made.)"""
        current = list(self.children)
        if not current or any(type(block) is not CardParagraph for block in current):
            return None
        tokens = card_markdown_parser().parse(markdown)
        if len(tokens) != 3 * len(current):
            return None
        plan = []
        for index in range(0, len(tokens), 3):
            opening, inline, closing = tokens[index : index + 3]
            if (opening.type, inline.type, closing.type, opening.level) != (
                "paragraph_open", "inline", "paragraph_close", 0,
            ):  # fmt: skip
                return None
            plan.append((opening, inline))
        return plan

    def show_paragraphs(self, markdown: str, paragraphs: list[tuple[Token, Token]]) -> bool:
        """Show `markdown` by giving the paragraphs on screen the new text (what building them from
        the tokens gives): no widget is removed or mounted, so nothing is restyled. Whether the
        screen must be laid out again (a paragraph takes another number of lines)."""
        self._markdown = markdown
        self._table_of_contents = None
        laid_out = False
        for block, (opening, inline) in zip(self.children, paragraphs, strict=True):
            assert isinstance(block, CardParagraph)
            block._token = opening
            block.source_range = (opening.map[0], opening.map[1]) if opening.map is not None else (0, 0)
            block._inline_token = inline
            content = block._token_to_content(inline)
            block._content = content  # what `set_content` does, but laid out only when the
            laid_out |= update_fitted(block, content)  # new text takes another number of lines
        return laid_out

    @property
    def paragraphs_only(self) -> bool:
        return all(type(block) is CardParagraph for block in self.children)


class CardText(Concealable, Vertical):
    """One side of a card: Markdown pieces with images and hints between them. Hints start closed
    (`reveal_hints` opens them) unless `hints_open`."""

    DEFAULT_CSS = """
    CardText { height: auto; }
    """

    def __init__(
        self,
        markdown: str = "",
        *,
        find_image: Callable[[str], Path | None] | None = None,
        hints_open: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.markdown = markdown
        self.find_image = find_image
        self.hints_open = hints_open

    def _pieces(self) -> list[Widget]:
        widgets: list[Widget] = []
        for part in split_card(self.markdown):
            if isinstance(part, ImageRef):
                path = self.find_image(part.name) if self.find_image else None
                widgets.append(
                    CardImage(part.name, path, alt=part.alt, mask=part.mask, find_file=self.find_image)
                )
            elif isinstance(part, HintRef):
                body = CardText(part.markdown, find_image=self.find_image, hints_open=True)
                widgets.append(HintChip(part.label, body, revealed=self.hints_open))
            else:
                widgets.append(CardMarkdown(part))
        return widgets

    @property
    def has_closed_hints(self) -> bool:
        return any(not chip.revealed for chip in self.query_children(HintChip))

    def reveal_hints(self) -> bool:
        """Open every hint; whether there was one to open."""
        chips = [chip for chip in self.query_children(HintChip) if not chip.revealed]
        for chip in chips:
            chip.revealed = True
        return bool(chips)

    def images(self) -> list[ImageRef]:
        return image_refs(self.markdown)

    def compose(self) -> ComposeResult:
        yield from self._pieces()

    async def show(self, markdown: str, find_image: Callable[[str], Path | None] | None = None) -> bool:
        """Replace the text (and the image lookup, when given). True when it took the place of the
        text on screen at the same size: no layout of the screen."""
        self.markdown = markdown
        if find_image is not None:
            self.find_image = find_image
        shown = self._show_in_place(markdown)
        if shown is not None:
            return not shown
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(self._pieces())
        return False

    def _show_in_place(self, markdown: str) -> bool | None:
        """Text without images, laid out as the text on screen: its paragraphs take the new text in
        place (mounting new Markdown widgets per card restyles them all, several times the cost of the
        rest of showing a card); whether that needs a layout (another number of lines). None when
        nothing could be done so (images or hints among it)."""
        parts = split_card(markdown)
        pieces = list(self.children)
        if len(parts) != len(pieces) or not all(isinstance(piece, CardMarkdown) for piece in pieces):
            return None
        plans = [
            piece.paragraphs_for(part) if isinstance(part, str) else None
            for piece, part in zip(pieces, parts, strict=True)
        ]
        if any(plan is None for plan in plans):
            return None
        laid_out = False
        for piece, part, plan in zip(pieces, parts, plans, strict=True):
            laid_out |= piece.show_paragraphs(part, plan)  # type: ignore[arg-type]
        return laid_out

    @property
    def concealable(self) -> bool:
        """Text alone (paragraphs, no images or hints): it can be concealed in place."""
        pieces = list(self.children)
        return bool(pieces) and all(isinstance(p, CardMarkdown) and p.paragraphs_only for p in pieces)

    def conceal(self, concealed: bool) -> None:
        """Paint this side blank in its place (True) or show it again: a repaint, no layout."""
        if concealed == self.concealed:
            return
        self.concealed = concealed
        for paragraph in self.query(CardParagraph):  # (the containers around them draw no text)
            repaint_through_filters(paragraph)


def sides_images(sides: list[CardText]) -> list[ImageRef]:
    """The images of the card sides on screen, the first side's first (the answer's, once shown: a
    revealed occlusion rather than the masked one), each name once."""
    images: dict[str, ImageRef] = {}
    for side in sides:
        for image in side.images():
            images.setdefault(image.name, image)
    return list(images.values())
