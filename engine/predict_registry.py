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


# --- understanding, not arithmetic: tasks for the shipped deck's conceptual predict cards ----------------


def _check_round_trip(p: Mapping[str, ParamValue]) -> str | None:
    size, kernel, stride, padding = int(p["h"]), int(p["kernel"]), int(p["stride"]), int(p["padding"])
    if size + 2 * padding < kernel:
        return f"h={size} with padding={padding} is smaller than kernel={kernel}"
    down = (size + 2 * padding - kernel) // stride + 1
    if (down - 1) * stride - 2 * padding + kernel < 1:
        return f"padding={padding} leaves the transposed convolution no output"
    return None


def _check_valid_level(p: Mapping[str, ParamValue]) -> str | None:
    size = int(p["size"])
    return None if size >= 6 and (size - 4) % 2 == 0 else f"size={size} must be even and at least 6"


def _check_patches(p: Mapping[str, ParamValue]) -> str | None:
    return _divisible("image", "patch")(p)


def _check_shuffle(p: Mapping[str, ParamValue]) -> str | None:
    r2 = int(p["factor"]) ** 2
    if int(p["channels"]) % r2:
        return f"channels={p['channels']} must be divisible by factor²={r2}"
    return None


def _check_iou(p: Mapping[str, ParamValue]) -> str | None:
    if int(p["overlap"]) > min(int(p["a"]), int(p["b"])):
        return f"overlap={p['overlap']} exceeds a mask's size"
    return None


def _check_densities(p: Mapping[str, ParamValue]) -> str | None:
    return None if float(p["p_data"]) + float(p["p_g"]) > 0 else "p_data and p_g cannot both be 0"


_UNDERSTANDING_TASKS: tuple[PredictTask, ...] = (
    PredictTask(
        "attention.uniform_entropy",
        "Entropy of a row of equal attention scores",
        (_int("n", 1, 4096, "number of keys"),),
        answer="float",
        function="uniform_entropy",
        demo="attention.scaled_dot_product",
    ),
    PredictTask(
        "attention.causal_zeros",
        "Exactly-zero weights of causal self-attention",
        (_int("n", 1, 64, "sequence length"),),
        answer="int",
        function="causal_zeros",
        demo="attention.masked",
    ),
    PredictTask(
        "attention.weight_count",
        "Attention weights a multi-head layer stores",
        (
            _int("batch", 1, 16, "batch size B"),
            _int("heads", 1, 16, "number of heads"),
            _int("n", 1, 64, "sequence length"),
            _int("d", 1, 512, "model dimension"),
        ),
        answer="int",
        function="weight_count",
        demo="attention.multihead",
        demo_names={"d_model": "d"},
        check=_divisible("d", "heads"),
    ),
    PredictTask(
        "attention.kv_cache_size",
        "Numbers held by a KV cache",
        (
            _int("layers", 1, 48, "number of layers"),
            _int("n", 1, 4096, "tokens so far"),
            _int("d", 1, 1024, "model dimension"),
        ),
        answer="int",
        function="kv_cache_size",
        demo="attention.masked",
    ),
    PredictTask(
        "transformer.block_weights",
        "Weight matrices of a Transformer block, in units of d²",
        (_int("d", 2, 1024, "model dimension"), _int("ffn_mult", 1, 8, "FFN width as a multiple of d")),
        answer="int",
        function="block_weights",
        parts=("attention", "feed-forward"),
        demo="attention.multihead",
        demo_names={"d_model": "d"},
    ),
    PredictTask(
        "vit.patch_count",
        "Patch tokens of a Vision Transformer",
        (_int("image", 1, 1024, "image side"), _int("patch", 1, 64, "patch side")),
        answer="int",
        function="patch_count",
        demo="attention.permutation",
        check=_check_patches,
    ),
    PredictTask(
        "transposed_conv.round_trip",
        "Conv2d then ConvTranspose2d with the same settings: the sizes",
        (
            _int("h", 1, 256, "input size"),
            _int("kernel", 1, 9, "kernel size"),
            _int("stride", 1, 4, "stride"),
            _int("padding", 0, 4, "padding"),
        ),
        answer="int",
        function="round_trip",
        parts=("after Conv2d", "after ConvTranspose2d"),
        demo="transposed_conv",
        demo_names={"size": "h"},
        check=_check_round_trip,
    ),
    PredictTask(
        "segmentation.unet_valid_level",
        "The original U-Net's unpadded convolutions and pooling at one level",
        (_int("size", 6, 1024, "feature-map side entering the level"),),
        answer="int",
        function="unet_valid_level",
        parts=("after two 3x3 convs", "after 2x2 max-pool"),
        demo="segmentation.unet",
        check=_check_valid_level,
    ),
    PredictTask(
        "upsampling.pixel_shuffle",
        "Output shape of nn.PixelShuffle",
        (
            _int("channels", 1, 1024, "input channels"),
            _int("factor", 1, 8, "upscale factor r"),
            _int("h", 1, 64, "input height"),
            _int("w", 1, 64, "input width"),
        ),
        answer="shape",
        function="pixel_shuffle",
        demo="transposed_conv",
        check=_check_shuffle,
    ),
    PredictTask(
        "segmentation.iou",
        "IoU of two masks from their sizes and overlap",
        (
            _int("a", 1, 10_000, "pixels in the predicted mask"),
            _int("b", 1, 10_000, "pixels in the true mask"),
            _int("overlap", 0, 10_000, "pixels in both"),
        ),
        answer="float",
        function="mask_iou",
        demo="segmentation.unet",
        check=_check_iou,
    ),
    PredictTask(
        "diffusion.forward_sample",
        "DDPM's noisy sample x_t from x_0, ε and ᾱ_t",
        (
            _float("alpha_bar", 0.0, 1.0, "ᾱ_t, the signal's remaining share of variance"),
            _int("x0", *_COORD, "clean value x_0"),
            _int("eps", *_COORD, "noise ε"),
        ),
        answer="float",
        function="forward_sample",
        demo="generative.taxonomy",
    ),
    PredictTask(
        "diffusion.cfg",
        "Classifier-free guidance of one predicted value",
        (
            _float("scale", 0.0, 20.0, "guidance scale s"),
            _int("uncond", *_COORD, "unconditional prediction"),
            _int("cond", *_COORD, "conditional prediction"),
        ),
        answer="float",
        function="cfg",
        demo="generative.taxonomy",
    ),
    PredictTask(
        "vae.kl_gaussian",
        "KL(𝒩(μ, σ²) ‖ 𝒩(0, 1)) of one latent dimension",
        (_int("mu", *_COORD, "mean μ"), _float("sigma", 0.01, 10.0, "standard deviation σ")),
        answer="float",
        function="kl_gaussian",
        demo="autoencoder",
    ),
    PredictTask(
        "flow_matching.course_velocity",
        "Rectified flow's target velocity in the course's convention (t = 0 data, t = 1 noise)",
        (
            _int("xa", *_COORD, "data point x, first coordinate"),
            _int("xb", *_COORD, "data point x, second coordinate"),
            _int("za", *_COORD, "noise z, first coordinate"),
            _int("zb", *_COORD, "noise z, second coordinate"),
        ),
        answer="vector",
        function="course_velocity",
        demo="flow_matching",
    ),
    PredictTask(
        "gan.optimal_discriminator",
        "The optimal GAN discriminator at a point",
        (
            _float("p_data", 0.0, 100.0, "data density at x"),
            _float("p_g", 0.0, 100.0, "generator density at x"),
        ),
        answer="float",
        function="optimal_discriminator",
        demo="generative.taxonomy",
        check=_check_densities,
    ),
)
TASKS.update({task.name: task for task in _UNDERSTANDING_TASKS})
