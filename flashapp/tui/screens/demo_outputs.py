"""What the demo screen draws for each concept's outputs: heatmaps, line plots, scatter plots and small
images, picked from the arrays (names and shapes) that the engine's concepts return.

Pure data, built in the worker thread right after a run: arrays become plain lists here (numpy is
never imported; arrays are read through `.tolist()` and `.shape`), so the screen only mounts widgets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flashapp.tui.widgets.line_plot import Series
from flashapp.tui.widgets.pixel_images import Picture, PictureGroup
from flashapp.tui.widgets.scatter_plot import Plot, PointSet, coloured_by

if TYPE_CHECKING:
    from engine.result import DemoResult

MAX_POINTS = 1000  # scatter points per set
MAX_PATHS = 30  # flow trajectories drawn
SHOWN_IMAGES = 4


@dataclass(frozen=True)
class HeatmapPanel:
    title: str
    values: list[list[float]]
    rows: list[str] | None = None
    cols: list[str] | None = None
    scale: str = "viridis"
    low: float | None = None
    high: float | None = None
    masked: list[list[bool]] | None = None  # cells drawn grey, outside the scale (a causal mask)


@dataclass(frozen=True)
class LinePanel:
    title: str
    series: list[Series]
    log_y: bool = False
    log_x: bool = False
    x_label: str = ""


@dataclass(frozen=True)
class ScatterPanel:
    title: str
    plots: list[Plot]  # side by side, on one scale


@dataclass(frozen=True)
class ImagePanel:
    title: str
    groups: list[PictureGroup]


Panel = HeatmapPanel | LinePanel | ScatterPanel | ImagePanel


@dataclass(frozen=True)
class DemoView:
    """Everything the screen shows of one run, ready to mount."""

    panels: list[Panel]
    metrics: list[tuple[str, str]]
    explanation: str
    figures: list[str] = field(default_factory=list)


def demo_view(result: DemoResult) -> DemoView:
    build = _BUILDERS.get(result.concept, _generic)
    panels = build(result)
    metrics = [(name, metric_text(value)) for name, value in result.metrics.items()]
    return DemoView(panels, metrics, result.explanation, list(result.figures))


def metric_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e9:
        return f"{int(value):,}"
    return f"{value:.4g}" if 1e-3 <= abs(value) < 1e5 else f"{value:.3e}"


# --- helpers ---------------------------------------------------------------------------------------


def _matrix(array: Any) -> list[list[float]]:
    values = array.tolist()
    return [values] if values and not isinstance(values[0], list) else values


def _labels(result: DemoResult, name: str) -> tuple[list[str] | None, list[str] | None]:
    rows, cols = result.labels.get(name, (None, None))
    return (list(rows) if rows is not None else None, list(cols) if cols is not None else None)


def _names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


def _weights(result: DemoResult, name: str, title: str) -> HeatmapPanel:
    rows, cols = _labels(result, name)
    return HeatmapPanel(title, _matrix(result.arrays[name]), rows, cols, "viridis", 0.0, 1.0)


def _signed(result: DemoResult, name: str, title: str, rows: list[str] | None = None) -> HeatmapPanel:
    label_rows, cols = _labels(result, name)
    matrix = _matrix(result.arrays[name])
    cols = cols or _names("d", len(matrix[0]) if matrix else 0)
    return HeatmapPanel(title, matrix, rows or label_rows, cols, "diverging")


def _thin(points: Sequence[Sequence[float]], limit: int = MAX_POINTS) -> list[tuple[float, float]]:
    step = max(1, math.ceil(len(points) / limit))
    return [(float(p[0]), float(p[1])) for p in points[::step]]


def _loss(title: str, named: dict[str, Any], log_y: bool = True) -> LinePanel:
    """Loss curves, each with its running mean when it is long and noisy."""
    series = []
    for name, array in named.items():
        values = [float(v) for v in array.tolist()]
        window = max(1, len(values) // 50)
        series.append(Series(name, values))
        if window > 1:
            means = [sum(values[i - window : i]) / window for i in range(window, len(values) + 1)]
            series.append(Series(f"{name}, mean of {window}", means, list(range(window, len(values) + 1))))
    return LinePanel(title, series, log_y=log_y, x_label="step")


# --- per concept -----------------------------------------------------------------------------------


def _scaled_dot_product(result: DemoResult) -> list[Panel]:
    d = result.params.get("d")
    panels: list[Panel] = [
        _weights(result, "weights", f"Weights softmax(QKᵀ/√{d}): rows are queries, columns keys"),
        _weights(result, "weights_unscaled", "Without dividing by √d: closer to one-hot"),
    ]
    rows, _ = _labels(result, "scaling_table")
    table = result.arrays["scaling_table"].tolist()
    dims = [float(str(r).split("=")[-1]) for r in rows or []]
    if dims and len(dims) == len(table):
        entropy = [
            Series("with 1/√d", [r[0] for r in table], dims),
            Series("without", [r[1] for r in table], dims),
        ]
        panels.append(
            LinePanel("Entropy of a softmax row vs dimension d (nats)", entropy, log_x=True, x_label="d")
        )
        if len(table[0]) >= 8:
            jacobian = [
                Series("with 1/√d", [r[6] for r in table], dims),
                Series("without", [r[7] for r in table], dims),
            ]
            panels.append(
                LinePanel("Softmax Jacobian norm ‖diag(p) - p pᵀ‖ vs d: the gradient's scale", jacobian,
                          log_y=True, log_x=True, x_label="d")
            )  # fmt: skip
    return panels


def _attention_pair(result: DemoResult) -> list[Panel]:
    n_rows, _ = _labels(result, "weights")
    shape = "x".join(str(n) for n in result.arrays["weights"].shape)
    return [
        _weights(result, "weights", f"Attention weights ({shape}): each row sums to 1"),
        _signed(result, "output", "Output: one row per query token", n_rows),
    ]


def _masked(result: DemoResult) -> list[Panel]:
    rows, cols = _labels(result, "weights")
    scores = _matrix(result.arrays["scores"])
    masked = [[not math.isfinite(v) for v in row] for row in scores]  # the -inf cells of the mask
    weights = _weights(result, "weights", "Weights after the softmax: exp(-inf) = 0, exactly zero")
    return [
        HeatmapPanel(
            "Scores Q Kᵀ/√d + M before the softmax: -inf above the diagonal",
            scores,
            rows,
            cols,
            "diverging",
            masked=masked,
        ),
        HeatmapPanel(weights.title, weights.values, rows, cols, "viridis", 0.0, 1.0, masked=masked),
    ]


HEAD_KINDS = ["previous token", "same token", "first token", "content: nouns"]


def _multihead(result: DemoResult) -> list[Panel]:
    special = result.arrays["specialised_weights"]  # (4, T, T): hand-set heads on a sentence
    weights = result.arrays["weights"]  # (h, T, T)
    heads, tokens = weights.shape[0], _names("t", weights.shape[1])
    words = [str(word) for word in result.arrays["head_words"].tolist()]
    panels: list[Panel] = [
        HeatmapPanel(f"Hand-set head {h}: {kind}", special[h].tolist(), words, words, "viridis", 0.0, 1.0)
        for h, kind in enumerate(HEAD_KINDS)
    ]
    panels += [
        HeatmapPanel(
            f"Untrained head {h} (random weights): an arbitrary pattern, no job",
            weights[h].tolist(),
            tokens,
            tokens,
            "viridis",
            0.0,
            1.0,
        )  # fmt: skip
        for h in range(min(heads, 2))
    ]
    if heads > 2:
        panels.append(HeatmapPanel(f"… {heads - 2} more untrained heads (all in the figure)", [], None, None))
    panels.append(_signed(result, "output", "Output (T x d_model)", tokens))
    return [p for p in panels if not isinstance(p, HeatmapPanel) or p.values]


def _permutation(result: DemoResult) -> list[Panel]:
    return [
        _signed(result, "P_f_X", "P·f(X): attend, then permute"),
        _signed(result, "f_P_X", "f(P·X): permute, then attend (the same: equivariant)"),
        _signed(result, "P_f_X_plus_PE", "P·f(X + PE)"),
        _signed(result, "f_P_X_plus_PE", "f(P·X + PE): no longer the same"),
    ]


CIRCLE_POSITIONS = 24  # positions drawn on each pair's circle, as in the engine's figure
CIRCLE_COLOURS = ("#4e9ad8", "#f28e2b", "#59a14f")


def _pair_circles(pe: Any) -> ScatterPanel:
    """(sin, cos) of a few pairs at the first positions, on concentric circles as in the engine's figure
    (radius 1, 0.75, 0.5): each pair a point turning round its circle by its own angle per position."""
    rows = pe.tolist()  # (P, d)
    pairs = len(rows[0]) // 2
    shown = min(CIRCLE_POSITIONS, len(rows))
    chosen = sorted({0, 1, min(3, pairs - 1)})
    ring = [(math.sin(2 * math.pi * k / 96), math.cos(2 * math.pi * k / 96)) for k in range(97)]
    circles = [[(r * x, r * y) for x, y in ring] for r in (1.0 - 0.25 * k for k in range(len(chosen)))]
    sets = [PointSet("circle", paths=circles, colour="#5a5a5a")]
    starts = []
    for offset, i in enumerate(chosen):
        radius = 1.0 - 0.25 * offset
        points = [(radius * rows[pos][2 * i], radius * rows[pos][2 * i + 1]) for pos in range(shown)]
        omega = 10000 ** (-2 * i / (2 * pairs))
        sets.append(PointSet(f"ω={omega:.3g}", points, colour=CIRCLE_COLOURS[offset]))
        starts.append(points[0])
    sets.append(PointSet("pos 0", starts, colour="#ffffff"))
    pairs_named = ", ".join(str(i) for i in chosen)
    return ScatterPanel(
        f"(sin, cos) of pairs {pairs_named} (outer to inner) at positions 0-{shown - 1}: each turns"
        " round its circle by its own ω radians per position",
        [Plot("", sets)],
    )


def _sinusoidal(result: DemoResult) -> list[Panel]:
    pe = result.arrays["PE"]  # (P, d): columns sin 0, cos 0, sin 1, cos 1, ...
    by_dimension = pe.T.tolist()  # (d, P)
    pairs = len(by_dimension) // 2
    falloff = [float(v) for v in result.arrays["falloff"].tolist()]
    return [
        HeatmapPanel(  # as the engine's figure: pairs down (sines, then cosines), positions across
            f"PE: the sines of pairs 0-{pairs - 1} (rows), then their cosines, x {pe.shape[0]} positions",
            by_dimension[0::2] + by_dimension[1::2],
            [f"sin {i}" for i in range(pairs)] + [f"cos {i}" for i in range(pairs)],
            _names("pos", pe.shape[0]),
            "diverging",
            -1.0,
            1.0,
        ),
        _pair_circles(pe),
        HeatmapPanel(
            "PE[p]·PE[q]: constant along diagonals",
            _matrix(result.arrays["dot_products"]),
            _names("p", pe.shape[0]),
            _names("q", pe.shape[0]),
        ),
        LinePanel(
            "PE[0]·PE[k] / PE[0]·PE[0] against the distance k",
            [Series("relative dot product", falloff, list(range(len(falloff))))],
            x_label="k",
        ),
    ]


def _rope(result: DemoResult) -> list[Panel]:
    rows, cols = _labels(result, "scores")
    offsets = [float(v) for v in result.arrays["offsets"].tolist()]
    by_offset = [float(v) for v in result.arrays["score_by_offset"].tolist()]
    return [
        HeatmapPanel(
            "RoPE scores q_m·k_n: constant along diagonals",
            _matrix(result.arrays["scores"]),
            rows,
            cols,
            "diverging",
        ),
        HeatmapPanel(
            "Added PE instead: (q + PE_m)·(k + PE_n)",
            _matrix(result.arrays["additive_scores"]),
            rows,
            cols,
            "diverging",
        ),
        LinePanel(
            "RoPE score against the offset m - n", [Series("score", by_offset, offsets)], x_label="m - n"
        ),
    ]


def _transposed_conv(result: DemoResult) -> list[Panel]:
    rows, cols = _labels(result, "overlap")
    size = result.arrays["input"].shape[0]
    kernel = result.arrays["kernel"].shape[0]
    out_rows, out_cols = _labels(result, "output")
    table_rows, table_cols = _labels(result, "output_sizes")
    m = result.metrics
    low, high = int(m["overlap_interior_min"]), int(m["overlap_interior_max"])
    verdict = "holes" if low == 0 else "uneven" if high > low else "even"
    checker = result.arrays["constant_through_transposed"]
    resized = result.arrays["constant_through_resize_conv"]
    checker_mean = sum(sum(row) for row in checker.tolist()) / max(1, checker.size)
    resized_mean = sum(sum(row) for row in resized.tolist()) / max(1, resized.size)
    return [
        HeatmapPanel(
            f"A constant image through 2 stride-{result.params['stride']} transposed convs "
            "(value / mean - 1): "
            f"spread {m['constant_spread_transposed_2_layers']:.2f}, the checkerboard",
            [[v / checker_mean - 1 for v in row] for row in checker.tolist()],
            None,
            None,
            "diverging",
        ),
        HeatmapPanel(
            f"The same through 2 resize + conv layers: spread "
            f"{m['constant_spread_resize_conv_2_layers']:.2f}, flat",
            [[v / resized_mean - 1 for v in row] for row in resized.tolist()],
            None,
            None,
            "diverging",
        ),
        HeatmapPanel(
            f"Overlap map: kernel stamps per output pixel; interior {verdict} ({low} to {high})",
            _matrix(result.arrays["overlap"]),
            rows,
            cols,
            "magma",
            0.0,
        ),
        HeatmapPanel(
            f"Input {size}x{size}",
            _matrix(result.arrays["input"]),
            _names("", size),
            _names("", size),
            "gray",
            0.0,
        ),
        HeatmapPanel(
            f"Kernel {kernel}x{kernel}",
            _matrix(result.arrays["kernel"]),
            _names("", kernel),
            _names("", kernel),
            "gray",
            0.0,
        ),
        HeatmapPanel(
            "ConvTranspose2d output (the stamps, added up)",
            _matrix(result.arrays["output"]),
            out_rows,
            out_cols,
            "magma",
            0.0,
        ),
        HeatmapPanel(
            "Output size: formula and nn.ConvTranspose2d",
            _matrix(result.arrays["output_sizes"]),
            table_rows,
            table_cols,
        ),
    ]


def _unet(result: DemoResult) -> list[Panel]:
    images, masks = result.arrays["images"], result.arrays["masks"]
    unet, no_skip = result.arrays["pred_unet"], result.arrays["pred_no_skip"]
    groups = [
        PictureGroup(
            f"test image {i}",
            [
                Picture("input", images[i].tolist(), "gray"),
                Picture("truth", masks[i].tolist(), "viridis", 0.0, 1.0),
                Picture("U-Net", unet[i].tolist(), "viridis", 0.0, 1.0),
                Picture("no skip", no_skip[i].tolist(), "viridis", 0.0, 1.0),
            ],
        )
        for i in range(min(SHOWN_IMAGES, len(images)))
    ]
    return [
        ImagePanel("Masks: P(foreground) per pixel, with and without skip connections", groups),
        _loss(
            "Training loss (binary cross-entropy)",
            {"U-Net": result.arrays["loss_unet"], "no skips": result.arrays["loss_no_skip"]},
        ),
    ]


def _autoencoder(result: DemoResult) -> list[Panel]:
    inputs, recon = result.arrays["inputs"], result.arrays["reconstructions"]
    groups = [
        PictureGroup(
            f"test {i}",
            [
                Picture("in", inputs[i].tolist(), "magma", 0.0, 1.0),
                Picture("out", recon[i].tolist(), "magma", 0.0, 1.0),
            ],
        )
        for i in range(min(6, len(inputs)))
    ]
    codes = result.arrays["codes"]
    points = codes[:, :2].tolist() if codes.shape[1] >= 2 else [[float(z[0]), 0.0] for z in codes.tolist()]
    keep = range(0, len(points), max(1, math.ceil(len(points) / MAX_POINTS)))  # thinned, as _thin does
    shown = [(float(points[i][0]), float(points[i][1])) for i in keep]
    blob = result.arrays["positions"].tolist()  # (N, 2): each test blob's true (x, y)
    by_x = coloured_by("x", shown, [float(blob[i][0]) for i in keep])
    by_y = coloured_by("y", shown, [float(blob[i][1]) for i in keep])
    return [
        ImagePanel("Inputs and their reconstructions", groups),
        ScatterPanel(
            "Latent codes z (first two coordinates), coloured dark to light by the blob's true position:"
            f" by x in the first plot ({' '.join(s.name.lstrip('x') for s in by_x)}),"
            f" by y in the second ({' '.join(s.name.lstrip('y') for s in by_y)})",
            [Plot("", by_x), Plot("", by_y)],
        ),
        _loss("Reconstruction loss (mean squared error)", {"training batch": result.arrays["loss"]}),
    ]


def _loss_after(title: str, phases: list[tuple[str, Any]]) -> LinePanel:
    """Training phases one after the other on one step axis, each as its running mean, log scale."""
    series, offset = [], 0
    for name, array in phases:
        values = [float(v) for v in array.tolist()]
        window = max(1, len(values) // 50)
        means = [sum(values[i - window : i]) / window for i in range(window, len(values) + 1)]
        series.append(Series(name, means, [offset + i for i in range(window, len(values) + 1)]))
        offset += len(values)
    return LinePanel(title, series, log_y=True, x_label="step")


def _paths(paths: Any) -> list[list[tuple[float, float]]]:
    shown = min(MAX_PATHS, paths.shape[1])  # paths: (steps + 1, N, 2)
    return [[(float(x), float(y)) for x, y in paths[:, i].tolist()] for i in range(shown)]


def _flow_matching(result: DemoResult) -> list[Panel]:
    data, samples = result.arrays["data"].tolist(), result.arrays["samples"].tolist()
    steps = result.params.get("sample_steps")
    m = result.metrics
    path_plots = []
    for rf, name, colour in (("1-RF", "trajectories", "#4e9ad8"), ("2-RF", "trajectories_2rf", "#59a14f")):
        lines = _paths(result.arrays[name])
        title = f"{rf}: straightness {m['straightness_' + rf.replace('-', '').lower()]:.3f}"
        path_plots.append(
            Plot(
                title,
                [
                    PointSet(f"{rf} paths", paths=lines, colour=colour),
                    PointSet("t=0 noise", [path[0] for path in lines], colour="#dddddd"),
                    PointSet("t=1 sample", [path[-1] for path in lines], colour="#e15759"),
                ],
            )
        )
    one_step = []
    for rf, name, colour in (
        ("1-RF", "one_step_samples", "#f28e2b"),
        ("2-RF", "one_step_samples_2rf", "#59a14f"),
    ):
        key = rf.replace("-", "").lower()
        title = f"precision {m['one_step_precision_' + key]:.2f} recall {m['one_step_recall_' + key]:.2f}"
        one_step.append(
            Plot(title, [PointSet(f"{rf}, 1 step", _thin(result.arrays[name].tolist()), colour=colour)])
        )
    rows, _ = _labels(result, "quality_by_euler_steps")  # columns: 1-RF and 2-RF precision, recall
    cols = ["1-RF P", "1-RF R", "2-RF P", "2-RF R"]  # short, so the values fit at 80 columns
    return [
        ScatterPanel(
            "The data, and 1-RF samples from noise in N Euler steps",
            [
                Plot(
                    f"precision {m['precision_floor']:.2f} (2nd sample)",
                    [PointSet("data", _thin(data), colour="#9a9a9a")],
                ),
                Plot(
                    f"precision {m['precision']:.2f} recall {m['recall']:.2f}",
                    [PointSet(f"1-RF, N = {steps}", _thin(samples), colour="#4e9ad8")],
                ),
            ],
        ),
        ScatterPanel("Paths from noise: 1-RF bends, reflow (2-RF) goes straight", path_plots),
        ScatterPanel("One Euler step: 1-RF lands near the mean, 2-RF on the data", one_step),
        _loss_after(
            "Flow matching loss ‖v_θ(x_t, t) - (x1 - x0)‖²: 1-RF, then 2-RF trained on 1-RF's pairs",
            [("1-RF", result.arrays["loss"]), ("2-RF (reflow)", result.arrays["loss_2rf"])],
        ),
        HeatmapPanel(
            "k-NN precision (P) and recall (R) by Euler steps N, for 1-RF and 2-RF",
            _matrix(result.arrays["quality_by_euler_steps"]),
            rows,
            cols,
            "viridis",
            0.0,
            1.0,
        ),
    ]


def _toy_transformer(result: DemoResult) -> list[Panel]:
    snapshots = result.arrays["attention_snapshots"]  # (S, h, n, n): the read-out heads at S steps
    rows, cols = _labels(result, "attention")
    curve = result.arrays["accuracy"]  # (E, 4): step, digits right, sequences right, weight on source
    by_step = {int(row[0]): float(row[1]) for row in curve.tolist()}
    panels: list[Panel] = []
    for at, snap in zip(result.arrays["snapshot_steps"].tolist(), snapshots.tolist(), strict=True):
        heads = len(snap)
        mean = [[sum(snap[h][i][j] for h in range(heads)) / heads for j in range(len(snap[0][0]))]
                for i in range(len(snap[0]))]  # fmt: skip
        title = (
            f"Step {at}: accuracy {by_step.get(int(at), 0.0):.0%}, read-out attention (mean of {heads} heads)"
        )
        panels.append(HeatmapPanel(title, mean, rows, cols, "viridis", 0.0, 1.0))
    steps = [float(v) for v in curve[:, 0].tolist()]
    panels.append(
        LinePanel(
            "Held-out accuracy and the read-out's weight on the right input",
            [
                Series("digits right", curve[:, 1].tolist(), steps),
                Series("sequences right", curve[:, 2].tolist(), steps),
                Series("weight on source", curve[:, 3].tolist(), steps),
            ],
            x_label="step",
        )
    )
    panels.append(_loss("Cross-entropy loss", {"training batch": result.arrays["loss"]}))
    return panels


def _taxonomy(result: DemoResult) -> list[Panel]:
    rows, cols = _labels(result, "properties")
    return [
        HeatmapPanel(
            "Properties (1 yes, 0.5 partly, 0 no)",
            _matrix(result.arrays["properties"]),
            rows,
            cols,
            "viridis",
            0,
            1,
        )
    ]


def _generic(result: DemoResult) -> list[Panel]:
    """Any other concept: labelled matrices as heatmaps, 1-D `loss` arrays as curves, (N, 2) as points."""
    panels: list[Panel] = []
    for name, array in result.arrays.items():
        if name in result.labels:
            rows, cols = _labels(result, name)
            panels.append(HeatmapPanel(name, _matrix(array), rows, cols))
        elif array.ndim == 1 and "loss" in name:
            panels.append(_loss(name, {name: array}))
        elif array.ndim == 2 and array.shape[1] == 2 and array.shape[0] > 2:
            panels.append(ScatterPanel(name, [Plot("", [PointSet(name, _thin(array.tolist()))])]))
    return panels


_BUILDERS: dict[str, Callable[[DemoResult], list[Panel]]] = {
    "attention.scaled_dot_product": _scaled_dot_product,
    "attention.self": _attention_pair,
    "attention.cross": _attention_pair,
    "attention.multihead": _multihead,
    "attention.masked": _masked,
    "attention.permutation": _permutation,
    "positional.sinusoidal": _sinusoidal,
    "positional.rope": _rope,
    "transposed_conv": _transposed_conv,
    "segmentation.unet": _unet,
    "autoencoder": _autoencoder,
    "flow_matching": _flow_matching,
    "generative.taxonomy": _taxonomy,
    "transformer.toy_task": _toy_transformer,
}
