"""The bar under a card: "Show answer" before the reveal, then Again / Hard / Good / Easy, each showing
the interval it would give ("Good 10m").

The bar is ONE widget that paints its three lines; a reveal or a new card repaints them and never lays
the screen out. (It was a row of five `Button`s, whose `display` was switched on every reveal and
every answer: a layout of the screen each time, and the four rating buttons drawn again.)

The look is Textual's: the bar holds a hidden `Button` per key (never laid out, `display: none`) as a
stamp. Textual's CSS styles each stamp as it styles a shown button (its variant, its hover, its
pressed flash), Textual's layout code places the stamps as the row of buttons was placed, and
Textual's renderer draws each key from its stamp's styles. What the bar paints is what the row of
buttons painted, checked cell by cell by tests. Keys react to the mouse as buttons do: hover, the
pressed flash, a click answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual._styles_cache import StylesCache
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Region, Size
from textual.layout import WidgetPlacement
from textual.layouts.horizontal import HorizontalLayout
from textual.message import Message
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Button

from flashapp.core.scheduling import Rating

VARIANTS = {Rating.AGAIN: "error", Rating.HARD: "warning", Rating.GOOD: "success", Rating.EASY: "primary"}
SHOW = "show"
RATINGS = tuple(f"rate-{rating.value}" for rating in Rating)  # the keys once the answer shows


class Stamp(Button):
    """A hidden button the bar draws a key from; a change of its styles (hover, the pressed flash, a
    theme) has the bar draw its keys again once Textual has worked them out."""

    def notify_style_update(self) -> None:
        super().notify_style_update()
        bar = self.parent
        if isinstance(bar, AnswerButtons):
            bar.stamp_restyled()


@dataclass(frozen=True)
class Span:
    """Where a key is drawn on the bar: columns [x, x + width), all three lines."""

    name: str  # "show" or "rate-N"
    x: int
    width: int

    def contains(self, x: int) -> bool:
        return self.x <= x < self.x + self.width


class AnswerButtons(Widget, can_focus=False):
    """The answer bar; `show_revealed`, `show_intervals` and `set_show_label` change what it shows."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    AnswerButtons { height: 3; width: 100%; }
    AnswerButtons > Button { display: none; width: 1fr; max-width: 24; min-width: 12; margin: 0 1; }
    AnswerButtons > .show-key { max-width: 40; }
    """

    @dataclass
    class Rated(Message):
        rating: Rating

    class ShowAnswer(Message):
        pass

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.revealed = False
        self._labels: dict[str, Content] = {SHOW: Content.assemble("Show answer ", ("space", "dim"))}
        for name, rating in zip(RATINGS, Rating, strict=True):
            self._labels[name] = Content(rating.name.title())
        self._intervals: dict[Rating, str] = {}
        self._type_in = False
        self._stamps: dict[str, Stamp] = {}
        self._spans: dict[tuple[int, bool], list[Span]] = {}  # (width, revealed) -> the keys' places
        self._drawn: dict[tuple[object, ...], list[Strip]] = {}  # a key's three lines, by what they show
        self._lines: dict[tuple[object, ...], Strip] = {}  # the bar's lines, by what they show
        self._hover: str | None = None
        self.active_effect_duration = 0.2  # seconds, as a Button's pressed flash

    def compose(self) -> ComposeResult:
        self._stamps[SHOW] = Stamp(classes="show-key")  # (no ids: the stamps are never on screen)
        for name, rating in zip(RATINGS, Rating, strict=True):
            self._stamps[name] = Stamp(variant=VARIANTS[rating])
        for stamp in self._stamps.values():
            stamp.can_focus = False
        yield from self._stamps.values()

    # --- what it shows --------------------------------------------------------------------------------

    def show_revealed(self, revealed: bool) -> None:
        """The rating keys (True) or the key that shows the answer."""
        if revealed != self.revealed:
            self._set_hover(None)  # the keys move: the mouse is over another one, if any
            self.revealed = revealed
            self.refresh()

    def set_show_label(self, *, type_in: bool) -> None:
        if type_in == self._type_in:
            return
        self._type_in = type_in
        text, key = ("Check answer ", "enter") if type_in else ("Show answer ", "space")
        self._labels[SHOW] = Content.assemble(text, (key, "dim"))
        self.refresh()

    def show_intervals(self, labels: dict[Rating, str]) -> None:
        changed = False
        for name, rating in zip(RATINGS, Rating, strict=True):
            interval = labels.get(rating, "")
            if self._intervals.get(rating) != interval:
                self._intervals[rating] = interval
                self._labels[name] = Content.assemble((rating.name.title(), "bold"), "  ", interval)
                changed = True
        if changed and self.revealed:
            self.refresh()

    def label(self, name: str) -> Content:
        """The text of a key ("show", "rate-1" ... "rate-4")."""
        return self._labels[name]

    # --- where each key is ------------------------------------------------------------------------------

    def spans(self) -> list[Span]:
        """The keys on the bar now, left to right, placed as Textual places the row of buttons."""
        width = self.size.width
        key = (width, self.revealed)
        spans = self._spans.get(key)
        if spans is None:
            spans = self._spans[key] = self._arrange(width, list(RATINGS) if self.revealed else [SHOW])
        return spans

    def _arrange(self, width: int, names: list[str]) -> list[Span]:
        """Textual's horizontal layout of the stamps, centred as `align-horizontal: center` does."""
        stamps = [self._stamps[name] for name in names]
        placements = HorizontalLayout().arrange(self, stamps, Size(width, 3))
        bounds = WidgetPlacement.get_bounds(placements)
        shift = max(0, (width - bounds.width) // 2)
        return [
            Span(name, placement.region.x + shift, placement.region.width)
            for name, placement in zip(names, placements, strict=True)
        ]

    def span_at(self, x: int) -> Span | None:
        return next((span for span in self.spans() if span.contains(x)), None)

    def key_region(self, name: str) -> Region:
        """The screen region where key `name` is drawn (empty when it is not shown now)."""
        span = next((span for span in self.spans() if span.name == name), None)
        if span is None:
            return Region()
        return Region(self.region.x + span.x, self.region.y, span.width, 3)

    # --- painting -----------------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._drawn.clear()  # the theme or the CSS changed: every key is drawn again
        self._lines.clear()
        self._spans.clear()
        super().notify_style_update()

    def stamp_restyled(self) -> None:
        self._drawn.clear()
        self._lines.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        spans = self.spans()
        key = (y, self.size.width, tuple((span, self._labels[span.name].markup) for span in spans))
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) > 24:
                self._lines.clear()
            line = self._lines[key] = self._render_line(y, spans)
        return line

    def _render_line(self, y: int, spans: list[Span]) -> Strip:
        width = self.size.width
        gap = Style(bgcolor=self.rich_style.bgcolor)
        segments: list[Segment] = []
        column = 0
        for span in spans:
            if span.x > column:
                segments.append(Segment(" " * (span.x - column), gap))
            segments += self._key_lines(span)[y]
            column = span.x + span.width
        line = Strip(segments).crop(0, width)
        return line.extend_cell_length(width, gap).simplify()

    def _key_lines(self, span: Span) -> list[Strip]:
        """The key's three lines as Textual draws its stamp, shown at `span.width` columns."""
        stamp = self._stamps[span.name]
        label = self._labels[span.name]
        state = (span.name, label.markup, span.width)
        lines = self._drawn.get(state)
        if lines is None:
            if len(self._drawn) > 256:  # intervals vary: keep the recent ones
                self._drawn.clear()
            lines = self._drawn[state] = self._draw(stamp, label, span.width)
        return lines

    def _draw(self, stamp: Stamp, label: Content, width: int) -> list[Strip]:
        """What `Widget.render_lines` paints for `stamp` showing `label` at `width` x 3."""
        styles = stamp.styles
        gutter = styles.gutter
        content_size = Size(max(0, width - gutter.width), max(0, 3 - gutter.height))
        visual_style = stamp.visual_style

        def content_line(content: Visual, y: int) -> Strip:
            strips = Visual.to_strips(stamp, content, content_size.width, content_size.height, visual_style)
            return strips[y] if y < len(strips) else Strip.blank(content_size.width, visual_style.rich_style)

        base_background, background = stamp.background_colors
        app = self.app
        return StylesCache().render(
            styles,
            Size(width, 3),
            base_background,
            background,
            partial(content_line, label),
            stamp.get_line_filters(),
            None,
            None,
            content_size=content_size,
            padding=styles.padding,
            crop=Region(0, 0, width, 3),
            opacity=stamp.opacity,
            ansi_theme=app.ansi_theme,
            native_ansi=app.native_ansi_color,
        )

    # --- the mouse ----------------------------------------------------------------------------------------

    def _set_hover(self, name: str | None) -> None:
        if name == self._hover:
            return
        for stamp_name, hover in ((self._hover, False), (name, True)):
            if stamp_name is not None:  # the stamp takes its `:hover` styles (and the bar repaints)
                stamp = self._stamps[stamp_name]
                stamp.mouse_hover = hover
                self.app.update_styles(stamp)
        self._hover = name
        self.styles.pointer = "pointer" if name is not None else "default"

    def on_mouse_move(self, event: events.MouseMove) -> None:
        span = self.span_at(event.x)
        self._set_hover(span.name if span is not None else None)

    def on_leave(self, _event: events.Leave) -> None:
        self._set_hover(None)

    def on_click(self, event: events.Click) -> None:
        span = self.span_at(event.x)
        if span is None:
            return
        event.stop()
        stamp = self._stamps[span.name]
        if stamp.has_class("-active"):  # as a Button: a click during the pressed flash is ignored
            return
        stamp.add_class("-active")  # (the bar repaints once Textual has restyled the stamp)
        self.set_timer(self.active_effect_duration, partial(self._end_active, stamp))
        if span.name == SHOW:
            self.post_message(self.ShowAnswer())
        else:
            self.post_message(self.Rated(Rating(int(span.name.removeprefix("rate-")))))

    def _end_active(self, stamp: Stamp) -> None:
        stamp.remove_class("-active")
