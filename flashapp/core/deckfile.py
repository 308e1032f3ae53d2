"""Deck files (`decks/*.toml`): parse and validate into plain structures, and write them back.

A bad file raises `DeckFileError` naming `file:line: card <id>: what is wrong`; nothing of it is
returned, so nothing of it is half-loaded. Line numbers come from a light scan of the text, since
the TOML reader gives values without positions.

The TOML reader is `tomli` where it is installed (its wheels are compiled with mypyc: a 100,000-card
file parses in a third of the time), else the standard library's `tomllib`, which is tomli's pure-Python
code: the same values and the same error messages, so either reads a file the same way.

A big file is read in pieces cut before its `[[cards]]` lines (`_read_in_pieces`): each piece's values
are made, checked and let go before the next is read, so the whole file's values are never held at
once. `rtoml` (Rust) reads the pieces where it is installed, in under a third of tomli's time; tomli
stays the judge: a file that cannot be cut, or whose pieces a reader refuses, is read whole by tomli,
which gives the values or the error, and a file with any problem is checked again from tomli's values,
so every message is tomli's. Where rtoml reads a file its values are tomli's but for the time zone object
of an offset date-time, which no deck-file key accepts (tests/flashapp/core/test_deckfile_reader.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flashapp.core.cloze import CLOZE_PATTERN, cloze_numbers, cloze_problem
from flashapp.core.gc_pause import gc_paused
from flashapp.core.predict import PredictSpec, PredictSpecError, parse_predict
from flashapp.core.scheduling.types import SchedulerOptions
from flashapp.errors import UserError

try:
    import tomli as toml_reader
except ImportError:  # pragma: no cover - depends on what is installed
    import tomllib as toml_reader

try:
    import rtoml as fast_toml_reader
except ImportError:  # pragma: no cover - depends on what is installed
    fast_toml_reader = None

CARD_KINDS = ("basic", "reversed", "cloze", "type-in", "predict")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
TAG_PATTERN = re.compile(r"^[^\s\"]{1,60}$")
STEP_PATTERN = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
STEP_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}

# Which text fields each kind needs and allows (id, kind, tags, extra, demo, params are always allowed).
REQUIRED_FIELDS = {
    "basic": ("front", "back"),
    "reversed": ("front", "back"),
    "type-in": ("front", "back"),
    "cloze": ("cloze",),
    "predict": ("concept", "question"),
}
COMMON_CARD_KEYS = ("id", "kind", "tags", "extra", "demo", "params")
# A predict card also has these; its `params` are the task's fixed parameters, not the demo's.
PREDICT_KEYS = ("answer", "ranges")
_ALLOWED_KEYS = {
    kind: frozenset((*COMMON_CARD_KEYS, *REQUIRED_FIELDS[kind], *(PREDICT_KEYS if kind == "predict" else ())))
    for kind in REQUIRED_FIELDS
}
DECK_KEYS = (
    "name",
    "description",
    "scheduler",
    "new_per_day",
    "reviews_per_day",
    "new_cards_ignore_review_limit",
    "learning_steps",
    "relearning_steps",
    "desired_retention",
    "fsrs_parameters",
)

# Bounds on what a file may hold, so that no value can overflow a column, a date or the memory of the
# programs that read it back (a cloze c99999999999999999999, a `{h:>3000000000}` width, a step of a
# century, parameters nested 50,000 deep).
MAX_DECK_NAME = 300  # characters, whole "Parent::Child" name
MAX_DECK_LEVELS = 10
MAX_TEXT = 100_000  # characters in one text field
MAX_TAGS = 100
MAX_STEPS = 20
MAX_STEP_MINUTES = 365 * 1440.0
MAX_CLOZE = 999
MAX_DEPTH = 8  # nesting of tables and lists inside a value
MAX_INTEGER = 2**53  # what JSON readers (and SQLite's 64-bit integers) keep exactly
MAX_FORMAT_WIDTH = 100  # `{name:>W.P}` in a predict question
_FORMAT_SPEC = re.compile(r"\{[A-Za-z_]\w*:([^{}]*)\}")
_CONTROL_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

DemoValidator = Callable[[str, Mapping[str, Any]], str | None]
PredictValidator = Callable[[PredictSpec], str | None]


class DeckFileError(UserError):
    def __init__(self, path: str, line: int | None, message: str, card_id: str | None = None):
        self.path, self.line, self.card_id, self.reason = path, line, card_id, message
        where = f"{path}:{line}" if line else path
        who = f" card {card_id}:" if card_id else ""
        super().__init__(f"{where}:{who} {message}")


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__,
class CardSpec:  # which made building a 100,000-card file's specs 2.5 times slower
    """One `[[cards]]` entry: a note, from which one or more cards are made. Treated as a value: never
    changed once made."""

    id: str
    kind: str = "basic"
    front: str = ""
    back: str = ""
    cloze: str = ""
    extra: str = ""
    tags: tuple[str, ...] = ()
    demo: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    predict: PredictSpec | None = None  # kind "predict": the task, question, answer and ranges

    def card_ords(self) -> list[int]:
        """Template ordinals: 0 (and 1 for the reverse), or the cloze numbers."""
        if self.kind == "cloze":
            return cloze_numbers(self.cloze)
        return [0, 1] if self.kind == "reversed" else [0]

    def fields(self) -> dict[str, str]:
        if self.kind == "cloze":
            return {"text": self.cloze, "extra": self.extra}
        if self.predict is not None:
            return {**self.predict.to_fields(), "extra": self.extra}
        return {"front": self.front, "back": self.back, "extra": self.extra}


@dataclass(frozen=True)
class DeckSpec:
    name: str
    description: str = ""
    # Scheduler options in `SchedulerOptions.to_dict()` naming; only the keys the file sets.
    options: dict[str, Any] = field(default_factory=dict)
    cards: tuple[CardSpec, ...] = ()


# --- positions -----------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


@dataclass
class _Block:
    line: int
    keys: dict[str, int] = field(default_factory=dict)


def _scan_blocks(text: str) -> tuple[_Block, _Block, list[_Block]]:
    """Keys before any table, then the line of `[deck]` and of each `[[cards]]`, with the line of
    each key inside them.

    Lines inside multi-line strings are skipped, so card text that starts with `[` or `key =`
    does not confuse the scan.
    """
    top, deck, cards = _Block(1), _Block(0), []
    current: _Block | None = top
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is None:
            header = _HEADER.match(line)
            if header:
                current = None
                if header.group(1) == "deck" and not line.lstrip().startswith("[["):
                    current = deck
                    deck.line = number
                elif header.group(1) == "cards":
                    current = _Block(number)
                    cards.append(current)
            else:
                key = _KEY.match(line)
                if key and current is not None:
                    current.keys.setdefault(key.group(1), number)
        for quote in ('"""', "'''"):
            count = line.count(quote)
            if in_string in (None, quote) and count % 2 == 1:
                in_string = quote if in_string is None else None
    return top, deck, cards


# --- parsing -------------------------------------------------------------------------------------


def parse_deck(
    text: str,
    path: str = "<deck>",
    validate_demo: DemoValidator | None = None,
    *,
    validate_predict: PredictValidator | None = None,
) -> DeckSpec:
    """Parse and validate a deck file's text; raise `DeckFileError` on the first problem.

    `validate_demo(concept, params)` and `validate_predict(spec)` check what the engine knows (concept
    names, parameter ranges, predict tasks) and return a one-line problem or None."""
    text = text.removeprefix("\ufeff")  # a UTF-8 byte order mark, as Windows editors write
    checks = (path, validate_demo, validate_predict)
    # The line numbers of every card and key (`_scan_blocks`) only serve error messages: a file is read
    # without them (in pieces where it can be cut), and read again with them (whole, by tomli, whose
    # values and messages are the reference) only when it has a problem to report.
    with gc_paused():
        try:
            return _check_deck(*_read_in_pieces(text), *checks, lines=None)
        except _PiecesRefused:
            pass
        except DeckFileError:
            return _check_deck(_read_toml(text, path), None, *checks, lines=_scan_blocks(text))
        try:
            return _check_deck(_read_toml(text, path), None, *checks, lines=None)
        except DeckFileError:
            return _check_deck(_read_toml(text, path), None, *checks, lines=_scan_blocks(text))


_NO_LINES = _Block(0)


def _check_deck(
    data: dict[str, Any],
    more_cards: Iterable[Iterable[dict[str, Any]]] | None,
    path: str,
    validate_demo: DemoValidator | None,
    validate_predict: PredictValidator | None,
    *,
    lines: tuple[_Block, _Block, list[_Block]] | None,
) -> DeckSpec:
    """The deck of a file's TOML values: its cards are `data["cards"]`, or the lists of `more_cards`
    where the file is read in pieces. `lines` (`_scan_blocks`) say where each problem is."""
    top_block, deck_block, card_blocks = lines or (_NO_LINES, _NO_LINES, [])

    def fail(message: str, line: int | None = None, card_id: str | None = None) -> DeckFileError:
        return DeckFileError(path, line, message, card_id)

    for key in data:
        if key not in ("deck", "cards"):
            line = top_block.keys.get(key, deck_block.line or None)
            raise fail(f"unknown top-level key {key!r} (expected [deck] and [[cards]])", line)
    deck_table = data.get("deck")
    if not isinstance(deck_table, dict):
        raise fail("missing [deck] table with a name", 1)
    name, description, options = _parse_deck_table(deck_table, deck_block, fail)

    raw_cards = data.get("cards", [])
    if not isinstance(raw_cards, list) or not all(isinstance(c, dict) for c in raw_cards):
        raise fail("cards must be written as [[cards]] tables", card_blocks[0].line if card_blocks else 1)
    pieces = (_taken(raw_cards),) if more_cards is None else more_cards
    if lines is None:
        cards = _cards_of(pieces, fail, validate_demo, validate_predict)
        return DeckSpec(name=name, description=description, options=options, cards=tuple(cards))
    cards = []
    first_line: dict[str, int] = {}
    for index, raw in enumerate(card for piece in pieces for card in piece):
        block = card_blocks[index] if index < len(card_blocks) else _NO_LINES
        if problem := _value_problem(raw):
            key, reason = problem
            raise fail(
                reason,
                block.keys.get(key, block.line),
                raw.get("id") if isinstance(raw.get("id"), str) else None,
            )
        card = _parse_card(raw, block, fail, validate_demo, validate_predict)
        if card.id in first_line:
            raise fail(
                f"duplicate card id (first used at line {first_line[card.id]})",
                block.keys.get("id", block.line),
                card.id,
            )
        first_line[card.id] = block.keys.get("id", block.line)
        cards.append(card)
    return DeckSpec(name=name, description=description, options=options, cards=tuple(cards))


def _cards_of(
    pieces: Iterable[Iterable[dict[str, Any]]],
    fail: Callable[..., DeckFileError],
    validate_demo: DemoValidator | None,
    validate_predict: PredictValidator | None,
) -> list[CardSpec]:
    """`_check_deck`'s cards without line numbers: the loop of a file's first reading, which has no
    line to name (a problem makes `parse_deck` read the file again with them)."""
    cards: list[CardSpec] = []
    ids: set[str] = set()
    for piece in pieces:
        for raw in piece:
            if problem := _value_problem(raw):
                raise fail(problem[1])
            card = _parse_card(raw, _NO_LINES, fail, validate_demo, validate_predict)
            if card.id in ids:
                raise fail("duplicate card id", None, card.id)
            ids.add(card.id)
            cards.append(card)
    return cards


def _taken(items: list[Any]) -> Iterator[Any]:
    """Each item, let go from the list as it is given: the parsed tables go as their cards come, not
    both held for every card."""
    for index, item in enumerate(items):
        items[index] = None
        yield item


def _read_toml(text: str, path: str) -> dict[str, Any]:
    """The file's TOML values by tomli; its error as the `DeckFileError`."""
    try:
        return toml_reader.loads(text)
    except toml_reader.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise DeckFileError(path, line, f"invalid TOML: {reason}") from None
    except RecursionError:
        raise DeckFileError(path, _deepest_line(text), f"values nested more than {MAX_DEPTH} deep") from None
    except ValueError:  # Python's own cap on converting an integer of thousands of digits to int
        line = _longest_number_line(text)
        raise DeckFileError(path, line, "a number too long to read (thousands of digits)") from None


# --- reading in pieces -----------------------------------------------------------------------------

_CARDS_HEADER = "\n[[cards]]\n"  # a `[[cards]]` line as the deck files that flashapp writes have it
# A piece: at most this many cards, or this much text (rtoml holds some 30 times a piece's text at once).
PIECE_CARDS = 200
PIECE_CHARS = 1_000_000


class _PiecesRefused(Exception):
    """A reader refused a piece, or a piece is not what a cut file's piece must be: tomli reads the
    whole file."""


def _read_in_pieces(text: str) -> tuple[dict[str, Any], Iterator[list[dict[str, Any]]] | None]:
    """The file's TOML values read in pieces cut before `[[cards]]` lines (by rtoml where installed,
    else by tomli): the head (everything before the first such line: the `[deck]` table and any cards
    written otherwise), then the cards in pieces of PIECE_CARDS (or PIECE_CHARS), each read when its
    cards are wanted.

    Read whole, rtoml holds the whole tree in Rust beside the Python values (350 MB for 100,000 cards),
    and either reader holds every card's values (110 MB); in pieces they hold one piece's. The pieces
    mean what the whole file means when:
    - the head, read with the `[[cards]]` line after it, reads: then it ends outside every string,
      array and table (anything still open at the end of a document is an error), and its `cards`, if
      any, is an array of tables that more `[[cards]]` tables extend;
    - every other piece reads and holds nothing but `cards`: it starts with a `[[cards]]` line at the
      top level (the piece before it ended there), and all it defines is within its own cards.
    Anything else, and a head or a card longer than a piece may be, raises `_PiecesRefused` (and
    tomli reads the whole file)."""
    parts = text.split(_CARDS_HEADER)
    if len(parts[0]) > PIECE_CHARS:
        raise _PiecesRefused
    if len(parts) == 1:
        return _piece_loads(text), None
    head = _piece_loads(parts[0] + _CARDS_HEADER)
    head_cards = head.get("cards")
    if type(head_cards) is not list or head_cards[-1:] != [{}]:
        raise _PiecesRefused
    head_cards.pop()  # the table that the first `[[cards]]` line opened: the first piece's
    return head, _piece_cards(head_cards, parts)


def _piece_cards(head_cards: list[dict[str, Any]], parts: list[str]) -> Iterator[list[dict[str, Any]]]:
    yield head_cards
    last, first = len(parts), 1
    while first < last:
        end, size = first, 0
        while end < last and end - first < PIECE_CARDS and size < PIECE_CHARS:
            size += len(parts[end])
            end += 1
        if size > 2 * PIECE_CHARS:  # one card of megabytes (a field may hold 100,000 characters)
            raise _PiecesRefused
        # The piece as the file has it: its `[[cards]]` line, its cards' text with the `[[cards]]` lines
        # between them, and the newline before the next piece's first line.
        piece = "[[cards]]\n" + _CARDS_HEADER.join(parts[first:end]) + ("\n" if end < last else "")
        parts[first:end] = [""] * (end - first)  # the text goes as it is read
        first = end
        values = _piece_loads(piece)
        if len(values) != 1 or type(values.get("cards")) is not list:
            raise _PiecesRefused
        yield values["cards"]


def _piece_loads(text: str) -> dict[str, Any]:
    reader = toml_reader if fast_toml_reader is None else fast_toml_reader
    try:
        return reader.loads(text)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - whatever a reader refuses (a Rust panic too) tomli names whole
        raise _PiecesRefused from None


def _parse_deck_table(table: dict[str, Any], block: _Block, fail) -> tuple[str, str, dict[str, Any]]:
    for key in table:
        if key not in DECK_KEYS:
            raise fail(f"[deck]: unknown key {key!r}; allowed: {', '.join(DECK_KEYS)}", block.keys.get(key))

    def line(key: str) -> int:
        return block.keys.get(key, block.line)

    if problem := _value_problem(table):
        raise fail(f"[deck]: {problem[1]}", line(problem[0]))
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("[deck]: name must be a non-empty string", line("name"))
    if _CONTROL_CHAR.search(name):
        raise fail("[deck]: name contains a control character", line("name"))
    if any(not part.strip() for part in name.split("::")):
        raise fail(f"[deck]: name {name!r} has an empty part between '::'", line("name"))
    if len(name.strip()) > MAX_DECK_NAME or name.count("::") >= MAX_DECK_LEVELS:
        raise fail(
            f"[deck]: name is longer than {MAX_DECK_NAME} characters or {MAX_DECK_LEVELS} levels",
            line("name"),
        )
    description = table.get("description", "")
    if not isinstance(description, str):
        raise fail("[deck]: description must be a string", line("description"))

    options: dict[str, Any] = {}
    if "scheduler" in table:
        if table["scheduler"] not in ("sm2", "fsrs"):
            raise fail("[deck]: scheduler must be 'sm2' or 'fsrs'", line("scheduler"))
        options["algorithm"] = table["scheduler"]
    for key in ("new_per_day", "reviews_per_day"):
        if key in table:
            value = table[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
                raise fail(f"[deck]: {key} must be a whole number from 0 to 100000", line(key))
            options[key] = value
    if "new_cards_ignore_review_limit" in table:
        if not isinstance(table["new_cards_ignore_review_limit"], bool):
            raise fail(
                "[deck]: new_cards_ignore_review_limit must be true or false",
                line("new_cards_ignore_review_limit"),
            )
        options["new_cards_ignore_review_limit"] = table["new_cards_ignore_review_limit"]
    for key in ("learning_steps", "relearning_steps"):
        if key in table:
            options[f"{key}_minutes"] = _parse_steps(table[key], key, line(key), fail)
    if "desired_retention" in table:
        value = table["desired_retention"]
        if not isinstance(value, float | int) or isinstance(value, bool) or not 0.7 <= value <= 0.99:
            raise fail(
                "[deck]: desired_retention must be a number from 0.70 to 0.99", line("desired_retention")
            )
        options["desired_retention"] = float(value)
    if "fsrs_parameters" in table:
        try:
            options["fsrs_parameters"] = list(
                SchedulerOptions(fsrs_parameters=table["fsrs_parameters"]).fsrs_parameters
            )
        except ValueError as error:
            raise fail(f"[deck]: {error}", line("fsrs_parameters")) from None
    try:  # what the scheduler will require of the stored options, checked before anything is stored
        SchedulerOptions.from_dict(options)
    except ValueError as error:
        raise fail(f"[deck]: {error}", block.line) from None
    return name.strip(), description, options


def _parse_steps(value: Any, key: str, line: int, fail) -> list[float]:
    if not isinstance(value, list):
        raise fail(f'[deck]: {key} must be a list like ["1m", "10m"]', line)
    if len(value) > MAX_STEPS:
        raise fail(f"[deck]: {key}: at most {MAX_STEPS} steps", line)
    minutes = []
    for step in value:
        match = STEP_PATTERN.match(step) if isinstance(step, str) and len(step) <= 20 else None
        if not match or float(match.group(1)) <= 0:
            raise fail(f"[deck]: {key}: {step!r} is not a duration like '30s', '10m', '1h' or '1d'", line)
        step_minutes = float(match.group(1)) * STEP_MINUTES[match.group(2)]
        if step_minutes > MAX_STEP_MINUTES:
            raise fail(f"[deck]: {key}: {step!r} is longer than 365 days", line)
        minutes.append(step_minutes)
    return minutes


def _parse_card(
    raw: dict[str, Any],
    block: _Block,
    fail,
    validate_demo: DemoValidator | None,
    validate_predict: PredictValidator | None = None,
) -> CardSpec:
    card_id = raw.get("id")
    if not isinstance(card_id, str) or not ID_PATTERN.match(card_id):
        shown = card_id if isinstance(card_id, str) else None
        reason = "missing id" if card_id is None else f"id {card_id!r} must match {ID_PATTERN.pattern}"
        raise fail(reason, block.keys.get("id", block.line), shown)

    def error(message: str, key: str | None = None) -> DeckFileError:
        return fail(message, block.keys.get(key, block.line) if key else block.line, card_id)

    kind = raw.get("kind", "cloze" if "cloze" in raw else "basic")
    if kind not in CARD_KINDS:
        raise error(f"unknown kind {kind!r}; kinds: {', '.join(CARD_KINDS)}", "kind")
    allowed = _ALLOWED_KEYS[kind]
    if not allowed.issuperset(raw):
        key = next(key for key in raw if key not in allowed)
        raise error(f"key {key!r} is not allowed on a {kind} card", key)
    for key in REQUIRED_FIELDS[kind]:
        value = raw.get(key)
        if not isinstance(value, str) or not value or value.isspace():  # `not value.strip()`, no copy
            raise error(f"a {kind} card needs a non-empty {key!r} string", key if key in raw else None)
    if "extra" in raw and not isinstance(raw["extra"], str):
        raise error("extra must be a string", "extra")
    if kind == "cloze" and (problem := cloze_problem(raw["cloze"]) or _cloze_bounds(raw["cloze"])):
        raise error(problem, "cloze")

    tags = _tag_tuple(raw.get("tags", []), error)

    demo = raw.get("demo")
    if demo is not None and (not isinstance(demo, str) or not demo):
        raise error("demo must be a concept name string", "demo")
    if kind == "predict":
        return _parse_predict_card(raw, card_id, tags, error, validate_demo, validate_predict)
    params = raw.get("params")
    if params is None:
        params = {}
    elif not isinstance(params, dict):
        raise error("params must be a table like { n = 4 }", "params")
    elif params and demo is None:
        raise error("params given without a demo", "params")
    if demo is not None and validate_demo is not None and (problem := validate_demo(demo, params)):
        raise error(problem, "params" if params and "parameter" in problem else "demo")

    # Positional (id, kind, front, back, cloze, extra, tags, demo, params): one per card of a file.
    return CardSpec(
        card_id,
        kind,
        raw.get("front", ""),
        raw.get("back", ""),
        raw.get("cloze", ""),
        raw.get("extra", ""),
        tags,
        demo,
        dict(params) if params else {},
    )


def _parse_predict_card(
    raw: dict[str, Any],
    card_id: str,
    tags: tuple[str, ...],
    error: Callable[[str, str | None], DeckFileError],
    validate_demo: DemoValidator | None,
    validate_predict: PredictValidator | None,
) -> CardSpec:
    if problem := _format_problem(raw.get("question")):
        raise error(problem, "question")
    try:
        spec = parse_predict(raw)
    except PredictSpecError as problem:
        raise error(str(problem), problem.key) from None
    demo = raw.get("demo")
    # The demo opens with its own defaults (and the drawn case where names match): no demo params here.
    if demo is not None and validate_demo is not None and (problem := validate_demo(demo, {})):
        raise error(problem, "demo")
    if validate_predict is not None and (problem := validate_predict(spec)):
        named = re.search(r"parameter '?(\w+)", problem)
        if "predict concept" in problem:
            key = "concept"
        elif "answer" in problem or "computes a" in problem:
            key = "answer"
        elif named and named.group(1) in spec.params or "ranges" not in raw:
            key = "params"
        else:
            key = "ranges"
        raise error(problem, key)
    return CardSpec(
        id=card_id,
        kind="predict",
        extra=raw.get("extra", ""),
        tags=tags,
        demo=demo,
        predict=spec,
    )


# A file's cards repeat a few tag lists: each distinct list is checked once per process.
_checked_tags: dict[tuple[str, ...], tuple[str, ...]] = {}


def _tag_tuple(tags: Any, error: Callable[..., DeckFileError]) -> tuple[str, ...]:
    """The card's tags, each once in file order, or the error of a bad list."""
    if not isinstance(tags, list):
        raise error("tags must be a list of strings without spaces", "tags")
    key = tuple(tags)
    try:
        found = _checked_tags.get(key)
    except TypeError:  # a table or list among the tags: not a key, and an error below
        found = None
    if found is not None:
        return found
    if not all(isinstance(t, str) and TAG_PATTERN.match(t) for t in tags):
        raise error("tags must be a list of strings without spaces", "tags")
    if len(tags) > MAX_TAGS or any(_CONTROL_CHAR.search(tag) for tag in tags):
        raise error(f"tags: at most {MAX_TAGS}, without control characters", "tags")
    if len(_checked_tags) >= 4096:
        _checked_tags.clear()
    found = _checked_tags[key] = tuple(dict.fromkeys(tags))
    return found


# --- bounds --------------------------------------------------------------------------------------


def _value_problem(table: dict[str, Any]) -> tuple[str, str] | None:
    """(key, what is wrong) for the first value of a table nested too deep, with an integer too large
    or a text too long; None when every value is within bounds. Walks without recursion."""
    for key, value in table.items():
        # Most values are a text or a list of texts (a card's fields, its tags): checked in one step.
        if type(value) is str:
            if len(value) <= MAX_TEXT:
                continue
        elif type(value) is list and all(type(item) is str and len(item) <= MAX_TEXT for item in value):
            continue
        stack: list[tuple[Any, int]] = [(value, 0)]
        while stack:
            item, depth = stack.pop()
            if depth > MAX_DEPTH:
                return key, f"{key}: values nested more than {MAX_DEPTH} deep"
            if isinstance(item, dict):
                stack.extend((v, depth + 1) for v in item.values())
            elif isinstance(item, list):
                stack.extend((v, depth + 1) for v in item)
            elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INTEGER:
                return key, f"{key}: integer {item} is out of range (at most 2^53 in size)"
            elif isinstance(item, str) and len(item) > MAX_TEXT:
                return key, f"{key}: text longer than {MAX_TEXT} characters"
    return None


def _deepest_line(text: str) -> int:
    """The line with the most opening brackets: where a too-deep value is written."""
    counts = [line.count("{") + line.count("[") for line in text.splitlines()] or [0]
    return counts.index(max(counts)) + 1


def _longest_number_line(text: str) -> int | None:
    """The line with the longest run of digits: where a number too long to read is written."""
    best, best_line = 0, None
    for number, line in enumerate(text.splitlines(), start=1):
        for run in re.findall(r"[0-9_]{100,}", line):
            if len(run) > best:
                best, best_line = len(run), number
    return best_line


def _cloze_bounds(text: str) -> str | None:
    for match in CLOZE_PATTERN.finditer(text):
        if len(match.group(1)) > 3 or int(match.group(1)) > MAX_CLOZE:
            return f"cloze number c{match.group(1)} is above c{MAX_CLOZE}"
        if "{{c" in match.group(2):
            return f"cloze deletion c{match.group(1)} holds another deletion; nested clozes are not supported"
    return None


def _format_problem(question: Any) -> str | None:
    """A predict question's `{name:spec}` whose width or precision would print megabytes."""
    if not isinstance(question, str):
        return None
    for spec in _FORMAT_SPEC.findall(question):
        if any(int(digits) > MAX_FORMAT_WIDTH for digits in re.findall(r"\d+", spec)):
            return f"question: format {{...:{spec[:20]}}} has a width or precision above {MAX_FORMAT_WIDTH}"
    return None


# --- writing -------------------------------------------------------------------------------------

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def toml_string(value: str) -> str:
    """A TOML basic string; control characters (DEL included) escaped as TOML requires."""
    out = []
    for char in value:
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to a deck file")


def _duration(minutes: float) -> str:
    return f"{int(minutes)}m" if float(minutes).is_integer() else f"{minutes!r}m"


def dump_deck(deck: DeckSpec) -> str:
    """The deck file text for `deck`; `parse_deck(dump_deck(d)) == d`."""
    lines = ["[deck]", f"name = {toml_string(deck.name)}"]
    if deck.description:
        lines.append(f"description = {toml_string(deck.description)}")
    file_keys = {"algorithm": "scheduler"}
    for key, value in deck.options.items():
        if key.endswith("_steps_minutes"):
            value = [_duration(minutes) for minutes in value]
            key = key.removesuffix("_minutes")
        lines.append(f"{file_keys.get(key, key)} = {_toml_value(value)}")
    for card in deck.cards:
        lines += ["", "[[cards]]", f"id = {toml_string(card.id)}", f"kind = {toml_string(card.kind)}"]
        if card.predict is not None:
            lines += _predict_lines(card.predict)
        else:
            for key in REQUIRED_FIELDS[card.kind]:
                lines.append(f"{key} = {toml_string(getattr(card, key))}")
        if card.extra:
            lines.append(f"extra = {toml_string(card.extra)}")
        if card.tags:
            lines.append(f"tags = {_toml_value(list(card.tags))}")
        if card.demo is not None:
            lines.append(f"demo = {toml_string(card.demo)}")
        if card.params:
            lines.append(f"params = {_toml_value(card.params)}")
    return "\n".join(lines) + "\n"


def _predict_lines(spec: PredictSpec) -> list[str]:
    lines = [
        f"concept = {toml_string(spec.task)}",
        f"question = {toml_string(spec.question)}",
        f"answer = {_toml_value(spec.answer.to_toml())}",
    ]
    if spec.ranges:
        lines.append(f"ranges = {_toml_value({name: r.to_toml() for name, r in spec.ranges.items()})}")
    if spec.params:
        lines.append(f"params = {_toml_value(spec.params)}")
    return lines
