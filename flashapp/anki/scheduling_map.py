"""Anki's scheduling columns <-> flashapp's card state, review log and deck options.

Anki keeps, per card: `type` (0 new, 1 learning, 2 review, 3 relearning), `queue` (0 new, 1 learning due
to the second, 2 review, 3 learning due by day, 4 preview, -1 suspended, -2/-3 buried), `due` (new: a
position; learning in queue 1: epoch seconds; review and queue 3: days since the collection's `crt`),
`ivl` (days), `factor` (ease in permille), `left` (learning steps still to go, in its last three
digits), `odid`/`odue` (home deck and due while in a filtered deck), `flags` (low 3 bits: colour) and
`data` (JSON: FSRS memory state `s` stability and `d` difficulty, `lrt` last review, epoch seconds).

The import maps whole tables in SQL (see `card_columns_sql`); `import_card` below is the same mapping
in Python, the readable reference a test holds the SQL to. Buried cards stay buried until the next
study day (as in Anki, where a burial lasts until the day rolls over); an Anki v1-scheduler
relearning card (type 2 "review" in queue 1 or 3, due in seconds or days) is relearning, as Anki's
own upgrade to v2 makes it; a card in a filtered deck comes home. Every value is clamped to what
`CardState` accepts, whatever the package says.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flashapp.anki.collection_reader import AnkiDeckConfig
from flashapp.anki.epoch_sql import MAX_EPOCH, sql_time  # the clamp and SQL shared with notes_sql
from flashapp.core.scheduling import MIN_EASE, SchedulerOptions

SECONDS_PER_DAY = 86400
# Learning due dates above this are epoch seconds, below it day numbers (Anki's own test).
EPOCH_THRESHOLD = 1_000_000_000
MAX_EASE = 10.0
MAX_INTERVAL_DAYS = 36500
MAX_COUNT = 1_000_000
MAX_NEW_POSITION = 1_000_000_000
MAX_DIFFICULTY = 10.0
MAX_STABILITY = 1e6  # days
MIN_DIFFICULTY = 1.0
MAX_FLAG = 4  # flashapp shows Anki's first four flag colours
NEW, LEARNING, REVIEW, RELEARNING = "new", "learning", "review", "relearning"


@dataclass(frozen=True)
class AnkiCardRow:
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    odue: int
    odid: int
    flags: int
    data: str
    mod: int


@dataclass(frozen=True)
class DeckScheduling:
    """What mapping a card needs from its deck's options."""

    learning_steps: int = 2
    relearning_steps: int = 1
    starting_ease: float = 2.5
    fsrs: bool = False


@dataclass(frozen=True)
class ImportedCard:
    """A card's scheduling columns as flashapp stores them; times as epoch seconds (None: not set)."""

    state: str
    due: int | None  # None for new cards (stored as the import time)
    interval_days: int
    ease: float
    reps: int
    lapses: int
    step: int
    stability: float | None
    difficulty: float | None
    last_review: int | None
    suspended: bool
    queue: int
    flag: int
    modified: int
    buried: bool = False  # until the next study day


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: SQLite's JSON refuses them too


def _memory_state(data: str) -> tuple[float | None, float | None, int | None]:
    try:
        parsed = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, TypeError):
        return None, None, None
    if not isinstance(parsed, dict):
        return None, None, None

    def number(key: str) -> float | None:
        value = parsed.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        return float(value)

    stability, difficulty, last = number("s"), number("d"), number("lrt")
    stability = stability if stability is not None and 0 < stability < MAX_STABILITY else None
    if difficulty is not None:
        difficulty = min(max(difficulty, MIN_DIFFICULTY), MAX_DIFFICULTY) if difficulty > 0 else None
    last_review = int(last) if last is not None and 0 < last <= MAX_EPOCH and last == int(last) else None
    return stability, difficulty, last_review


def import_card(card: AnkiCardRow, *, crt: int, deck: DeckScheduling, reset: bool = False) -> ImportedCard:
    """The reference mapping (the importer runs `card_columns_sql`, which must agree with it)."""
    modified = _clamp(card.mod, 0, MAX_EPOCH)
    kind = card.type if card.type in (1, 2, 3) else 0
    if kind == 2 and card.queue in (1, 3):  # the v1 scheduler kept relearning cards as type 2
        kind = 3
    # Suspension, burial and flags are the user's marks, not scheduling: kept unless importing with reset.
    suspended = not reset and card.queue == -1
    buried = not reset and card.queue in (-2, -3)
    flag = 0 if reset or card.flags & 7 > MAX_FLAG else card.flags & 7
    if reset or kind == 0:
        queue = -1 if suspended else -2 if buried else 0
        return ImportedCard(
            NEW,
            None,
            0,
            deck.starting_ease,
            0,
            0,
            0,
            None,
            None,
            None,
            suspended,
            queue,
            flag,
            modified,
            buried,
        )
    home_due = card.odue if card.odid != 0 and card.odue != 0 else card.due
    intraday = kind in (1, 3) and home_due > EPOCH_THRESHOLD
    due = _clamp(home_due if intraday else crt + home_due * SECONDS_PER_DAY, 0, MAX_EPOCH)
    state = {1: LEARNING, 2: REVIEW, 3: RELEARNING}[kind]
    interval = _clamp(card.ivl, 0, MAX_INTERVAL_DAYS) if kind == 2 or (kind == 3 and not deck.fsrs) else 0
    ease = deck.starting_ease if card.factor <= 0 else min(max(card.factor / 1000, MIN_EASE), MAX_EASE)
    steps = deck.learning_steps if kind == 1 else deck.relearning_steps if kind == 3 else 0
    step = _clamp(steps - max(card.left, 0) % 1000, 0, max(steps - 1, 0)) if steps else 0
    stability, difficulty, last_review = _memory_state(card.data)
    if last_review is None and kind == 2:
        last_review = _clamp(due - interval * SECONDS_PER_DAY, 0, MAX_EPOCH)
    queue = -1 if suspended else -2 if buried else 2 if kind == 2 else 1
    return ImportedCard(
        state=state,
        due=due,
        interval_days=interval,
        ease=ease,
        reps=_clamp(card.reps, 0, MAX_COUNT),
        lapses=_clamp(card.lapses, 0, MAX_COUNT),
        step=step,
        stability=stability,
        difficulty=difficulty,
        last_review=last_review,
        suspended=suspended,
        queue=queue,
        flag=flag,
        modified=modified,
        buried=buried,
    )


def card_columns_sql(card: str = "c", deck: str = "d", *, derived: bool = False) -> dict[str, str]:
    """SQL for each flashapp card column, from an Anki cards row `card` and a deck row `deck` with
    columns learning_steps, relearning_steps, starting_ease, fsrs. Parameters: :crt, :now_text
    (the import time, stored as a new card's due), :reset (1 imports every card as new),
    :buried_text (when a buried card's burial ends: the next study day). `derived`: `card` has the
    columns of `derived_columns_sql` too, and the columns read them instead of working them out again
    (a scheduled card's columns use its kind some thirty times)."""
    kind, home = (f"{card}.fa_kind", f"{card}.fa_home") if derived else _kind_and_home(card)
    due = (
        f"max(0, min({MAX_EPOCH}, CASE WHEN {kind} IN (1, 3) AND {home} > {EPOCH_THRESHOLD} THEN {home} "
        f"ELSE :crt + {home} * {SECONDS_PER_DAY} END))"
    )
    interval = (
        f"(CASE WHEN {kind} = 2 OR ({kind} = 3 AND NOT {deck}.fsrs) "
        f"THEN max(0, min({card}.ivl, {MAX_INTERVAL_DAYS})) ELSE 0 END)"
    )
    steps = f"(CASE {kind} WHEN 1 THEN {deck}.learning_steps WHEN 3 THEN {deck}.relearning_steps ELSE 0 END)"

    def number(key: str) -> str:
        # Parsing JSON is the costly part: only when the key is there at all (most cards: "{}").
        value = f"json_extract({card}.data, '$.{key}')"
        present = f"instr({card}.data, '\"{key}\"') AND json_valid({card}.data)"
        return f"(CASE WHEN {present} AND typeof({value}) IN ('integer', 'real') THEN {value} END)"

    stability = f"(CASE WHEN {number('s')} > 0 AND {number('s')} < {MAX_STABILITY} THEN {number('s')} END)"
    difficulty = (
        f"(CASE WHEN {number('d')} > 0 THEN max({MIN_DIFFICULTY}, min({MAX_DIFFICULTY}, {number('d')})) END)"
    )
    lrt = number("lrt")
    last_review = (
        f"(CASE WHEN {lrt} > 0 AND {lrt} <= {MAX_EPOCH} AND {lrt} = CAST({lrt} AS INTEGER) "
        f"THEN CAST({lrt} AS INTEGER) WHEN {kind} = 2 THEN max(0, min({MAX_EPOCH}, {due} - {interval} * "
        f"{SECONDS_PER_DAY})) END)"
    )
    suspended = f"(NOT :reset AND {card}.queue = -1)"
    buried = f"(NOT :reset AND {card}.queue IN (-2, -3))"
    flag = (
        f"(CASE WHEN :reset THEN 0 WHEN ({card}.flags & 7) <= {MAX_FLAG} THEN ({card}.flags & 7) ELSE 0 END)"
    )
    new = f"{kind} = 0"
    left = f"(max({card}.left, 0) % 1000)"
    return {
        "state": f"(CASE {kind} WHEN 1 THEN '{LEARNING}' WHEN 2 THEN '{REVIEW}' WHEN 3 THEN '{RELEARNING}' "
        f"ELSE '{NEW}' END)",
        "due": f"(CASE WHEN {new} THEN :now_text ELSE {sql_time(due)} END)",
        "interval_days": interval,
        "ease": f"(CASE WHEN {new} OR {card}.factor <= 0 THEN {deck}.starting_ease "
        f"ELSE max({MIN_EASE}, min({MAX_EASE}, {card}.factor / 1000.0)) END)",
        "reps": f"(CASE WHEN {new} THEN 0 ELSE max(0, min({card}.reps, {MAX_COUNT})) END)",
        "lapses": f"(CASE WHEN {new} THEN 0 ELSE max(0, min({card}.lapses, {MAX_COUNT})) END)",
        "step": f"(CASE WHEN {steps} > 0 THEN max(0, min({steps} - 1, {steps} - {left})) ELSE 0 END)",
        "stability": f"(CASE WHEN {new} THEN NULL ELSE {stability} END)",
        "difficulty": f"(CASE WHEN {new} THEN NULL ELSE {difficulty} END)",
        "last_review": f"(CASE WHEN {new} THEN NULL ELSE {sql_time(last_review)} END)",
        "suspended": suspended,
        "queue": f"(CASE WHEN {suspended} THEN -1 WHEN {buried} THEN -2 WHEN {new} THEN 0 "
        f"WHEN {kind} = 2 THEN 2 ELSE 1 END)",
        "flag": flag,
        "modified_at": sql_time(f"max(0, min({MAX_EPOCH}, {card}.mod))"),
        "buried_until": f"(CASE WHEN {buried} THEN :buried_text END)",
    }


def derived_columns_sql(card: str = "c") -> str:
    """The columns `card_columns_sql(..., derived=True)` reads, worked out once from the cards row
    `card`: for a subquery that adds them to its row (`SELECT c.*, {derived_columns_sql()} ...`)."""
    kind, home = _kind_and_home(card)
    return f"{kind} AS fa_kind, {home} AS fa_home"


def _kind_and_home(card: str) -> tuple[str, str]:
    """The card's kind (0 new, 1 learning, 2 review, 3 relearning) and its due in its home deck."""
    kind = (
        f"(CASE WHEN :reset THEN 0 WHEN {card}.type = 2 AND {card}.queue IN (1, 3) THEN 3 "
        f"WHEN {card}.type IN (1, 2, 3) THEN {card}.type ELSE 0 END)"
    )
    home = f"(CASE WHEN {card}.odid != 0 AND {card}.odue != 0 THEN {card}.odue ELSE {card}.due END)"
    return kind, home


def is_new_sql(card: str = "c") -> str:
    """SQL true for the cards that come in as new: Anki's new cards, or every card with :reset."""
    return f"(:reset OR {card}.type NOT IN (1, 2, 3))"


def new_card_columns_sql(card: str = "c", deck: str = "d") -> dict[str, str]:
    """`card_columns_sql` for the cards `is_new_sql` selects, where most columns are constants (the
    bulk of a shared deck: cheaper per row)."""
    full = card_columns_sql(card, deck)
    return {
        "state": f"'{NEW}'",
        "due": ":now_text",
        "interval_days": "0",
        "ease": f"{deck}.starting_ease",
        "reps": "0",
        "lapses": "0",
        "step": "0",
        "stability": "NULL",
        "difficulty": "NULL",
        "last_review": "NULL",
        "suspended": full["suspended"],
        "queue": f"(CASE WHEN {full['suspended']} THEN -1 WHEN NOT :reset AND {card}.queue IN (-2, -3) "
        "THEN -2 ELSE 0 END)",
        "flag": full["flag"],
        "modified_at": full["modified_at"],
        "buried_until": full["buried_until"],
    }


def new_position_sql(card: str = "c") -> str:
    """A new card's place in the new queue, after :position: Anki's own new-card position (no sort
    needed); cards that were not new in Anki (imported with :reset) come after all of those."""
    home = f"(CASE WHEN {card}.odid != 0 AND {card}.odue != 0 THEN {card}.odue ELSE {card}.due END)"
    return (
        f"(:position + CASE WHEN {card}.type NOT IN (1, 2, 3) THEN max(0, min({home}, {MAX_NEW_POSITION})) "
        f"ELSE {MAX_NEW_POSITION} + 1 END)"
    )


# --- review log ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedReview:
    reviewed_at_ms: int
    rating: int
    state_before: str
    state_after: str
    interval_before_days: int
    interval_after_days: int
    ease_after: float
    duration_ms: int


# Anki's review-log kinds: 0 learning, 1 review, 2 relearning, 3 filtered (cram), 4 manual (Forget,
# "set due date" in older versions), 5 rescheduled. Kinds 0-3 with a button 1-4 are answers; kinds 4-5,
# and any row with button 0, are manual entries, kept with rating 0 (MANUAL_RATING), as Anki keeps
# them: they are not answers (no button was pressed), and readers that count answers skip them.
MANUAL_RATING = 0
MANUAL_SQL = "({r}.ease = 0 OR {r}.type IN (4, 5))"
REVLOG_FILTER_SQL = (
    "{r}.ease BETWEEN 0 AND 4 AND {r}.type IN (0, 1, 2, 3, 4, 5) AND {r}.id > 0 AND {r}.id <= {max_ms}"
)
MAX_DURATION_MS = 3_600_000


def import_review(
    id_ms: int, ease: int, ivl: int, last_ivl: int, factor: int, time_ms: int, kind: int
) -> ImportedReview | None:
    """A revlog row as a review (rating 0 for a manual entry); None for rows of no known kind."""
    if not (0 <= ease <= 4 and kind in (0, 1, 2, 3, 4, 5) and 0 < id_ms <= MAX_EPOCH * 1000):
        return None
    manual = ease == 0 or kind in (4, 5)
    if manual:
        before = REVIEW if last_ivl != 0 else NEW
        after = REVIEW if ivl > 0 else NEW
    elif kind == 0:
        before = NEW if last_ivl == 0 else LEARNING
        after = REVIEW if ivl > 0 else LEARNING
    else:
        before = {1: REVIEW, 2: RELEARNING, 3: REVIEW}[kind]
        after = REVIEW if ivl > 0 else RELEARNING if kind in (1, 2) else LEARNING
    return ImportedReview(
        reviewed_at_ms=id_ms,
        rating=MANUAL_RATING if manual else ease,
        state_before=before,
        state_after=after,
        interval_before_days=_clamp(last_ivl, 0, MAX_INTERVAL_DAYS),
        interval_after_days=_clamp(ivl, 0, MAX_INTERVAL_DAYS),
        ease_after=min(max(factor / 1000, MIN_EASE), MAX_EASE) if factor > 0 else 2.5,
        duration_ms=_clamp(time_ms, 0, MAX_DURATION_MS),
    )


def review_columns_sql(r: str = "r") -> dict[str, str]:
    manual = MANUAL_SQL.format(r=r)
    return {
        # milliseconds as six digits, zero-padded: 1000 + 7 -> "1007" -> "007" + "000"
        "reviewed_at": f"(datetime({r}.id / 1000, 'unixepoch') || '.' || substr(1000 + {r}.id % 1000, 2) "
        "|| '000')",
        "rating": f"(CASE WHEN {manual} THEN {MANUAL_RATING} ELSE {r}.ease END)",
        "state_before": f"(CASE WHEN {manual} THEN (CASE WHEN {r}.lastIvl != 0 THEN '{REVIEW}' "
        f"ELSE '{NEW}' END) "
        f"WHEN {r}.type = 0 THEN (CASE WHEN {r}.lastIvl = 0 THEN '{NEW}' "
        f"ELSE '{LEARNING}' END) WHEN {r}.type = 2 THEN '{RELEARNING}' ELSE '{REVIEW}' END)",
        "state_after": f"(CASE WHEN {r}.ivl > 0 THEN '{REVIEW}' WHEN {manual} THEN '{NEW}' "
        f"WHEN {r}.type IN (1, 2) THEN '{RELEARNING}' ELSE '{LEARNING}' END)",
        "interval_before_days": f"max(0, min({r}.lastIvl, {MAX_INTERVAL_DAYS}))",
        "interval_after_days": f"max(0, min({r}.ivl, {MAX_INTERVAL_DAYS}))",
        "ease_after": f"(CASE WHEN {r}.factor > 0 THEN max({MIN_EASE}, min({MAX_EASE}, {r}.factor / 1000.0)) "
        "ELSE 2.5 END)",
        "duration_ms": f"max(0, min({r}.time, {MAX_DURATION_MS}))",
    }


# --- deck options -----------------------------------------------------------------------------------


def options_from_anki(
    config: AnkiDeckConfig, *, fsrs: bool, rollover_hour: int, new_cards_ignore_review_limit: bool = False
) -> SchedulerOptions:
    """A deck's scheduler options from its Anki preset; values flashapp would refuse keep defaults.
    `new_cards_ignore_review_limit` is collection-wide in Anki (`newCardsIgnoreReviewLimit`)."""
    wanted: dict[str, Any] = {
        "algorithm": "fsrs" if fsrs else "sm2",
        "learning_steps_minutes": list(config.learn_steps),
        "relearning_steps_minutes": list(config.relearn_steps),
        "graduating_interval_days": config.graduating_interval_good,
        "easy_interval_days": config.graduating_interval_easy,
        "starting_ease": config.initial_ease,
        "easy_bonus": config.easy_multiplier,
        "hard_multiplier": config.hard_multiplier,
        "interval_modifier": config.interval_multiplier,
        "lapse_interval_multiplier": config.lapse_multiplier,
        "minimum_lapse_interval_days": config.minimum_lapse_interval,
        "maximum_interval_days": config.maximum_review_interval,
        "desired_retention": config.desired_retention,
        "new_per_day": config.new_per_day,
        "reviews_per_day": config.reviews_per_day,
        "day_rollover_hour": rollover_hour,
        "fsrs_parameters": list(config.fsrs_params),
        "new_cards_ignore_review_limit": new_cards_ignore_review_limit,
    }
    try:
        return SchedulerOptions.from_dict(wanted)
    except ValueError:
        pass
    kept: dict[str, Any] = {}
    for key, value in wanted.items():  # keep each value that is valid on its own
        try:
            SchedulerOptions.from_dict({**kept, key: value})
        except ValueError:
            continue
        kept[key] = value
    try:
        return SchedulerOptions.from_dict(kept)
    except ValueError:  # valid alone, not together (easy < graduating interval)
        kept.pop("easy_interval_days", None)
        kept.pop("graduating_interval_days", None)
        return SchedulerOptions.from_dict(kept)


def deck_scheduling(options: SchedulerOptions) -> DeckScheduling:
    return DeckScheduling(
        learning_steps=len(options.learning_steps_minutes),
        relearning_steps=len(options.relearning_steps_minutes),
        starting_ease=options.starting_ease,
        fsrs=options.algorithm == "fsrs",
    )


# --- export: flashapp -> Anki ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedCard:
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    left: int
    data: str


def _epoch(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp())


def export_card(
    *,
    state: str,
    due: datetime | None,
    interval_days: int,
    ease: float,
    step: int,
    stability: float | None,
    difficulty: float | None,
    last_review: datetime | None,
    suspended: bool,
    position: int,
    crt: int,
    options: SchedulerOptions,
) -> ExportedCard:
    """Anki's columns for a flashapp card. `crt` must not be later than any review card's due date."""
    data: dict[str, Any] = {}
    if stability is not None and difficulty is not None:
        data["s"] = round(stability, 4)
        data["d"] = round(difficulty, 4)
    if last_review is not None:
        data["lrt"] = _epoch(last_review)
    text = json.dumps(data, separators=(",", ":")) if data else "{}"
    factor = round(ease * 1000)
    if state == NEW or due is None:
        return ExportedCard(0, -1 if suspended else 0, position, 0, 0, 0, "{}")
    if state == REVIEW:
        days = (_epoch(due) - crt) // SECONDS_PER_DAY
        return ExportedCard(2, -1 if suspended else 2, days, max(interval_days, 1), factor, 0, text)
    steps = options.learning_steps_minutes if state == LEARNING else options.relearning_steps_minutes
    left = max(len(steps) - step, 1)
    kind = 1 if state == LEARNING else 3
    ivl = interval_days if state == RELEARNING else 0
    return ExportedCard(kind, -1 if suspended else 1, _epoch(due), ivl, factor, left, text)


def anki_deck_config_json(config_id: int, name: str, options: SchedulerOptions, now: int) -> dict[str, Any]:
    """A schema-11 deck options preset, in the shape Anki's own legacy export writes."""
    return {
        "id": config_id,
        "mod": now,
        "name": name,
        "usn": -1,
        "maxTaken": 60,
        "autoplay": True,
        "timer": 0,
        "replayq": True,
        "new": {
            "bury": False,
            "delays": list(options.learning_steps_minutes),
            "initialFactor": round(options.starting_ease * 1000),
            "ints": [options.graduating_interval_days, options.easy_interval_days, 0],
            "order": 1,
            "perDay": options.new_per_day,
        },
        "rev": {
            "bury": False,
            "ease4": options.easy_bonus,
            "ivlFct": options.interval_modifier,
            "maxIvl": options.maximum_interval_days,
            "perDay": options.reviews_per_day,
            "hardFactor": options.hard_multiplier,
        },
        "lapse": {
            "delays": list(options.relearning_steps_minutes),
            "leechAction": 1,
            "leechFails": 8,
            "minInt": options.minimum_lapse_interval_days,
            "mult": options.lapse_interval_multiplier,
        },
        "dyn": False,
        "desiredRetention": options.desired_retention,
        "fsrsParams6": list(options.fsrs_parameters),
    }
