"""A footer that keeps its keys: when the bindings change it shows, hides and dims the keys it has
already drawn instead of rebuilding itself.

Textual's `Footer` removes and mounts every key on each change of the bindings; on the study screen
the keys change twice per card (the answer shown, the next card), and each rebuild styles a dozen new
widgets, several times the cost of showing the card. Here a key is built once, the first time it is
wanted; afterwards a change of bindings sets `display` and the `-disabled` class on keys in place.
What is on screen is the same as `Footer`'s: the keys wanted, in `Footer`'s order, hidden ones
taking no room.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from textual.compose import compose
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

if TYPE_CHECKING:
    from textual.screen import Screen

Signature = Hashable


def _children(widget: Widget) -> list[Widget]:
    """A widget's children, mounted or (just composed) still waiting to be mounted."""
    return list(widget.children) or list(getattr(widget, "_pending_children", ()))


def _signature(widget: Widget) -> Signature:
    """What a footer entry shows, apart from being enabled: two entries with the same signature look
    the same once their enabled state and tooltip are copied."""
    if isinstance(widget, FooterKey):
        grouped = widget.has_class("-grouped"), widget.has_class("-command-palette")
        return ("key", widget.key, widget.key_display, widget.description, widget.action, grouped)
    if isinstance(widget, FooterLabel):
        return ("label", str(widget.content))
    if isinstance(widget, KeyGroup):
        return ("group", widget.has_class("-compact"), tuple(_signature(c) for c in _children(widget)))
    return ("other", id(widget))  # anything else is never reused


def _keys(widget: Widget) -> Iterable[FooterKey]:
    if isinstance(widget, FooterKey):
        yield widget
    elif isinstance(widget, KeyGroup):
        yield from (child for child in _children(widget) if isinstance(child, FooterKey))


def _merged(current: list[Signature], wanted: list[Signature]) -> list[Signature]:
    """One order holding both lists, each in its own order (the wanted keys first where the two
    disagree)."""
    merged: list[Signature] = []
    position = 0
    for signature in wanted:
        if signature in current[position:]:
            found = current.index(signature, position)
            merged += current[position:found]
            position = found + 1
        merged.append(signature)
    return merged + current[position:]


class SteadyFooter(Footer):
    """`Footer`, updated in place when the bindings change."""

    _update_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        # `Footer` waits for the next frame to rebuild, so a change of keys costs a second frame;
        # here the keys change with the rest of the screen, once however many changes come at once.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._update_pending:
            self._update_pending = True
            self.call_later(self._update_keys)

    async def _update_keys(self) -> None:
        self._update_pending = False
        await self.recompose()

    async def recompose(self) -> None:
        if not self.is_attached or self._pruning:
            return
        wanted = compose(self)
        signatures = [_signature(widget) for widget in wanted]
        mounted = {_signature(child): child for child in self.children}
        if len(set(signatures)) != len(signatures) or len(mounted) != len(self.children):
            await super().recompose()  # entries that cannot be told apart: rebuild, as Footer does
            return
        order = list(mounted)
        if any(signature not in mounted for signature in signatures):
            async with self.batch():
                await self._mount_missing(_merged(order, signatures), dict(zip(signatures, wanted)), mounted)
        shown = dict(zip(signatures, wanted))
        with self.app.batch_update():
            for signature, child in mounted.items():
                model = shown.get(signature)
                child.display = model is not None
                if model is not None:
                    for key, wanted_key in zip(_keys(child), _keys(model)):
                        key._disabled = wanted_key._disabled
                        key.set_class(wanted_key._disabled, "-disabled")
                        if key.tooltip != wanted_key.tooltip:
                            key.tooltip = wanted_key.tooltip

    async def _mount_missing(
        self, order: list[Signature], new: dict[Signature, Widget], mounted: dict[Signature, Widget]
    ) -> None:
        """Mount the entries not drawn yet, each at its place in `order`; `mounted` gains them."""
        following: Widget | None = None
        for signature in reversed(order):  # from the end, so each new entry goes before its successor
            if signature in mounted:
                following = mounted[signature]
                continue
            widget = new[signature]
            if following is None:
                await self.mount(widget)
            else:
                await self.mount(widget, before=following)
            mounted[signature] = widget
            following = widget
