"""Changing what a widget shows without laying the screen out again, unless its size must change.

Textual lays out the whole screen whenever any widget asks for it (`Static.update` always does), and
a layout pass, with the repaint of every widget it moves, costs several times the repaint of the few
lines that changed. A widget whose size follows its content (`width: auto` or `height: auto`) only
needs one when the new content no longer fits the size it has: `refresh_fitted` asks for a layout
then, and otherwise just repaints.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static


def needs_layout(widget: Widget) -> bool:
    """Whether `widget`'s content (changed since the last layout) calls for another size."""
    if not widget.is_mounted or widget.is_container or widget.size.area == 0:
        return True  # never laid out yet, or sized by its children: leave it to Textual
    styles = widget.styles
    size = widget.content_size
    parent = widget.parent
    container = parent.content_size if isinstance(parent, Widget) else widget.app.size
    viewport = widget.app.size
    auto_width = styles.width is not None and styles.width.is_auto
    if auto_width and widget.get_content_width(container, viewport) != size.width:
        return True
    auto_height = styles.height is None or styles.height.is_auto
    return auto_height and widget.get_content_height(container, viewport, size.width) != size.height


def refresh_fitted(widget: Widget) -> bool:
    """Repaint `widget`, and lay out the screen again only when its content needs another size;
    whether it does."""
    widget.refresh()  # clears the widget's cached content sizes
    if needs_layout(widget):
        widget.refresh(layout=True)
        return True
    return False


def update_fitted(static: Static, content: VisualType) -> bool:
    """`static.update(content)` that lays out again only when the new content needs another size;
    whether it does."""
    static.update(content, layout=False)
    if needs_layout(static):
        static.refresh(layout=True)
        return True
    return False
