"""Pure scheduling: card state, the SM-2 and FSRS schedulers, study days, interval labels.

No database, no UI. Time (`now`, tz-aware UTC) and randomness (`rng`, a seeded `random.Random`, which
turns fuzz on) are arguments. Both schedulers share one interface, picked per deck by `scheduler_for`
(which imports the FSRS scheduler, and with it the `fsrs` package, only for a deck that uses FSRS: the
package itself loads neither, so the home screen's counts and the SM-2 commands never pay for it):

    scheduler = scheduler_for(options)
    new_state, log = scheduler.review(card, Rating.GOOD, now, options, rng)
    labels = {r: format_interval(now, s.due) for r, s in scheduler.next_states(card, now, options).items()}
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flashapp.core.scheduling.answering import Scheduler
    from flashapp.core.scheduling.day import StudyCalendar, day_start_utc, next_day_start_utc, study_day
    from flashapp.core.scheduling.interval_text import format_interval
    from flashapp.core.scheduling.types import (
        MIN_EASE,
        CardState,
        Rating,
        ReviewLog,
        SchedulerOptions,
        State,
        ensure_utc,
    )

# Each name, from its module on first use: importing one submodule runs this file, and the home
# screen's first counts need the study calendar (`day`) alone, not the card types and schedulers.
_MODULE_OF = {
    "Scheduler": "answering",
    "StudyCalendar": "day",
    "day_start_utc": "day",
    "next_day_start_utc": "day",
    "study_day": "day",
    "format_interval": "interval_text",
    **dict.fromkeys(
        ("MIN_EASE", "CardState", "Rating", "ReviewLog", "SchedulerOptions", "State", "ensure_utc"), "types"
    ),
}

__all__ = [
    "MIN_EASE",
    "CardState",
    "Rating",
    "ReviewLog",
    "Scheduler",
    "SchedulerOptions",
    "State",
    "StudyCalendar",
    "day_start_utc",
    "ensure_utc",
    "format_interval",
    "next_day_start_utc",
    "scheduler_for",
    "study_day",
]


def __getattr__(name: str) -> object:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value  # looked up once
    return value


def scheduler_for(options: SchedulerOptions) -> Scheduler:
    """The scheduler a deck with these options uses."""
    if options.algorithm == "fsrs":
        from flashapp.core.scheduling import fsrs_scheduler

        return fsrs_scheduler.SCHEDULER
    from flashapp.core.scheduling import sm2

    return sm2.SCHEDULER
