"""A deck's options: every field of `SchedulerOptions` (read from the dataclass, so a new option shows
up here by itself), validated as a whole by `SchedulerOptions` (its messages, as for deck files), and
an optional preset that other decks share (Anki's presets).

ctrl+s saves; Escape (or q outside a box) closes, asking first when something changed.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from flashapp.core.scheduling.types import SchedulerOptions
from flashapp.core.text import strip_control
from flashapp.errors import UserError
from flashapp.tui.screens.confirm_discard import ConfirmDiscardScreen
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.collection import Collection

ROLLOVER = "day_rollover_hour"
# What each option means, where a name alone is not enough (units, ranges).
OPTION_HINTS = {
    "algorithm": "sm2 or fsrs",
    "learning_steps_minutes": "minutes, e.g. 1, 10",
    "relearning_steps_minutes": "minutes, e.g. 10",
    "desired_retention": "FSRS: 0.70 to 0.99",
    "fsrs_parameters": "FSRS: empty for the defaults (flashapp optimize fits them)",
    "day_rollover_hour": "local hour a study day starts (0-23; the whole collection's)",
    "new_per_day": "new cards a day",
    "reviews_per_day": "reviews a day",
    "new_cards_ignore_review_limit": "true: new cards not counted against reviews a day",
    "maximum_interval_days": "days",
}


def option_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(f"{item:g}" if isinstance(item, float) else str(item) for item in value)
    return str(value)


def parse_option(name: str, text: str, default: Any) -> Any:
    """The text of one box as the option's type (that of its default); ValueError naming the option."""
    text = text.strip()
    try:
        if isinstance(default, tuple | list):
            return [float(part) for part in text.replace(",", " ").split()]
        if isinstance(default, bool):
            return text.lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
    except ValueError:
        kind = "numbers" if isinstance(default, tuple | list) else "a number"
        raise ValueError(f"option {name} must be {kind}, got {text!r}") from None
    return text


class DeckOptionsScreen(StyledOnMount, Screen[bool]):
    DEFAULT_CSS = """
    DeckOptionsScreen #options { height: 1fr; padding: 0 2; }
    DeckOptionsScreen .option { height: auto; margin: 1 0 0 0; }
    DeckOptionsScreen .option-name { width: 30; color: $text-muted; }
    DeckOptionsScreen .option Input { width: 1fr; }
    DeckOptionsScreen .option-hint { width: 1fr; color: $text-muted; padding: 0 0 0 1; }
    DeckOptionsScreen #presets { color: $text-muted; height: auto; margin: 1 0 0 0; }
    DeckOptionsScreen #error { color: $text-error; height: auto; margin: 1 2 0 2; display: none; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("escape", "close", "Close", id="close"),
    ]

    def __init__(self, collection: Collection, deck: str) -> None:
        super().__init__()
        self.collection = collection
        self.deck = deck
        self.options = collection.deck_options(deck)
        self.preset = collection.deck_preset(deck) or ""
        self.defaults = SchedulerOptions()
        # The study day's rollover is the collection's (one hour for every deck, as in Anki): shown and
        # saved here, and kept in the deck's options too for Anki export.
        self.rollover = collection.rollover_hour
        self.saved = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="error")
        with VerticalScroll(id="options"):
            with Horizontal(classes="option"):
                yield Label(Content("preset (shared)"), classes="option-name")
                yield Input(
                    self.preset, placeholder="empty: this deck's own options", id="preset", compact=True
                )
            yield Static(self._presets_text(), id="presets")
            for option in fields(SchedulerOptions):
                with Horizontal(classes="option"):
                    yield Label(Content(option.name), classes="option-name")
                    value = option_text(self._current(option.name))
                    yield Input(value, id=f"option-{option.name}", compact=True)
                    yield Static(Content(OPTION_HINTS.get(option.name, "")), classes="option-hint")
        yield Footer(compact=True)

    def _current(self, name: str) -> Any:
        return self.rollover if name == ROLLOVER else getattr(self.options, name)

    def on_mount(self) -> None:
        self.sub_title = f"Options · {strip_control(self.deck)}"
        self.query_one("#preset", Input).focus()

    def _presets_text(self) -> Content:
        shared = self.collection.option_presets()
        if not shared:
            return Content("No presets yet: name one above to share these options with other decks.")
        lines = [
            f"{strip_control(p.name)}: {', '.join(strip_control(d) for d in p.decks) or 'no deck'}"
            for p in shared
        ]
        return Content("Presets: " + " · ".join(lines) + ". Saving a preset changes every deck that uses it.")

    def chosen(self) -> dict[str, Any]:
        """Every option as typed; ValueError naming the first one that is not even of its type."""
        values = {}
        for option in fields(SchedulerOptions):
            text = self.query_one(f"#option-{option.name}", Input).value
            values[option.name] = parse_option(option.name, text, getattr(self.defaults, option.name))
        return values

    @property
    def changed(self) -> bool:
        if self.query_one("#preset", Input).value.strip() != self.preset:
            return True
        try:
            return self.chosen() != {**self.options.to_dict(), ROLLOVER: self.rollover}
        except ValueError:
            return True

    @on(Input.Changed, "#preset")
    def _preset_typed(self, event: Input.Changed) -> None:
        """Naming an existing preset shows its options (saving then makes this deck follow it)."""
        preset = next((p for p in self.collection.option_presets() if p.name == event.value.strip()), None)
        if preset is None:
            return
        for name, value in preset.options.items():
            if self.query(f"#option-{name}"):
                self.query_one(f"#option-{name}", Input).value = option_text(value)

    def _show_error(self, text: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Content(text))
        error.display = bool(text)

    def action_save(self) -> None:
        preset = self.query_one("#preset", Input).value.strip() or None
        try:
            options = self.chosen()
            saved = self.collection.save_deck_options(self.deck, options, preset)
            if options[ROLLOVER] != self.rollover:
                self.collection.set_rollover_hour(options[ROLLOVER])
                self.rollover = options[ROLLOVER]
        except (ValueError, UserError) as error:
            self._show_error(str(error))
            return
        self._show_error("")
        self.options, self.preset, self.saved = saved, preset or "", True
        shared = f" (preset {preset})" if preset else ""
        self.notify(f"Options of {self.deck} saved{shared}.", markup=False)
        self.query_one("#presets", Static).update(self._presets_text())

    def action_close(self) -> None:
        if not self.changed:
            self.dismiss(self.saved)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.saved)

        self.app.push_screen(ConfirmDiscardScreen("The options on screen are not saved."), answered)
