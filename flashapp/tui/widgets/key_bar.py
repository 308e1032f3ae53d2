"""The screen's keys in one line, drawn as ONE widget: what Textual's compact `Footer` shows, with
its look, its clicks, its hover and its tooltips, without a widget per key.

Textual's `Footer` is a widget per key (and per group and label) that it removes and mounts again
on every change of the bindings. Even kept in place, nine key widgets cost a layout and a repaint of
each on every change: on the study screen the keys change twice per card. Here the line is one
`Text` built from the screen's bindings; a change of bindings builds it again and repaints the one
line, with no layout (the bar is one line high and as wide as the screen, whatever it holds).

When the keys do not all fit (80 columns, a card with a demo, a sound and an image), whole keys give
way, the least needed first (`give_way`: the screen's order; then from the right), so no label is
ever cut; a key left out still works, and `?` lists them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip

from flashapp.tui.widgets.one_line import OneLine

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen


@dataclass(frozen=True)
class Key:
    """One key as drawn: what it shows, what a click on it does and whether it is dimmed."""

    key: str
    display: str
    description: str  # "" for a key of a group (the group's label follows its keys)
    enabled: bool
    tooltip: str
    action: str = ""  # the binding's action, without its parameters ("rate", "undo")


@dataclass(frozen=True)
class Entry:
    """One key, or a group of keys followed by the group's label."""

    keys: tuple[Key, ...]
    label: str | None = None
    compact: bool = False  # a group's keys side by side, without a space between them

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(key.action for key in self.keys)


def footer_entries(screen: Screen) -> list[Entry]:
    """The entries Textual's `Footer` shows for the screen's bindings now, in its order (one per
    action, the first binding of each; consecutive actions of one group as one entry)."""
    by_action: dict[str, tuple[Binding, bool, str]] = {}
    for _node, binding, enabled, tooltip in screen.active_bindings.values():
        if binding.show:
            by_action.setdefault(binding.action, (binding, enabled, tooltip))
    app = screen.app
    entries: list[Entry] = []
    for group, run in groupby(by_action.values(), lambda item: item[0].group):
        bindings = list(run)
        if group is not None and len(bindings) > 1:
            keys = tuple(
                Key(b.key, app.get_key_display(b), "", enabled, tooltip or b.description, _action_name(b))
                for b, enabled, tooltip in bindings
            )
            entries.append(Entry(keys, group.description, group.compact))
        else:
            entries += [
                Entry((Key(b.key, app.get_key_display(b), b.description, enabled, tooltip, _action_name(b)),))
                for b, enabled, tooltip in bindings
            ]
    return entries


def _action_name(binding: Binding) -> str:
    return binding.action.split("(", 1)[0]


def kept_entries(
    widths: list[int], actions: list[frozenset[str]], room: int, give_way: tuple[str, ...]
) -> list[bool]:
    """Which entries to draw in `room` columns: all when they fit; else entries give way whole, those
    whose action comes first in `give_way` first, then the others from the right."""
    kept = [True] * len(widths)
    order = sorted(
        range(len(widths)),
        key=lambda index: (
            min((give_way.index(a) for a in actions[index] if a in give_way), default=len(give_way)),
            -index,
        ),
    )
    total = sum(widths)
    for index in order:
        if total <= room:
            break
        kept[index] = False
        total -= widths[index]
    return kept


DIM = Style(dim=True)


class KeyBar(OneLine, can_focus=False):
    """A compact footer in one widget (the command palette's key is not shown)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--label", "key-bar--hover"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 100%;
        text-wrap: nowrap;
        text-overflow: clip;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description, & > .key-bar--label {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(
        self, *, give_way: tuple[str, ...] = (), id: str | None = None, classes: str | None = None
    ) -> None:
        """`give_way`: actions whose keys are left out first when the line is too narrow for all."""
        super().__init__(id=id, classes=classes)
        self.give_way = give_way
        self._entries: list[Entry] = []
        self._spans: list[tuple[int, int, Key]] = []  # each key's columns on the line, [start, end)
        self._hover: Key | None = None
        self._held = 0  # inside `held()`: bindings changes wait for its end
        self._drawn: dict[tuple[object, ...], tuple[Strip, list[tuple[int, int, Key]]]] = {}

    def on_mount(self) -> None:
        # immediate: inside `held()` a change waits for its end; outside it shows at once
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed, immediate=True)
        self.sync()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen and not self._held:
            self.sync()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Changes of bindings inside this block are shown once, at its end (in the same frame):
        the study screen changes several states per answer, each of which refreshes the bindings."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held:
                self.sync()

    def sync(self) -> None:
        """Show the screen's keys now; repaints only when they changed."""
        if not self.is_attached:
            return
        entries = footer_entries(self.screen)
        if entries != self._entries:
            self._entries = entries
            self._hover = None
            self.refresh()

    def segments(self, width: int) -> list[Segment]:
        """Each key in the component styles as `FooterKey` draws it, each gap (the footer's margins)
        in the bar's background alone."""
        gap = self.gap_style
        key_style = self.component_style("key-bar--key")
        description_style = self.component_style("key-bar--description")
        label_style = self.component_style("key-bar--label")
        hover = Style(bgcolor=self.component_style("key-bar--hover").bgcolor)
        # Each entry as pieces (text, style, its key or None), in the compact footer's spacing (Textual's
        # `Footer` CSS; the app's style gives a group's label its trailing space too: app.tcss).
        drawn: list[list[tuple[str, Style, Key | None]]] = []
        for entry in self._entries:
            pieces: list[tuple[str, Style, Key | None]] = []

            def add_key(key: Key, pieces: list[tuple[str, Style, Key | None]] = pieces) -> None:
                over = (hover if key == self._hover else Style()) + (Style() if key.enabled else DIM)
                text = key.display + (" " + key.description if key.description else "")
                pieces.append((key.display, key_style + over, key))
                if key.description:
                    pieces.append((text[len(key.display) :], description_style + over, key))

            if entry.label is None:
                add_key(entry.keys[0])
            else:
                for index, key in enumerate(entry.keys):
                    if index == 0 or not entry.compact:
                        pieces.append((" ", gap, None))
                    add_key(key)
                pieces += [(" ", gap, None), (entry.label, label_style, None)]
            pieces.append((" ", gap, None))
            drawn.append(pieces)
        widths = [sum(cell_len(text) for text, _, _ in pieces) for pieces in drawn]
        kept = kept_entries(widths, [entry.actions for entry in self._entries], width, self.give_way)
        segments: list[Segment] = []
        spans: list[tuple[int, int, Key]] = []
        column = 0
        for pieces in (pieces for pieces, keep in zip(drawn, kept, strict=True) if keep):
            for text, style, key in pieces:
                segments.append(Segment(text, style))
                end = column + cell_len(text)
                if key is not None:  # a key's display and description: one span
                    if spans and spans[-1][2] is key and spans[-1][1] == column:
                        spans[-1] = (spans[-1][0], end, key)
                    else:
                        spans.append((column, end, key))
                column = end
        self._spans = spans
        return segments

    def render_line(self, y: int) -> Strip:
        """The line, drawn again only when its keys, its hover or its width changed: on the study
        screen the keys go back and forth between two states, each drawn once."""
        if y != 0:
            return super().render_line(y)
        key = (self.content_size.width, tuple(self._entries), self._hover)
        drawn = self._drawn.get(key)
        if drawn is None:
            if len(self._drawn) > 8:
                self._drawn.clear()
            line = super().render_line(0)
            drawn = self._drawn[key] = (line, self._spans)
        line, self._spans = drawn
        return line

    def notify_style_update(self) -> None:
        self._drawn.clear()
        super().notify_style_update()

    def key_at(self, x: int) -> Key | None:
        """The key drawn at column `x` of the bar, if any."""
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def _set_hover(self, key: Key | None) -> None:
        if key == self._hover:
            return
        self._hover = key
        self.tooltip = key.tooltip or None if key is not None else None
        self.styles.pointer = "pointer" if key is not None else "default"
        self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self.key_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._set_hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
