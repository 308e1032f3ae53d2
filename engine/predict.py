"""The truths of predict-then-run cards, computed by the engine itself: a real `nn.ConvTranspose2d`,
`nn.MultiheadAttention`, the engine's attention, positional encoding, flow path and U-Net.

    >>> solve("softmax", {"s0": 1, "s1": 2, "s2": 3}).parts
    ((0.0900..., 0.2447..., 0.6652...),)

Each part of a truth is an `int`, a `float`, a shape (a tuple of ints), a vector (a tuple of floats)
or a choice (a string), in the order of the task's `parts`; `explanation` is the worked solution with
the case's numbers in it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn as nn

from engine.concepts.attention import attention, causal_mask, entropy
from engine.concepts.flow_matching import straight_path
from engine.concepts.positional import BASE, sinusoidal_encoding
from engine.concepts.toy_transformer import source_positions
from engine.concepts.transposed_conv import output_size, overlap_map, unevenness
from engine.concepts.unet import TinyUNet
from engine.predict_registry import get_task
from engine.registry import ParamValue


@dataclass(frozen=True)
class PredictTruth:
    parts: tuple[Any, ...]
    explanation: str


def solve(task_name: str, params: Mapping[str, ParamValue]) -> PredictTruth:
    """The truth for one drawn case. Raises `engine.ConceptError` for an unknown task or a bad value."""
    task = get_task(task_name)
    values = task.validate(params)
    function: Callable[[dict[str, Any]], PredictTruth] = _SOLVERS[task.function]
    # Building a module draws its initial weights from torch's global generator: leave it as it was.
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        return function(values)


def _num(value: float) -> str:
    """A number as the explanations write it: whole numbers plain, others to 4 decimals."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _shape(shape: tuple[int, ...]) -> str:
    return " x ".join(str(n) for n in shape)


def conv_transpose_shape(p: dict[str, Any]) -> PredictTruth:
    h, w, k, s = p["h"], p["w"], p["kernel"], p["stride"]
    pad, out_pad, dil = p["padding"], p["output_padding"], p["dilation"]
    layer = nn.ConvTranspose2d(1, 1, k, stride=s, padding=pad, output_padding=out_pad, dilation=dil)
    out = layer(torch.zeros(1, 1, h, w))  # (1, 1, H_out, W_out)
    shape = tuple(int(n) for n in out.shape[-2:])
    by_formula = (output_size(h, k, s, pad, out_pad, dil), output_size(w, k, s, pad, out_pad, dil))
    assert shape == by_formula, (shape, by_formula)

    def line(name: str, size: int, result: int) -> str:
        return f"  {name}_out = ({size} - 1)·{s} - 2·{pad} + {dil}·({k} - 1) + {out_pad} + 1 = {result}"

    explanation = f"""
Each input pixel stamps the kernel onto the output, stride pixels apart; the stamps reach
dilation·(kernel - 1) + 1 pixels; padding is cut from each side and output_padding added at the end:

  size_out = (size_in - 1)·stride - 2·padding + dilation·(kernel - 1) + output_padding + 1
{line("H", h, shape[0])}
{line("W", w, shape[1])}

nn.ConvTranspose2d(1, 1, kernel_size={k}, stride={s}, padding={pad}, output_padding={out_pad},
dilation={dil}) turns a (1, 1, {h}, {w}) input into torch.Size({list(out.shape)}): {_shape(shape)}.
"""
    return PredictTruth((shape,), explanation)


def conv_transpose_overlap(p: dict[str, Any]) -> PredictTruth:
    k, s = p["kernel"], p["stride"]
    size = 8
    ratio = unevenness(size, k, s)
    answer = "even" if ratio == 1 else "uneven"
    # Per axis: output x gets a stamp from each input i with i·s <= x <= i·s + k - 1 (interior x only).
    per_axis = sorted(
        {sum(1 for i in range(size) if i * s <= x <= i * s + k - 1) for x in range(k - 1, (size - 1) * s + 1)}
    )
    in_2d = sorted({a * b for a in per_axis for b in per_axis})
    row = overlap_map(size, k, s)[(k - 1) + 2 * s].tolist()  # an interior row of the 2-D stamp counts
    verdict = (
        "An uneven overlap prints a checkerboard pattern into a generator's output."
        if answer == "uneven"
        else "Every interior pixel is covered the same number of times: no checkerboard from the overlap."
    )
    explanation = f"""
Along one axis, output pixel x collects a stamp from every input pixel i with i·stride <= x <=
i·stride + kernel - 1: floor(kernel/stride) = {k // s} or ceil(kernel/stride) = {-(-k // s)} of them. They
are all equal exactly when the kernel size is divisible by the stride.

kernel {k}, stride {s}: {" or ".join(map(str, per_axis))} stamps per axis, so
{", ".join(map(str, in_2d))} in 2-D (the product of the two axes); max/min = {_num(ratio)}:
the overlap is {answer}. {verdict}

An interior row of the overlap map (all-ones input and kernel): {" ".join(str(int(c)) for c in row)}
"""
    return PredictTruth((answer,), explanation)


def attention_shapes(p: dict[str, Any]) -> PredictTruth:
    B, n, m, d, h = p["batch"], p["n"], p["m"], p["d"], p["heads"]
    mha = nn.MultiheadAttention(d, h, batch_first=True)
    target = torch.zeros(B, n, d)  # (B, n, d): queries come from here
    source = torch.zeros(B, m, d)  # (B, m, d): keys and values come from here
    out, weights = mha(target, source, source, need_weights=True, average_attn_weights=False)
    out_shape, w_shape = tuple(out.shape), tuple(weights.shape)  # (B, n, d), (B, h, n, m)
    explanation = f"""
Cross-attention with nn.MultiheadAttention({d}, {h}, batch_first=True): queries from a (B, n, d) =
({B}, {n}, {d}) target, keys and values from a (B, m, d) = ({B}, {m}, {d}) source.

  per head: Q_i (B, n, d/h) = ({B}, {n}, {d // h}),  K_i, V_i (B, m, d/h) = ({B}, {m}, {d // h})
  weights_i = softmax(Q_i K_iᵀ / √(d/h)):  (B, n, m) per head, (B, h, n, m) = {_shape(w_shape)} for all heads
  output = concat_i(weights_i V_i) W_o:    (B, n, d) = {_shape(out_shape)}

The output has the target's length n and the model width d; the weights are n x m per head: one row
per query, one column per key. (With the default average_attn_weights=True torch averages the heads
and returns (B, n, m).)
"""
    return PredictTruth((out_shape, w_shape), explanation)


def tiny_attention_weights(p: dict[str, Any]) -> PredictTruth:
    q = torch.tensor([[p["q0"], p["q1"]]], dtype=torch.float64)  # (1, 2): one query
    keys = torch.tensor([[p["a0"], p["a1"]], [p["b0"], p["b1"]]], dtype=torch.float64)  # (2, 2)
    _, weights = attention(q, keys, torch.eye(2, dtype=torch.float64))  # weights (1, 2)
    wa, wb = (float(w) for w in weights[0])
    dot_a = p["q0"] * p["a0"] + p["q1"] * p["a1"]
    dot_b = p["q0"] * p["b0"] + p["q1"] * p["b1"]
    sa, sb = dot_a / math.sqrt(2), dot_b / math.sqrt(2)
    explanation = f"""
Scores are dot products divided by √d_k = √2, and the softmax turns them into weights:

  q·a = {p["q0"]}·{p["a0"]} + {p["q1"]}·{p["a1"]} = {dot_a}
  q·b = {p["q0"]}·{p["b0"]} + {p["q1"]}·{p["b1"]} = {dot_b}
  scaled: {_num(sa)} and {_num(sb)}
  weights = (e^{_num(sa)}, e^{_num(sb)}) / (e^{_num(sa)} + e^{_num(sb)}) = ({_num(wa)}, {_num(wb)})

With two keys this is a logistic curve of the score difference: w_a = 1 / (1 + e^-({_num(sa)} - {_num(sb)})).
The weights sum to 1; the output would be {_num(wa)}·v_a + {_num(wb)}·v_b.
"""
    return PredictTruth(((wa, wb),), explanation)


def pe_value(p: dict[str, Any]) -> PredictTruth:
    pos, dim, d = p["pos"], p["dim"], p["d"]
    value = float(sinusoidal_encoding(pos + 1, d).double()[pos, dim])
    two_i = dim - dim % 2
    frequency = BASE ** (two_i / d)
    angle = pos / frequency
    function = "sin" if dim % 2 == 0 else "cos"
    explanation = f"""
Dimension {dim} is {"even: a sine" if dim % 2 == 0 else "odd: a cosine"}, with 2i = {two_i}:

  PE[pos, {"2i" if dim % 2 == 0 else "2i+1"}] = {function}(pos / 10000^(2i/d))
  PE[{pos}, {dim}] = {function}({pos} / 10000^({two_i}/{d})) = {function}({pos} / {_num(frequency)})
            = {function}({_num(angle)}) = {value:.6f}

(angles in radians; the value is the engine's encoding matrix entry).
"""
    return PredictTruth((value,), explanation)


def multihead_parameters(p: dict[str, Any]) -> PredictTruth:
    d, h = p["d_model"], p["heads"]
    mha = nn.MultiheadAttention(d, h, device="meta")  # shapes only: no memory, no initialisation cost
    sizes = {name: param.numel() for name, param in mha.named_parameters()}
    total = sum(sizes.values())
    listing = "\n".join(f"  {name:<18} {n:>12,}" for name, n in sizes.items())
    explanation = f"""
nn.MultiheadAttention({d}, {h}) holds W_q, W_k, W_v stacked in in_proj_weight (3d x d) with a bias of 3d,
and the output projection W_o (d x d) with a bias of d:

{listing}
  total              {total:>12,}  = 4·d² + 4·d = 4·{d}² + 4·{d}

The {h} heads split the same d = {d} dimensions into {h} slices of {d // h}: the number of heads does not
change the parameter count.
"""
    return PredictTruth((total,), explanation)


def softmax3(p: dict[str, Any]) -> PredictTruth:
    scores = torch.tensor([p["s0"], p["s1"], p["s2"]], dtype=torch.float64)
    weights = scores.softmax(-1)
    top = float(scores.max())
    shifted = [float(s) - top for s in scores]
    exps = [math.exp(s) for s in shifted]
    explanation = f"""
softmax(s)_i = e^(s_i) / Σ_j e^(s_j). Subtracting the largest score first changes nothing and keeps
the exponentials small:

  s - max(s) = ({", ".join(_num(s) for s in shifted)})
  e^(s - max) = ({", ".join(_num(e) for e in exps)}),  sum {_num(sum(exps))}
  softmax(s)  = ({", ".join(_num(w) for w in weights.tolist())})

The weights are positive and sum to 1; a score one larger gets e ≈ 2.718 times the weight.
"""
    return PredictTruth((tuple(weights.tolist()),), explanation)


def straight_path_point(p: dict[str, Any]) -> PredictTruth:
    t = p["t"]
    x0 = torch.tensor([p["x0a"], p["x0b"]], dtype=torch.float64)
    x1 = torch.tensor([p["x1a"], p["x1b"]], dtype=torch.float64)
    xt, velocity = straight_path(x0, x1, t)
    xt_t, v_t = tuple(xt.tolist()), tuple(velocity.tolist())
    explanation = f"""
Rectified flow moves along the straight line from noise x0 (t = 0) to data x1 (t = 1):

  x_t = (1 - t)·x0 + t·x1 = {_num(1 - t)}·({p["x0a"]}, {p["x0b"]}) + {_num(t)}·({p["x1a"]}, {p["x1b"]})
      = ({_num(xt_t[0])}, {_num(xt_t[1])})
  target velocity = x1 - x0 = ({p["x1a"]} - ({p["x0a"]}), {p["x1b"]} - ({p["x0b"]}))
                  = ({_num(v_t[0])}, {_num(v_t[1])})

The velocity does not depend on t: the path is straight and walked at constant speed, which is what
the network v_θ(x_t, t) is trained to predict, ‖v_θ(x_t, t) - (x1 - x0)‖².
"""
    return PredictTruth((xt_t, v_t), explanation)


def unet_shapes(p: dict[str, Any]) -> PredictTruth:
    size, c = p["size"], p["width"]
    net = TinyUNet(c, skip=True).eval()
    seen: dict[str, tuple[int, ...]] = {}

    def after_bottleneck(_module: nn.Module, _inputs: Any, output: torch.Tensor) -> None:
        seen["bottleneck"] = tuple(output.shape)  # (1, 4c, S/4, S/4)

    def before_decoder(_module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        seen["decoder"] = tuple(inputs[0].shape)  # (1, 4c, S/2, S/2): up-convolved and skip, concatenated

    hooks = [
        net.bottom.register_forward_hook(after_bottleneck),
        net.dec2.register_forward_pre_hook(before_decoder),
    ]
    try:
        net(torch.zeros(1, 1, size, size))  # (B=1, 1, S, S)
    finally:
        for hook in hooks:
            hook.remove()
    bottleneck, decoder = seen["bottleneck"][1:], seen["decoder"][1:]  # (C, H, W) without the batch
    explanation = f"""
The demo's U-Net (width c = {c}) on a 1 x {size} x {size} image; convolutions use padding 1, so only the
poolings and the up-convolutions change the size:

  down1: conv-conv            {c} x {size} x {size}
  pool, down2: conv-conv      {2 * c} x {size // 2} x {size // 2}
  pool, bottleneck            {_shape(bottleneck)}        (4c channels at a quarter of the size)
  up2: ConvTranspose2d(2, stride 2)  {2 * c} x {size // 2} x {size // 2}
  concat with down2's output  {_shape(decoder)}        (2c + 2c channels: the skip connection)

The decoder block at half resolution therefore takes {_shape(decoder)}; without the skip it would take
{2 * c} x {size // 2} x {size // 2}.
"""
    return PredictTruth((bottleneck, decoder), explanation)


def reverse_source(p: dict[str, Any]) -> PredictTruth:
    n, i = p["n"], p["i"]
    x = torch.arange(n)[None] % 10  # (1, n): any digits; reversal's source depends on positions only
    source = int(source_positions("reverse", x)[0, i])
    explanation = f"""
Reversing {n} digits, output position i reads input position n - 1 - i = {n} - 1 - {i} = {source}
(positions count from 0). The toy transformer's read-out has only a position query for each output,
so after training its attention puts nearly all the weight there: the anti-diagonal of the n x n map.
"""
    return PredictTruth((source,), explanation)


_SOLVERS: dict[str, Callable[[dict[str, Any]], PredictTruth]] = {
    "conv_transpose_shape": conv_transpose_shape,
    "conv_transpose_overlap": conv_transpose_overlap,
    "attention_shapes": attention_shapes,
    "tiny_attention_weights": tiny_attention_weights,
    "pe_value": pe_value,
    "multihead_parameters": multihead_parameters,
    "softmax3": softmax3,
    "straight_path": straight_path_point,
    "unet_shapes": unet_shapes,
    "reverse_source": reverse_source,
}


# --- understanding, not arithmetic: the truths of the shipped deck's conceptual predict cards ------------


def uniform_entropy(p: dict[str, Any]) -> PredictTruth:
    n = p["n"]
    q = torch.zeros(1, 4, dtype=torch.float64)  # (1, d_k): a zero query scores every key 0
    keys = torch.randn(n, 4, dtype=torch.float64)  # (n, d_k)
    _, weights = attention(q, keys, keys)  # weights (1, n)
    bits = float(entropy(weights)[0]) / math.log(2)
    explanation = f"""
Equal scores give a uniform softmax: every one of the {n} keys gets weight 1/{n} = {_num(1 / n)}.
Entropy = -Σ w·log2 w = -{n}·(1/{n})·log2(1/{n}) = log2 {n} = {_num(bits)} bits,
the largest any row over {n} keys can have (a one-hot row has 0). The engine's attention with a zero
query gives the weights {_num(float(weights[0, 0]))} each.
"""
    return PredictTruth((bits,), explanation)


def causal_zeros(p: dict[str, Any]) -> PredictTruth:
    n = p["n"]
    x = torch.randn(n, 8, dtype=torch.float64)  # (n, d)
    _, weights = attention(x, x, x, mask=causal_mask(n))  # weights (n, n), lower triangular
    zeros = int((weights == 0).sum())
    explanation = f"""
Row i may look at tokens 0..i, so the entries above the diagonal are masked to -inf and get weight
exactly 0: n(n - 1)/2 = {n}·{n - 1}/2 = {zeros} of the {n * n}. The other {n * n - zeros} (the diagonal and
below) are positive, and every row still sums to 1.
"""
    return PredictTruth((zeros,), explanation)


def weight_count(p: dict[str, Any]) -> PredictTruth:
    B, h, n, d = p["batch"], p["heads"], p["n"], p["d"]
    mha = nn.MultiheadAttention(d, h, batch_first=True)
    x = torch.zeros(B, n, d)  # (B, n, d)
    _, weights = mha(x, x, x, need_weights=True, average_attn_weights=False)  # (B, h, n, n)
    count = weights.numel()
    explanation = f"""
Every head keeps its own n x n weight matrix: the weights are (B, h, n, n) = {_shape(tuple(weights.shape))},
B·h·n² = {B}·{h}·{n}² = {count} numbers. Splitting d into more heads keeps the FLOPs about the same
but multiplies this memory by h.
"""
    return PredictTruth((count,), explanation)


def kv_cache_size(p: dict[str, Any]) -> PredictTruth:
    layers, n, d = p["layers"], p["n"], p["d"]
    cache = [(torch.empty(0, d), torch.empty(0, d)) for _ in range(layers)]  # per layer: K (t, d), V (t, d)
    for _ in range(n):  # each generated token appends its own key and value in every layer
        cache = [(torch.cat([k, torch.zeros(1, d)]), torch.cat([v, torch.zeros(1, d)])) for k, v in cache]
    count = sum(k.numel() + v.numel() for k, v in cache)
    explanation = f"""
Each of the {layers} layers keeps a key and a value vector of width d = {d} for every one of the {n}
tokens so far: 2 · layers · n · d = 2·{layers}·{n}·{d} = {count} numbers per sequence (times the bytes per
number, and the batch size, for the memory).
"""
    return PredictTruth((count,), explanation)


def block_weights(p: dict[str, Any]) -> PredictTruth:
    d, mult = p["d"], p["ffn_mult"]
    block = nn.TransformerEncoderLayer(d, 1, dim_feedforward=mult * d, device="meta")
    matrices = {name: q.numel() for name, q in block.named_parameters() if q.dim() == 2}
    attn = sum(n for name, n in matrices.items() if name.startswith("self_attn"))
    ffn = sum(n for name, n in matrices.items() if name.startswith("linear"))
    assert attn % (d * d) == 0 and ffn % (d * d) == 0
    listing = "\n".join(f"  {name:<28} {n:>10,}" for name, n in matrices.items())
    explanation = f"""
nn.TransformerEncoderLayer({d}, nhead=1, dim_feedforward={mult * d}), weight matrices only:

{listing}

Attention: W_q, W_k, W_v, W_o, each d x d: {attn // (d * d)}d². Feed-forward: d x {mult}d and {mult}d x d:
2·{mult}d² = {ffn // (d * d)}d². Together {(attn + ffn) // (d * d)}d² (with a 4d FFN: 12d²); biases and
LayerNorms add only O(d).
"""
    return PredictTruth((attn // (d * d), ffn // (d * d)), explanation)


def patch_count(p: dict[str, Any]) -> PredictTruth:
    image, patch = p["image"], p["patch"]
    embed = nn.Conv2d(3, 1, patch, stride=patch, device="meta")  # ViT's patch embedding
    grid = embed(torch.empty(1, 3, image, image, device="meta")).shape[-2:]  # (image/P, image/P)
    count = int(grid[0] * grid[1])
    explanation = f"""
ViT's patch embedding is a convolution with kernel = stride = P = {patch}: it cuts the {image} x {image}
image into {image}/{patch} = {grid[0]} patches per side, {grid[0]} x {grid[1]} = {count} patch tokens
(plus one [CLS] token: a sequence of {count + 1}).
"""
    return PredictTruth((count,), explanation)


def round_trip(p: dict[str, Any]) -> PredictTruth:
    h, k, s, pad = p["h"], p["kernel"], p["stride"], p["padding"]
    down = nn.Conv2d(1, 1, k, stride=s, padding=pad)
    up = nn.ConvTranspose2d(1, 1, k, stride=s, padding=pad)
    middle = down(torch.zeros(1, 1, h, h))  # (1, 1, H', H')
    back = up(middle)  # (1, 1, H'', H'')
    h1, h2 = int(middle.shape[-1]), int(back.shape[-1])
    lost = h - h2
    # H'' = H - (H + 2p - k) mod s, so 0 <= lost < s: exactly what output_padding (< stride) can restore.
    note = "the size comes back." if lost == 0 else f"output_padding={lost} would restore them."
    explanation = f"""
Conv2d: floor((H + 2p - k)/s) + 1 = floor(({h} + {2 * pad} - {k})/{s}) + 1 = {h1}
ConvTranspose2d: (H' - 1)·s - 2p + k = ({h1} - 1)·{s} - {2 * pad} + {k} = {h2}

The transposed convolution reverses the shape change, but the convolution's floor loses (H + 2p - k) mod s
= {(h + 2 * pad - k) % s} row(s): {note}
"""
    return PredictTruth((h1, h2), explanation)


def unet_valid_level(p: dict[str, Any]) -> PredictTruth:
    size = p["size"]
    convs = nn.Sequential(nn.Conv2d(1, 1, 3), nn.ReLU(), nn.Conv2d(1, 1, 3), nn.ReLU())  # unpadded
    after_convs = convs(torch.zeros(1, 1, size, size))  # (1, 1, S - 4, S - 4)
    after_pool = nn.MaxPool2d(2)(after_convs)  # (1, 1, (S - 4)/2, (S - 4)/2)
    a, b = int(after_convs.shape[-1]), int(after_pool.shape[-1])
    explanation = f"""
Each unpadded 3x3 convolution loses one pixel on each side: {size} → {size - 2} → {a}. The 2x2 max-pool
halves it: {a} → {b}. The original U-Net's 572 → 568 → 284 is this step; the {a} x {a} map is what the
decoder later copies and crops, since its own maps come out smaller.
"""
    return PredictTruth((a, b), explanation)


def pixel_shuffle(p: dict[str, Any]) -> PredictTruth:
    c, r, h, w = p["channels"], p["factor"], p["h"], p["w"]
    out = nn.PixelShuffle(r)(torch.zeros(1, c, h, w))  # (1, C/r², rH, rW)
    shape = tuple(int(n) for n in out.shape[1:])
    explanation = f"""
nn.PixelShuffle({r}) moves each group of r² = {r * r} channels into an r x r block of pixels:
C x H x W = {c} x {h} x {w} becomes C/r² x rH x rW = {_shape(shape)}. No arithmetic on values, only a
rearrangement; the convolution before it computes the r² sub-pixel values.
"""
    return PredictTruth((shape,), explanation)


def mask_iou(p: dict[str, Any]) -> PredictTruth:
    a, b, both = p["a"], p["b"], p["overlap"]
    size = a + b - both
    predicted = torch.zeros(size, dtype=torch.bool)
    true = torch.zeros(size, dtype=torch.bool)
    predicted[:a] = True  # pixels 0 .. a-1
    true[a - both :] = True  # the last b pixels: `both` of them shared
    value = float((predicted & true).sum() / (predicted | true).sum())
    explanation = f"""
IoU = |A ∩ B| / |A ∪ B|. The union counts the shared pixels once: {a} + {b} - {both} = {size}.
IoU = {both}/{size} = {_num(value)}.
"""
    return PredictTruth((value,), explanation)


def forward_sample(p: dict[str, Any]) -> PredictTruth:
    abar, x0, eps = p["alpha_bar"], p["x0"], p["eps"]
    signal, noise = math.sqrt(abar), math.sqrt(1 - abar)
    xt = float(torch.tensor(signal) * x0 + torch.tensor(noise) * eps)
    explanation = f"""
x_t = √ᾱ_t·x_0 + √(1 - ᾱ_t)·ε = √{_num(abar)}·{x0} + √{_num(1 - abar)}·{eps}
    = {_num(signal)}·{x0} + {_num(noise)}·{eps} = {_num(xt)}
The two coefficients' squares sum to 1, so unit-variance data stays at unit variance. ᾱ = 1 is the
clean x_0, ᾱ = 0 pure noise.
"""
    return PredictTruth((xt,), explanation)


def cfg(p: dict[str, Any]) -> PredictTruth:
    s, uncond, cond = p["scale"], p["uncond"], p["cond"]
    guided = float(torch.tensor(float(uncond)).lerp(torch.tensor(float(cond)), s))  # u + s·(c - u)
    explanation = f"""
guided = ε(x, ∅) + s·(ε(x, c) - ε(x, ∅)) = {uncond} + {_num(s)}·({cond} - ({uncond})) = {_num(guided)}
s = 0 is the unconditional prediction, s = 1 the conditional one, s > 1 extrapolates past it, away from
the unconditional one.
"""
    return PredictTruth((guided,), explanation)


def kl_gaussian(p: dict[str, Any]) -> PredictTruth:
    mu, sigma = p["mu"], p["sigma"]
    q = torch.distributions.Normal(torch.tensor(float(mu), dtype=torch.float64), float(sigma))
    prior = torch.distributions.Normal(torch.tensor(0.0, dtype=torch.float64), 1.0)
    value = float(torch.distributions.kl_divergence(q, prior))
    explanation = f"""
KL(𝒩(μ, σ²) ‖ 𝒩(0, 1)) = ½(μ² + σ² - 1 - ln σ²) = ½({mu}² + {_num(sigma)}² - 1 - ln {_num(sigma**2)})
                      = {_num(value)}   (torch.distributions.kl_divergence agrees)
With σ = 1 it is μ²/2: the KL term pulls each code's mean towards 0.
"""
    return PredictTruth((value,), explanation)


def course_velocity(p: dict[str, Any]) -> PredictTruth:
    data = torch.tensor([p["xa"], p["xb"]], dtype=torch.float64)
    noise = torch.tensor([p["za"], p["zb"]], dtype=torch.float64)
    _, velocity = straight_path(data, noise, 0.5)  # course: data at t = 0, noise at t = 1
    v = tuple(velocity.tolist())
    explanation = f"""
The course (and SD3) put data at t = 0 and noise at t = 1: x_t = (1 - t)·x + t·z, so
  v = dx_t/dt = z - x = ({p["za"]} - ({p["xa"]}), {p["zb"]} - ({p["xb"]})) = ({_num(v[0])}, {_num(v[1])}).
Sampling then runs from t = 1 down to 0 with x ← x - Δt·v. Liu et al. (and this app's demo) put noise
at t = 0: their target x_data - x_noise is the negative of this one.
"""
    return PredictTruth((v,), explanation)


def optimal_discriminator(p: dict[str, Any]) -> PredictTruth:
    pd, pg = p["p_data"], p["p_g"]
    grid = torch.linspace(1e-6, 1 - 1e-6, 1_000_001, dtype=torch.float64)  # candidate D(x) values
    value = pd * grid.log() + pg * (1 - grid).log()  # the discriminator's objective at x
    best = float(grid[int(value.argmax())])
    explanation = f"""
At a point x the discriminator maximises p_data·log D + p_g·log(1 - D); the derivative vanishes at
D* = p_data / (p_data + p_g) = {_num(pd)} / ({_num(pd)} + {_num(pg)}) = {_num(best)} (a grid search agrees).
Where the generator matches the data, D* = 1/2: it cannot tell them apart.
"""
    return PredictTruth((best,), explanation)


_SOLVERS.update(
    {
        "uniform_entropy": uniform_entropy,
        "causal_zeros": causal_zeros,
        "weight_count": weight_count,
        "kv_cache_size": kv_cache_size,
        "block_weights": block_weights,
        "patch_count": patch_count,
        "round_trip": round_trip,
        "unet_valid_level": unet_valid_level,
        "pixel_shuffle": pixel_shuffle,
        "mask_iou": mask_iou,
        "forward_sample": forward_sample,
        "cfg": cfg,
        "kl_gaussian": kl_gaussian,
        "course_velocity": course_velocity,
        "optimal_discriminator": optimal_discriminator,
    }
)
