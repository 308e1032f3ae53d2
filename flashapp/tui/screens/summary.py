"""The end of a study session: cards studied, again rate, time, ratings, what was studied today (the
home screen's line, from the same figures), and when cards are due next.

Dismissed with "done" (back to the decks) or "undo" (take back the last answer and study on).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static

from flashapp.core.scheduling import Rating
from flashapp.tui.formatting import duration_text, percent, when_text
from flashapp.tui.styled_on_mount import StyledOnMount
from flashapp.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from flashapp.store.study_session import SessionStats
    from flashapp.store.study_stats import TodayStats, UpcomingReviews

RATING_STYLES = {Rating.AGAIN: "$text-error", Rating.HARD: "$text-warning", Rating.GOOD: "$text-success",
                 Rating.EASY: "$text-primary"}  # fmt: skip


def summary_content(
    deck: str | None,
    stats: SessionStats,
    upcoming: UpcomingReviews,
    now: datetime,
    tz: tzinfo,
    later_today: tuple[datetime, int] | None = None,
    today: TodayStats | None = None,
) -> Content:
    """`later_today`: when the first of the learning cards still due today comes back, and how many;
    `today`: the collection's figures for the whole study day (the home screen's line)."""
    name = deck or "all decks"
    if later_today is not None:
        count = later_today[1]
        title = Content.assemble(
            ("Session ended. ", "bold"), f"{count} card{'s' if count != 1 else ''} in ", (name, "bold"),
            " come back later today.",
        )  # fmt: skip
    elif stats.studied:
        title = Content.assemble(("Well done! ", "bold"), "You have finished ", (name, "bold"), " for today.")
    else:
        title = Content.assemble("Nothing to study in ", (name, "bold"), " right now.")
    rows: list[tuple[str, Content]] = []
    if stats.studied:
        per_card = duration_text(stats.duration_ms // stats.studied)
        rows += [
            ("Cards studied", Content.styled(str(stats.studied), "bold")),
            (
                "Again rate",
                Content.assemble(
                    (percent(stats.again, stats.studied), "bold"),
                    (f"  ({stats.again} of {stats.studied})", "dim"),
                ),
            ),
            (
                "Time",
                Content.assemble(
                    (duration_text(stats.duration_ms), "bold"), (f"  ({per_card} a card)", "dim")
                ),
            ),
            (
                "Ratings",
                Content("  ").join(
                    Content.assemble(
                        (rating.name.title(), RATING_STYLES[rating]), f" {stats.ratings[rating]}"
                    )
                    for rating in Rating
                ),
            ),
        ]
    if later_today is not None:
        next_due = Content.styled(when_text(later_today[0], now, tz), "bold")
    elif upcoming.next_due is None:
        next_due = Content.styled("no reviews scheduled", "dim")
    else:
        next_due = Content.assemble((when_text(upcoming.next_due, now, tz), "bold"))
        if upcoming.next_day:
            next_due = next_due + Content.styled(f"  ({upcoming.next_day} due tomorrow)", "dim")
    rows.append(("Next cards due", next_due))
    lines = [title, Content()]
    lines += [Content.assemble((f"{label:<16}", "dim"), value) for label, value in rows]
    if today is not None:
        from flashapp.tui.screens.home import today_content

        lines += [Content(), today_content(today)]
    return Content("\n").join(lines)


class SummaryScreen(StyledOnMount, Screen[str]):
    DEFAULT_CSS = """
    SummaryScreen { align: center middle; }
    SummaryScreen #summary {
        width: 100%; max-width: 72; height: auto; padding: 1 3;
        border: round $primary; background: $panel;
    }
    """
    BINDINGS = [
        Binding("enter", "done", "Decks", id="done"),
        Binding("escape", "done", "Decks", show=False),
        Binding("u", "undo", "Undo last answer", id="undo"),
    ]

    def __init__(
        self,
        *,
        deck: str | None,
        stats: SessionStats,
        upcoming: UpcomingReviews,
        now: datetime,
        tz: tzinfo,
        can_undo: bool,
        later_today: tuple[datetime, int] | None = None,
    ) -> None:
        super().__init__()
        self.deck = deck
        self._parts = (deck, stats, upcoming, now, tz, later_today)
        self.can_undo = can_undo

    def compose(self) -> ComposeResult:
        collection = getattr(self.app, "collection", None)
        today = collection.today_stats() if collection is not None else None
        self.content = summary_content(*self._parts, today=today)
        yield Header()
        with Vertical(id="summary"):
            yield Static(self.content)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = self.deck or "All decks"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_undo if action == "undo" else True

    def action_done(self) -> None:
        self.dismiss("done")

    def action_undo(self) -> None:
        self.dismiss("undo")
