"""Card text is data: markup stays literal, links open nothing, control sequences are gone; math is
readable Unicode; images show inline (half-blocks headless) or as a one-line placeholder."""

from __future__ import annotations

from PIL import Image

from flashapp.tui.app import make_app
from flashapp.tui.screens.home import HomeScreen
from flashapp.tui.screens.study import StudyScreen
from flashapp.tui.widgets.card_image import CardImage, image_widget_class, terminal_has_graphics
from flashapp.tui.widgets.card_view import CardMarkdown, ImageRef, card_markdown_parser, split_images

INJECTION = r"""
[deck]
name = "Unsafe"

[[cards]]
id = "markup"
front = "Click [@click=app.quit]here[/] or [bold]not bold[/bold] or [link=file:///etc/passwd]x[/link]"
back = '''A [real link](file:///etc/passwd) and $\mathrm{softmax}(QK^\top/\sqrt{d_k})V$
and $a*b*c$ and $$x_t = (1-t)x_0 + t x_1$$'''
"""

CONTROL = """
[deck]
name = "Control"

[[cards]]
id = "escapes"
front = "Bell \\u0007 red \\u001b[31mtext\\u001b[0m title \\u001b]0;pwned\\u0007 bidi \\u202eevil\\u202c end"
back = "<script>alert(1)</script>\\n\\n<div>Hello <b>HTML</b></div>"
"""

IMAGES = """
[deck]
name = "Pictures"

[[cards]]
id = "pic"
front = "Which shapes?\\n\\n![shapes](shapes.png)\\n\\nand ![gone](missing.png) and ![up](../secret.png)"
back = "Two."
"""


async def open_study(app, pilot, deck: str) -> StudyScreen:
    app.screen.query_one("#decks").move_to(deck)
    await pilot.press("enter")
    await pilot.pause()
    return app.screen


async def markup_in_a_card_is_shown_literally_and_does_nothing(app, pilot, screen_text, opened) -> None:
    study = await open_study(app, pilot, "Unsafe")
    text = screen_text(app)
    assert "Click [@click=app.quit]here[/] or [bold]not bold[/bold] or" in text
    assert "[link=file:///etc/passwd]x[/link]" in text
    # Clicking the would-be action and the real Markdown link does nothing at all.
    markdown = study.query_one("#question").query_one(CardMarkdown)
    await pilot.click(markdown, offset=(8, 0))
    await pilot.press("space")
    await pilot.pause()
    answer = study.query_one("#answer").query_one(CardMarkdown)
    await pilot.click(answer, offset=(4, 0))
    await pilot.pause()
    assert app.is_running and opened == []
    text = screen_text(app)
    assert "softmax(QKᵀ/√dₖ)V" in text
    assert "a*b*c" in text  # math is not re-read as Markdown emphasis
    assert "xₜ = (1-t)x₀ + t x₁" in text


async def control_sequences_are_stripped_and_html_is_not_run(app, pilot, screen_text) -> None:
    await open_study(app, pilot, "Control")
    await pilot.press("space")
    await pilot.pause()
    text = screen_text(app)
    assert "Bell  red [31mtext[0m title" not in text
    assert "Bell red text title bidi evil end" in text
    assert not any(ch in text for ch in "\x07\x1b\u202e\u202c")
    assert "alert(1)" not in text and "<script>" not in text
    assert "Hello HTML" in text


async def images_show_inline_or_as_a_placeholder(app, pilot, screen_text) -> None:
    study = await open_study(app, pilot, "Pictures")
    images = list(study.query_one("#question").query(CardImage))
    assert [image.image_name for image in images] == ["shapes.png", "missing.png", "../secret.png"]
    assert images[0].query_one(".image").__class__.__name__ == "HalfcellImage"  # headless: half-blocks
    text = screen_text(app)
    assert "▀" in text
    assert "[image: missing.png]" in text and "[image: ../secret.png]" in text  # never outside the deck


async def back_home(pilot) -> None:
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HomeScreen)


async def test_markup_control_sequences_html_and_images_in_cards(
    collection, write_deck, tmp_path, screen_text
):
    """Three cases, each a deck of its own, in one app (the functions above, named in a failure's
    traceback), each on a study screen of its own opened from the deck tree; none answers a card."""
    Image.new("RGB", (40, 20), "red").save(tmp_path / "shapes.png")
    (tmp_path.parent / "secret.png").write_bytes((tmp_path / "shapes.png").read_bytes())
    decks = [
        write_deck(body, f"{name}.toml") for name, body in (("i", INJECTION), ("c", CONTROL), ("p", IMAGES))
    ]
    collection.import_paths(decks)
    app = make_app(collection)
    opened = []
    app.open_url = lambda url, **kwargs: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 32)) as pilot:
        await markup_in_a_card_is_shown_literally_and_does_nothing(app, pilot, screen_text, opened)
        await back_home(pilot)
        await pilot.resize_terminal(100, 32)
        await pilot.pause()
        await control_sequences_are_stripped_and_html_is_not_run(app, pilot, screen_text)
        await back_home(pilot)
        await images_show_inline_or_as_a_placeholder(app, pilot, screen_text)


def test_split_images_finds_markdown_and_html_images():
    parts = split_images('A ![alt](a.png) B <img src="b b.png" width=3> C')
    assert parts == ["A ", ImageRef("a.png", "alt"), " B ", ImageRef("b b.png"), " C"]
    assert split_images("no images") == ["no images"]


def test_the_parser_turns_math_into_text_tokens():
    tokens = card_markdown_parser().parse("$x^2$ costs $5 and $10")
    children = tokens[1].children
    assert [(c.type, c.content) for c in children] == [("text", "x²"), ("text", " costs $5 and $10")]


def test_graphics_protocols_only_on_terminals_known_to_have_them():
    assert terminal_has_graphics({"TERM": "xterm-kitty"})
    assert terminal_has_graphics({"TERM_PROGRAM": "WezTerm"})
    assert not terminal_has_graphics({"TERM": "xterm-256color"})
    assert not terminal_has_graphics({"TERM": "xterm-kitty", "TMUX": "/tmp/tmux"})
    assert image_widget_class().__name__ == "HalfcellImage"  # not a tty here
