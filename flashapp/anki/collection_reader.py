"""Read what an Anki collection file holds, without trusting it.

The file (already a temporary copy, unpacked by `package_reader`) is opened read-only and immutable,
with `trusted_schema` off (so no view or trigger can call functions) and `query_only` on, and must
pass `PRAGMA quick_check` before anything read from it is trusted: before anything is read, or, for a
big package whose staging worker runs the check, before the import commits. Its tables must be real
tables with the columns Anki writes and values of the types Anki stores; anything else is a clear
`UserError`.

Both layouts are read: schema 11 (note types, decks and deck options as JSON in the `col` row) and
schema 15-18 (separate `notetypes`, `fields`, `templates`, `decks`, `deck_config` and `config` tables,
their settings as protobuf blobs). The bulk rows (notes, cards, revlog) are left for the importer to
copy with SQL; this module reads only the small tables and checks the big ones.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashapp.anki import protobuf_lite as pb
from flashapp.anki.note_types import KIND_CLOZE, KIND_STANDARD, NoteTypeDef, TemplateDef
from flashapp.core.text import strip_control
from flashapp.errors import UserError

PLACEHOLDER_TEXT = "Please update to the latest Anki version"
# Anki separates deck name parts with "::" in schema 11 and with U+001F in schema 18.
DECK_SEPARATOR = "::"
MAX_NOTE_TYPES = 10_000
MAX_DECKS = 100_000
MAX_GUID_LENGTH = 200

_REQUIRED_COLUMNS = {
    "col": ("crt",),
    "notes": ("id", "guid", "mid", "mod", "tags", "flds"),
    "cards": (
        "id", "nid", "did", "ord", "mod", "type", "queue", "due", "ivl", "factor", "reps", "lapses",
        "left", "odue", "odid", "flags", "data",
    ),
    "revlog": ("id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type"),
}  # fmt: skip
_INTEGER_COLUMNS = {
    "notes": ("id", "mid", "mod"),
    "cards": (
        "id", "nid", "did", "ord", "mod", "type", "queue", "due", "ivl", "factor", "reps", "lapses",
        "left", "odue", "odid", "flags",
    ),
    "revlog": ("id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type"),
}  # fmt: skip
_TEXT_COLUMNS = {"notes": ("guid", "tags", "flds"), "cards": ("data",)}


@dataclass(frozen=True)
class AnkiDeck:
    id: int
    name: str  # "Parent::Child"
    description: str = ""
    config_id: int = 1
    filtered: bool = False


@dataclass(frozen=True)
class AnkiDeckConfig:
    """A deck options preset, in Anki's units: steps in minutes, ease as a factor (2.5), days."""

    id: int
    learn_steps: tuple[float, ...] = (1.0, 10.0)
    relearn_steps: tuple[float, ...] = (10.0,)
    new_per_day: int = 20
    reviews_per_day: int = 200
    initial_ease: float = 2.5
    easy_multiplier: float = 1.3
    hard_multiplier: float = 1.2
    lapse_multiplier: float = 0.0
    interval_multiplier: float = 1.0
    maximum_review_interval: int = 36500
    minimum_lapse_interval: int = 1
    graduating_interval_good: int = 1
    graduating_interval_easy: int = 4
    desired_retention: float = 0.9
    fsrs_params: tuple[float, ...] = ()  # FSRS-6's 21 weights; empty: the defaults


@dataclass(frozen=True)
class AnkiCollection:
    schema: int  # 11 or 15-18
    crt: int  # when day 0 began, epoch seconds: review due dates count days from it
    rollover_hour: int
    fsrs: bool
    note_types: dict[int, NoteTypeDef]
    decks: dict[int, AnkiDeck]
    deck_configs: dict[int, AnkiDeckConfig]
    note_count: int
    card_count: int
    revlog_count: int
    has_revlog: bool
    extra: dict[str, Any] = field(default_factory=dict)
    # Collection-wide in Anki: its learn-ahead limit (`collapseTime`, seconds) and whether new cards
    # ignore the review limit (`newCardsIgnoreReviewLimit`).
    learn_ahead_minutes: int = 20
    new_cards_ignore_review_limit: bool = False


# A package's collection is read through a memory map (no copy of each page into SQLite's cache): it
# is a private, unchanging file in the import's own work folder.
READ_MMAP_BYTES = 1 << 30


def sqlite_uri(path: Path, *, immutable: bool = True) -> str:
    """A read-only URI for `path` (quoted: a `?` or `#` in a folder name stays part of the path)."""
    quoted = urllib.parse.quote(str(path.resolve()))
    return f"file:{quoted}?mode=ro" + ("&immutable=1" if immutable else "")


def unicase_collation(left: str, right: str) -> int:
    """Anki's `unicase` collation (case-insensitive names), needed to read its indexes at all."""
    a, b = left.casefold(), right.casefold()
    return (a > b) - (a < b)


def open_readonly(path: Path, label: str, *, check: bool = True) -> sqlite3.Connection:
    """The collection at `path`, read-only, checked with `quick_check` (unless `check` is False: the
    caller has it checked elsewhere before trusting what it reads, see `quick_check`)."""
    try:
        connection = sqlite3.connect(sqlite_uri(path), uri=True, check_same_thread=False)
    except sqlite3.Error as error:
        raise UserError(f"{label}: cannot open its collection: {error}") from None
    try:
        connection.create_collation("unicase", unicase_collation)
        connection.execute("PRAGMA trusted_schema=OFF")
        connection.execute("PRAGMA query_only=ON")
        connection.execute(f"PRAGMA mmap_size={READ_MMAP_BYTES}")
        if check:
            quick_check(connection, label)
    except sqlite3.DatabaseError as error:
        connection.close()
        raise UserError(f"{label}: its collection is not a valid SQLite database ({error})") from None
    except BaseException:
        connection.close()
        raise
    return connection


def quick_check(connection: sqlite3.Connection, label: str, schema: str = "main") -> None:
    """`PRAGMA quick_check` of the collection attached as `schema`: a `UserError` naming the first
    damage (out-of-order keys, broken pages), or one saying it is no SQLite database at all."""
    try:
        result = [row[0] for row in connection.execute(f"PRAGMA {schema}.quick_check")]
    except sqlite3.DatabaseError as error:
        raise UserError(f"{label}: its collection is not a valid SQLite database ({error})") from None
    if result != ["ok"]:
        raise UserError(f"{label}: its collection is damaged (sqlite quick_check: {result[0]})")


def read_collection(connection: sqlite3.Connection, label: str, *, check_rows: bool = True) -> AnkiCollection:
    """Check the tables and read the small ones; raises `UserError` on anything malformed. With
    `check_rows` False, checking the bulk rows is left to a `check_row_types` call."""
    try:
        return _read(connection, label, check_rows)
    except sqlite3.Error as error:
        raise UserError(f"{label}: its collection is malformed ({error})") from None


def check_row_types(connection: sqlite3.Connection, label: str, has_revlog: bool) -> None:
    """Every bulk row holds what Anki stores (see `_check_types`); `UserError` for the first that does not."""
    try:
        _check_types(connection, label, has_revlog)
    except sqlite3.Error as error:
        raise UserError(f"{label}: its collection is malformed ({error})") from None


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _read(connection: sqlite3.Connection, label: str, check_rows: bool) -> AnkiCollection:
    tables = _tables(connection)
    for table, columns in _REQUIRED_COLUMNS.items():
        if table not in tables:
            if table == "revlog":
                continue
            raise UserError(f"{label}: not an Anki collection (no {table} table)")
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in columns if c not in present]
        if missing:
            raise UserError(f"{label}: its {table} table lacks column(s) {', '.join(missing)}")
    has_revlog = "revlog" in tables
    if check_rows:
        _check_types(connection, label, has_revlog)

    row = connection.execute("SELECT * FROM col LIMIT 1").fetchone()
    if row is None:
        raise UserError(f"{label}: its collection has no col row")
    names = [d[0] for d in connection.execute("SELECT * FROM col LIMIT 1").description]
    col = dict(zip(names, row, strict=True))
    if not isinstance(col.get("crt"), int):
        raise UserError(f"{label}: its collection's creation time is not a number")
    modern = {"notetypes", "fields", "templates", "decks"} <= tables
    schema = col.get("ver") if isinstance(col.get("ver"), int) else (18 if modern else 11)
    if modern:
        config = _modern_config(connection, tables)
        note_types = _modern_note_types(connection, label)
        decks = _modern_decks(connection, label)
        deck_configs = _modern_deck_configs(connection, tables, label)
    else:
        config = _json_column(col, "conf", label, {})
        note_types = _legacy_note_types(_json_column(col, "models", label, {}), label)
        decks = _legacy_decks(_json_column(col, "decks", label, {}), label)
        deck_configs = _legacy_deck_configs(_json_column(col, "dconf", label, {}), label)
    rollover = config.get("rollover", 4)
    collapse = config.get("collapseTime", 1200)
    counts = connection.execute(
        "SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM cards)"
        + (", (SELECT count(*) FROM revlog)" if has_revlog else ", 0")
    ).fetchone()
    return AnkiCollection(
        schema=schema,
        crt=col["crt"],
        rollover_hour=rollover if isinstance(rollover, int) and 0 <= rollover <= 23 else 4,
        fsrs=config.get("fsrs") is True,
        learn_ahead_minutes=round(collapse / 60) if _number(collapse) and 0 <= collapse <= 86400 else 20,
        new_cards_ignore_review_limit=config.get("newCardsIgnoreReviewLimit") is True,
        note_types=note_types,
        decks=decks,
        deck_configs=deck_configs,
        note_count=counts[0],
        card_count=counts[1],
        revlog_count=counts[2],
        has_revlog=has_revlog,
    )


def _check_types(connection: sqlite3.Connection, label: str, has_revlog: bool) -> None:
    """Every bulk row holds what Anki stores: integers and text, guids of a sane length."""
    for table in ("notes", "cards", "revlog"):
        if table == "revlog" and not has_revlog:
            continue
        checks = [f"typeof({c}) != 'integer'" for c in _INTEGER_COLUMNS[table]]
        checks += [f"typeof({c}) != 'text'" for c in _TEXT_COLUMNS.get(table, ())]
        bad = connection.execute(f"SELECT id FROM {table} WHERE {' OR '.join(checks)} LIMIT 1").fetchone()
        if bad is not None:
            raise UserError(
                f"{label}: {table[:-1] if table != 'revlog' else 'review'} {bad[0]!r} is malformed"
            )
    bad = connection.execute(
        f"SELECT id FROM notes WHERE length(guid) = 0 OR length(guid) > {MAX_GUID_LENGTH} LIMIT 1"
    ).fetchone()
    if bad is not None:
        raise UserError(f"{label}: note {bad[0]} has an empty or over-long guid")
    # Two notes with one guid, or two cards of a note with one ordinal, are caught by the collection's
    # unique constraints while importing (finding them here would cost a full sort of the package).


def is_placeholder(connection: sqlite3.Connection) -> bool:
    """The stub `collection.anki2` modern packages carry for old clients: one note saying to update."""
    rows = connection.execute("SELECT flds FROM notes LIMIT 2").fetchall()
    return len(rows) == 1 and isinstance(rows[0][0], str) and rows[0][0].startswith(PLACEHOLDER_TEXT)


def _json_column(col: dict[str, Any], name: str, label: str, default: Any) -> Any:
    raw = col.get(name)
    if raw in (None, ""):
        return default
    if not isinstance(raw, str):
        raise UserError(f"{label}: its collection's {name} is not text")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise UserError(f"{label}: its collection's {name} is not valid JSON ({error})") from None


def clean_text(value: Any) -> str:
    return strip_control(value) if isinstance(value, str) else ""


def deck_name(raw: str) -> str:
    """A safe deck name: no control characters, no empty parts ("A::::B" -> "A::B")."""
    parts = [
        strip_control(part).strip() for part in raw.replace("\x1f", DECK_SEPARATOR).split(DECK_SEPARATOR)
    ]
    return DECK_SEPARATOR.join(part for part in parts if part)[:400] or "Default"


# --- schema 11: JSON in the col row ------------------------------------------------------------------


def _legacy_note_types(models: Any, label: str) -> dict[int, NoteTypeDef]:
    if not isinstance(models, dict):
        raise UserError(f"{label}: its note types are not a JSON object")
    if len(models) > MAX_NOTE_TYPES:
        raise UserError(f"{label}: has more than {MAX_NOTE_TYPES} note types")
    out = {}
    for key, model in models.items():
        if not isinstance(model, dict):
            raise UserError(f"{label}: note type {key!r} is not a JSON object")
        model_id = model.get("id", key)
        try:
            model_id = int(model_id)
        except (TypeError, ValueError):
            raise UserError(f"{label}: note type {key!r} has no numeric id") from None
        fields = _ordered(model.get("flds"), label, f"note type {model_id} fields")
        templates = _ordered(model.get("tmpls"), label, f"note type {model_id} templates")
        out[model_id] = _note_type(
            label,
            anki_id=model_id,
            name=model.get("name"),
            cloze=model.get("type") == 1,
            fields=[f.get("name") for f in fields],
            templates=[(t.get("name"), t.get("qfmt"), t.get("afmt")) for t in templates],
            css=model.get("css"),
            sort_field=model.get("sortf", 0),
            latex_pre=model.get("latexPre"),
            latex_post=model.get("latexPost"),
            stock_kind=model.get("originalStockKind", 0),
        )
    return out


def _ordered(items: Any, label: str, what: str) -> list[dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UserError(f"{label}: {what} are not a list of JSON objects")
    return sorted(items, key=lambda i: i.get("ord", 0) if isinstance(i.get("ord", 0), int) else 0)


def _legacy_decks(decks: Any, label: str) -> dict[int, AnkiDeck]:
    if not isinstance(decks, dict):
        raise UserError(f"{label}: its decks are not a JSON object")
    if len(decks) > MAX_DECKS:
        raise UserError(f"{label}: has more than {MAX_DECKS} decks")
    out = {}
    for key, deck in decks.items():
        if not isinstance(deck, dict) or not isinstance(deck.get("name"), str):
            raise UserError(f"{label}: deck {key!r} is malformed")
        try:
            deck_id = int(deck.get("id", key))
        except (TypeError, ValueError):
            raise UserError(f"{label}: deck {key!r} has no numeric id") from None
        conf = deck.get("conf", 1)
        out[deck_id] = AnkiDeck(
            id=deck_id,
            name=deck_name(deck["name"]),
            description=clean_text(deck.get("desc")),
            config_id=conf if isinstance(conf, int) else 1,
            filtered=bool(deck.get("dyn")),
        )
    return out


def _legacy_deck_configs(dconf: Any, label: str) -> dict[int, AnkiDeckConfig]:
    if not isinstance(dconf, dict):
        raise UserError(f"{label}: its deck options are not a JSON object")
    out = {}
    for key, conf in dconf.items():
        if not isinstance(conf, dict):
            continue
        try:
            conf_id = int(conf.get("id", key))
        except (TypeError, ValueError):
            continue
        new, rev, lapse = (
            conf.get(k) if isinstance(conf.get(k), dict) else {} for k in ("new", "rev", "lapse")
        )
        ints = new.get("ints") if isinstance(new.get("ints"), list) else []
        values: dict[str, Any] = {
            "learn_steps": new.get("delays"),
            "relearn_steps": lapse.get("delays"),
            "new_per_day": new.get("perDay"),
            "reviews_per_day": rev.get("perDay"),
            "initial_ease": new.get("initialFactor") / 1000 if _number(new.get("initialFactor")) else None,
            "easy_multiplier": rev.get("ease4"),
            "hard_multiplier": rev.get("hardFactor"),
            "lapse_multiplier": lapse.get("mult"),
            "interval_multiplier": rev.get("ivlFct"),
            "maximum_review_interval": rev.get("maxIvl"),
            "minimum_lapse_interval": lapse.get("minInt"),
            "graduating_interval_good": ints[0] if len(ints) > 0 else None,
            "graduating_interval_easy": ints[1] if len(ints) > 1 else None,
            "desired_retention": conf.get("desiredRetention"),
            "fsrs_params": fsrs6_params(conf.get("fsrsParams6"), conf.get("fsrsParams5")),
        }
        out[conf_id] = _deck_config(conf_id, values)
    return out


# --- schema 18: tables with protobuf settings ----------------------------------------------------------


def _modern_config(connection: sqlite3.Connection, tables: set[str]) -> dict[str, Any]:
    if "config" not in tables:
        return {}
    out = {}
    for key, value in connection.execute(
        "SELECT KEY, val FROM config WHERE KEY IN ('rollover', 'fsrs', 'creationOffset', 'collapseTime', "
        "'newCardsIgnoreReviewLimit')"
    ):
        try:
            out[key] = json.loads(bytes(value).decode("utf-8") if isinstance(value, bytes) else value)
        except (ValueError, TypeError):
            continue
    return out


def _decoded(blob: Any, label: str, what: str) -> dict[int, list[int | bytes]]:
    if blob is None:
        return {}
    if not isinstance(blob, bytes):
        raise UserError(f"{label}: {what} settings are not a protobuf blob")
    try:
        return pb.decode(blob)
    except pb.ProtobufError as error:
        raise UserError(f"{label}: {what} settings are corrupt ({error})") from None


def _modern_note_types(connection: sqlite3.Connection, label: str) -> dict[int, NoteTypeDef]:
    fields: dict[int, list[str]] = {}
    for ntid, _ord, name in connection.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates: dict[int, list[tuple[Any, str, str]]] = {}
    for ntid, _ord, name, config in connection.execute(
        "SELECT ntid, ord, name, config FROM templates ORDER BY ntid, ord"
    ):
        message = _decoded(config, label, f"template {name!r}")
        try:
            front, back = pb.get_str(message, 1), pb.get_str(message, 2)
        except pb.ProtobufError as error:
            raise UserError(f"{label}: template {name!r} is corrupt ({error})") from None
        templates.setdefault(ntid, []).append((name, front, back))
    out = {}
    rows = connection.execute(
        "SELECT id, name, config FROM notetypes LIMIT ?", (MAX_NOTE_TYPES + 1,)
    ).fetchall()
    if len(rows) > MAX_NOTE_TYPES:
        raise UserError(f"{label}: has more than {MAX_NOTE_TYPES} note types")
    for ntid, name, config in rows:
        message = _decoded(config, label, f"note type {name!r}")
        try:
            out[ntid] = _note_type(
                label,
                anki_id=ntid,
                name=name,
                cloze=pb.get_int(message, 1) == 1,
                fields=fields.get(ntid, []),
                templates=templates.get(ntid, []),
                css=pb.get_str(message, 3),
                sort_field=pb.get_int(message, 2),
                latex_pre=pb.get_str(message, 5),
                latex_post=pb.get_str(message, 6),
                stock_kind=pb.get_int(message, 9),
            )
        except pb.ProtobufError as error:
            raise UserError(f"{label}: note type {name!r} is corrupt ({error})") from None
    return out


def _modern_decks(connection: sqlite3.Connection, label: str) -> dict[int, AnkiDeck]:
    rows = connection.execute("SELECT id, name, kind FROM decks LIMIT ?", (MAX_DECKS + 1,)).fetchall()
    if len(rows) > MAX_DECKS:
        raise UserError(f"{label}: has more than {MAX_DECKS} decks")
    out = {}
    for deck_id, name, kind in rows:
        if not isinstance(deck_id, int) or not isinstance(name, str):
            raise UserError(f"{label}: deck {deck_id!r} is malformed")
        container = _decoded(kind, label, f"deck {name!r}")
        try:
            normal = pb.get_message(container, 1)
            out[deck_id] = AnkiDeck(
                id=deck_id,
                name=deck_name(name),
                description=clean_text(pb.get_str(normal, 4)) if normal else "",
                config_id=pb.get_signed(normal, 1, 1) if normal else 1,
                filtered=normal is None and 2 in container,
            )
        except pb.ProtobufError as error:
            raise UserError(f"{label}: deck {name!r} is corrupt ({error})") from None
    return out


def _modern_deck_configs(
    connection: sqlite3.Connection, tables: set[str], label: str
) -> dict[int, AnkiDeckConfig]:
    if "deck_config" not in tables:
        return {}
    out = {}
    for conf_id, config in connection.execute("SELECT id, config FROM deck_config"):
        message = _decoded(config, label, f"deck options {conf_id}")
        try:
            values = {
                "learn_steps": pb.get_floats(message, 1) if 1 in message else None,
                "relearn_steps": pb.get_floats(message, 2) if 2 in message else None,
                # proto3 leaves out fields at zero: an absent daily limit is 0, not the default.
                "new_per_day": pb.get_int(message, 9) if 9 in message else 0,
                "reviews_per_day": pb.get_int(message, 10) if 10 in message else 0,
                "initial_ease": pb.get_float(message, 11) if 11 in message else None,
                "easy_multiplier": pb.get_float(message, 12) if 12 in message else None,
                "hard_multiplier": pb.get_float(message, 13) if 13 in message else None,
                "lapse_multiplier": pb.get_float(message, 14) if 14 in message else None,
                "interval_multiplier": pb.get_float(message, 15) if 15 in message else None,
                "maximum_review_interval": pb.get_int(message, 16) if 16 in message else None,
                "minimum_lapse_interval": pb.get_int(message, 17) if 17 in message else None,
                "graduating_interval_good": pb.get_int(message, 18) if 18 in message else None,
                "graduating_interval_easy": pb.get_int(message, 19) if 19 in message else None,
                "desired_retention": pb.get_float(message, 37) if 37 in message else None,
                "fsrs_params": fsrs6_params(pb.get_floats(message, 6), pb.get_floats(message, 5)),
            }
        except pb.ProtobufError as error:
            raise UserError(f"{label}: deck options {conf_id} are corrupt ({error})") from None
        out[conf_id] = _deck_config(conf_id, values)
    return out


# --- shared ----------------------------------------------------------------------------------------------


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def fsrs6_params(params6: Any, params5: Any) -> tuple[float, ...] | None:
    """A preset's FSRS-6 weights; FSRS-5's 19 gain FSRS-6's neutral two (no short-term stability
    exponent, decay 0.5), as fsrs-rs upgrades them. Rounded: protobuf stores float32."""
    for params, extra in ((params6, ()), (params5, (0.0, 0.5))):
        if isinstance(params, list) and params and all(_number(v) for v in params):
            return tuple(round(float(v), 6) for v in (*params, *extra))
    return None


def _deck_config(conf_id: int, values: dict[str, Any]) -> AnkiDeckConfig:
    """Known values of the right type are kept; the rest take Anki's defaults (checked again later,
    when they become a deck's `SchedulerOptions`)."""
    defaults = AnkiDeckConfig(conf_id)
    kept: dict[str, Any] = {}
    for name, value in values.items():
        default = getattr(defaults, name)
        if isinstance(default, tuple):
            if isinstance(value, list | tuple) and all(_number(v) for v in value):
                kept[name] = tuple(float(v) for v in value)
        elif isinstance(default, int):
            if _number(value) and float(value).is_integer():
                kept[name] = int(value)
        elif _number(value):
            kept[name] = round(float(value), 6)
    return AnkiDeckConfig(conf_id, **kept)


def _note_type(
    label: str,
    *,
    anki_id: int,
    name: Any,
    cloze: bool,
    fields: list[Any],
    templates: list[tuple[Any, Any, Any]],
    css: Any,
    sort_field: Any,
    latex_pre: Any,
    latex_post: Any,
    stock_kind: Any,
) -> NoteTypeDef:
    if not isinstance(name, str):
        raise UserError(f"{label}: note type {anki_id} has no name")
    if not fields or not all(isinstance(f, str) and f for f in fields):
        raise UserError(f"{label}: note type {name!r} has missing or unnamed fields")
    if len(set(fields)) != len(fields):
        raise UserError(f"{label}: note type {name!r} has two fields with the same name")
    if not templates:
        raise UserError(f"{label}: note type {name!r} has no card templates")
    clean_templates = []
    for template_name, front, back in templates:
        if not all(isinstance(v, str) for v in (template_name, front, back)):
            raise UserError(f"{label}: note type {name!r} has a malformed card template")
        clean_templates.append(TemplateDef(template_name, front, back))
    properties = {
        "anki_id": anki_id,
        "sort_field": sort_field if isinstance(sort_field, int) and 0 <= sort_field < len(fields) else 0,
        "latex_pre": latex_pre if isinstance(latex_pre, str) else "",
        "latex_post": latex_post if isinstance(latex_post, str) else "",
        "original_stock_kind": stock_kind if isinstance(stock_kind, int) else 0,
    }
    return NoteTypeDef(
        name=clean_text(name) or f"Note type {anki_id}",
        kind=KIND_CLOZE if cloze else KIND_STANDARD,
        fields=tuple(fields),
        templates=tuple(clean_templates),
        css=css if isinstance(css, str) else "",
        anki_id=anki_id,
        properties=properties,
    )
