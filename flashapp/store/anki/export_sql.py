"""The SQL that fills an exported package's schema-11 tables from flashapp's own, inside SQLite.

The package's connection has flashapp's tables attached as `src`: the collection file itself (read
only) or, for a server or in-memory database, a staging copy of the rows to export
(`export_stage`). Notes, cards and the review log go across by `INSERT ... SELECT`, with Anki's
ids, ordinals and scheduling columns computed in SQL; Python runs only where SQLite has no function
(a field's checksum, HTML stripped where a sort field has markup, FSRS memory as JSON) and for notes
written from deck files (Markdown to HTML). `scheduling_map.export_card` is the reference the card
columns are held to by a test, and `package_writer.unique_ids` the reference for the ids.

Times in `src` are SQLAlchemy's SQLite text, naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from flashapp.anki.package_writer import field_checksum, guid_for
from flashapp.anki.templates import strip_html

SECONDS_PER_DAY = 86400
STATE_TYPES_SQL = "CASE {r}.state_before WHEN 'new' THEN 0 WHEN 'learning' THEN 0 WHEN 'review' THEN 1 " + (
    "WHEN 'relearning' THEN 2 ELSE 1 END"
)
_SPACES = "' ' || char(9, 10, 11, 12, 13)"


# `unixepoch` (SQLite 3.38) reads a time straight to an integer, about twice as fast as `strftime('%s')`,
# which formats it as text first; older libraries get the `strftime` form, which gives the same values.
_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38, 0)


def epoch_sql(column: str) -> str:
    """Whole epoch seconds of a stored time (Python's `int(dt.timestamp())` after 1970). The fraction
    is cut off first: `unixepoch` would round it."""
    if _UNIXEPOCH:
        return f"unixepoch(substr({column}, 1, 19))"
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


def epoch_ms_sql(column: str) -> str:
    """Epoch milliseconds of a stored time, floored (`(dt - epoch) // 1 ms`)."""
    return f"({epoch_sql(column)} * 1000 + CAST(substr({column}, 21, 3) AS INTEGER))"


def round_sql(value: str) -> str:
    """Python's `round` (half to even) of a positive value, as an integer."""
    whole = f"CAST({value} AS INTEGER)"
    return f"(CAST(round({value}) AS INTEGER) - ({value} - {whole} = 0.5 AND {whole} % 2 = 0))"


def lifted_ids_sql(rows: str, columns: str, order: tuple[str, str]) -> str:
    """`SELECT columns, id` over `rows` (a SELECT with a column `v` and the two columns named in
    `order`), taken in that order, each `v` made unique as `package_writer.unique_ids` does: in that
    order id_i = max(v_i, id_(i-1) + 1). The rows come from the ordered subquery straight into `fa_lift`,
    which carries id_(i-1) from row to row (no table in between to number them, no second sort; a
    running-maximum window did the same at three times the cost). LIMIT -1 keeps the subquery's ORDER
    BY, and `fa_lift` checks that the order columns do rise from row to row: rows in any other order
    stop the statement with an error, never give other ids. Run each such statement after `fresh_lift`."""
    first, second = order
    return (
        f"SELECT {columns}, fa_lift(v, {first}, {second}) AS id "
        f"FROM ({rows} ORDER BY {first}, {second} LIMIT -1)"
    )


class RowsOutOfOrder(Exception):
    """`fa_lift` was given rows out of the order its statement sorted them in."""


def _lifter() -> Callable[[int, object, object], int]:
    """`fa_lift(v, a, b)` for one `lifted_ids_sql` statement: rows in strictly rising (a, b)."""
    last: int | None = None
    last_a: object = None
    last_b: object = None

    def lift(value: int, a: Any, b: Any) -> int:
        nonlocal last, last_a, last_b
        if last is not None:
            if a < last_a or (a == last_a and b <= last_b):
                raise RowsOutOfOrder(f"fa_lift: ({a!r}, {b!r}) came after ({last_a!r}, {last_b!r})")
            if value <= last:
                value = last + 1
        last, last_a, last_b = value, a, b
        return value

    return lift


def fresh_lift(connection: sqlite3.Connection) -> None:
    """A new `fa_lift` (starting from no row) for the next `lifted_ids_sql` statement."""
    connection.create_function("fa_lift", 3, _lifter())


def card_data(stability: float | None, difficulty: float | None, last_review: int | None) -> str:
    """Anki's card `data` JSON: FSRS memory state and last review (as `export_card` writes it)."""
    # Written out as `json.dumps(..., separators=(",", ":"))` writes it (floats by their repr),
    # without the encoder's per-call cost: this runs once per studied card.
    parts = []
    if stability is not None and difficulty is not None:
        parts.append(f'"s":{round(float(stability), 4)!r},"d":{round(float(difficulty), 4)!r}')
    if last_review is not None:
        parts.append(f'"lrt":{int(last_review)}')
    return "{" + ",".join(parts) + "}"


def _strip(text: str | None) -> str:
    return strip_html(text or "")


def _blank_tags(tags: str) -> str:
    return tags if tags.strip() else ""


def _field(fields: str, name: str) -> str:
    value = json.loads(fields).get(name, "")
    return str(value)


FUNCTIONS: dict[str, tuple[int, Callable[..., object]]] = {
    "fa_checksum": (1, field_checksum),
    "fa_strip_html": (1, _strip),
    "fa_card_data": (3, card_data),
    "fa_guid": (1, guid_for),
    "fa_blank_tags": (1, _blank_tags),
    "fa_field": (2, _field),
}


def register_functions(connection: sqlite3.Connection) -> None:
    for name, (arity, function) in FUNCTIONS.items():
        connection.create_function(name, arity, function, deterministic=True)
    fresh_lift(connection)


def stripped_sql(text: str) -> str:
    """`strip_html(text)`, calling Python only when there is a tag or an entity to remove."""
    plain = f"instr({text}, '<') = 0 AND instr({text}, '&') = 0"
    return f"(CASE WHEN {plain} THEN {text} ELSE fa_strip_html({text}) END)"


def field_sql(name: str, fields: str = "n.fields") -> str:
    """A note's field value by name (a JSON object of strings), '' when absent."""
    if any(ch in name for ch in "\"\\'") or any(ord(ch) < 32 for ch in name):
        return f"fa_field({fields}, {_literal(name)})"
    return f"coalesce(json_extract({fields}, '$.\"{name}\"'), '')"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def selected_cards_sql() -> str:
    """The cards that go: in an exported deck, not orphaned from their deck file."""
    return f"{SELECTED_CARDS} WHERE c.orphaned = 0"


SELECTED_CARDS = "src.cards c JOIN deck_map d ON d.deck_id = c.deck_id"
# Whether `create_maps` takes the short way for decks of one card a note (a test turns it off to hold
# it to the general way).
SINGLE_CARD_PATH = True


def create_maps(connection: sqlite3.Connection, decks: list[tuple[int, int, int, int]]) -> None:
    """`deck_map` (flashapp deck -> Anki deck, learning and relearning step counts), then `note_map`
    and `card_map`: every exported note (with its note type) and card with its Anki id (creation time
    in ms, clashes lifted over the one before), card ordinal and new-card position."""
    connection.execute(
        "CREATE TEMP TABLE deck_map (deck_id INTEGER PRIMARY KEY, anki_id INTEGER NOT NULL, "
        "learn_steps INTEGER NOT NULL, relearn_steps INTEGER NOT NULL)"
    )
    connection.executemany("INSERT INTO deck_map VALUES (?, ?, ?, ?)", decks)
    # Notes in creation order (the stored text sorts as the time does), each with the shift from
    # flashapp's card ordinal to Anki's (deck-file cloze cards count from 1, Anki's from 0).
    connection.execute(
        "CREATE TEMP TABLE note_map (note_id INTEGER PRIMARY KEY, anki_id INTEGER NOT NULL, "
        "shift INTEGER NOT NULL, note_type_id INTEGER)"
    )
    notes = f"""
        SELECT n.id AS key, n.created_at AS at, {epoch_ms_sql("n.created_at")} AS v,
               CASE WHEN n.note_type_id IS NULL AND n.note_type = 'cloze' THEN -1 ELSE 0 END AS shift,
               n.note_type_id
        FROM src.notes n WHERE n.id IN (SELECT c.note_id FROM {selected_cards_sql()})
        """
    fresh_lift(connection)
    connection.execute(
        "INSERT INTO note_map (note_id, shift, note_type_id, anki_id) "
        + lifted_ids_sql(notes, "key, shift, note_type_id", ("at", "key"))
    )
    connection.execute(
        "CREATE TEMP TABLE card_map (card_id INTEGER PRIMARY KEY, nid INTEGER NOT NULL, "
        "ord INTEGER NOT NULL, position INTEGER NOT NULL, anki_id INTEGER NOT NULL)"
    )
    cards = f"{SELECTED_CARDS} JOIN note_map m ON m.note_id = c.note_id WHERE c.orphaned = 0"
    # Every exported note has a card, and a note has one card an ordinal: when every ordinal is Anki's
    # first, there is one card a note. (EXISTS stops at the first other ordinal.)
    (other_ordinals,) = connection.execute(
        f"SELECT EXISTS (SELECT 1 FROM {cards} AND c.ord + m.shift != 0)"
    ).fetchone()
    if SINGLE_CARD_PATH and not other_ordinals:
        # One card a note, every one Anki's first (Basic notes): the id each would have is its note's,
        # unique already, so the sort and the lifting below would leave them as they are.
        connection.execute(
            "INSERT INTO card_map (card_id, nid, ord, position, anki_id) "
            "SELECT c.id, m.anki_id, 0, row_number() OVER (ORDER BY c.position, c.id), m.anki_id "
            f"FROM {cards}"
        )
        return
    # Cards in order of the id they would have (note id + ordinal; a note has one card an ordinal, so
    # the note breaks every tie), then with clashes lifted.
    ordered = f"""
        SELECT c.id, c.note_id AS note, m.anki_id + c.ord + m.shift AS v, m.anki_id AS nid,
               c.ord + m.shift AS ord, row_number() OVER (ORDER BY c.position, c.id) AS position
        FROM {cards}
        """
    fresh_lift(connection)
    connection.execute(
        "INSERT INTO card_map (card_id, nid, ord, position, anki_id) "
        + lifted_ids_sql(ordered, "id, nid, ord, position", ("v", "note"))
    )


def earliest_review_due(connection: sqlite3.Connection) -> str | None:
    row = connection.execute(
        "SELECT min(c.due) FROM card_map k JOIN src.cards c ON c.id = k.card_id "
        "WHERE c.state = 'review' AND c.due IS NOT NULL"
    ).fetchone()
    return row[0]


def card_columns_sql(crt: int, c: str = "c", d: str = "d", k: str = "k") -> dict[str, str]:
    """Anki's scheduling columns of a card, as `scheduling_map.export_card` computes them."""
    new = f"({c}.state = 'new' OR {c}.due IS NULL)"
    review = f"{c}.state = 'review'"
    learning = f"{c}.state = 'learning'"
    due = epoch_sql(f"{c}.due")
    memory = f"({c}.stability IS NOT NULL AND {c}.difficulty IS NOT NULL OR {c}.last_review IS NOT NULL)"
    last_review = epoch_sql(f"{c}.last_review")
    return {
        "type": f"CASE WHEN {new} THEN 0 WHEN {review} THEN 2 WHEN {learning} THEN 1 ELSE 3 END",
        "queue": f"CASE WHEN {c}.suspended THEN -1 WHEN {new} THEN 0 WHEN {review} THEN 2 ELSE 1 END",
        "due": f"CASE WHEN {new} THEN {k}.position WHEN {review} THEN ({due} - {crt}) / {SECONDS_PER_DAY} "
        f"ELSE {due} END",
        "ivl": f"CASE WHEN {new} THEN 0 WHEN {review} THEN max({c}.interval_days, 1) "
        f"WHEN {learning} THEN 0 ELSE {c}.interval_days END",
        "factor": f"CASE WHEN {new} THEN 0 ELSE {round_sql(f'{c}.ease * 1000')} END",
        "left": f"CASE WHEN {new} OR {review} THEN 0 WHEN {learning} THEN max({d}.learn_steps - {c}.step, 1) "
        f"ELSE max({d}.relearn_steps - {c}.step, 1) END",
        # Without FSRS memory (SM-2 cards: only the last review), the JSON is written in SQL.
        "data": f"CASE WHEN {new} OR NOT {memory} THEN '{{}}' "
        f"WHEN {c}.stability IS NULL OR {c}.difficulty IS NULL "
        f"THEN coalesce('{{\"lrt\":' || {last_review} || '}}', '{{}}') "
        f"ELSE fa_card_data({c}.stability, {c}.difficulty, {last_review}) END",
    }


def insert_cards(connection: sqlite3.Connection, crt: int) -> None:
    columns = card_columns_sql(crt)
    connection.execute(
        f"""
        INSERT INTO cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left,
                           odue, odid, flags, data)
        SELECT k.anki_id, k.nid, d.anki_id, k.ord, {epoch_sql("c.modified_at")}, -1, {columns["type"]},
               {columns["queue"]}, {columns["due"]}, {columns["ivl"]}, {columns["factor"]}, c.reps, c.lapses,
               {columns["left"]}, 0, 0, c.flag, {columns["data"]}
        FROM card_map k JOIN src.cards c ON c.id = k.card_id JOIN deck_map d ON d.deck_id = c.deck_id
        """
    )


def insert_anki_notes(
    connection: sqlite3.Connection, note_type_id: int, mid: int, fields: tuple[str, ...], sort_index: int
) -> None:
    """The notes of one imported Anki note type: fields in the type's order, guid as they came.
    Each field is taken out of the JSON once, into a temporary table, and the columns built on it
    (joined fields, sort field, checksum) read it from there: SQLite would otherwise evaluate the
    JSON extraction again in each expression that uses a field."""
    names = [f"f{index}" for index in range(len(fields))]
    guid = (
        "CASE WHEN n.source = 'anki' THEN (CASE WHEN instr(n.key, char(31)) > 0 "
        "THEN substr(n.key, 1, instr(n.key, char(31)) - 1) ELSE n.key END) "
        "ELSE fa_guid(n.source || char(31) || n.key) END"
    )
    tags = (
        f"CASE WHEN trim(n.tags, {_SPACES}) = '' THEN '' WHEN n.tags GLOB '*[0-9A-Za-z]*' THEN n.tags "
        "ELSE fa_blank_tags(n.tags) END"
    )
    connection.execute(
        "CREATE TEMP TABLE note_fields (id INTEGER PRIMARY KEY, guid, mod, tags"
        + "".join(f", {name}" for name in names)
        + ")"
    )
    extracted = "".join(f", {field_sql(name)}" for name in fields)
    connection.execute(
        f"""
        INSERT INTO note_fields
        SELECT m.anki_id, {guid}, {epoch_sql("n.modified_at")}, {tags}{extracted}
        FROM note_map m JOIN src.notes n ON n.id = m.note_id WHERE m.note_type_id = ?
        """,
        (note_type_id,),
    )
    flds = " || char(31) || ".join(names) if names else "''"
    stripped_first = stripped_sql(names[0]) if names else "''"
    sort = "''" if sort_index >= len(names) else stripped_sql(names[sort_index])
    if sort_index == 0:  # the usual sort field: stripped once for both columns
        sort = "first"
    # LIMIT -1 keeps the subquery a subquery (not flattened), so `first` is computed once a row.
    connection.execute(
        f"""
        INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)
        SELECT id, guid, {mid}, mod, -1, tags, {flds}, {sort}, fa_checksum(first), 0, ''
        FROM (SELECT *, {stripped_first} AS first FROM note_fields ORDER BY id LIMIT -1)
        """
    )
    connection.execute("DROP TABLE temp.note_fields")


def insert_revlog(connection: sqlite3.Connection, manual_rating: int) -> None:
    """Review-log ids: review times in ms, clashes lifted, in order of the stored time text (the order
    of the times themselves: one fixed-width format), then of the review's id."""
    kind = "json_extract(r.previous, '$.anki_type')"
    manual = (
        f"CASE WHEN json_type(r.previous) = 'object' AND {kind} IN (0, 1, 2, 3, 4, 5) "
        f"THEN CAST({kind} AS INTEGER) ELSE 4 END"
    )
    review_type = STATE_TYPES_SQL.format(r="r")
    reviews = f"""
        SELECT r.reviewed_at AS at, r.id AS rid, {epoch_ms_sql("r.reviewed_at")} AS v,
               k.anki_id AS cid, r.rating AS ease, r.interval_after_days AS ivl,
               r.interval_before_days AS last_ivl, {round_sql("r.ease_after * 1000")} AS factor,
               r.duration_ms AS duration,
               CASE WHEN r.rating = {manual_rating} THEN {manual} ELSE {review_type} END AS kind
        FROM src.reviews r JOIN card_map k ON k.card_id = r.card_id
        """
    fresh_lift(connection)
    connection.execute(
        "INSERT INTO revlog (cid, usn, ease, ivl, lastIvl, factor, time, type, id) "
        + lifted_ids_sql(reviews, "cid, -1, ease, ivl, last_ivl, factor, duration, kind", ("at", "rid"))
    )


# The notes that may name a media file or a LaTeX image; LIKE (case-blind, slow) only where `instr`
# found the bracket it needs.
MEDIA_FILTER_SQL = (
    "(instr(n.flds, '<') > 0 AND n.flds LIKE '%<img%' OR instr(n.flds, '![') > 0 "
    "OR instr(n.flds, '[sound:') > 0 OR instr(n.flds, '[') > 0 AND n.flds LIKE '%[latex]%' "
    "OR instr(n.flds, '[$') > 0)"
)
