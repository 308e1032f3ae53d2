"""One arrangement of the screen per layout, not two.

Before a layout Textual notes the widgets to repaint; a widget among them that is not on screen yet
(one whose `display` turns on in this frame: an answer button, the answer) marks the compositor's
full map out of date. The layout then builds that full map anew, but leaves the mark, so the first
widget painted afterwards asks for its region and the whole screen is arranged a second time, as
costly as the layout itself, in every frame that shows a widget: on the study screen, each answer
and each reveal. `LayoutOnceCompositor` clears the mark where the layout has just built the map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual._compositor import Compositor

if TYPE_CHECKING:
    from textual.geometry import Size
    from textual.screen import Screen
    from textual.widget import Widget


class LayoutOnceCompositor(Compositor):
    def reflow(self, parent: Widget, size: Size):  # noqa: ANN201 (Textual's private ReflowResult)
        result = super().reflow(parent, size)
        self._full_map_invalidated = False  # `reflow` built the full map: it is up to date
        return result


def layout_once(screen: Screen) -> None:
    """Give `screen` (before it is mounted) the compositor above."""
    screen._compositor = LayoutOnceCompositor()
