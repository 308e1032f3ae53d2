"""Transposed convolution: the output-size formula, the overlap map, and zero-insertion + convolution."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

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


def unevenness(size: int, kernel: int, stride: int, dilation: int = 1) -> float:
    """Max / min stamp count away from the borders (1.0 = every interior pixel gets the same number)."""
    counts = overlap_map(size, kernel, stride, dilation=dilation)
    first, last = dilation * (kernel - 1), (size - 1) * stride  # rows every stamp position can reach
    interior = counts[first : last + 1, first : last + 1] if last >= first else counts
    return (interior.max() / interior.min()).item()


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
    # 2. the overlap map, and the same stride with a kernel that does (or does not) divide evenly
    counts = overlap_map(size, k, s, pad, out_pad, dil)  # (H_out, W_out)
    other_k = k + 1 if k % s == 0 else s * math.ceil(k / s)
    other_counts = overlap_map(size, other_k, s, dilation=dil)
    uneven, other_uneven = unevenness(size, k, s, dil), unevenness(size, other_k, s, dil)
    # 3. zero insertion, shown on one channel with small whole numbers so the grids are readable
    x_small = torch.randint(1, 4, (1, 1, size, size), generator=g).float()  # (1, 1, H, W)
    w_small = torch.randint(0, 3, (1, 1, k, k), generator=g).float()  # (1, 1, k, k)
    edge = dil * (k - 1) - pad
    inserted = F.pad(zero_insert(x_small, s), (edge, edge + out_pad, edge, edge + out_pad))[0, 0]
    out_small = F.conv_transpose2d(x_small, w_small, **conv)[0, 0]  # (H_out, W_out)

    out_rows, out_cols = labels("r", h_out), labels("c", h_out)
    fig_overlap = new_figure(11, 5)
    ax1, ax2 = fig_overlap.subplots(1, 2)
    vmax = float(max(counts.max(), other_counts.max()))
    panels = (
        (ax1, counts, out_rows, out_cols, k, uneven),
        (ax2, other_counts, None, None, other_k, other_uneven),
    )
    for ax, stamps, rows, cols, kernel, ratio in panels:
        heatmap(
            ax,
            stamps,
            rows,
            cols,
            title=f"kernel {kernel}, stride {s}: max/min overlap {ratio:.2g}",
            xlabel="output column",
            ylabel="output row",
            cmap="magma",
            vmin=0,
            vmax=vmax,
            fmt=".0f",
            colorbar="stamps per pixel",
            aspect="equal",
        )
    fig_overlap.suptitle("Overlap map: stamps landing on each output pixel (all-ones input and kernel)")
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
    heatmap(
        axes[2],
        w_small[0, 0].flip(-2, -1),
        labels("", k),
        labels("", k),
        title="kernel rotated 180°",
        cmap="Greens",
        vmin=0,
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
    metrics = {
        "h_out_formula": h_out,
        "h_out_torch": reference.shape[-1],
        "max_abs_diff_scatter_vs_torch": (by_scatter - reference[0]).abs().max().item(),
        "max_abs_diff_zero_insertion_vs_torch": (by_zeros - reference).abs().max().item(),
        "overlap_max_over_min": uneven,
        f"overlap_max_over_min_kernel_{other_k}": other_uneven,
    }
    verdict = (
        "uneven: some output pixels collect more stamps than their neighbours, the checkerboard"
        if uneven > 1
        else "even: every interior output pixel collects the same number of stamps"
    )
    explanation = f"""
A transposed convolution (ConvTranspose2d) upsamples: each input pixel stamps a copy of the kernel,
scaled by its value, onto the output, stride pixels apart, and overlapping stamps add up. Output size:

  H_out = (H_in - 1)·stride - 2·padding + dilation·(kernel - 1) + output_padding + 1
        = ({size} - 1)·{s} - 2·{pad} + {dil}·({k} - 1) + {out_pad} + 1 = {h_out}
        (nn.ConvTranspose2d gives {reference.shape[-1]})

Overlap: with kernel {k} and stride {s} the interior is {verdict} (max/min {uneven:.2g}); with kernel
{other_k} it is {other_uneven:.2g}. When the kernel size is not divisible by the stride, the stamps overlap
unevenly and a generator's output shows checkerboard artifacts; kernels divisible by the stride, or
resize-then-convolve, avoid it.

It is also an ordinary convolution in disguise: insert stride - 1 zeros between input pixels, pad by
dilation·(kernel - 1) - padding (plus output_padding at the bottom and right), and convolve with the
kernel rotated by 180°. Both from-scratch versions agree with nn.ConvTranspose2d (C_in 2, C_out 3):
stamping to {metrics["max_abs_diff_scatter_vs_torch"]:.1e}, zero insertion to
{metrics["max_abs_diff_zero_insertion_vs_torch"]:.1e}.
"""
    return ConceptOutput(
        arrays_from(
            output_sizes=table,
            overlap=counts,
            input=x_small[0, 0],
            kernel=w_small[0, 0],
            zero_inserted=inserted,
            output=out_small,
            torch_output=reference[0],
        ),
        metrics,
        explanation,
        {"overlap": fig_overlap, "zero_insertion": fig_zero},
        labels={
            "output_sizes": ([f"H_in={h}" for h in sizes], ["formula", "torch"]),
            "overlap": (out_rows, out_cols),
            "output": (out_rows, out_cols),
        },
    )
