"""Template syntax, cloze deletions, HTML to terminal text and the protobuf reader, case by case (the
package tests compare whole cards with Anki's own rendering)."""

from __future__ import annotations

import pytest

from flashapp.anki import protobuf_lite as pb
from flashapp.anki.card_render import render_card_text
from flashapp.anki.cloze import cloze_answer_for_typing, cloze_numbers, reveal_clozes
from flashapp.anki.html_text import html_to_markdown, html_to_plain
from flashapp.anki.note_types import NoteTypeDef, TemplateDef
from flashapp.anki.templates import CardContext, render_template
from flashapp.core.render import render_card

FIELDS = {"Front": "F", "Back": "B", "Empty": "", "Blank": " <br> <div></div>"}


@pytest.mark.parametrize(
    ("template", "question", "expected"),
    [
        ("{{Front}}/{{ Back }}", True, "F/B"),
        ("{{#Front}}has {{Back}}{{/Front}}{{#Empty}}never{{/Empty}}", True, "has B"),
        ("{{^Empty}}no empty{{/Empty}}{{^Front}}never{{/Front}}", True, "no empty"),
        ("{{#Blank}}blank counts as empty{{/Blank}}", True, ""),
        ("{{#Front}}{{#Back}}{{^Empty}}nested{{/Empty}}{{/Back}}{{/Front}}", True, "nested"),
        ("{{#Missing}}x{{/Missing}}{{^Missing}}y{{/Missing}}", True, "y"),
        ("{{text:Front}}", True, "F"),
        ("{{type:Back}}", True, "[[type:Back]]"),
        ("{{type:cloze:Text}}", True, "[[type:cloze:Text]]"),
        ("{{FrontSide}}", True, ""),
        ("{{Nope}}", True, "{unknown field Nope}"),
        ("{{#Front}}unclosed", True, "<div>{template error: {{#Front}} is never closed}</div>"),
        ("{{=<% %>=}}<%Front%><% #Back %>!<%/Back%>", True, "F!"),
    ],
)
def test_template_syntax(template, question, expected):
    assert render_template(template, FIELDS, CardContext(0, question=question)) == expected


def test_front_side_and_text_filter_on_the_answer():
    context = CardContext(0, question=False, front_side="<b>Q</b>")
    assert render_template(
        "{{FrontSide}}<hr id=answer>{{text:Back}}", {"Back": "<i>x</i> &amp; y"}, context
    ) == ("<b>Q</b><hr id=answer>x & y")


def test_hint_renders_like_anki_and_shows_as_a_hint_line():
    html = render_template("{{hint:Back}}", {"Back": "the hint"}, CardContext(0, question=True))
    assert 'class=hint style="display: none">the hint</div>' in html and "onclick=" in html
    assert html_to_plain(html) == "Hint: the hint"


def test_cloze_deletions_hints_and_nesting():
    text = "{{c1::Paris::city}} and {{c2::Rome}} and {{c1::Berlin}}"
    assert cloze_numbers(text) == [1, 2]
    assert html_to_plain(reveal_clozes(text, 1, question=True)) == "[city] and Rome and [...]"
    assert html_to_plain(reveal_clozes(text, 1, question=False)) == "Paris and Rome and Berlin"
    assert reveal_clozes(text, 3, question=True) == ""  # no such deletion: Anki's empty card
    nested = "{{c1::outer {{c2::inner}} end}} tail"
    assert cloze_numbers(nested) == [1, 2]
    assert html_to_plain(reveal_clozes(nested, 1, question=True)) == "[...] tail"
    assert html_to_plain(reveal_clozes(nested, 2, question=True)) == "outer [...] end tail"
    assert cloze_answer_for_typing("{{c1::a}} {{c1::a}}", 1) == "a"
    assert cloze_answer_for_typing("{{c1::a}} {{c1::b}}", 1) == "a, b"
    assert html_to_plain(reveal_clozes("unclosed {{c1::x", 1, question=True)) == ""
    assert html_to_markdown(reveal_clozes("{{c1::x}}", 1, question=True)) == "**\\[...\\]**"


def test_an_anki_type_in_card_becomes_a_prompt_with_an_expected_answer():
    definition = NoteTypeDef(
        "Typing",
        "standard",
        ("Front", "Back"),
        (TemplateDef("Card 1", "{{Front}}<br>{{type:Back}}", "{{Front}}<hr id=answer>{{type:Back}}"),),
    )
    text = render_card_text(definition, {"Front": "Plural of Haus?", "Back": "H&auml;user"}, 0)
    assert (text.question_plain, text.answer_plain, text.expected) == ("Plural of Haus?", "Häuser", "Häuser")
    rendered = render_card("anki", {"Front": "Plural of Haus?", "Back": "Häuser"}, 0, definition)
    assert (rendered.kind, rendered.expected, rendered.plain()) == (
        "type-in",
        "Häuser",
        ("Plural of Haus?", "Häuser"),
    )


def test_a_note_without_its_type_still_shows_its_fields():
    rendered = render_card("anki", {"Front": "<b>Q</b>", "Back": "A", "Extra": "E"}, 0)
    assert rendered.plain() == ("Q", "A\nE")


@pytest.mark.parametrize(
    ("html", "markdown", "plain"),
    [
        ("a<br>b<div>c</div>", "a  \nb  \nc", "a\nb\nc"),
        ("<b>bold</b> <i>it</i> <s>gone</s>", "**bold** *it* ~~gone~~", "bold it gone"),
        ("<ol><li>one</li><li>two</li></ol>", "1. one  \n2. two", "1. one\n2. two"),
        ('<img src="a b.png" onerror="evil()">', "![](a%20b.png)", "![](a b.png)"),
        (
            '<img src="data:image/png;base64,xx"><img src="https://x/y.png">',
            "\\[image: https://x/y.png\\]",
            "[image: https://x/y.png]",
        ),
        ("<script>alert(1)</script><style>p{}</style>ok", "ok", "ok"),
        ("[sound:a.mp3]x[anki:play:q:0]", "\\[♪ a.mp3\\] x \\[♪\\]", "[♪ a.mp3] x [♪]"),
        (  # Anki's image for it (shown when the package has it), its math otherwise
            "[latex]\\frac{1}{2}[/latex] [$]x^2[/$]",
            "![1/2](latex-eb946338365d9781f7d2e9ec692c26702d0ae3a7.png) "
            "![x²](latex-76b2878564ab19b80abb21ba964abe90fe120846.png)",
            "1/2 x²",
        ),
        ("\\(x^2\\) and \\[y\\]", "x² and y", "x² and y"),
        ("&lt;b&gt; &amp; &nbsp;&quot;", '\\<b\\> \\& \xa0"', '<b> &  "'),
        (
            "P(A<sup>c</sup>), R<sup>2</sup>, L<sub>1</sub>, e<sup>iπ/4</sup>",
            "P(Aᶜ), R², L₁, e^(iπ/4)",
            "P(Aᶜ), R², L₁, e^(iπ/4)",
        ),
        (
            "<div>def f():</div><div>&nbsp;&nbsp;&nbsp; return 1</div>",
            "def f():  \n\xa0\xa0\xa0 return 1",
            "def f():\n    return 1",
        ),
        ('<span class="chip">अ</span><span class="chip">इ</span>', "अ इ", "अ इ"),
        ('<div style="visibility: hidden">secret</div>shown', "shown", "shown"),
        ("# title\n- item\n1. x", "\\# title - item 1. x", "# title - item 1. x"),
        ("[@click=app.quit]", "\\[@click=app.quit\\]", "[@click=app.quit]"),
        ("\x1b[31mred\x1b[0m \u202eevil", "red evil", "red evil"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a | b", "a | b"),
        ('<div style="display:none">secret</div>shown', "shown", "shown"),
        ("<ruby><rb>漢字</rb><rt>かんじ</rt></ruby>", "漢字(かんじ)", "漢字(かんじ)"),
    ],
)
def test_html_to_terminal_text(html, markdown, plain):
    assert html_to_markdown(html) == markdown
    assert html_to_plain(html) == plain


def test_protobuf_reader_round_trip_and_errors():
    message = pb.encode_message([(1, 3), (2, "name"), (3, b"\x00\x01"), (4, -2)])
    decoded = pb.decode(message)
    assert (pb.get_int(decoded, 1), pb.get_str(decoded, 2), pb.get_bytes(decoded, 3)) == (
        3,
        "name",
        b"\x00\x01",
    )
    assert pb.get_signed(decoded, 4) == -2
    packed = pb.encode_message([(1, b"\x00\x00\x80?\x00\x00 A")])
    assert pb.get_floats(pb.decode(packed), 1) == [1.0, 10.0]
    for broken in (b"\x0a\x05ab", b"\x08", b"\x0b", b"\x08" + b"\xff" * 11, b"\x00\x01"):
        with pytest.raises(pb.ProtobufError):
            pb.decode(broken)


def test_a_hint_is_marked_for_the_card_view_and_card_text_cannot_forge_one():
    from flashapp.anki.html_text import HINT_END, HINT_START

    html = "Q " + render_template(
        "{{hint:Extra}}", {"Extra": "the <i>hint</i>"}, CardContext(0, question=True)
    )
    assert html_to_markdown(html) == f"Q  \n{HINT_START}Extra  \nthe *hint*  \n{HINT_END}"
    forged = f"x {HINT_START}Extra\nnot a hint{HINT_END} \ue000 0\ue001"
    assert html_to_markdown(forged) == "x Extra not a hint 0"  # the markers from card text are dropped


def test_occlusion_masks_ride_with_their_image_and_nothing_else_does():
    from flashapp.anki.occlusion import Mask, occlusion_masks

    shapes = (
        '<div class="cloze" data-shape="rect" data-left=".1" data-top=".2" data-width=".3" data-height=".4"'
        ' data-occludeInactive="1"></div><div class="cloze-inactive" data-shape="text" data-left=".5"></div>'
    )
    container = '<div id="image-occlusion-container"><img src="a b.png"></div>'
    html = f'<div style="display:none">{shapes}</div>{container}'
    masks = occlusion_masks(html)
    mask = masks["a b.png"]
    assert [(s.kind, s.role, s.occlude_inactive) for s in mask.shapes] == [("rect", "active", True)]
    assert mask.shapes[0].numbers == {"left": 0.1, "top": 0.2, "width": 0.3, "height": 0.4}
    assert Mask.decode(mask.encode()) == mask
    assert Mask.decode("occlusion:%7Bnot json") is None and Mask.decode("anything") is None
    markdown = html_to_markdown(html, masks)
    assert markdown == f'![](a%20b.png "{mask.encode()}")' and '"' not in mask.encode()[1:]
    assert (
        occlusion_masks('<img src="a.png"><div data-shape="rect" class="cloze"></div>') == {}
    )  # no container
