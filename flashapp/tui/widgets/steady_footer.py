"""A footer that keeps its keys: when the bindings change it shows, hides and dims the keys it has
already drawn instead of rebuilding itself.

Textual's `Footer` removes and mounts every key on each change of the bindings (and resets a style
that repaints all of them); on the study screen the keys change twice per card (the answer shown,
the next card), and each rebuild styles a dozen new widgets, several times the cost of showing the
card. Here an entry (a key, or a group of keys with its label) is built once, the first time it is
wanted, and a change of bindings then sets `display` and the `-disabled` class in place, in the same
frame as the rest of the screen. What is on screen is what `Footer` shows: the same widgets, in the
same order, hidden ones taking no room.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen


@dataclass(frozen=True)
class Key:
    """One key as drawn (not whether it is enabled: that changes in place)."""

    key: str
    display: str
    description: str
    action: str
    classes: str = ""


@dataclass(frozen=True)
class Entry:
    """A child of the footer: one key, or a group of keys followed by the group's label."""

    keys: tuple[Key, ...]
    label: str | None = None
    compact: bool = False


@dataclass(frozen=True)
class KeyState:
    enabled: bool
    tooltip: str


class SteadyFooter(Footer):
    """`Footer`, updated in place when the bindings change."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: dict[Entry, list[Widget]] = {}  # every entry built so far, shown or hidden
        self._update_pending = False
        self._synced = False  # the keys shown are the screen's since its bindings last changed
        self._shown: list[tuple[Entry, dict[Key, KeyState]]] | None = None  # what `_show` showed last

    def _wanted(self) -> list[tuple[Entry, dict[Key, KeyState]]]:
        """The entries `Footer` would show for the screen's bindings now, in its order."""
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        app = self.app
        entries: list[tuple[Entry, dict[Key, KeyState]]] = []
        for group, run in groupby(by_action.values(), lambda item: item[0].group):
            bindings = list(run)
            if group is not None and len(bindings) > 1:
                states = {
                    Key(b.key, app.get_key_display(b), "", b.action, "-grouped"): KeyState(
                        enabled, tooltip or b.description
                    )
                    for b, enabled, tooltip in bindings
                }
                entries.append((Entry(tuple(states), group.description, group.compact), states))
            else:
                for b, enabled, tooltip in bindings:
                    key = Key(b.key, app.get_key_display(b), b.description, b.action)
                    entries.append((Entry((key,)), {key: KeyState(enabled, tooltip)}))
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            active = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if active is not None:
                _node, b, enabled, _tooltip = active
                key = Key(b.key, app.get_key_display(b), b.description, b.action, "-command-palette")
                entries.append((Entry((key,)), {key: KeyState(enabled, b.tooltip or b.description)}))
        return entries

    def _build(self, entry: Entry, states: dict[Key, KeyState]) -> list[Widget]:
        def footer_key(key: Key) -> FooterKey:
            state = states[key]
            widget = FooterKey(
                key.key, key.display, key.description, key.action,
                disabled=not state.enabled, tooltip=state.tooltip, classes=key.classes,
            )  # fmt: skip
            return widget.data_bind(compact=Footer.compact)

        if entry.label is None:
            return [footer_key(entry.keys[0])]
        keys = [footer_key(key) for key in entry.keys]
        group = KeyGroup(*keys, classes="-compact" if entry.compact else "")
        return [group, FooterLabel(entry.label)]

    def compose(self) -> ComposeResult:
        self._drawn.clear()
        self._shown = None
        if not self._bindings_ready:
            return
        wanted = self._wanted()
        for entry, states in wanted:
            self._drawn[entry] = self._build(entry, states)
            yield from self._drawn[entry]
        self._shown = wanted

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        self._synced = False
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._update_pending:  # once however many changes come at once
            self._update_pending = True
            self.call_later(self._update_keys)

    async def _update_keys(self) -> None:
        self._update_pending = False
        if not self._synced:  # (`sync` ran since the change: nothing left to do)
            await self.recompose()

    def sync(self) -> bool:
        """Show the screen's keys now, in place, when every key wanted is built already and in its
        order (the study screen calls this as it changes state, so the keys change in the same frame
        as the card); False when keys must be built or reordered first (`recompose` does that)."""
        if not self.is_attached or self._pruning or not self._bindings_ready:
            return False
        wanted = self._wanted()
        drawn = self._drawn_in_order()
        place = {entry: index for index, entry in enumerate(drawn)}
        places = [place.get(entry) for entry, _ in wanted]
        if None in places or places != sorted(places):  # type: ignore[type-var]
            return False
        self._show(wanted)
        return True

    async def recompose(self) -> None:
        if not self.is_attached or self._pruning:
            return
        if self.sync():
            return
        wanted = self._wanted()
        drawn = self._drawn_in_order()
        place = {entry: index for index, entry in enumerate(drawn)}
        places = [place[entry] for entry, _ in wanted if entry in place]
        if places != sorted(places):  # the keys changed order: build them again, as Footer does
            await super().recompose()
            return
        missing = [(entry, states) for entry, states in wanted if entry not in place]
        if missing:
            await self._mount_missing(drawn, [entry for entry, _ in wanted], dict(missing))
        self._show(wanted)

    def _show(self, wanted: list[tuple[Entry, dict[Key, KeyState]]]) -> None:
        self._synced = True
        if wanted == self._shown:
            return
        self._shown = wanted
        shown = dict(wanted)
        with self.app.batch_update():
            for entry, widgets in self._drawn.items():
                states = shown.get(entry)
                for widget in widgets:
                    widget.display = states is not None
                if states is not None:
                    self._set_states(widgets[0], states)

    @staticmethod
    def _set_states(widget: Widget, states: dict[Key, KeyState]) -> None:
        keys = [widget] if isinstance(widget, FooterKey) else list(widget.query_children(FooterKey))
        for footer_key, state in zip(keys, states.values(), strict=True):
            footer_key._disabled = not state.enabled  # what a click on it does
            footer_key.set_class(not state.enabled, "-disabled")
            if footer_key.tooltip != state.tooltip:
                footer_key.tooltip = state.tooltip

    def _drawn_in_order(self) -> list[Entry]:
        """The entries built so far, in their order on screen."""
        index = {widget: position for position, widget in enumerate(self.children)}
        return sorted(self._drawn, key=lambda entry: index.get(self._drawn[entry][0], -1))

    async def _mount_missing(
        self, drawn: list[Entry], wanted: list[Entry], missing: dict[Entry, dict[Key, KeyState]]
    ) -> None:
        """Build the entries not drawn yet and mount each between the entries it follows and
        precedes in `wanted` (entries drawn earlier and not wanted now keep their places)."""
        merged = list(_merged(drawn, wanted))
        following: Widget | None = None
        for entry in reversed(merged):  # from the end, so each new entry goes before its successor
            if entry in self._drawn:
                following = self._drawn[entry][0]
                continue
            widgets = self._build(entry, missing[entry])
            if following is None:
                await self.mount_all(widgets)
            else:
                await self.mount_all(widgets, before=following)
            self._drawn[entry] = widgets
            following = widgets[0]


def _merged(drawn: list[Entry], wanted: list[Entry]) -> Iterator[Entry]:
    """Both lists in one order that keeps each list's own order (the drawn entries that are wanted
    come in the same order in both); a wanted entry not drawn yet goes right after the entries
    that come before it in `wanted`."""
    position = 0
    for entry in wanted:
        if entry in drawn[position:]:
            found = drawn.index(entry, position)
            yield from drawn[position:found]
            position = found + 1
        yield entry
    yield from drawn[position:]
