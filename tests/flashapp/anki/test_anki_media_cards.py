"""Hints, sounds, images and Image Occlusion from a package the `anki` library builds (`media_cards`):
the cards read as Anki renders them, the masks found in Anki's own HTML are the ones we draw (and drawn
where Anki draws them), and the study screen's keys open the hint (h), play the sound (p, through a
fake player on PATH) and show the image full-screen (v)."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC
from pathlib import Path

import pytest
from anki_client import import_into_anki
from anki_compare import assert_same, flashapp_view
from media_cards import IMAGE_SIZE, WHITE, build_media_package

from flashapp.anki.occlusion import ACTIVE_FILL, HIGHLIGHT_BORDER, INACTIVE_FILL, occlusion_masks
from flashapp.store.collection import Collection
from flashapp.tui.app import make_app
from flashapp.tui.audio_player import NO_PLAYER
from flashapp.tui.screens.card_info import CardInfoScreen
from flashapp.tui.screens.image_viewer import ImageViewerScreen
from flashapp.tui.screens.study import StudyScreen
from flashapp.tui.widgets.card_image import CardImage, load_picture
from flashapp.tui.widgets.card_view import HintRef, ImageRef, split_card
from flashapp.tui.widgets.hint_chip import HintChip

RED = ACTIVE_FILL[:3]
YELLOW = INACTIVE_FILL[:3]
OUTLINE = HIGHLIGHT_BORDER[:3]


@pytest.fixture(scope="module")
def media_package(tmp_path_factory) -> Path:
    return build_media_package(tmp_path_factory.mktemp("media-cards"))


@pytest.fixture(scope="module")
def imported(media_package, tmp_path_factory, empty_collection_template):
    """(Anki's view of the package, ours, the collection's path)."""
    folder = tmp_path_factory.mktemp("media-import")
    anki = import_into_anki(media_package, folder / "anki")
    path = shutil.copyfile(empty_collection_template, folder / "c.db")  # migrated once per process
    with Collection.open(path, shipped_decks=False, tz=UTC) as collection:
        collection.import_package(media_package)
        ours = flashapp_view(collection)
    return anki, ours, folder / "c.db"


def _image(markdown: str) -> ImageRef:
    return next(part for part in split_card(markdown) if isinstance(part, ImageRef))


def _pixel(picture, x: float, y: float) -> tuple[int, int, int]:
    """The colour at a point given as fractions of the image's size."""
    return picture.getpixel((int(x * picture.width), int(y * picture.height)))[:3]


def test_the_cards_read_as_anki_renders_them(imported):
    anki, ours, _ = imported
    assert_same(anki, ours, crt=anki.crt, with_scheduling=False)
    hinted = next(card for card in ours.cards.values() if card["front"].startswith("Capital"))
    hint = next(part for part in split_card(hinted["question"]) if isinstance(part, HintRef))
    assert (hint.label, hint.markdown) == ("Hint", "starts with **P**")
    assert "[♪ paris.mp3]" in hinted["front"] and "Hint: starts with P" in hinted["front"]
    assert _image(hinted["answer"]).name == "map of france.png"  # the Markdown's %20 decoded


def test_occlusion_masks_are_the_ones_in_ankis_html_and_drawn_where_anki_draws_them(imported):
    anki, ours, db = imported
    media = db.with_name("c.media")
    key = next(key for key, note in anki.notes.items() if note["notetype"].rstrip("+") == "Image Occlusion")
    for ord_ in range(3):
        theirs, mine = anki.cards[(key, ord_)], ours.cards[(key, ord_)]
        for html, markdown in ((theirs["question"], mine["question"]), (theirs["answer"], mine["answer"])):
            assert occlusion_masks(html)["anatomy.png"] == _image(markdown).mask
    # Card 1 (the rectangle, "hide all"): red on the question, the polygon ("hide all") yellow, the
    # ellipse ("hide one") not drawn; on the answer the rectangle is open, outlined.
    question = load_picture(media / "anatomy.png", _image(ours.cards[(key, 0)]["question"]).mask)
    answer = load_picture(media / "anatomy.png", _image(ours.cards[(key, 0)]["answer"]).mask)
    assert question.size == IMAGE_SIZE
    assert _pixel(question, 0.25, 0.4) == RED
    assert _pixel(question, 0.8, 0.2) == YELLOW
    assert _pixel(question, 0.6, 0.7) == WHITE
    assert _pixel(answer, 0.25, 0.4) == WHITE
    assert _pixel(answer, 0.1, 0.4) == OUTLINE
    assert _pixel(answer, 0.8, 0.2) == YELLOW
    # Card 2 (the ellipse): red; the other two (both "hide all") yellow.
    second = load_picture(media / "anatomy.png", _image(ours.cards[(key, 1)]["question"]).mask)
    assert (_pixel(second, 0.6, 0.7), _pixel(second, 0.25, 0.4), _pixel(second, 0.8, 0.2)) == (
        RED,
        YELLOW,
        YELLOW,
    )


def test_enhanced_add_on_masks_are_laid_over_the_image(imported):
    _, ours, db = imported
    media = db.with_name("c.media")
    card = next(card for card in ours.cards.values() if card["front"].startswith("Name the organ"))
    for side, svg in ((card["question"], "ioe-1-Q.svg"), (card["answer"], "ioe-1-A.svg")):
        images = [part for part in split_card(side) if isinstance(part, ImageRef)]
        assert [image.name for image in images] == ["organs.png"]  # the mask is not an image of its own
        assert images[0].mask.svg == svg

    def find(name: str) -> Path:
        return media / name

    question = load_picture(media / "organs.png", _image(card["question"]).mask, find)
    answer = load_picture(media / "organs.png", _image(card["answer"]).mask, find)
    assert _pixel(question, 0.2, 0.25) == (0xFF, 0x7E, 0x7E)  # the active shape, the SVG's own red
    assert _pixel(question, 0.7, 0.65) == YELLOW
    assert _pixel(answer, 0.2, 0.25) == WHITE  # revealed
    assert _pixel(answer, 0.7, 0.65) == YELLOW


async def _study_hinted(app, pilot) -> StudyScreen:
    tree = app.screen.query_one("#decks")
    tree.move_to("Media")
    await pilot.press("enter")
    await pilot.pause()
    study = app.screen
    assert isinstance(study, StudyScreen)
    while not study.card.rendered.question.startswith("Capital"):  # the hinted card
        await pilot.press("space", "3")
        await pilot.pause()
    return study


def screen_text(app) -> str:
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


async def test_study_keys_open_the_hint_play_the_sound_and_show_the_image(imported, tmp_path, monkeypatch):
    record = tmp_path / "argv.json"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    player = bin_dir / "mpv"
    player.write_text(
        f"#!{sys.executable}\nimport json, sys\njson.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
    )
    player.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with Collection.open(imported[2], shipped_decks=False, tz=UTC) as collection:
        app = make_app(collection)
        async with app.run_test(size=(100, 32)) as pilot:
            study = await _study_hinted(app, pilot)
            chip = study.query_one("#question").query_one(HintChip)
            assert not chip.revealed and "starts with P" not in screen_text(app)
            assert "h shows the hint" in screen_text(app)
            await pilot.press("h")
            await pilot.pause()
            assert chip.revealed and "starts with P" in screen_text(app)
            await pilot.press("p")
            for _ in range(100):
                if record.exists() and record.read_text():
                    break
                await pilot.pause(0.05)
            argv = json.loads(record.read_text())
            assert argv[-1] == str(collection.media_dir / "paris.mp3") and argv[:-1] == [
                "--no-video",
                "--really-quiet",
                "--no-terminal",
            ]
            assert study.query_one("#question").images() == []
            await pilot.press("v")  # nothing on the question side: the answer's image stays hidden
            await pilot.pause()
            assert app.screen is study
            await pilot.press("space", "v")
            await pilot.pause()
            assert isinstance(app.screen, ImageViewerScreen)
            assert app.screen.query_one(CardImage).image_name == "map of france.png"
            assert app.screen.query(".image")  # drawn, not the placeholder
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is study
            monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
            await pilot.press("p")
            await pilot.pause()
            assert NO_PLAYER in [notification.message for notification in app._notifications]
            await pilot.press("i")
            await pilot.pause()
            assert isinstance(app.screen, CardInfoScreen)
            text = screen_text(app)
            assert "![" not in text and "starts with P" in text  # the image drawn, the hint open
            assert app.screen.query(CardImage).first().query(".image")


async def test_browse_previews_masks_and_opens_images_and_sounds(imported, tmp_path, monkeypatch):
    from flashapp.tui.messages import BrowseRequested
    from flashapp.tui.screens.browse import BrowseScreen

    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with Collection.open(imported[2], shipped_decks=False, tz=UTC) as collection:
        app = make_app(collection)
        async with app.run_test(size=(160, 40)) as pilot:
            app.post_message(BrowseRequested('"Name the organ"'))
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, BrowseScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            preview = screen.query_one("#preview")
            images = list(preview.query(CardImage))
            assert [image.image_name for image in images] == ["organs.png", "organs.png"]
            assert images[0].mask.svg == "ioe-1-Q.svg" and images[0].query(".image")
            await pilot.press("p")
            await pilot.pause()
            assert "This card has no sound" in [n.message for n in app._notifications]
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, ImageViewerScreen)
            viewer = app.screen.query_one(CardImage)
            assert viewer.mask.svg == "ioe-1-A.svg"  # the answer's (revealed) first
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
