"""Card text as data: control sequences stripped, math rendered to Unicode, cloze rendering, search."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashapp.core import mathtext
from flashapp.core import text as text_module
from flashapp.core.cloze import cloze_answers, cloze_numbers, render_cloze
from flashapp.core.mathtext import latex_to_unicode
from flashapp.core.media_refs import media_references
from flashapp.core.render import render_card
from flashapp.core.search import SearchQuery, parse_search
from flashapp.core.text import strip_control, to_plain
from flashapp.errors import UserError


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text", "plain text"),
        ("red \x1b[31mtext\x1b[0m", "red text"),
        ("title \x1b]0;pwned\x07 after", "title  after"),
        ("link \x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\", "link click"),
        ("bell\x07 and NUL\x00", "bell and NUL"),
        ("c1 \x9b31m csi", "c1 31m csi"),
        ("bidi \u202eevil\u202c \u2066iso\u2069", "bidi evil iso"),
        ("keeps\ttabs\nand lines", "keeps\ttabs\nand lines"),
        ("crlf\r\nline", "crlf\nline"),
        ("dcs \x1bPq#0;2;0;0;0\x1b\\ end", "dcs  end"),
        ("markup [@click=app.quit] [bold]x[/bold]", "markup [@click=app.quit] [bold]x[/bold]"),
    ],
)
def test_strip_control(raw, clean):
    assert strip_control(raw) == clean


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\mathrm{softmax}(QK^\top/\sqrt{d_k})V", "softmax(QKᵀ/√dₖ)V"),
        (r"\frac{QK^\top}{\sqrt{d_k}}", "QKᵀ/√dₖ"),
        (r"Q \in \mathbb{R}^{n \times d_k}", "Q ∈ ℝ^(n × dₖ)"),
        (r"PE(pos, 2i) = \sin(pos / 10000^{2i/d})", "PE(pos, 2i) = sin(pos / 10000^(2i/d))"),
        (r"x_t = (1-t)\,x_0 + t\,x_1", "xₜ = (1-t) x₀ + t x₁"),
        (r"\lVert v_\theta(x_t, t) - (x_1 - x_0) \rVert^2", "‖v_θ(xₜ, t) - (x₁ - x₀)‖²"),
        (r"\langle q, k \rangle", "⟨q, k⟩"),
        (r"\hat{x} = g(f(x))", "x̂ = g(f(x))"),
        (r"4d^2 + 4d", "4d² + 4d"),
        (r"\theta_i = 10000^{-2i/d}", "θᵢ = 10000^(-2i/d)"),
        (r"\unknowncommand{x}", "unknowncommand x"),
    ],
)
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


@settings(max_examples=400)
@given(st.text(alphabet="xyzT0129^_+-=()é∞*'", max_size=12))
def test_script_only_formulas_render_as_the_tokens_do(formula):
    # `latex_to_unicode` renders these (`x_i`, `x^2`: most of a big deck's math) without tokens.
    assert mathtext._SCRIPTS_ONLY.fullmatch(formula)
    assert mathtext._render_scripts(formula) == mathtext._render_tokens(formula)


def test_to_plain_renders_math_and_drops_markdown_markers():
    markdown = "# Title\n**Bold** and *it* with `code`: $\\sqrt{d_k}$\n- item\n  * nested"
    assert to_plain(markdown) == "Title\nBold and it with code: √dₖ\n• item\n  • nested"
    # Dollar amounts are not math: a closing $ never follows a space.
    assert to_plain("costs $5 and $6") == "costs $5 and $6"


def test_cloze_rendering():
    text = "{{c1::Q}} from the decoder, {{c2::K::keys}} and {{c1::V}} from the encoder"
    assert cloze_numbers(text) == [1, 2]
    assert render_cloze(text, 1, reveal=False) == "[...] from the decoder, K and [...] from the encoder"
    assert render_cloze(text, 2, reveal=False) == "Q from the decoder, [keys] and V from the encoder"
    assert render_cloze(text, 2, reveal=True) == "Q from the decoder, [K] and V from the encoder"
    assert cloze_answers(text, 1) == ["Q", "V"]


def test_render_card_by_note_type():
    fields = {"front": "Term", "back": "Definition", "extra": "More"}
    assert render_card("basic", fields, 0).plain() == ("Term", "Definition\n\nMore")
    assert render_card("reversed", fields, 1).plain() == ("Definition", "Term\n\nMore")
    assert render_card("type-in", fields, 0).expected == "Definition"
    cloze = render_card("cloze", {"text": "a {{c1::b}}", "extra": ""}, 1)
    assert (cloze.question, cloze.answer, cloze.expected) == ("a [...]", "a [b]", "b")
    hostile = render_card("basic", {"front": "\x1b[2Jclear", "back": "x"}, 0)
    assert hostile.question == "clear"


def test_media_references():
    text = '![plot](fig.png) ![web](https://x/y.png) <img src="a.jpg"> <IMG SRC=b.gif> ![again](a.jpg)'
    assert media_references(text) == ["fig.png", "a.jpg", "b.gif"]


def test_parse_search():
    assert parse_search('attention "scaled dot" -masked deck:Attention::Sub tag:Seed is:due') == SearchQuery(
        words=("attention", "scaled dot"),
        excluded=("masked",),
        decks=("Attention::Sub",),
        tags=("seed",),
        states=("due",),
    )
    with pytest.raises(UserError, match="unknown is:later"):
        parse_search("is:later")
    with pytest.raises(UserError, match="tag: needs a value"):
        parse_search("tag:")


# `core.text._MATH` as it was written first: the same matches, found by a slower scan.
_MATH_FIRST = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)(.+?)(?<![\s\\])\$", re.DOTALL)


@settings(max_examples=600)
@given(st.text(alphabet="ab $\\ \n\t{}_^", max_size=24))
def test_the_math_pattern_finds_what_its_first_form_found(text):
    found = [(m.span(), m.groups()) for m in text_module._MATH.finditer(text)]
    assert found == [(m.span(), m.groups()) for m in _MATH_FIRST.finditer(text)]


def test_the_formula_cache_stays_within_its_size():
    formulas = [f"x_{{{i}}}" for i in range(mathtext.RENDERED_MAX + 10)]
    assert [latex_to_unicode(f) for f in formulas] == [mathtext._render_tokens(f) for f in formulas]
    assert len(mathtext._RENDERED) <= mathtext.RENDERED_MAX
    assert latex_to_unicode("x_{12}") == "x₁₂" and latex_to_unicode("x_{12}") == "x₁₂"
