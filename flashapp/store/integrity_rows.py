"""Row-level invariants the code relies on, read from the raw columns (SQLite keeps whatever type a
row was given, so a text ease or a due that is not a date must be caught before the ORM reads it),
and the repairs `check --repair` makes for each."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from flashapp.core.scheduling.types import MAX_INTERVAL_LIMIT_DAYS, MIN_EASE, SchedulerOptions

STATES = ("new", "learning", "review", "relearning")
MAX_EASE = 10.0


@dataclass(frozen=True)
class Finding:
    """One broken row: what is wrong, and how it is mended, if it can be: the SQL (with its
    parameters) and what it did, or `mend(session, now)`, which mends it and says what it did."""

    problem: str
    repair: str | None = None
    params: dict | None = None
    repaired: str = ""
    mend: Callable[[Session, datetime], str] | None = None


def _is_date(value: object) -> bool:
    if isinstance(value, datetime):
        return True
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _json(value: object) -> tuple[bool, object]:
    if value is None or isinstance(value, dict | list):
        return True, value
    try:
        return True, json.loads(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False, None


def deck_findings(session: Session) -> Iterator[Finding]:
    for deck_id, name, options in session.execute(text("SELECT id, name, options FROM decks")):
        ok, parsed = _json(options)
        if not ok:
            yield Finding(
                f"deck {name!r}: options are not valid JSON",
                "UPDATE decks SET options = :o WHERE id = :i",
                {"o": "{}", "i": deck_id},
                "options reset to the defaults",
            )
            continue
        try:
            SchedulerOptions.from_dict(parsed or {})
        except (ValueError, TypeError) as error:
            yield Finding(
                f"deck {name!r}: invalid options: {error}",
                "UPDATE decks SET options = :o WHERE id = :i",
                {"o": "{}", "i": deck_id},
                "options reset to the defaults",
            )


def _steps_of(session: Session) -> dict[int, tuple[int, int]]:
    """Per deck: how many learning and relearning steps its options give."""
    counts = {}
    for deck_id, options in session.execute(text("SELECT id, options FROM decks")):
        try:
            parsed = SchedulerOptions.from_dict(_json(options)[1] or {})
        except (ValueError, TypeError):
            parsed = SchedulerOptions()
        counts[deck_id] = (len(parsed.learning_steps_minutes), len(parsed.relearning_steps_minutes))
    return counts


def card_findings(session: Session) -> Iterator[Finding]:
    steps = _steps_of(session)
    reset = (
        "UPDATE cards SET state = 'new', due = NULL, interval_days = 0, ease = 2.5, step = 0, "
        "stability = NULL, difficulty = NULL, queue = 0 WHERE id = :i"
    )
    rows = session.execute(
        text(
            "SELECT id, deck_id, state, due, interval_days, ease, reps, lapses, step, last_review FROM cards"
        )
    )
    for card_id, deck_id, state, due, interval, ease, reps, lapses, step, last_review in rows:
        where = f"card {card_id}"
        if state not in STATES:
            yield Finding(f"{where}: unknown state {state!r}", reset, {"i": card_id}, "reset to new")
            continue
        if due is not None and not _is_date(due):
            yield Finding(f"{where}: due {due!r} is not a date", reset, {"i": card_id}, "reset to new")
            continue
        if last_review is not None and not _is_date(last_review):
            yield Finding(
                f"{where}: last review {last_review!r} is not a date",
                "UPDATE cards SET last_review = NULL WHERE id = :i",
                {"i": card_id},
                "cleared",
            )
        if state != "new" and due is None:
            yield Finding(f"{where}: {state} card has no due date", reset, {"i": card_id}, "reset to new")
            continue
        if not _is_number(ease) or not MIN_EASE <= ease <= MAX_EASE:
            yield Finding(
                f"{where}: ease {ease!r} is not a number from {MIN_EASE} to {MAX_EASE:g}",
                "UPDATE cards SET ease = 2.5 WHERE id = :i",
                {"i": card_id},
                "ease set to 2.5",
            )
        if not isinstance(interval, int) or not 0 <= interval <= MAX_INTERVAL_LIMIT_DAYS:
            yield Finding(
                f"{where}: interval {interval!r} is not 0 to {MAX_INTERVAL_LIMIT_DAYS} days",
                reset,
                {"i": card_id},
                "reset to new",
            )
            continue
        for name, value in (("reps", reps), ("lapses", lapses)):
            if not isinstance(value, int) or value < 0:
                yield Finding(
                    f"{where}: {name} {value!r} is not a count",
                    f"UPDATE cards SET {name} = 0 WHERE id = :i",
                    {"i": card_id},
                    f"{name} set to 0",
                )
        learning, relearning = steps.get(deck_id, (2, 1))
        limit = {"learning": learning, "relearning": relearning}.get(state, 1)
        if not isinstance(step, int) or not 0 <= step < max(limit, 1):
            yield Finding(
                f"{where}: step {step!r} is out of range for a {state} card",
                "UPDATE cards SET step = 0 WHERE id = :i",
                {"i": card_id},
                "step set to 0",
            )


# Anki's manual entries (rescheduled, set due) come in with rating 0 and no undo record; an answer given
# here has one of the four buttons.
MANUAL_RATING = 0
RATING_NAMES = {0: "a manual entry", 1: "again", 2: "hard", 3: "good", 4: "easy"}


def _rating_repair(rating: object, answered_here: bool) -> int:
    """The valid rating nearest to a broken one (Anki's Check Database likewise puts its review log's
    out-of-range values back in range and keeps the row); good (3) when it is not a number."""
    low = 1 if answered_here else MANUAL_RATING
    try:
        number = float(rating)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    return min(max(round(number), low), 4) if math.isfinite(number) else 3


class _Logged(NamedTuple):
    """What `check` needs of one review row (the undo record's card state and reps, not the record)."""

    id: int
    rating: object
    before: object
    after: object
    answered_here: bool  # its undo record holds the card: one of the four buttons was pressed here
    state_then: object  # the card's state in the undo record
    reps_then: object  # the card's reps in the undo record
    interval_before: object
    interval_after: object


def _state_repair(reviews: list[_Logged], index: int, card_state: object) -> tuple[str, str]:
    """A review's states before and after, mended from what else records them: the card's state in
    the undo record, the neighbouring reviews of the card, the card's present state after its newest
    review; failing those, its intervals (a review card has one)."""
    review = reviews[index]
    before, after = review.before, review.after
    if before not in STATES:
        candidates = [review.state_then, reviews[index - 1].after if index > 0 else None]
        fallback = (
            "review" if isinstance(review.interval_before, int) and review.interval_before > 0 else "new"
        )
        before = next((state for state in candidates if state in STATES), fallback)
    if after not in STATES:
        candidate = reviews[index + 1].before if index + 1 < len(reviews) else card_state
        fallback = (
            "review" if isinstance(review.interval_after, int) and review.interval_after > 0 else "learning"
        )
        after = candidate if candidate in STATES else fallback
    return str(before), str(after)


def review_findings(session: Session) -> Iterator[Finding]:
    """Enums and JSON of the log, and the log against the cards: each answer given here records the
    card's reps before it, so consecutive answers must count up by one and the card must hold the
    newest count plus one (a lost update breaks both). The log is read one card at a time."""
    cards = {
        card_id: (reps, state)
        for card_id, reps, state in session.execute(text("SELECT id, reps, state FROM cards"))
    }
    rows = session.execute(
        text(
            "SELECT card_id, id, rating, state_before, state_after, previous, interval_before_days, "
            "interval_after_days FROM reviews ORDER BY card_id, id"
        )
    )
    for card_id, group in groupby(rows, key=lambda row: row[0]):
        reviews: list[_Logged] = []
        for _, review_id, rating, before, after, previous, interval_before, interval_after in group:
            ok, parsed = _json(previous)
            if not ok:
                yield Finding(
                    f"review {review_id}: its undo record is not valid JSON",
                    "UPDATE reviews SET previous = :p WHERE id = :i",
                    {"p": "{}", "i": review_id},
                    "undo record cleared (that answer can no longer be undone)",
                )
            card = parsed.get("card") if isinstance(parsed, dict) else None
            snapshot = card if isinstance(card, dict) else {}
            reviews.append(
                _Logged(
                    review_id,
                    rating,
                    before,
                    after,
                    isinstance(card, dict),
                    snapshot.get("state"),
                    snapshot.get("reps"),
                    interval_before,
                    interval_after,
                )  # fmt: skip
            )
        reps_now, card_state = cards.get(card_id, (None, None))  # no card: `check` reports those rows
        yield from _log_findings(reviews, card_state)
        if card_id in cards:
            yield from _reps_findings(card_id, reps_now, card_state, reviews)


def _log_findings(reviews: list[_Logged], card_state: object) -> Iterator[Finding]:
    for index, review in enumerate(reviews):
        where, rating = f"review {review.id}", review.rating
        valid = (1, 2, 3, 4) if review.answered_here else (MANUAL_RATING, 1, 2, 3, 4)
        if isinstance(rating, bool) or rating not in valid:
            mended = _rating_repair(rating, review.answered_here)
            yield Finding(
                f"{where}: rating {rating!r} is not {valid[0]}-4",
                "UPDATE reviews SET rating = :r WHERE id = :i",
                {"r": mended, "i": review.id},
                f"set to {mended} ({RATING_NAMES[mended]}), the nearest valid rating",
            )
        if review.before not in STATES or review.after not in STATES:
            new_before, new_after = _state_repair(reviews, index, card_state)
            yield Finding(
                f"{where}: state {review.before!r} -> {review.after!r} is not a card state",
                "UPDATE reviews SET state_before = :b, state_after = :a WHERE id = :i",
                {"b": new_before, "a": new_after, "i": review.id},
                f"set to {new_before} -> {new_after}, from its undo record and the card's other reviews",
            )


def _reps_findings(
    card_id: int, reps_now: object, state: object, reviews: list[_Logged]
) -> Iterator[Finding]:
    chain = [r.reps_then for r in reviews if isinstance(r.reps_then, int)]  # reps each answer found
    if not chain or not isinstance(reps_now, int):
        return
    since_reset = chain[max(i for i, reps in enumerate(chain) if reps == 0 or i == 0) :]
    broken = any(b != a + 1 for a, b in zip(since_reset, since_reset[1:], strict=False))
    if state != "new" and (broken or reps_now != since_reset[-1] + 1):
        counted = since_reset[0] + len(since_reset)
        yield Finding(
            f"card {card_id}: reps {reps_now} disagree with its review log ({counted} answers)",
            "UPDATE cards SET reps = :r WHERE id = :i",
            {"r": counted, "i": card_id},
            f"reps rebuilt from the log ({counted})",
        )


def note_findings(session: Session) -> Iterator[Finding]:
    from flashapp.store.repair_notes import childless_note_findings, note_field_findings

    yield from note_field_findings(session)
    yield from childless_note_findings(session)
    for note_id, params in session.execute(text("SELECT id, demo_params FROM notes")):
        if not _json(params)[0]:
            yield Finding(
                f"note {note_id}: demo parameters are not valid JSON",
                "UPDATE notes SET demo_params = NULL WHERE id = :i",
                {"i": note_id},
                "demo parameters cleared",
            )


def media_findings(session: Session, media_dir: Path | None) -> Iterator[Finding]:
    if media_dir is None:
        return
    for name, size in session.execute(text("SELECT name, size FROM media")):
        path = media_dir / name
        if not path.is_file():
            # The row goes, so that importing the package again brings the file back (a recorded
            # file counts as already there); the cards that show it name it as missing meanwhile.
            yield Finding(
                f"media {name!r}: recorded but missing from {media_dir}",
                "DELETE FROM media WHERE name = :n",
                {"n": name},
                "record removed (import its package again to bring the file back)",
            )
        elif path.stat().st_size != size:
            yield Finding(f"media {name!r}: {path.stat().st_size} bytes on disk, {size} recorded")


def sibling_findings(session: Session) -> Iterator[Finding]:
    """Every card has its note, and lives in a deck that exists. As Anki's Check Database: a card
    without its note is deleted (nothing can show it); one without its deck goes to its note's."""
    no_deck = text(
        "SELECT c.id, nd.id FROM cards c LEFT JOIN decks d ON d.id = c.deck_id "
        "JOIN notes n ON n.id = c.note_id LEFT JOIN decks nd ON nd.id = n.deck_id WHERE d.id IS NULL"
    )
    for card_id, note_deck in session.execute(no_deck):
        problem = f"card {card_id}: its note or deck is missing"
        if note_deck is None:
            yield Finding(problem)
        else:
            yield Finding(
                problem,
                "UPDATE cards SET deck_id = :d WHERE id = :i",
                {"d": note_deck, "i": card_id},
                f"moved to its note's deck ({note_deck})",
            )
    no_note = text("SELECT c.id FROM cards c LEFT JOIN notes n ON n.id = c.note_id WHERE n.id IS NULL")
    for (card_id,) in session.execute(no_note):
        yield Finding(
            f"card {card_id}: its note or deck is missing",
            "DELETE FROM cards WHERE id = :i",  # its review log and marks go by ON DELETE CASCADE
            {"i": card_id},
            "deleted with its review log (no note to show it)",
        )


def row_findings(session: Session, media_dir: Path | None = None) -> list[Finding]:
    return [
        *deck_findings(session),
        *card_findings(session),
        *review_findings(session),
        *note_findings(session),
        *media_findings(session, media_dir),
        *sibling_findings(session),
    ]
