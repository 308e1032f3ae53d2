"""The deck options screen, driven by Pilot: every option shown, validated with SchedulerOptions'
messages, saved; a preset shared by two decks; nothing lost without asking."""

from __future__ import annotations

from dataclasses import fields

from textual.widgets import Input

from flashapp.core.scheduling.types import SchedulerOptions
from flashapp.tui.app import make_app
from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen
from flashapp.tui.screens.deck_options import DeckOptionsScreen
from flashapp.tui.screens.home import HomeScreen

OTHER = """\
[deck]
name = "Other"

[[cards]]
id = "x"
front = "Q"
back = "A"
"""


async def open_options(pilot) -> DeckOptionsScreen:
    await pilot.pause()
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DeckOptionsScreen)
    return pilot.app.screen


def box(screen, name: str) -> Input:
    return screen.query_one(f"#option-{name}", Input)


async def every_option_validated_and_saved_with_the_collections_rollover_hour(
    app, pilot, study_collection
) -> None:
    """Every option shown, checked and saved; the study day's rollover hour shown and saved is the
    collection's (set to 5 before the app starts), saved last."""
    screen = await open_options(pilot)
    deck = screen.deck
    assert {f.name for f in fields(SchedulerOptions)} == {
        widget.id.removeprefix("option-") for widget in screen.query(Input) if widget.id.startswith("option-")
    }
    assert box(screen, "day_rollover_hour").value == "5"  # the collection's, not a deck default
    box(screen, "desired_retention").value = "1.5"
    await pilot.press("ctrl+s")
    await pilot.pause()
    error = str(screen.query_one("#error").render())
    try:
        SchedulerOptions(desired_retention=1.5)
    except ValueError as expected:
        assert error == str(expected)  # the same message as the options themselves give
    box(screen, "desired_retention").value = "0.85"
    box(screen, "new_per_day").value = "many"
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert "option new_per_day must be a number, got 'many'" in str(screen.query_one("#error").render())
    box(screen, "new_per_day").value = "7"
    box(screen, "learning_steps_minutes").value = "1, 10, 60"
    box(screen, "algorithm").value = "fsrs"
    await pilot.press("ctrl+s")
    await pilot.pause()
    options = study_collection.deck_options(deck)
    assert (options.new_per_day, options.desired_retention, options.algorithm) == (7, 0.85, "fsrs")
    assert options.learning_steps_minutes == (1.0, 10.0, 60.0)
    assert study_collection.rollover_hour == 5
    box(screen, "day_rollover_hour").value = "2"
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert study_collection.rollover_hour == 2
    assert not screen.changed
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)


async def a_preset_is_shared_and_unsaved_changes_ask(app, pilot, study_collection) -> None:
    screen = await open_options(pilot)
    first = screen.deck
    screen.query_one("#preset", Input).value = "Slow"
    box(screen, "new_per_day").value = "3"
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)
    others = [name for name in study_collection.deck_names() if name != first and "::" not in name]
    second = others[0]
    screen = DeckOptionsScreen(study_collection, second)
    await app.push_screen(screen)
    await pilot.pause()
    screen.query_one("#preset", Input).value = "Slow"  # follow the preset: its options fill in
    await pilot.pause()
    assert box(screen, "new_per_day").value == "3"
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert study_collection.deck_options(second).new_per_day == 3
    box(screen, "new_per_day").value = "9"  # the preset again, from the second deck
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert study_collection.deck_options(first).new_per_day == 9
    [preset] = study_collection.option_presets()
    assert set(preset.decks) == {first, second}
    box(screen, "new_per_day").value = "11"
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmDiscardScreen)
    await pilot.press("d")
    await pilot.pause()
    assert study_collection.deck_options(second).new_per_day == 9


async def test_deck_options_validated_saved_shared_by_a_preset_and_unsaved_changes_ask(
    study_collection, write_deck
):
    """Two cases in one app (the functions above, named in a failure's traceback), each on a deck
    options screen of its own over the deck tree: a preset shared by two decks and unsaved changes
    (at 80x24), then every option of the first deck (at 100x32)."""
    study_collection.set_rollover_hour(5)
    study_collection.import_paths([write_deck(OTHER, "other.toml")], backup=False)
    app = make_app(study_collection)
    async with app.run_test(size=(80, 24)) as pilot:
        await a_preset_is_shared_and_unsaved_changes_ask(app, pilot, study_collection)
        assert isinstance(app.screen, HomeScreen)  # the changes discarded, the screen closed
        await pilot.resize_terminal(100, 32)
        await every_option_validated_and_saved_with_the_collections_rollover_hour(
            app, pilot, study_collection
        )
