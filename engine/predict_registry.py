"""Predict-then-run tasks: small exact computations whose answer the user predicts before the engine
computes it (an output shape, an attention weight, a parameter count).

Torch-free, like `engine.registry`: the deck-file parser checks a predict card against this module (its
task exists, its ranges cover exactly the task's parameters, every value they allow is valid) without
loading torch. The truths themselves are computed by `engine.predict`, which does import torch.
"""

from __future__ import annotations

import difflib
import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.errors import ConceptError
from engine.registry import ParamSpec, ParamValue, get_concept, validate_params

ANSWER_KINDS = ("int", "float", "shape", "choice", "vector")
# Checking every combination a card's ranges allow is cheap up to this many; beyond it the corners
# and a fixed sample are checked.
FULL_GRID_LIMIT = 20_000
GRID_SAMPLE = 2_000

Check = Callable[[Mapping[str, ParamValue]], str | None]


@dataclass(frozen=True)
class PredictTask:
    """One kind of exercise. `answer` is the kind of value the user types for each of `parts` (labels
    of a multi-part answer, typed separated by `;`); `options` lists the truths a choice task can give.
    `demo` is the runnable concept to open beside it, `demo_names` maps its parameter names to ours."""

    name: str
    title: str
    params: tuple[ParamSpec, ...]
    answer: str
    function: str
    parts: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    demo: str | None = None
    demo_names: dict[str, str] = field(default_factory=dict)
    check: Check | None = field(default=None, compare=False)

    def param(self, name: str) -> ParamSpec | None:
        return next((spec for spec in self.params if spec.name == name), None)

    @property
    def part_count(self) -> int:
        return max(1, len(self.parts))

    def validate(self, raw: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Every parameter parsed and range-checked, in declaration order; ConceptError, one line."""
        unknown = [key for key in raw if self.param(key) is None]
        if unknown:
            raise ConceptError(f"{self.name}: unknown parameter {unknown[0]!r}; parameters: {self._names()}")
        missing = [spec.name for spec in self.params if spec.name not in raw]
        if missing:
            raise ConceptError(f"{self.name}: parameter {missing[0]!r} has no value")
        values = {spec.name: spec.parse(raw[spec.name], self.name) for spec in self.params}
        problem = self.check(values) if self.check else None
        if problem:
            raise ConceptError(f"{self.name}: {problem}")
        return values

    def demo_params(self, values: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """The drawn case as parameters of the demo concept: those it accepts, each valid; the rest keep
        their defaults. Empty when the combination is one the demo refuses."""
        if self.demo is None:
            return {}
        concept = get_concept(self.demo)
        chosen: dict[str, ParamValue] = {}
        for spec in concept.params:
            ours = self.demo_names.get(spec.name, spec.name)
            if ours in values and spec.name != "seed":
                try:
                    chosen[spec.name] = spec.parse(values[ours], concept.name)
                except ConceptError:
                    continue
        try:
            validate_params(concept, chosen)
        except ConceptError:
            return {}
        return chosen

    def _names(self) -> str:
        return ", ".join(spec.name for spec in self.params)


def _int(name: str, lo: int, hi: int, help: str) -> ParamSpec:
    return ParamSpec(name, "int", lo, lo, hi, help=help)


def _float(name: str, lo: float, hi: float, help: str) -> ParamSpec:
    return ParamSpec(name, "float", lo, lo, hi, help=help)


def _conv_out(size: int, p: Mapping[str, ParamValue]) -> int:
    kernel, stride, padding = int(p["kernel"]), int(p["stride"]), int(p["padding"])
    out_pad, dilation = int(p["output_padding"]), int(p["dilation"])
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + out_pad + 1


def _check_conv_shape(p: Mapping[str, ParamValue]) -> str | None:
    stride, dilation, out_pad = int(p["stride"]), int(p["dilation"]), int(p["output_padding"])
    if out_pad >= max(stride, dilation):
        return f"output_padding={out_pad} must be smaller than stride={stride} or dilation={dilation}"
    for axis in ("h", "w"):
        if _conv_out(int(p[axis]), p) < 1:
            return f"padding={p['padding']} leaves no output along {axis}={p[axis]}"
    return None


def _divisible(total: str, part: str) -> Check:
    def check(p: Mapping[str, ParamValue]) -> str | None:
        if int(p[total]) % int(p[part]):
            return f"{total}={p[total]} must be divisible by {part}={p[part]}"
        return None

    return check


def _check_pe(p: Mapping[str, ParamValue]) -> str | None:
    if int(p["d"]) % 2:
        return f"d={p['d']} must be even"
    if int(p["dim"]) >= int(p["d"]):
        return f"dim={p['dim']} must be smaller than d={p['d']}"
    return None


def _check_unet(p: Mapping[str, ParamValue]) -> str | None:
    return None if int(p["size"]) % 4 == 0 else f"size={p['size']} must be divisible by 4 (two 2x poolings)"


def _check_overlap(p: Mapping[str, ParamValue]) -> str | None:
    if int(p["kernel"]) < int(p["stride"]):
        return f"kernel={p['kernel']} smaller than stride={p['stride']} leaves holes, not an overlap pattern"
    return None


def _check_position(p: Mapping[str, ParamValue]) -> str | None:
    if int(p["i"]) >= int(p["n"]):
        return f"output position i={p['i']} is not below the length n={p['n']}"
    return None


_COORD = (-9, 9)

_TASK_LIST: tuple[PredictTask, ...] = (
    PredictTask(
        "transposed_conv.output_shape",
        "Output size of a transposed convolution",
        (
            _int("h", 1, 64, "input height H_in"),
            _int("w", 1, 64, "input width W_in"),
            _int("kernel", 1, 9, "kernel size"),
            _int("stride", 1, 8, "stride"),
            _int("padding", 0, 8, "padding"),
            _int("output_padding", 0, 7, "extra rows/columns on one side"),
            _int("dilation", 1, 4, "kernel dilation"),
        ),
        answer="shape",
        function="conv_transpose_shape",
        demo="transposed_conv",
        demo_names={"size": "h"},
        check=_check_conv_shape,
    ),
    PredictTask(
        "transposed_conv.overlap",
        "Even or uneven overlap of transposed-convolution stamps",
        (_int("kernel", 1, 9, "kernel size"), _int("stride", 1, 8, "stride")),
        answer="choice",
        function="conv_transpose_overlap",
        options=("even", "uneven"),
        demo="transposed_conv",
        check=_check_overlap,
    ),
    PredictTask(
        "attention.shapes",
        "Shapes of multi-head cross-attention's output and weights",
        (
            _int("batch", 1, 16, "batch size B"),
            _int("n", 1, 64, "target length (queries)"),
            _int("m", 1, 64, "source length (keys and values)"),
            _int("d", 1, 512, "model dimension d_model"),
            _int("heads", 1, 16, "number of heads"),
        ),
        answer="shape",
        function="attention_shapes",
        parts=("output", "weights"),
        demo="attention.cross",
        check=_divisible("d", "heads"),
    ),
    PredictTask(
        "attention.tiny_weights",
        "Attention weights of one query over two keys (d = 2)",
        (
            _int("q0", *_COORD, "query, first coordinate"),
            _int("q1", *_COORD, "query, second coordinate"),
            _int("a0", *_COORD, "key a, first coordinate"),
            _int("a1", *_COORD, "key a, second coordinate"),
            _int("b0", *_COORD, "key b, first coordinate"),
            _int("b1", *_COORD, "key b, second coordinate"),
        ),
        answer="vector",
        function="tiny_attention_weights",
        demo="attention.scaled_dot_product",
    ),
    PredictTask(
        "positional.pe_value",
        "One entry of the sinusoidal positional encoding",
        (
            _int("pos", 0, 1000, "position"),
            _int("dim", 0, 1023, "dimension index (even: sin, odd: cos)"),
            _int("d", 2, 1024, "encoding dimension (even)"),
        ),
        answer="float",
        function="pe_value",
        demo="positional.sinusoidal",
        check=_check_pe,
    ),
    PredictTask(
        "attention.multihead_params",
        "Parameter count of nn.MultiheadAttention",
        (
            _int("d_model", 1, 4096, "model dimension (embed_dim)"),
            _int("heads", 1, 64, "number of heads"),
        ),
        answer="int",
        function="multihead_parameters",
        demo="attention.multihead",
        check=_divisible("d_model", "heads"),
    ),
    PredictTask(
        "softmax",
        "Softmax of three scores",
        (
            _int("s0", -20, 20, "first score"),
            _int("s1", -20, 20, "second score"),
            _int("s2", -20, 20, "third score"),
        ),
        answer="vector",
        function="softmax3",
        demo="attention.scaled_dot_product",
    ),
    PredictTask(
        "flow_matching.straight_path",
        "Rectified flow: the point x_t and the target velocity",
        (
            _float("t", 0.0, 1.0, "time: 0 is noise, 1 is data"),
            _int("x0a", *_COORD, "noise point x0, first coordinate"),
            _int("x0b", *_COORD, "noise point x0, second coordinate"),
            _int("x1a", *_COORD, "data point x1, first coordinate"),
            _int("x1b", *_COORD, "data point x1, second coordinate"),
        ),
        answer="vector",
        function="straight_path",
        parts=("x_t", "velocity"),
        demo="flow_matching",
    ),
    PredictTask(
        "segmentation.unet_shapes",
        "Feature-map shapes inside the demo's U-Net",
        (
            _int("size", 8, 128, "image height and width (divisible by 4)"),
            _int("width", 1, 32, "channels at the first level"),
        ),
        answer="shape",
        function="unet_shapes",
        parts=("bottleneck", "decoder input"),
        demo="segmentation.unet",
        check=_check_unet,
    ),
    PredictTask(
        "transformer.reverse_source",
        "Reversal: which input position the toy transformer's read-out attends to",
        (
            _int("n", 2, 16, "sequence length"),
            _int("i", 0, 15, "output position (0-based)"),
        ),
        answer="int",
        function="reverse_source",
        demo="transformer.toy_task",
        demo_names={"length": "n"},
        check=_check_position,
    ),
)

TASKS: dict[str, PredictTask] = {task.name: task for task in _TASK_LIST}


def task_names() -> list[str]:
    return list(TASKS)


def get_task(name: str) -> PredictTask:
    """The predict task called `name`, or a ConceptError listing the known ones."""
    try:
        return TASKS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(TASKS), n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConceptError(
            f"unknown predict concept {name!r}{hint}; known: {', '.join(sorted(TASKS))}"
        ) from None


def check_card(
    task_name: str, answer_kind: str, candidates: Mapping[str, Sequence[ParamValue]]
) -> str | None:
    """Whether a predict card can always be computed: `candidates` holds, per parameter, every value the
    card's ranges allow (a fixed parameter: one value). Returns a one-line problem, or None.

    Checks the task exists and computes `answer_kind`, that the names are exactly the task's, that every
    value is valid, and that every combination passes the task's check (all of them when there are at
    most FULL_GRID_LIMIT, else the corners and a fixed sample).
    """
    try:
        task = get_task(task_name)
    except ConceptError as error:
        return str(error)
    if answer_kind != task.answer:
        return f"{task.name} computes a {task.answer} answer, not {answer_kind!r}"
    unknown = [name for name in candidates if task.param(name) is None]
    if unknown:
        return f"{task.name}: unknown parameter {unknown[0]!r}; parameters: {task._names()}"
    missing = [spec.name for spec in task.params if spec.name not in candidates]
    if missing:
        return f"{task.name}: parameter {missing[0]!r} needs a range or a fixed value"
    columns: list[Sequence[ParamValue]] = []
    for spec in task.params:
        values = candidates[spec.name]
        if not len(values):
            return f"{task.name}: parameter {spec.name!r} has no values"
        for value in _ends(values):
            try:
                spec.parse(value, task.name)
            except ConceptError as error:
                return str(error)
        columns.append(values)
    if task.check is None:
        return None
    for combination in _combinations(columns):
        values = dict(zip((spec.name for spec in task.params), combination, strict=True))
        problem = task.check(values)
        if problem:
            shown = ", ".join(f"{key}={value}" for key, value in values.items())
            return f"{task.name}: the ranges allow {shown}, where {problem}"
    return None


def _ends(values: Sequence[ParamValue]) -> Sequence[ParamValue]:
    # A `range` is checked at its ends (its values lie between); listed choices one by one.
    return [values[0], values[-1]] if isinstance(values, range) else values


def _combinations(columns: list[Sequence[ParamValue]]):
    total = 1
    for column in columns:
        total *= len(column)
    if total <= FULL_GRID_LIMIT:
        yield from itertools.product(*columns)
        return
    # Too many to try: every corner (each parameter at its first or last value), then a fixed sample.
    yield from itertools.product(*(tuple(dict.fromkeys((column[0], column[-1]))) for column in columns))
    rng = random.Random(0)
    for _ in range(GRID_SAMPLE):
        yield tuple(column[rng.randrange(len(column))] for column in columns)
