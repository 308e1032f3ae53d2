"""A screen's first `ScreenResume` without the restyle that Textual asks of it.

Textual sends `ScreenResume` to a screen each time it becomes the current one, the first time
right after it is pushed; with it (`refresh_styles`, on by default) the screen applies the style
sheet again to itself and every widget in it, for what may have changed while it was away (a theme
changed, the screen suspended). On a screen just pushed nothing was away: every widget took its
styles as it mounted, a moment before. Restyling them all again was a sixth of the CPU of opening
the study screen. `StyledOnMount` keeps the restyle for every later resume.
"""

from __future__ import annotations

from textual import events


class StyledOnMount:
    """Mix into a `Screen` (before it in the bases): its first resume does not restyle it."""

    _resumed = False  # True from the end of the first resume: a subclass's own handler, which runs
    # before this one, sees False during the first resume and True at every later one

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual calls each class's handler, the screen's own before this and Screen's after.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
