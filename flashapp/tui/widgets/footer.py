"""Textual's `Footer`, rebuilt only when the keys it shows change, its keys compact from the start.

Textual's footer rebuilds all its keys (a remove and a mount of a widget per key) whenever the
screen's bindings are refreshed: on mount, on every focus change, on every key that changes what a
`check_action` answers. On the home screen that was three rebuilds at each start, each drawing the
same keys. Each new key also mounted without its `-compact` class and took it right after (its
`compact` watcher), restyling it a second time. This footer composes what Textual's composes, keeps
what it showed, and rebuilds only when the screen's shown bindings (their keys, descriptions, groups,
enabled state and tooltips) differ from that; in a compact footer its keys carry `-compact` before
they mount.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    _composed: object = None  # what the keys on show were composed from (`_shown`)

    def _shown(self) -> object:
        """Everything `Footer.compose` reads, as a value to compare."""
        if not self._bindings_ready:
            return False
        app = self.app
        bindings = self.screen.active_bindings
        shown = tuple((b, enabled, tooltip) for _, b, enabled, tooltip in bindings.values() if b.show)
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            palette = bindings.get(app.COMMAND_PALETTE_BINDING)
            palette = palette and palette[1:]
        return shown, palette

    def compose(self) -> ComposeResult:
        self._composed = self._shown()
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)  # what its `compact` watcher sets on mount
            yield widget

    async def recompose(self) -> None:
        if self.is_attached and not self._pruning and self._shown() == self._composed:
            return  # the keys on show already
        await super().recompose()
