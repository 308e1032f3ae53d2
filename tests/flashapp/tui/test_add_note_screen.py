"""The Add screen, driven by Pilot: each kind added from the keyboard, the cloze key, the preview,
duplicates flagged, errors shown, and nothing lost without asking."""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from flashapp.tui.app import make_app
from flashapp.tui.screens.add_note import AddNoteScreen, next_cloze
from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen
from flashapp.tui.screens.home import HomeScreen


async def open_add(pilot) -> AddNoteScreen:
    await pilot.pause()
    await pilot.press("a")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AddNoteScreen)
    return screen


async def fill(pilot, screen: AddNoteScreen, **fields: str) -> None:
    for key, text in fields.items():
        screen.query_one(f"#field-{key}", TextArea).text = text
    await pilot.pause()


# (kind, its fields, the cards one note of it makes)
KINDS = [
    ("basic", {"front": "What is $\\sqrt{d_k}$ for?", "back": "Scaling the **scores**"}, 1),
    ("reversed", {"front": "U-Net", "back": "Encoder-decoder with skips"}, 2),
    ("type-in", {"front": "Heads in the base Transformer?", "back": "8"}, 1),
    ("cloze", {"text": "Flow follows {{c1::straight}} paths from {{c2::noise}}."}, 2),
    (
        "predict",
        {"concept": "softmax", "front": "softmax({s0}, {s1}, {s2})?", "answer": '{ kind = "vector" }',
         "ranges": "{ s0 = [-2, 3], s1 = [-2, 3], s2 = [-2, 3] }"},
        1,
    ),
]  # fmt: skip


async def each_kind_is_added(app, pilot, study_collection, screen_text) -> None:
    """The Add screen opened from the deck tree (its deck the one highlighted there), then one note of
    each kind of KINDS in turn on it: chosen, filled, saved, the fields emptied for the next (a failure
    names the kind); then left with nothing to ask."""
    screen = await open_add(pilot)
    deck = screen.query_one("#deck", Input)
    assert deck.value == "Study", deck.value  # the deck highlighted at home
    assert "comes from" not in screen_text(app)
    deck.value = "Study::Basics"
    await pilot.pause()
    # a deck-file deck: the file wins on its next import
    assert "This deck comes from" in screen_text(app)
    for kind, fields, cards in KINDS:
        before = len(study_collection.cards(deck="Study::Basics"))
        screen.query_one("#kind", Select).value = kind
        await pilot.pause()
        await fill(pilot, screen, **fields)
        tags = screen.query_one("#tags", Input)
        tags.value = "added mine"
        tags.focus()  # the last field, as a person tabs to it: the form scrolls down
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(screen.query_one("#error").render()) == "", kind
        assert all(area.text == "" for area in screen.query(TextArea)), kind  # ready for the next one
        # back at the top: the kind, the deck and the whole notice in view again
        shown = screen_text(app)
        assert "Kind" in shown and "This deck comes from" in shown, (kind, shown)
        assert deck.value == "Study::Basics", kind
        added = study_collection.cards(deck="Study::Basics")
        assert len(added) == before + cards, kind
        assert set(added[-1].tags) == {"added", "mine"}, kind
    await pilot.press("escape")  # everything saved: nothing to ask
    for _ in range(50):  # the screen pops on a later frame when the machine is busy
        if isinstance(app.screen, HomeScreen):
            break
        await pilot.pause(0.02)
    assert isinstance(app.screen, HomeScreen)


async def preview_duplicates_errors_and_the_cloze_key(app, pilot, screen_text) -> None:
    screen = await open_add(pilot)
    screen.query_one("#deck", Input).value = "Study::Basics"
    await fill(pilot, screen, front="Encoder-only  EXAMPLE?", back="$\\alpha$ and **bold**")
    text = screen_text(app)
    duplicate = screen.query_one("#duplicate").render()
    assert str(duplicate) == "Duplicate: 1 basic note(s) in Study::Basics read the same."
    assert "α and bold" in text  # the preview shows the math and the Markdown as the card will
    await fill(pilot, screen, back="")
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert "a basic card needs a non-empty 'back' string" in str(screen.query_one("#error").render())

    screen.query_one("#kind", Select).value = "cloze"
    await pilot.pause()
    area = screen.query_one("#field-text", TextArea)
    assert area.text == "Encoder-only  EXAMPLE?"  # the text typed so far carries over
    area.focus()
    area.text = "Rectified flow follows straight paths."
    area.select_line(0)
    area.selection = ((0, 23), (0, 31))
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert area.text == "Rectified flow follows {{c1::straight}} paths."

    await pilot.press("escape")  # unsaved text: asked first
    await pilot.pause()
    assert isinstance(app.screen, ConfirmDiscardScreen)
    await pilot.press("escape")  # keep editing
    await pilot.pause()
    assert app.screen is screen
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("d")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)


async def test_preview_duplicates_errors_the_cloze_key_then_each_kind_is_added(study_collection, screen_text):
    """Two cases in one app (the functions above, named in a failure's traceback), each on an Add
    screen of its own opened from the deck tree: the first adds nothing (its text discarded)."""
    app = make_app(study_collection)
    async with app.run_test(size=(100, 32)) as pilot:
        await preview_duplicates_errors_and_the_cloze_key(app, pilot, screen_text)
        await each_kind_is_added(app, pilot, study_collection, screen_text)


def test_next_cloze_numbers():
    assert next_cloze("no gaps", "x") == "{{c1::x}}"
    assert next_cloze("{{c1::a}} {{c3::b}}", "y") == "{{c4::y}}"
