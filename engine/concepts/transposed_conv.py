"""Transposed convolution: the output-size formula, the overlap map, and zero-insertion + convolution."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from engine.context import RunContext
from engine.plots import heatmap, labels, new_figure
from engine.result import ConceptOutput, arrays_from


def output_size(
    h_in: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """H_out = (H_in - 1)·stride - 2·padding + dilation·(kernel - 1) + output_padding + 1."""
    return (h_in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def transposed_conv_by_scatter(
    x: torch.Tensor,
    w: torch.Tensor,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> torch.Tensor:
    """The definition: every input pixel stamps the kernel, scaled by its value, onto the output at
    (i·stride, j·stride); overlapping stamps add up; then `padding` is cut from each side.

    x: (C_in, H, W), w: (C_in, C_out, k, k) as in nn.ConvTranspose2d  ->  (C_out, H_out, W_out)
    """
    C_in, H, W = x.shape
    _, C_out, k, _ = w.shape
    span = dilation * (k - 1) + 1  # how far one stamp reaches
    h_out = output_size(H, k, stride, padding, output_padding, dilation)
    w_out = output_size(W, k, stride, padding, output_padding, dilation)
    full = x.new_zeros(
        C_out, max((H - 1) * stride + span, padding + h_out), max((W - 1) * stride + span, padding + w_out)
    )  # (C_out, H_full, W_full)
    for i in range(H):
        for j in range(W):
            stamp = torch.einsum("c,cokl->okl", x[:, i, j], w)  # (C_out, k, k): Σ_c x[c,i,j]·w[c]
            top, left = i * stride, j * stride
            full[:, top : top + span : dilation, left : left + span : dilation] += stamp
    return full[:, padding : padding + h_out, padding : padding + w_out]


def zero_insert(x: torch.Tensor, stride: int) -> torch.Tensor:
    """(..., H, W) -> (..., (H-1)·stride + 1, (W-1)·stride + 1) with stride-1 zeros between pixels."""
    *lead, H, W = x.shape
    out = x.new_zeros(*lead, (H - 1) * stride + 1, (W - 1) * stride + 1)
    out[..., ::stride, ::stride] = x
    return out


def transposed_conv_by_zero_insertion(
    x: torch.Tensor,
    w: torch.Tensor,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> torch.Tensor:
    """The same operation as an ordinary convolution: insert zeros, pad by dilation·(k-1) - padding
    (plus output_padding at the bottom and right), and correlate with the flipped kernel.

    x: (B, C_in, H, W), w: (C_in, C_out, k, k)  ->  (B, C_out, H_out, W_out)
    """
    k = w.shape[-1]
    z = zero_insert(x, stride)  # (B, C_in, (H-1)s+1, (W-1)s+1)
    edge = dilation * (k - 1) - padding  # negative means crop
    z = F.pad(z, (edge, edge + output_padding, edge, edge + output_padding))
    flipped = w.flip(-2, -1).transpose(0, 1)  # (C_out, C_in, k, k): a conv kernel, rotated 180°
    return F.conv2d(z, flipped, dilation=dilation)


def overlap_map(
    size: int, kernel: int, stride: int, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> torch.Tensor:
    """How many kernel stamps land on each output pixel: all-ones input through an all-ones kernel."""
    ones = torch.ones(1, 1, size, size)
    return F.conv_transpose2d(
        ones,
        torch.ones(1, 1, kernel, kernel),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )[0, 0]  # (H_out, W_out)


def stamps_per_phase(kernel: int, stride: int, dilation: int = 1) -> torch.Tensor:
    """Away from the borders the overlap map repeats every `stride` pixels. Along one axis, an output
    pixel at phase r (its index mod stride) is reached by the kernel taps m with dilation·m ≡ r (mod
    stride): this counts them, (stride,). In 2-D a pixel gets the product of its row's and column's counts.
    A zero is a hole (when stride and dilation share a factor, some phases are never reached)."""
    taps = torch.arange(kernel) * dilation % stride  # (k,) the phase each tap lands on
    return torch.bincount(taps, minlength=stride)  # (stride,)


def interior(counts: torch.Tensor, size: int, kernel: int, stride: int, dilation: int = 1) -> torch.Tensor:
    """The part of an (unpadded) overlap map where every tap of the kernel can land: rows and columns
    dilation·(kernel - 1) .. (size - 1)·stride. Empty when the input is too small to have one."""
    first, last = dilation * (kernel - 1), (size - 1) * stride
    return counts[first : last + 1, first : last + 1]


def probe_size(size: int, kernel: int, stride: int, dilation: int = 1) -> int:
    """The smallest input size >= `size` whose overlap map has an interior at least 2·stride wide, so
    the periodic pattern shows at least twice."""
    needed = math.ceil((dilation * (kernel - 1) + 2 * stride - 1) / stride) + 1
    return max(size, needed)


def interior_range(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(min, max) stamps per interior pixel of the overlap map, on an input large enough to have an
    interior: equal means even coverage, min 0 means holes."""
    n = probe_size(size, kernel, stride, dilation)
    inner = interior(overlap_map(n, kernel, stride, dilation=dilation), n, kernel, stride, dilation)
    return int(inner.min().item()), int(inner.max().item())


def unevenness(size: int, kernel: int, stride: int, dilation: int = 1) -> float:
    """Max / min stamps per interior pixel (1.0 = even coverage; infinite where there are holes)."""
    low, high = interior_range(size, kernel, stride, dilation)
    return high / low if low else math.inf


def coverage_verdict(low: int, high: int) -> str:
    if low == 0:
        return "holes"
    return "uneven" if high > low else "even"


def fixing_kernel(kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """A (kernel, dilation) to compare with: one with even coverage when this one is not (a kernel size
    divisible by the stride; dilation 1 if this dilation shares a factor with the stride, since then no
    kernel size fills the holes), and an uneven one (kernel + 1) when this one is even."""
    low, high = interior_range(1, kernel, stride, dilation)
    if low == high:
        return kernel + 1, dilation
    even_k = stride * math.ceil(kernel / stride)
    return even_k, dilation if math.gcd(stride, dilation) == 1 else 1


def dilated_kernel(w: torch.Tensor, dilation: int) -> torch.Tensor:
    """(..., k, k) -> (..., d(k-1)+1, d(k-1)+1): the kernel with dilation - 1 zeros between its taps."""
    *lead, k, _ = w.shape
    span = dilation * (k - 1) + 1
    out = w.new_zeros(*lead, span, span)
    out[..., ::dilation, ::dilation] = w
    return out


def upsample_constant(
    weights: list[torch.Tensor], stride: int, dilation: int, size: int, resize: bool
) -> torch.Tensor:
    """A constant (all-ones) size x size image through len(weights) stacked upsampling layers (one
    channel each, no bias): stride-`stride` transposed convolutions, or nearest-neighbour resize by
    `stride` then an ordinary convolution with the same kernel. Returns the last output's interior,
    where no border effect reaches: (H, W)."""
    x = torch.ones(1, 1, size, size)  # (1, 1, H, W)
    for w in weights:  # w: (1, 1, k, k)
        k = w.shape[-1]
        if resize:
            x = F.interpolate(x, scale_factor=stride, mode="nearest")  # (1, 1, sH, sW)
            x = F.conv2d(x, w, dilation=dilation)  # valid: every output sees only the constant
        else:
            n = x.shape[-1]
            x = F.conv_transpose2d(x, w, stride=stride, dilation=dilation)
            first, last = dilation * (k - 1), (n - 1) * stride  # keep the interior only
            x = x[..., first : last + 1, first : last + 1]
    return x[0, 0]


CHECKER_INPUT = 6  # side of the constant image pushed through the stacked upsampling layers


def _overlap(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, np.ndarray, int, int]:
    """The overlap map (no padding) of a probe input of side n: (n, the map, the interior's min, max)."""
    n = probe_size(size, kernel, stride, dilation)
    counts = overlap_map(n, kernel, stride, dilation=dilation)  # (H_out, W_out)
    inner = interior(counts, n, kernel, stride, dilation)
    return n, counts, int(inner.min()), int(inner.max())


def _overlap_panel(
    ax, overlap: tuple[int, np.ndarray, int, int], kernel: int, stride: int, dilation: int, vmax: float
) -> None:
    """One overlap map (from `_overlap`) with its interior outlined."""
    n, counts, low, high = overlap
    verdict = coverage_verdict(low, high)
    dil = f", dilation {dilation}" if dilation > 1 else ""
    heatmap(
        ax,
        counts,
        title=f"kernel {kernel}, stride {stride}{dil}:\ninterior {verdict} (min {low}, max {high} stamps)",
        xlabel="output column",
        ylabel="output row",
        cmap="magma",
        vmin=0,
        vmax=vmax,
        fmt=".0f",
        colorbar="stamps per pixel",
        aspect="equal",
    )
    first, last = dilation * (kernel - 1), (n - 1) * stride
    ax.add_patch(
        Rectangle(
            (first - 0.5, first - 0.5),
            last - first + 1,
            last - first + 1,
            fill=False,
            edgecolor="cyan",
            lw=1.5,
            ls="--",
            label="interior",
        )
    )
    ax.legend(loc="upper right", fontsize=7, framealpha=0.8)


def transposed_conv(p: dict, ctx: RunContext) -> ConceptOutput:
    size, k, s, pad, out_pad, dil = (
        p[name] for name in ("size", "kernel", "stride", "padding", "output_padding", "dilation")
    )
    g = ctx.generator()
    conv = dict(stride=s, padding=pad, output_padding=out_pad, dilation=dil)
    # 1. shapes: the formula against the real module, for this H_in and a range of others
    layer = nn.ConvTranspose2d(2, 3, k, **conv).to(ctx.device)  # C_in=2 -> C_out=3, weights from the seed
    x = torch.randn(1, 2, size, size, generator=g).to(ctx.device)  # (B, C_in, H, W)
    with torch.no_grad():
        reference = layer(x)  # (1, C_out, H_out, W_out)
        bias = layer.bias[:, None, None]  # (C_out, 1, 1)
        by_scatter = transposed_conv_by_scatter(x[0], layer.weight, **conv) + bias  # (C_out, H_out, W_out)
        by_zeros = transposed_conv_by_zero_insertion(x, layer.weight, **conv) + bias[None]  # (1, C_out, ...)
    h_out = output_size(size, k, **conv)
    sizes = [h for h in range(1, 9) if output_size(h, k, **conv) >= 1]
    probe = nn.ConvTranspose2d(1, 1, k, **conv)
    with torch.no_grad():
        table = np.array(
            [[output_size(h, k, **conv), probe(torch.zeros(1, 1, h, h)).shape[-1]] for h in sizes]
        )
    # 2. the overlap map (the demo's own, padding included) and its verdict, from a map with an interior
    counts = overlap_map(size, k, s, pad, out_pad, dil)  # (H_out, W_out)
    phases = stamps_per_phase(k, s, dil)  # (s,) taps landing on each phase of a row
    other_k, other_dil = fixing_kernel(k, s, dil)
    overlap, other_overlap = _overlap(size, k, s, dil), _overlap(size, other_k, s, other_dil)
    low, high = overlap[2:]
    other_low, other_high = other_overlap[2:]

    def draw_overlap() -> Figure:
        fig_overlap = new_figure(11, 5.2)
        ax1, ax2 = fig_overlap.subplots(1, 2)
        vmax = float(max(phases.max() ** 2, stamps_per_phase(other_k, s, other_dil).max() ** 2))
        _overlap_panel(ax1, overlap, k, s, dil, vmax)
        _overlap_panel(ax2, other_overlap, other_k, s, other_dil, vmax)
        fig_overlap.suptitle(
            "Overlap map: kernel stamps landing on each output pixel (all-ones input and kernel, no padding)"
        )
        return fig_overlap

    # 3. zero insertion, shown on one channel with small whole numbers so the grids are readable
    x_small = torch.randint(1, 4, (1, 1, size, size), generator=g).float()  # (1, 1, H, W)
    w_small = torch.randint(1, 3, (1, 1, k, k), generator=g).float()  # (1, 1, k, k)
    edge = dil * (k - 1) - pad
    inserted = F.pad(zero_insert(x_small, s), (edge, edge + out_pad, edge, edge + out_pad))[0, 0]
    out_small = F.conv_transpose2d(x_small, w_small, **conv)[0, 0]  # (H_out, W_out)
    drawn_kernel = dilated_kernel(w_small[0, 0].flip(-2, -1), dil)  # (d(k-1)+1, d(k-1)+1)
    # 4. the checkerboard itself: a constant image through learned-looking (random positive) kernels
    weights = [torch.rand(1, 1, k, k, generator=g) + 0.5 for _ in range(2)]  # two layers, (1, 1, k, k)
    outputs = {
        (resize, depth): upsample_constant(weights[:depth], s, dil, CHECKER_INPUT, resize)
        for resize in (False, True)
        for depth in (1, 2)
    }

    def spread(image: torch.Tensor) -> float:  # (max - min) / mean: 0 for a flat image
        return ((image.max() - image.min()) / image.mean()).item()

    out_rows, out_cols = labels("r", h_out), labels("c", h_out)

    def draw_zero_insertion() -> Figure:
        fig_zero = new_figure(14, 4)
        axes = fig_zero.subplots(1, 4)
        top = float(x_small.max())
        square = dict(fmt=".0f", aspect="equal", colorbar=None)
        heatmap(
            axes[0],
            x_small[0, 0],
            labels("", size),
            labels("", size),
            title=f"input {size}x{size}",
            cmap="Blues",
            vmin=0,
            vmax=top,
            **square,
        )
        heatmap(
            axes[1],
            inserted,
            None,
            None,
            title=f"{s - 1} zero(s) between pixels, pad {edge}",
            cmap="Blues",
            vmin=0,
            vmax=top,
            annotate=inserted.shape[0] <= 16,
            **square,
        )
        span = drawn_kernel.shape[-1]
        kernel_title = "kernel rotated 180°" + (
            f",\ndilated: {dil - 1} zero(s) between taps" if dil > 1 else ""
        )
        heatmap(
            axes[2],
            drawn_kernel,
            labels("", span),
            labels("", span),
            title=kernel_title,
            cmap="Greens",
            vmin=0,
            annotate=span <= 12,
            **square,
        )
        heatmap(
            axes[3],
            out_small,
            None,
            None,
            title=f"= ConvTranspose2d output {h_out}x{h_out}",
            cmap="Oranges",
            fmt=".0f",
            aspect="equal",
            colorbar="value",
            annotate=h_out <= 12,
        )
        fig_zero.suptitle("Transposed convolution = zero insertion, padding, and an ordinary convolution")
        return fig_zero

    def draw_checkerboard() -> Figure:
        fig_checker = new_figure(11, 9)
        grid = fig_checker.subplots(2, 2)
        ratios = {key: image / image.mean() for key, image in outputs.items()}  # 1.0 = the image's mean
        reach = max(float((r - 1).abs().max()) for r in ratios.values()) or 1.0
        for (resize, depth), image in ratios.items():
            ax = grid[int(resize), depth - 1]
            how = f"resize x{s} (nearest) + conv" if resize else f"ConvTranspose2d, stride {s}"
            heatmap(
                ax,
                image,
                title=f"{how}, {depth} layer{'s' if depth > 1 else ''}: "
                f"spread {spread(outputs[(resize, depth)]):.2f}",
                xlabel="output column",
                ylabel="output row",
                cmap="RdBu_r",
                vmin=1 - reach,
                vmax=1 + reach,
                annotate=False,
                colorbar="value / image mean",
                aspect="equal",
            )
        fig_checker.suptitle(
            f"A constant {CHECKER_INPUT}x{CHECKER_INPUT} image upsampled (kernel {k}, "
            "random positive weights; the middle, away from borders)"
        )
        return fig_checker

    metrics = {
        "h_out_formula": h_out,
        "h_out_torch": reference.shape[-1],
        "max_abs_diff_scatter_vs_torch": (by_scatter - reference[0]).abs().max().item(),
        "max_abs_diff_zero_insertion_vs_torch": (by_zeros - reference).abs().max().item(),
        "overlap_interior_min": low,
        "overlap_interior_max": high,
        f"overlap_interior_min_kernel_{other_k}": other_low,
        f"overlap_interior_max_kernel_{other_k}": other_high,
        "constant_spread_transposed_1_layer": spread(outputs[(False, 1)]),
        "constant_spread_transposed_2_layers": spread(outputs[(False, 2)]),
        "constant_spread_resize_conv_1_layer": spread(outputs[(True, 1)]),
        "constant_spread_resize_conv_2_layers": spread(outputs[(True, 2)]),
    }
    verdicts = {
        "holes": "has holes: some interior pixels receive no stamp at all (dilation and stride share a "
        "factor, so some phases are never reached), and the map is a grid of empty rows and columns",
        "uneven": "uneven: some output pixels collect more stamps than their neighbours, the checkerboard",
        "even": "even: every interior output pixel collects the same number of stamps",
    }
    verdict = coverage_verdict(low, high)
    t1, t2, r1, r2 = (
        metrics[f"constant_spread_{name}"]
        for name in (
            "transposed_1_layer",
            "transposed_2_layers",
            "resize_conv_1_layer",
            "resize_conv_2_layers",
        )
    )
    phase_text = ", ".join(str(int(c)) for c in phases)
    other_dil_text = f" and dilation {other_dil}" if other_dil != dil else ""
    explanation = f"""
A transposed convolution (ConvTranspose2d) upsamples: each input pixel stamps a copy of the kernel,
scaled by its value, onto the output, stride pixels apart, and overlapping stamps add up. Output size:

  H_out = (H_in - 1)·stride - 2·padding + dilation·(kernel - 1) + output_padding + 1
        = ({size} - 1)·{s} - 2·{pad} + {dil}·({k} - 1) + {out_pad} + 1 = {h_out}
        (nn.ConvTranspose2d gives {reference.shape[-1]})

Overlap: along a row, the {k} taps of the kernel, {dil} pixel(s) apart, land on the {s} phases of the
stride as {phase_text} taps each, so an interior pixel gets between {low} and {high} stamps: with kernel
{k} and stride {s} the interior {verdicts[verdict]}. With kernel {other_k}{other_dil_text} it is
{coverage_verdict(other_low, other_high)} ({other_low} to {other_high}).

The checkerboard itself: a constant image should upsample to a constant image. Through a stride-{s}
transposed convolution with positive weights its middle varies by {t1:.2f} of
its mean, and by {t2:.2f} after two stacked layers: each output
phase sums a different subset of the weights, so even an evenly overlapping kernel shows the pattern
unless training makes those sums equal. Resizing first (nearest neighbour) and then convolving gives
every pixel the whole kernel: spread {r1:.2f} and {r2:.2f} (Odena et al., Distill 2016).

It is also an ordinary convolution in disguise: insert stride - 1 zeros between input pixels, pad by
dilation·(kernel - 1) - padding (plus output_padding at the bottom and right), and convolve with the
kernel rotated by 180° (and dilated). Both from-scratch versions agree with nn.ConvTranspose2d (C_in
2, C_out 3): stamping to {metrics["max_abs_diff_scatter_vs_torch"]:.1e}, zero insertion to
{metrics["max_abs_diff_zero_insertion_vs_torch"]:.1e}.
"""
    return ConceptOutput(
        arrays_from(
            output_sizes=table,
            overlap=counts,
            stamps_per_phase=phases,
            input=x_small[0, 0],
            kernel=w_small[0, 0],
            zero_inserted=inserted,
            output=out_small,
            torch_output=reference[0],
            constant_through_transposed=outputs[(False, 2)],
            constant_through_resize_conv=outputs[(True, 2)],
        ),
        metrics,
        explanation,
        {"overlap": draw_overlap, "zero_insertion": draw_zero_insertion, "checkerboard": draw_checkerboard},
        labels={
            "output_sizes": ([f"H_in={h}" for h in sizes], ["formula", "torch"]),
            "overlap": (out_rows, out_cols),
            "output": (out_rows, out_cols),
        },
    )
