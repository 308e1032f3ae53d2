"""Predict-then-run cards, the pure part: a card's spec, drawing its case, filling its question, and
reading and checking the answer the user typed. The engine computes the truth (`engine.predict`).

A card states a concrete case whose numbers are drawn from ranges with a generator seeded per review
(card id and repetition count), so the same review always shows the same case:

    [[cards]]
    id = "convtranspose-output-size"
    kind = "predict"
    concept = "transposed_conv.output_shape"
    question = "ConvTranspose2d(kernel_size={kernel}, stride={stride}) on a {h}x{w} input: output size?"
    answer = "shape"
    ranges = { h = [2, 9], w = [2, 9], kernel = [2, 5], stride = [1, 3] }
    params = { padding = 0, output_padding = 0, dilation = 1 }

`[lo, hi]` (two integers) is an inclusive range; any other list is a set of choices; write
`{ choices = [4, 8] }` for a choice between exactly two integers. `{name}` in the question is the
drawn value (`{t:.2f}` formats it); `{{` and `}}` are literal braces.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flashapp.core.scheduling import Rating
from flashapp.core.typed_answer import match_option

Value = int | float | str | bool

ANSWER_KINDS = ("int", "float", "shape", "choice", "vector")
DEFAULT_TOLERANCE = 0.01  # absolute, for float and vector answers
EASY_WITHIN_MS = 10_000  # a right answer typed this fast is rated Easy
PART_SEPARATOR = ";"
MAX_RANGE = 100_000  # values in one [lo, hi] range

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_]\w*)(?::([^{}]*))?\}")
_THOUSANDS = re.compile(r"\d{1,3}(?:([,_ \u202f])\d{3})(?:\1\d{3})*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:/\d+(?:\.\d*)?)?")


class PredictSpecError(ValueError):
    """A problem in a predict card's spec; `key` is the deck-file key at fault."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


class AnswerFormatError(ValueError):
    """The typed answer cannot be read as the kind of answer the card wants."""


# --- the spec ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerSpec:
    """What the user types: `int`, `float` (within `tolerance`), `shape` (`2x3`), `choice` (one of
    `options`) or `vector` (numbers like `0.2, 0.8`, each within `tolerance`)."""

    kind: str
    tolerance: float = DEFAULT_TOLERANCE
    options: tuple[str, ...] = ()

    @classmethod
    def from_toml(cls, raw: Any) -> AnswerSpec:
        """`"int"`, or a table like `{ kind = "float", tolerance = 0.005 }`."""
        table = {"kind": raw} if isinstance(raw, str) else raw
        if not isinstance(table, dict):
            raise PredictSpecError(
                'answer must be a kind like "int", or a table like { kind = "float" }', "answer"
            )
        unknown = sorted(set(table) - {"kind", "tolerance", "options"})
        if unknown:
            raise PredictSpecError(f"answer: unknown key {unknown[0]!r} (kind, tolerance, options)", "answer")
        kind = table.get("kind")
        if kind not in ANSWER_KINDS:
            raise PredictSpecError(f"answer kind {kind!r} is not one of {', '.join(ANSWER_KINDS)}", "answer")
        tolerance = table.get("tolerance", DEFAULT_TOLERANCE)
        if "tolerance" in table and kind not in ("float", "vector"):
            raise PredictSpecError("answer: a tolerance only applies to float and vector answers", "answer")
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 <= tolerance < 1e9:
            raise PredictSpecError("answer: tolerance must be a number from 0 up", "answer")
        options = table.get("options", [])
        if kind == "choice":
            if (
                not isinstance(options, list)
                or len(options) < 2
                or not all(isinstance(o, str) and o.strip() for o in options)
                or len({_norm(o) for o in options}) != len(options)
            ):
                raise PredictSpecError(
                    "answer: a choice needs options, a list of two or more distinct strings", "answer"
                )
        elif "options" in table:
            raise PredictSpecError("answer: options only apply to choice answers", "answer")
        return cls(kind, float(tolerance), tuple(options))

    def to_toml(self) -> str | dict[str, Any]:
        """The shortest deck-file form: `"int"`, or a table when it has a tolerance or options."""
        table: dict[str, Any] = {"kind": self.kind}
        if self.kind in ("float", "vector") and self.tolerance != DEFAULT_TOLERANCE:
            table["tolerance"] = self.tolerance
        if self.options:
            table["options"] = list(self.options)
        return self.kind if len(table) == 1 else table

    def example(self) -> str:
        return {
            "int": "a whole number, like 12",
            "float": f"a number, like 0.25 (within ±{self.tolerance:g})",
            "shape": "a shape, like 2x3",
            "choice": " / ".join(self.options) or "one of the options",
            "vector": f"numbers, like 0.2, 0.8 (each within ±{self.tolerance:g})",
        }[self.kind]


@dataclass(frozen=True)
class IntRange:
    lo: int
    hi: int

    def values(self) -> range:
        return range(self.lo, self.hi + 1)

    def to_toml(self) -> Any:
        return [self.lo, self.hi]


@dataclass(frozen=True)
class Choices:
    options: tuple[Value, ...]

    def values(self) -> tuple[Value, ...]:
        return self.options

    def to_toml(self) -> Any:
        two_ints = len(self.options) == 2 and all(_is_int(v) for v in self.options)
        return {"choices": list(self.options)} if two_ints else list(self.options)


Range = IntRange | Choices


@dataclass(frozen=True)
class PredictSpec:
    """A predict card: its task (`concept` in the deck file), question template, answer kind, the ranges
    its parameters are drawn from, and the parameters it fixes."""

    task: str
    question: str
    answer: AnswerSpec
    ranges: dict[str, Range] = field(default_factory=dict)
    params: dict[str, Value] = field(default_factory=dict)

    def candidates(self) -> dict[str, Sequence[Value]]:
        """Every value each parameter can take (a fixed one: just itself)."""
        out: dict[str, Sequence[Value]] = {name: rng.values() for name, rng in self.ranges.items()}
        out.update({name: (value,) for name, value in self.params.items()})
        return out

    def draw(self, seed: int | str) -> dict[str, Value]:
        """The case for one review: each range drawn in file order from a generator seeded with `seed`."""
        rng = random.Random(seed)
        values: dict[str, Value] = {}
        for name, drawn in self.ranges.items():
            if isinstance(drawn, IntRange):
                values[name] = rng.randint(drawn.lo, drawn.hi)
            else:
                values[name] = drawn.options[rng.randrange(len(drawn.options))]
        return {**values, **self.params}

    def question_for(self, values: Mapping[str, Value] | None) -> str:
        """The question with the drawn values in it (None: the template, placeholders as `{name}`)."""
        return fill_template(self.question, values)

    def to_fields(self) -> dict[str, str]:
        """The note's fields in the collection: the question as `front`, the rest as JSON text, and a
        `back` saying how the answer is checked (what exports and plain listings show)."""
        return {
            "front": self.question,
            "back": f"Predict {self.answer.example()}; the engine computes it ({self.task}).",
            "concept": self.task,
            "answer": json.dumps(self.answer.to_toml(), ensure_ascii=False),
            "ranges": json.dumps({n: r.to_toml() for n, r in self.ranges.items()}, ensure_ascii=False),
            "params": json.dumps(self.params, ensure_ascii=False),
        }

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> PredictSpec:
        """Back from `to_fields`; PredictSpecError when a field was damaged (say, edited by hand)."""
        try:
            raw = {
                "concept": fields.get("concept", ""),
                "question": fields.get("front", ""),
                "answer": json.loads(str(fields.get("answer", '""'))),
                "ranges": json.loads(str(fields.get("ranges") or "{}")),
                "params": json.loads(str(fields.get("params") or "{}")),
            }
        except json.JSONDecodeError as error:
            raise PredictSpecError(f"a predict field is not valid JSON: {error}") from None
        return parse_predict(raw)


# --- parsing a deck-file card ----------------------------------------------------------------------


def parse_predict(raw: Mapping[str, Any]) -> PredictSpec:
    """A predict card's keys (`concept`, `question`, `answer`, `ranges`, `params`) as a PredictSpec;
    PredictSpecError naming the key at fault. Whether the task exists and takes these parameters is
    the engine's to say (the deck-file parser's validator)."""
    task = raw.get("concept")
    if not isinstance(task, str) or not task.strip():
        raise PredictSpecError("a predict card needs a non-empty 'concept' string", "concept")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise PredictSpecError("a predict card needs a non-empty 'question' string", "question")
    if "answer" not in raw:
        raise PredictSpecError('a predict card needs an answer kind, like answer = "int"', None)
    answer = AnswerSpec.from_toml(raw["answer"])
    ranges_raw = raw.get("ranges", {})
    if not isinstance(ranges_raw, dict):
        raise PredictSpecError("ranges must be a table like { n = [2, 6] }", "ranges")
    ranges = {name: _parse_range(name, value) for name, value in ranges_raw.items()}
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise PredictSpecError("params must be a table like { d = 8 }", "params")
    for name, value in params.items():
        if not _is_value(value):
            raise PredictSpecError(f"params: {name} must be a number, a string or a boolean", "params")
    both = sorted(set(ranges) & set(params))
    if both:
        raise PredictSpecError(f"{both[0]!r} is both in ranges and in params", "params")
    try:
        names = template_placeholders(question)
    except ValueError as error:
        raise PredictSpecError(f"question: {error}", "question") from None
    uncovered = [name for name in names if name not in ranges and name not in params]
    if uncovered:
        raise PredictSpecError(
            f"question: placeholder {{{uncovered[0]}}} has no range or param "
            "(write {{ and }} for literal braces)",
            "question",
        )
    spec = PredictSpec(task.strip(), question, answer, ranges, dict(params))
    try:  # every format spec must apply to every value its parameter can take
        for values in _extremes(spec):
            fill_template(question, values)
    except (ValueError, TypeError) as error:
        raise PredictSpecError(f"question: {error}", "question") from None
    return spec


def _parse_range(name: str, value: Any) -> Range:
    where = f"ranges: {name}"
    if isinstance(value, dict):
        if set(value) != {"choices"}:
            raise PredictSpecError(f"{where}: a table must be {{ choices = [...] }}", "ranges")
        value = value["choices"]
        explicit = True
    else:
        explicit = False
    if not isinstance(value, list) or not value:
        raise PredictSpecError(f"{where} must be [lo, hi] or a list of choices", "ranges")
    if not all(_is_value(v) for v in value):
        raise PredictSpecError(f"{where}: choices must be numbers, strings or booleans", "ranges")
    if not explicit and len(value) == 2 and all(_is_int(v) for v in value):
        lo, hi = value
        if lo > hi:
            raise PredictSpecError(f"{where}: [lo, hi] needs lo <= hi, got [{lo}, {hi}]", "ranges")
        if hi - lo >= MAX_RANGE:
            raise PredictSpecError(f"{where}: at most {MAX_RANGE} values in a range", "ranges")
        return IntRange(lo, hi)
    if len(set(map(_choice_key, value))) != len(value):
        raise PredictSpecError(f"{where}: choices repeat a value", "ranges")
    return Choices(tuple(value))


def _choice_key(value: Value) -> tuple[str, Value]:
    return (type(value).__name__, value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_value(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int | str | bool)


def _extremes(spec: PredictSpec) -> list[dict[str, Value]]:
    """A few cases covering every value kind each parameter can take (for template checks)."""
    cases = []
    for pick in (0, -1):
        values = {name: rng.values()[pick] for name, rng in spec.ranges.items()}
        cases.append({**values, **spec.params})
    for name, rng in spec.ranges.items():
        for option in rng.values() if isinstance(rng, Choices) else ():
            cases.append({**cases[0], name: option})
    return cases


# --- templates -------------------------------------------------------------------------------------


def template_placeholders(template: str) -> list[str]:
    """The parameter names a question template uses, in order of first use. ValueError for a stray
    brace that is neither a placeholder nor doubled."""
    names: list[str] = []
    for piece, name, spec in _template_pieces(template):
        if name is not None and name not in names:
            names.append(name)
        elif spec == _STRAY:
            raise ValueError(f"a single {piece!r} that is not a {{name}} placeholder; write {piece * 2}")
    return names


def fill_template(template: str, values: Mapping[str, Value] | None) -> str:
    """`{name}` (or `{name:.2f}`) replaced by the value; `{{`/`}}` by braces. Without values the
    placeholders stay as `{name}`, for showing the template itself."""
    out = []
    for piece, name, spec in _template_pieces(template):
        if name is None:
            out.append(piece)
        elif values is None or name not in values:
            out.append("{" + name + "}")
        else:
            out.append(format(values[name], spec) if spec else _value_text(values[name]))
    return "".join(out)


def _template_pieces(template: str):
    """(text, None, None) for literal text and (token, name, format spec) for placeholders."""
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            yield from _literal(template[position : match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            yield token[0], None, None
        else:
            yield token, match.group(1), match.group(2) or ""
        position = match.end()
    if position < len(template):
        yield from _literal(template[position:])


_STRAY = "stray"


def _literal(text: str):
    # A lone brace is yielded on its own, marked, so `template_placeholders` can point at it.
    for part in re.split(r"([{}])", text):
        if part:
            yield part, None, _STRAY if part in "{}" else None


def _value_text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


# --- the seed of a review --------------------------------------------------------------------------


def predict_seed(card_id: int, reps: int) -> str:
    """The same card at the same repetition always draws the same case (an undone answer too)."""
    return f"predict:{card_id}:{reps}"


# --- reading and checking an answer ------------------------------------------------------------------


def read_answer(text: str, answer: AnswerSpec, parts: int = 1) -> tuple[Any, ...]:
    """The typed text as `parts` values of the answer's kind: shapes as int tuples, vectors as float
    tuples. AnswerFormatError, one line, when it cannot be read (so the user can fix a typo)."""
    pieces = [piece.strip() for piece in re.split(r"[;\n]", text)]
    pieces = [piece for piece in pieces if piece] if parts > 1 else [text.strip()]
    if len(pieces) != parts:
        raise AnswerFormatError(
            f"expected {parts} answers separated by '{PART_SEPARATOR}', got {len(pieces)}"
        )
    return tuple(_read_one(piece, answer) for piece in pieces)


def _read_one(text: str, answer: AnswerSpec) -> Any:
    if not text:
        raise AnswerFormatError("nothing typed")
    kind = answer.kind
    if kind == "choice":
        if text.strip().isdigit() and 1 <= int(text) <= len(answer.options):
            return answer.options[int(text) - 1]
        matched = match_option(text, answer.options)  # the app's one lenient checker
        if matched is not None:
            return matched
        raise AnswerFormatError(f"{text!r} is not one of: {', '.join(answer.options)}")
    if kind == "shape":
        return _read_shape(text)
    if kind == "int" and _THOUSANDS.fullmatch(text.strip()):
        return int(re.sub(r"[,_\s]", "", text))  # 1,050,624 or 1 050 624: one number
    numbers = _read_numbers(text)
    if kind == "vector":
        return tuple(numbers)
    if len(numbers) != 1:
        raise AnswerFormatError(f"{text!r}: expected one number")
    if kind == "int":
        if not float(numbers[0]).is_integer():
            raise AnswerFormatError(f"{text!r} is not a whole number")
        return int(numbers[0])
    return numbers[0]


def _read_shape(text: str) -> tuple[int, ...]:
    body = text.strip()
    body = re.sub(r"^torch\.Size\(\s*(.*?)\s*\)$", r"\1", body)
    body = body.strip("()[] ")
    pieces = [p for p in re.split(r"\s*(?:[x×X*,]|\s)\s*", body) if p]
    if not pieces or not all(re.fullmatch(r"\d+", p) for p in pieces):
        raise AnswerFormatError(f"{text!r} is not a shape like 2x3 or (2, 3)")
    return tuple(int(p) for p in pieces)


def _read_numbers(text: str) -> list[float]:
    body = text.strip().strip("()[] ")
    pieces = [p for p in re.split(r"\s*[,\s]\s*", body) if p]
    numbers = []
    for piece in pieces:
        piece = piece.replace("−", "-")
        if not _NUMBER.fullmatch(piece):
            raise AnswerFormatError(f"{piece!r} is not a number")
        if "/" in piece:
            top, bottom = piece.split("/")
            if float(bottom) == 0:
                raise AnswerFormatError(f"{piece!r} divides by zero")
            numbers.append(float(top) / float(bottom))
        else:
            numbers.append(float(piece))
    if not numbers:
        raise AnswerFormatError("nothing typed")
    return numbers


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class PartCheck:
    label: str
    typed: Any  # None: nothing typed ("I don't know")
    truth: Any
    correct: bool


@dataclass(frozen=True)
class PredictCheck:
    parts: tuple[PartCheck, ...]

    @property
    def correct(self) -> bool:
        return all(part.correct for part in self.parts)


def check_answer(
    typed: Sequence[Any] | None, truth: Sequence[Any], answer: AnswerSpec, labels: Sequence[str] = ()
) -> PredictCheck:
    """Compare what `read_answer` read with the engine's truth, part by part (None typed: all wrong)."""
    names = list(labels) or [""] * len(truth)
    checks = []
    for index, true_value in enumerate(truth):
        value = None if typed is None else typed[index]
        ok = value is not None and _matches(value, true_value, answer)
        checks.append(PartCheck(names[index] if index < len(names) else "", value, true_value, ok))
    return PredictCheck(tuple(checks))


def _matches(value: Any, truth: Any, answer: AnswerSpec) -> bool:
    kind = answer.kind
    if kind == "choice":
        return _norm(str(value)) == _norm(str(truth))
    if kind in ("shape", "int"):
        return value == truth if kind == "int" else tuple(value) == tuple(truth)
    values = value if kind == "vector" else (value,)
    truths = tuple(truth) if kind == "vector" else (truth,)
    return len(values) == len(truths) and all(
        abs(float(v) - float(t)) <= answer.tolerance + 1e-12 for v, t in zip(values, truths, strict=True)
    )


def rating_for(correct: bool, duration_ms: int) -> Rating:
    """Graded by the engine: wrong is Again, right is Good, right within EASY_WITHIN_MS is Easy."""
    if not correct:
        return Rating.AGAIN
    return Rating.EASY if duration_ms < EASY_WITHIN_MS else Rating.GOOD


def format_number(value: float) -> str:
    value = float(value)
    if value.is_integer() and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def format_value(value: Any, kind: str) -> str:
    """A truth or a typed value as the screen writes it: `4 x 8`, `0.2689, 0.7311`, `12`, `uneven`."""
    if value is None:
        return "–"
    if kind == "shape":
        return " x ".join(str(n) for n in value)
    if kind == "vector":
        return ", ".join(format_number(v) for v in value)
    if kind == "float":
        return format_number(value)
    return str(value)
