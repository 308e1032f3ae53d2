"""Today's new / learning / review counts per deck: the one count function of flashapp.

    deck_counts(connection, now, calendar, *, deck=None, learn_ahead=DEFAULT_LEARN_AHEAD)
        -> list[DeckCounts]

`connection`: an SQLAlchemy `Connection` or `Session` on the collection (SQLite or PostgreSQL), or a
standard-library `sqlite3` connection on an SQLite collection; `now`: an aware UTC datetime;
`calendar`: a `core.scheduling.StudyCalendar` (only its `day_start(now)` and `day_end(now)` are used);
`deck`: a deck name to count only that deck and its subdecks (None: every deck); `learn_ahead`: the
collection's learn-ahead limit (`Collection.learn_ahead`, Anki's `collapseTime`, 20 minutes unless set
or imported). It returns one `DeckCounts` per deck, in tree order, each counting the deck and its
subdecks; `totals(rows)` sums the top-level rows (what "all decks" shows). The home screen, the study
header (`StudySession.counts`), the session summary and the CLI (`flashapp decks`, `flashapp next`) all
show these numbers, and the study queue (`store.queue.build_queue`) takes exactly as many cards of each
kind from each deck as they say.

The rules are Anki v3's defaults:
- review: review cards due today, at most what the interday learning cards leave of the deck's
  reviews/day minus the reviews already answered today in its subtree (and, unless the deck's
  `new_cards_ignore_review_limit` is set, minus the new cards introduced there today);
- new: at most new/day minus the new cards introduced today in the subtree, and, unless
  `new_cards_ignore_review_limit` is set, at most what the review limit leaves after the reviews;
- learning: learning and relearning cards due within the learn-ahead limit (no daily limit), and
  interday learning cards (steps of a day or more, due on a study day) due today, which come first
  under the review limit, whose answers count as reviews;
- a deck shows min(its own limit, its own cards + its subdecks' capped counts), so a parent's limit caps
  its children's cards and a child's limit caps what it adds to its parent; the limits of decks above
  the one studied do not apply (Anki's default).

Each deck's cards are counted by range searches on the (deck_id, queue, due) index, stopped at the room
the deck's limit leaves (LIMIT), so no card row is loaded and the cost follows the number of decks and
their limits, not the collection's size. The queries are plain SQL text (`SQL`) that SQLite and
PostgreSQL both read, run through `store.sql_text` on an SQLAlchemy `Connection`/`Session` or on a
standard-library `sqlite3` connection (the study commands' path, `store/direct/`, which starts without
SQLAlchemy): one implementation for every caller. The module imports neither SQLAlchemy nor the ORM.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from flashapp.store.queue_codes import QUEUE_LEARNING, QUEUE_NEW, QUEUE_REVIEW
from flashapp.store.sql_text import Runner, read_json, read_time, runner_for

__all__ = [
    "DEFAULT_LEARN_AHEAD",
    "DeckCounts",
    "DeckLimits",
    "SQL",
    "deck_counts",
    "deck_limits",
    "studied_today",
    "totals",
]

DEFAULT_LEARN_AHEAD = timedelta(minutes=20)  # Anki's default learn-ahead limit (`collapseTime`)
SEPARATOR = "::"
# SchedulerOptions' defaults for the options counting reads.
DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200

# Every statement the counts run (portable SQL text; `:name` parameters).
SQL = {
    "decks": "SELECT id, name, options FROM decks",
    "studied": (
        "SELECT cards.deck_id, reviews.state_before, count(DISTINCT reviews.card_id), count(*) "
        "FROM reviews JOIN cards ON cards.id = reviews.card_id "
        "WHERE reviews.reviewed_at >= :since AND reviews.state_before IN ('new', 'review') "
        "GROUP BY cards.deck_id, reviews.state_before"
    ),
    "learning_answers": (
        "SELECT cards.deck_id, reviews.previous "
        "FROM reviews JOIN cards ON cards.id = reviews.card_id "
        "WHERE reviews.reviewed_at >= :since AND reviews.state_before IN ('learning', 'relearning')"
    ),
    # One deck's cards of a queue, each search a range on ix_cards_deck_queue_due, capped by LIMIT.
    "learning": (
        f"SELECT due FROM cards WHERE deck_id = :deck_id AND queue = {QUEUE_LEARNING} AND due < :before"
    ),
    "review": (
        f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id = :deck_id AND queue = {QUEUE_REVIEW} "
        "AND due < :before LIMIT :cap) AS capped"
    ),
    "new": (
        f"SELECT count(*) FROM (SELECT 1 FROM cards WHERE deck_id = :deck_id AND queue = {QUEUE_NEW} "
        "LIMIT :cap) AS capped"
    ),
    "total": "SELECT deck_id, count(*) FROM cards GROUP BY deck_id",
}


class Calendar(Protocol):
    tz: tzinfo
    rollover_hour: int

    def day_start(self, now: datetime) -> datetime: ...
    def day_end(self, now: datetime) -> datetime: ...
    def day(self, instant: datetime) -> date: ...
    def start(self, day: date) -> datetime: ...


def is_interday(due: datetime, calendar: Calendar) -> bool:
    """Whether a learning card's due time is a study day (a step of a day or more: stored as the
    instant its study day begins) rather than an instant within a day."""
    if due.microsecond or due.second:  # a study day begins on a whole minute: most steps end elsewhere
        return False
    local = due.astimezone(calendar.tz)
    # At the rollover hour, local time, or just after it when the clocks jumped over it.
    if local.minute or (local.hour - calendar.rollover_hour) % 24 > 1:
        return False
    return calendar.start(calendar.day(due)) == due


def learning_fetch_end(now: datetime, calendar: Calendar, learn_ahead: timedelta) -> datetime:
    """Learning cards due before this instant may count now: those of today, and intraday ones due
    within the learn-ahead limit when it reaches past the day's end."""
    return max(calendar.day_end(now), now + learn_ahead + timedelta(microseconds=1))


@dataclass(frozen=True)
class DeckCounts:
    name: str
    new: int
    learning: int
    due: int  # review cards due today
    total: int = 0  # every card of the deck and its subdecks
    interday: int = 0  # of `learning`, the interday learning cards (held under the review limit)

    @property
    def review(self) -> int:
        return self.due

    @property
    def depth(self) -> int:
        return self.name.count(SEPARATOR)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(SEPARATOR, 1)[-1]

    def to_json(self) -> dict:
        return {"deck": self.name, "new": self.new, "learning": self.learning, "due": self.due,
                "total": self.total}  # fmt: skip


@dataclass(frozen=True)
class DeckLimits:
    """A deck's daily limits (from its options) and what its subtree did today."""

    id: int
    name: str
    new_per_day: int
    reviews_per_day: int
    new_ignores_review_limit: bool
    new_done: int = 0  # new cards introduced today in the deck and its subdecks
    reviews_done: int = 0  # review answers given today in the deck and its subdecks

    @property
    def review_room(self) -> int:
        room = self.reviews_per_day - self.reviews_done
        if not self.new_ignores_review_limit:
            room -= self.new_done
        return max(0, room)

    @property
    def new_room(self) -> int:
        room = max(0, self.new_per_day - self.new_done)
        return room if self.new_ignores_review_limit else min(room, self.review_room)


def parents(name: str) -> list[str]:
    """ "A::B::C" -> ["A", "A::B"]."""
    parts = name.split(SEPARATOR)
    return [SEPARATOR.join(parts[:i]) for i in range(1, len(parts))]


def in_subtree(name: str, deck: str | None) -> bool:
    return deck is None or name == deck or name.startswith(deck + SEPARATOR)


def _whole(options: Mapping[str, Any], key: str, default: int) -> int:
    value = options.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def studied_today(
    connection: Any, day_start: datetime, calendar: Calendar | None = None
) -> tuple[dict[int, int], dict[int, int]]:
    """(new cards introduced, review answers given) since `day_start`, per deck id. With `calendar`,
    answers to interday learning cards count as review answers too (as in Anki). `connection`: an
    SQLAlchemy `Connection`/`Session`, a `sqlite3` connection or a `sql_text` runner."""
    runner = runner_for(connection)
    since = {"since": runner.time(day_start)}
    new: dict[int, int] = defaultdict(int)
    reviews: dict[int, int] = defaultdict(int)
    for deck_id, state_before, distinct_cards, answers in runner.rows(SQL["studied"], since):
        if state_before == "new":
            new[deck_id] += distinct_cards
        else:
            reviews[deck_id] += answers
    if calendar is not None:
        for deck_id, previous in runner.rows(SQL["learning_answers"], since):
            due = _previous_due(read_json(previous))
            if due is not None and is_interday(due, calendar):
                reviews[deck_id] += 1
    return new, reviews


def _previous_due(previous: Any) -> datetime | None:
    """The due time a review log row's undo snapshot holds (None for imported rows, which have none)."""
    card = previous.get("card") if isinstance(previous, dict) else None
    due = card.get("due") if isinstance(card, dict) else None
    if not isinstance(due, str):
        return None
    try:
        value = datetime.fromisoformat(due)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def deck_limits(connection: Any, now: datetime, calendar: Calendar) -> dict[str, DeckLimits]:
    """Every deck's limits and what its subtree did today, by deck name."""
    runner = runner_for(connection)
    decks = runner.rows(SQL["decks"])
    names = {deck_id: name for deck_id, name, _ in decks}
    new, reviews = studied_today(runner, calendar.day_start(now), calendar)
    new_done: dict[str, int] = defaultdict(int)
    reviews_done: dict[str, int] = defaultdict(int)
    for done, into in ((new, new_done), (reviews, reviews_done)):
        for deck_id, count in done.items():
            name = names.get(deck_id)
            if name is not None:
                for target in [*parents(name), name]:
                    into[target] += count
    out = {}
    for deck_id, name, options in decks:
        options = read_json(options)
        options = options if isinstance(options, dict) else {}
        out[name] = DeckLimits(
            id=deck_id,
            name=name,
            new_per_day=_whole(options, "new_per_day", DEFAULT_NEW_PER_DAY),
            reviews_per_day=_whole(options, "reviews_per_day", DEFAULT_REVIEWS_PER_DAY),
            new_ignores_review_limit=options.get("new_cards_ignore_review_limit") is True,
            new_done=new_done[name],
            reviews_done=reviews_done[name],
        )
    return out


def deck_counts(
    connection: Any,
    now: datetime,
    calendar: Calendar,
    *,
    deck: str | None = None,
    learn_ahead: timedelta = DEFAULT_LEARN_AHEAD,
    with_totals: bool = True,
    limits: Mapping[str, DeckLimits] | None = None,
) -> list[DeckCounts]:
    """Cards available today by deck (subdecks included, daily limits applied), in tree order; with
    `deck`, that deck and its subdecks only. `with_totals=False` leaves `total` at 0 (saves a scan).
    `connection`: an SQLAlchemy `Connection`/`Session`, a `sqlite3` connection or a `sql_text` runner;
    `limits`: `deck_limits(connection, now, calendar)` when the caller has read it already."""
    runner: Runner = runner_for(connection)
    if limits is None:
        limits = deck_limits(runner, now, calendar)
    limits = {name: limit for name, limit in limits.items() if in_subtree(name, deck)}
    if deck is not None and deck not in limits:
        return []
    today_end = calendar.day_end(now)
    day_end = runner.time(today_end)
    children: dict[str, list[str]] = defaultdict(list)
    for name in limits:
        if SEPARATOR in name and parents(name)[-1] in limits:
            children[parents(name)[-1]].append(name)

    rows = runner.rows
    # Intraday learning cards count when due within the learn-ahead limit, even past the rollover
    # (Anki's deck tree does: a step ending just after 4 am is shown at 3:50 with a 20-minute limit);
    # interday ones when due on a study day up to today.
    learn_cutoff = now + learn_ahead
    learning_before = runner.time(learning_fetch_end(now, calendar, learn_ahead))
    capped: dict[str, DeckCounts] = {}
    for name in sorted(limits, key=lambda n: -n.count(SEPARATOR)):  # deepest first
        limit = limits[name]
        below = [capped[child] for child in children[name]]
        # Learning cards are few: their due times alone are read, to tell interday from intraday.
        dues = [
            read_time(d) for (d,) in rows(SQL["learning"], {"deck_id": limit.id, "before": learning_before})
        ]
        interday_dues = [is_interday(due, calendar) for due in dues]
        own_interday = sum(day and due < today_end for due, day in zip(dues, interday_dues, strict=True))
        intraday = sum(due <= learn_cutoff and not day for due, day in zip(dues, interday_dues, strict=True))
        # Interday learning first, then reviews, both under the review limit (Anki v3's order).
        review_room = limit.review_room
        interday = min(review_room, own_interday + sum(c.interday for c in below))
        room = review_room - interday
        own_review = (
            rows(SQL["review"], {"deck_id": limit.id, "before": day_end, "cap": room})[0][0]
            if room > 0
            else 0
        )
        review = min(room, own_review + sum(c.due for c in below))
        new_room = limit.new_room
        if not limit.new_ignores_review_limit:
            new_room = min(new_room, room - review)
        own_new = rows(SQL["new"], {"deck_id": limit.id, "cap": new_room})[0][0] if new_room > 0 else 0
        new = min(new_room, own_new + sum(c.new for c in below))
        intraday += sum(c.learning - c.interday for c in below)
        capped[name] = DeckCounts(name, new=new, learning=intraday + interday, due=review, interday=interday)

    total: dict[str, int] = defaultdict(int)
    if with_totals:
        by_id = {limit.id: name for name, limit in limits.items()}
        for deck_id, count in rows(SQL["total"]):
            name = by_id.get(deck_id)
            if name is not None:
                for target in [*parents(name), name]:
                    total[target] += count
    ordered = sorted(limits, key=lambda n: [part.casefold() for part in n.split(SEPARATOR)])
    return [replace(capped[name], total=total[name]) for name in ordered]


def totals(rows: Iterable[DeckCounts], deck: str | None = None) -> DeckCounts:
    """The counts of `deck` (None: every top-level deck summed, which is what "all decks" studies)."""
    rows = list(rows)
    if deck is not None:
        for row in rows:
            if row.name == deck:
                return row
        return DeckCounts(deck, 0, 0, 0, 0)
    tops = [row for row in rows if SEPARATOR not in row.name]
    return DeckCounts(
        "",
        new=sum(r.new for r in tops),
        learning=sum(r.learning for r in tops),
        due=sum(r.due for r in tops),
        interday=sum(r.interday for r in tops),
        total=sum(r.total for r in tops),
    )
