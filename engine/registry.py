"""Every concept the engine can run: its name, title, one-line summary and parameters.

Torch-free on purpose: the CLI lists concepts and the TUI builds parameter controls from this module
without loading torch. A concept's implementation (`module:function`) is imported only when it runs.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from engine.errors import ConceptError

# Bump when a concept's outputs change for the same parameters and seed: results cached by the TUI,
# keyed by (concept, params, seed, device, ENGINE_VERSION), are then recomputed.
ENGINE_VERSION = "1"

ParamKind = Literal["int", "float", "bool", "choice"]
ParamValue = int | float | bool | str

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a concept: what a control in the TUI or a `--set k=v` on the CLI edits."""

    name: str
    kind: ParamKind
    default: ParamValue
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""

    def allowed(self) -> str:
        """The allowed values in words: `1..64`, `moons, 8gaussians`, `true/false`."""
        if self.kind == "choice":
            return ", ".join(self.choices)
        if self.kind == "bool":
            return "true/false"
        return f"{_fmt(self.min)}..{_fmt(self.max)}"

    def parse(self, raw: ParamValue, concept: str) -> ParamValue:
        """`raw` (a command-line string, or a TOML/JSON value) as this parameter's type, range-checked."""
        shown = repr(raw) if isinstance(raw, str) else str(raw)
        where = f"{concept}: parameter {self.name}={shown}"
        value: ParamValue
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ConceptError(f"{where} is not a boolean; use true or false")
        if self.kind == "choice":
            text = str(raw).strip()
            if text not in self.choices:
                raise ConceptError(f"{where} is not one of {self.allowed()}")
            return text
        if self.kind == "int":
            value = _parse_int(raw)
            if value is None:
                raise ConceptError(f"{where} is not an integer")
        else:
            value = _parse_float(raw)
            if value is None:
                raise ConceptError(f"{where} is not a finite number")
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ConceptError(f"{concept}: parameter {self.name}={value} is out of range {self.allowed()}")
        return value


def _fmt(bound: float | None) -> str:
    if bound is None:
        return ""
    return str(int(bound)) if float(bound).is_integer() and abs(bound) < 1e15 else f"{bound:g}"


def _parse_int(raw: ParamValue) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def _parse_float(raw: ParamValue) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# Every concept takes a seed; `engine.run(seed=...)` is its default.
SEED = ParamSpec("seed", "int", 0, 0, 2**31 - 1, help="random seed: the same seed gives the same output")


@dataclass(frozen=True)
class Concept:
    """A runnable concept. `check` rejects parameter combinations (returns a message, or None)."""

    name: str
    title: str
    summary: str
    module: str
    function: str
    params: tuple[ParamSpec, ...]
    trains: bool = False
    check: Callable[[dict[str, ParamValue]], str | None] | None = field(default=None, compare=False)

    def param(self, name: str) -> ParamSpec | None:
        return next((spec for spec in self.params if spec.name == name), None)

    def defaults(self) -> dict[str, ParamValue]:
        return {spec.name: spec.default for spec in self.params}


def _int(name: str, default: int, lo: int, hi: int, help: str) -> ParamSpec:
    return ParamSpec(name, "int", default, lo, hi, help=help)


def _float(name: str, default: float, lo: float, hi: float, help: str) -> ParamSpec:
    return ParamSpec(name, "float", default, lo, hi, help=help)


def _even(*names: str) -> Callable[[dict[str, ParamValue]], str | None]:
    def check(p: dict[str, ParamValue]) -> str | None:
        odd = [f"{name}={p[name]}" for name in names if int(p[name]) % 2]
        return f"{', '.join(odd)} must be even (dimensions come in (sin, cos) pairs)" if odd else None

    return check


def _check_multihead(p: dict[str, ParamValue]) -> str | None:
    if int(p["d_model"]) % int(p["heads"]):
        return f"d_model={p['d_model']} must be divisible by heads={p['heads']}"
    return None


def _check_transposed_conv(p: dict[str, ParamValue]) -> str | None:
    stride, dilation, out_pad = int(p["stride"]), int(p["dilation"]), int(p["output_padding"])
    if out_pad >= max(stride, dilation):
        return f"output_padding={out_pad} must be smaller than stride={stride} or dilation={dilation}"
    size, kernel, padding = int(p["size"]), int(p["kernel"]), int(p["padding"])
    h_out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + out_pad + 1
    if h_out < 1:
        return f"padding={padding} leaves no output (H_out = {h_out}); lower padding or raise size"
    return None


def _check_unet(p: dict[str, ParamValue]) -> str | None:
    return None if int(p["size"]) % 4 == 0 else f"size={p['size']} must be divisible by 4 (two 2x poolings)"


_N = _int("n", 6, 1, 64, "sequence length (number of tokens)")
_D = _int("d", 8, 1, 256, "model / key dimension")

_CONCEPT_LIST: tuple[Concept, ...] = (
    Concept(
        "attention.scaled_dot_product",
        "Scaled dot-product attention",
        "softmax(QKᵀ/√d_k)V, and what dividing by √d does to the softmax as d grows",
        "engine.concepts.attention",
        "scaled_dot_product",
        (_N, _int("d", 16, 1, 1024, "key dimension d_k"), SEED),
    ),
    Concept(
        "attention.self",
        "Self-attention",
        "queries, keys and values all come from the same sequence: an n x n weight matrix",
        "engine.concepts.attention",
        "self_attention",
        (
            ParamSpec(
                "input",
                "choice",
                "sentence",
                choices=("sentence", "random"),
                help="a sentence with readable hand-built embeddings, or random vectors (n, d)",
            ),
            _int("n", 6, 1, 64, "sequence length (random input)"),
            _int("d", 8, 1, 256, "model / key dimension (random input)"),
            SEED,
        ),
    ),
    Concept(
        "attention.cross",
        "Cross-attention",
        "queries from the target (length n), keys and values from the source (length m): n x m weights",
        "engine.concepts.attention",
        "cross_attention",
        (
            _int("n", 4, 1, 64, "target length (queries, e.g. decoder tokens)"),
            _int("m", 6, 1, 64, "source length (keys and values, e.g. encoder tokens)"),
            _D,
            SEED,
        ),
    ),
    Concept(
        "attention.multihead",
        "Multi-head attention",
        "h heads attend in parallel in d_model/h dimensions each; equal to torch.nn.MultiheadAttention",
        "engine.concepts.attention",
        "multihead",
        (
            _N,
            _int("d_model", 16, 1, 256, "model dimension (split across heads)"),
            _int("heads", 4, 1, 16, "number of heads (must divide d_model)"),
            SEED,
        ),
        check=_check_multihead,
    ),
    Concept(
        "attention.masked",
        "Masked (causal) attention",
        "a causal mask: token i sees tokens 0..i, weights above the diagonal are exactly zero",
        "engine.concepts.attention",
        "masked",
        (_N, _D, SEED),
    ),
    Concept(
        "attention.permutation",
        "Permutation equivariance",
        "self-attention without positions is permutation equivariant; positional encodings break it",
        "engine.concepts.attention",
        "permutation",
        (
            _int("n", 6, 2, 64, "sequence length (number of tokens)"),
            _int("d", 8, 2, 256, "model dimension"),
            SEED,
        ),
    ),
    Concept(
        "positional.sinusoidal",
        "Sinusoidal positional encoding",
        "PE[pos, 2i] = sin(pos/10000^(2i/d)), PE[pos, 2i+1] = cos(...): the matrix and its dot products",
        "engine.concepts.positional",
        "sinusoidal",
        (
            _int("positions", 64, 2, 1024, "number of positions"),
            _int("d", 32, 2, 512, "encoding dimension (even)"),
            SEED,
        ),
        check=_even("d"),
    ),
    Concept(
        "positional.rope",
        "Rotary positional embedding (RoPE)",
        "rotate pairs (2i, 2i+1) by pos·θ_i: q·k then depends only on the relative offset",
        "engine.concepts.positional",
        "rotary",
        (
            _int("positions", 16, 2, 256, "number of positions"),
            _int("d", 8, 2, 256, "head dimension (even)"),
            SEED,
        ),
        check=_even("d"),
    ),
    Concept(
        "transposed_conv",
        "Transposed convolution",
        "output size formula vs nn.ConvTranspose2d, the overlap map behind checkerboard artifacts",
        "engine.concepts.transposed_conv",
        "transposed_conv",
        (
            _int("size", 4, 1, 32, "input height and width H_in"),
            _int("kernel", 3, 1, 9, "kernel size"),
            _int("stride", 2, 1, 8, "stride"),
            _int("padding", 0, 0, 8, "padding"),
            _int("output_padding", 0, 0, 7, "extra rows/columns on one side (< stride or dilation)"),
            _int("dilation", 1, 1, 4, "kernel dilation"),
            SEED,
        ),
        check=_check_transposed_conv,
    ),
    Concept(
        "segmentation.unet",
        "U-Net segmentation",
        "a tiny U-Net trained for seconds on synthetic shapes; IoU with and without skip connections",
        "engine.concepts.unet",
        "unet",
        (
            _int("steps", 50, 1, 5000, "training steps per network"),
            _int("size", 24, 8, 64, "image height and width (divisible by 4)"),
            _int("width", 8, 2, 32, "channels at the first level (doubled at each level down)"),
            _float("lr", 1e-2, 1e-5, 1.0, "Adam learning rate"),
            SEED,
        ),
        trains=True,
        check=_check_unet,
    ),
    Concept(
        "autoencoder",
        "Autoencoder",
        "compress 12x12 blob images to a tiny latent code and back: reconstructions, latent space, loss",
        "engine.concepts.autoencoder",
        "autoencoder",
        (
            _int("steps", 1200, 1, 20000, "training steps"),
            _int("latent", 2, 1, 16, "latent dimension (the bottleneck)"),
            _float("lr", 3e-3, 1e-5, 1.0, "Adam learning rate"),
            SEED,
        ),
        trains=True,
    ),
    Concept(
        "flow_matching",
        "Rectified flow matching",
        "a velocity field from noise (t=0) to data (t=1) on 2-D toys; reflow straightens its paths",
        "engine.concepts.flow_matching",
        "flow_matching",
        (
            ParamSpec(
                "dataset",
                "choice",
                "moons",
                choices=("moons", "8gaussians", "checkerboard"),
                help="2-D toy data",
            ),
            _int("steps", 1200, 1, 20000, "training steps of the first flow (1-RF)"),
            _int("reflow_steps", 300, 1, 20000, "training steps of the reflowed flow (2-RF)"),
            _int("sample_steps", 50, 1, 1000, "Euler steps N when sampling"),
            _int("batch", 512, 8, 4096, "training batch size"),
            _float("lr", 1e-2, 1e-5, 1.0, "peak Adam learning rate (warm-up, then cosine decay)"),
            SEED,
        ),
        trains=True,
    ),
    Concept(
        "transformer.toy_task",
        "A toy transformer learns attention",
        "a 1-2 layer transformer trained live to reverse, copy or sort digits: watch its attention form",
        "engine.concepts.toy_transformer",
        "toy_transformer",
        (
            ParamSpec(
                "task",
                "choice",
                "reverse",
                choices=("reverse", "copy", "sort"),
                help="what to do with the digits",
            ),
            _int("length", 8, 2, 16, "digits per sequence"),
            _int("steps", 300, 1, 20000, "training steps"),
            _int("layers", 1, 1, 2, "attention layers (2: a self-attention block before the read-out)"),
            _int("heads", 2, 1, 8, "attention heads per layer (must divide d_model)"),
            _int("d_model", 32, 4, 256, "model dimension"),
            _int("batch", 128, 8, 2048, "sequences per training step"),
            _float("lr", 3e-3, 1e-5, 1.0, "AdamW learning rate"),
            SEED,
        ),
        trains=True,
        check=_check_multihead,
    ),
    Concept(
        "generative.taxonomy",
        "Taxonomy of generative models",
        "explicit vs implicit density, tractable vs approximate: AR, flows, VAEs, GANs, diffusion, FM",
        "engine.concepts.taxonomy",
        "taxonomy",
        (SEED,),
    ),
)

CONCEPTS: dict[str, Concept] = {concept.name: concept for concept in _CONCEPT_LIST}


def concept_names() -> list[str]:
    """Names in teaching order (the order `flashapp demo` lists them)."""
    return list(CONCEPTS)


def get_concept(name: str) -> Concept:
    """The concept called `name`, or a ConceptError listing the known ones."""
    try:
        return CONCEPTS[name]
    except KeyError:
        # "unet" -> segmentation.unet; "flow-matching" -> flow_matching; "attention.foo" -> no guess
        close = [known for known in CONCEPTS if known.rsplit(".", 1)[-1] == name]
        close = close or difflib.get_close_matches(name, list(CONCEPTS), n=1, cutoff=0.85)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConceptError(f"unknown concept {name!r}{hint}; known: {', '.join(sorted(CONCEPTS))}") from None


def validate_params(
    concept: str | Concept, raw: Mapping[str, ParamValue] | None = None
) -> dict[str, ParamValue]:
    """Parse and range-check `raw` ("4", "0.5", "true", "moons", or typed values); fill in defaults.

    Returns every parameter of the concept, in declaration order. Raises ConceptError, one line.
    """
    spec = concept if isinstance(concept, Concept) else get_concept(concept)
    raw = dict(raw or {})
    unknown = [key for key in raw if spec.param(key) is None]
    if unknown:
        names = ", ".join(p.name for p in spec.params)
        raise ConceptError(f"{spec.name}: unknown parameter {unknown[0]!r}; parameters: {names}")
    values = {p.name: p.parse(raw[p.name], spec.name) if p.name in raw else p.default for p in spec.params}
    problem = spec.check(values) if spec.check else None
    if problem:
        raise ConceptError(f"{spec.name}: {problem}")
    return values
