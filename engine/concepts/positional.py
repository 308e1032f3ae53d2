"""Positional information: sinusoidal encodings added to tokens, and rotary embeddings (RoPE)."""

from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib.figure import Figure

from engine.context import RunContext
from engine.plots import heatmap, labels, new_figure
from engine.result import ConceptOutput, arrays_from

BASE = 10000.0


def sinusoidal_encoding(positions: int, d: int, base: float = BASE) -> torch.Tensor:
    """PE[pos, 2i] = sin(pos / base^(2i/d)),  PE[pos, 2i+1] = cos(pos / base^(2i/d)).  -> (positions, d)

    Computed in float64 (angles reach `positions` radians) and returned as float32.
    """
    pos = torch.arange(positions, dtype=torch.float64)[:, None]  # (P, 1)
    two_i = torch.arange(0, d, 2, dtype=torch.float64)  # (ceil(d/2),): the even dimensions 2i
    angle = pos / base ** (two_i / d)  # (P, ceil(d/2))
    pe = torch.zeros(positions, d, dtype=torch.float64)
    pe[:, 0::2] = angle.sin()
    pe[:, 1::2] = angle.cos()[:, : d // 2]
    return pe.float()


def sinusoidal_by_formula(positions: int, d: int, base: float = BASE) -> np.ndarray:
    """The same matrix, one entry at a time, straight from the formula: the check for the vectorised one."""
    pe = np.zeros((positions, d))
    for pos in range(positions):
        for dim in range(d):
            two_i = dim - dim % 2
            angle = pos / base ** (two_i / d)
            pe[pos, dim] = math.sin(angle) if dim % 2 == 0 else math.cos(angle)
    return pe


def rope_angles(positions: torch.Tensor, d: int, base: float = BASE) -> torch.Tensor:
    """pos·θ_i with θ_i = base^(-2i/d), in float64 on the CPU (MPS has no float64): (T,) -> (T, d/2)."""
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
    return positions.cpu().to(torch.float64)[:, None] * theta[None, :]  # (T, d/2)


def apply_rope(x: torch.Tensor, positions: torch.Tensor, base: float = BASE) -> torch.Tensor:
    """Rotate each pair (x[2i], x[2i+1]) by the angle pos·θ_i, θ_i = base^(-2i/d).

    x: (..., T, d) with d even; positions: (T,).  -> (..., T, d), same norms as x.
    """
    d = x.shape[-1]
    angle = rope_angles(positions, d, base).to(x.device, x.dtype)  # (T, d/2)
    cos, sin = angle.cos(), angle.sin()  # (T, d/2)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, d/2) each: the two halves of every pair
    out = torch.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin  # a 2-D rotation of each pair
    out[..., 1::2] = even * sin + odd * cos
    return out


def rope_complex(x: torch.Tensor, positions: torch.Tensor, base: float = BASE) -> torch.Tensor:
    """RoPE again, as multiplication of each pair read as a complex number by e^(i·pos·θ_i)."""
    d = x.shape[-1]
    angle = rope_angles(positions, d, base)  # (T, d/2)
    rotation = torch.polar(torch.ones_like(angle), angle).to(x.device, torch.complex64)  # (T, d/2)
    pairs = torch.view_as_complex(x.float().reshape(*x.shape[:-1], d // 2, 2).contiguous())  # (..., T, d/2)
    return torch.view_as_real(pairs * rotation).reshape(x.shape)  # (..., T, d)


def pair_angles(x: torch.Tensor) -> torch.Tensor:
    """The angle of each 2-D pair (x[2i], x[2i+1]) in the plane: (..., d) -> (..., d/2), in (-π, π]."""
    return torch.atan2(x[..., 1::2], x[..., 0::2])


def _draw_rotating_pairs(fig, q_rot: np.ndarray, theta: np.ndarray, shown: int) -> None:
    """One small panel per pair i (fast pairs first): the point (q_2i, q_2i+1) of RoPE(q, pos) at every
    position pos, on its circle of radius |(q_2i, q_2i+1)|, coloured by pos and joined in order."""
    P = q_rot.shape[0]
    axes = fig.subplots(1, shown)
    circle = np.linspace(0, 2 * math.pi, 200)
    points = None
    for i, ax in enumerate(np.atleast_1d(axes)):
        xs, ys = q_rot[:, 2 * i], q_rot[:, 2 * i + 1]  # (P,) each
        radius = float(np.hypot(xs[0], ys[0]))
        ax.plot(radius * np.cos(circle), radius * np.sin(circle), color="0.85", lw=0.8)
        ax.plot(xs, ys, color="0.6", lw=0.6)
        points = ax.scatter(xs, ys, c=range(P), cmap="viridis", s=16, zorder=3)
        ax.annotate("pos 0", (xs[0], ys[0]), fontsize=7, xytext=(4, 4), textcoords="offset points")
        ax.plot([0, xs[0]], [0, ys[0]], color="tab:red", lw=1)
        turns = (P - 1) * theta[i] / (2 * math.pi)
        title = f"pair {i}: θ = {theta[i]:.3g} rad/pos\n{turns:.2g} turns over pos 0..{P - 1}"
        ax.set_title(title, fontsize=8)
        ax.set_aspect("equal")
        lim = radius * 1.25 + 1e-9
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xticks=[], yticks=[])
        ax.set_xlabel(f"q[{2 * i}]", fontsize=8)
        ax.set_ylabel(f"q[{2 * i + 1}]", fontsize=8)
    fig.colorbar(points, ax=axes, label="position", shrink=0.8)
    fig.suptitle("RoPE(q, pos): pair (2i, 2i+1) of one query turns by θ_i per position (fast pairs first)")


def _by_offset(scores: torch.Tensor) -> tuple[np.ndarray, np.ndarray, float]:
    """For a (P, P) matrix of q_m·k_n: offsets m-n, the mean score per offset, and the largest spread
    (max - min) of the scores that share an offset: 0 when the score depends on the offset alone."""
    P = scores.shape[0]
    offsets = np.arange(-(P - 1), P)
    means, spread = [], 0.0
    for offset in offsets:
        diagonal = scores.diagonal(-int(offset))  # entries with m - n = offset
        means.append(diagonal.mean().item())
        spread = max(spread, (diagonal.max() - diagonal.min()).item())
    return offsets, np.array(means), spread


def sinusoidal(p: dict, ctx: RunContext) -> ConceptOutput:
    P, d = p["positions"], p["d"]
    pe = sinusoidal_encoding(P, d).to(ctx.device)  # (P, d)
    formula_error = float(np.abs(pe.cpu().double().numpy() - sinusoidal_by_formula(P, d)).max())
    gram = pe @ pe.T  # (P, P): PE[p]·PE[q]
    # sin a sin b + cos a cos b = cos(a - b): each dot product is a sum of cosines of (p - q)·ω_i.
    omega = BASE ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
    offsets = torch.arange(P, dtype=torch.float64)
    gram_expected = torch.cos((offsets[:, None] - offsets[None, :])[..., None] * omega).sum(-1)  # (P, P)
    gram_error = (gram.cpu().double() - gram_expected).abs().max().item()
    falloff = (gram[0] / gram[0, 0]).cpu()  # (P,): PE[0]·PE[k] / PE[0]·PE[0]
    # Laid out sines first, then cosines: interleaved columns stripe the picture.
    order = torch.cat([torch.arange(0, d, 2), torch.arange(1, d, 2)]).to(pe.device)  # (d,)

    def draw_encoding() -> Figure:
        fig_pe = new_figure(13, 5.2)
        ax, ax_circles = fig_pe.subplots(1, 2, width_ratios=[1.6, 1])
        row_names = [f"sin {i}" for i in range(d // 2)] + [f"cos {i}" for i in range(d // 2)]
        heatmap(
            ax,
            pe[:, order].T.cpu(),
            row_names,
            None,
            title="PE (pair x position): sines of pairs 0..d/2-1, then their cosines",
            xlabel="position",
            ylabel="pair i: sin (top half), cos (bottom half)",
            cmap="RdBu_r",
            vmin=-1,
            vmax=1,
            annotate=False,
            colorbar="PE value",
        )
        every = max(1, math.ceil(d / 2 / 8))  # at most 8 names per half, each half starting at pair 0
        ticks = [*range(0, d // 2, every), *range(d // 2, d, every)]
        ax.set_yticks(ticks, labels=[row_names[t] for t in ticks])
        ax.axhline(d // 2 - 0.5, color="black", lw=1)
        # Each (sin, cos) pair is a point on the unit circle that turns by ω_i per position.
        shown_pairs = sorted({0, 1, min(3, d // 2 - 1)})
        for offset, i in enumerate(shown_pairs):
            radius = 1.0 - 0.25 * offset  # concentric circles, one per pair
            angles = torch.arange(min(P, 24), dtype=torch.float64) * omega[i]
            theta = torch.linspace(0, 2 * math.pi, 200)
            ax_circles.plot(radius * theta.cos(), radius * theta.sin(), color="0.85", lw=0.8)
            points = ax_circles.scatter(
                radius * angles.sin(),
                radius * angles.cos(),
                c=range(len(angles)),
                cmap="viridis",
                s=18,
                zorder=3,
            )
            ax_circles.annotate(  # at position 0, the top of its circle: the labels do not collide
                f"pair {i}: {float(omega[i]):.3g} rad/position",
                (0.0, radius),
                fontsize=8,
                xytext=(-6, 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
            )
        fig_pe.colorbar(points, ax=ax_circles, label="position")
        ax_circles.set(
            title=f"(sin, cos) of pairs {', '.join(map(str, shown_pairs))}, positions 0-{len(angles) - 1}:\n"
            "each a point turning round its own circle",
            xlabel="sin",
            ylabel="cos",
        )
        ax_circles.set_aspect("equal")
        return fig_pe

    def draw_dot_products() -> Figure:
        fig_dot = new_figure(11, 4.2)
        ax1, ax2 = fig_dot.subplots(1, 2)
        heatmap(
            ax1,
            gram.cpu(),
            None,
            None,
            title="PE[p]·PE[q]: constant along diagonals",
            xlabel="position q",
            ylabel="position p",
            annotate=False,
            colorbar="dot product",
        )
        ax2.plot(range(P), falloff.numpy(), "o-", ms=3)
        ax2.set(
            title="Dot product vs distance", xlabel="distance k = |p - q|", ylabel="PE[0]·PE[k] / PE[0]·PE[0]"
        )
        ax2.grid(alpha=0.3)
        return fig_dot

    at = {k: falloff[k].item() for k in (1, 4, 16) if k < P}
    metrics = {
        "formula_max_abs_error": formula_error,
        "dot_vs_cosine_sum_max_error": gram_error,
        **{f"relative_dot_at_distance_{k}": v for k, v in at.items()},
        "shortest_wavelength": 2 * math.pi,
        "longest_wavelength": 2 * math.pi * BASE ** ((d - 2) / d),
    }
    falls = ", ".join(f"{v:.2f} at distance {k}" for k, v in at.items())
    rises = int((np.diff(falloff.numpy()) > 1e-9).sum())  # steps where the dot product goes up again
    metrics["falloff_increases"] = rises
    explanation = f"""
Sinusoidal positional encoding (Attention Is All You Need): position pos gets a d = {d} vector of sines and
cosines whose wavelengths grow geometrically from 2π to about 2π·10000, so low dimensions change fast
with position and high ones slowly, like the digits of a clock.

  PE[pos, 2i]   = sin(pos / 10000^(2i/d))
  PE[pos, 2i+1] = cos(pos / 10000^(2i/d))

The vectorised matrix ({P} x {d}) matches the formula evaluated entry by entry to {formula_error:.1e}.
Because sin a·sin b + cos a·cos b = cos(a - b), PE[p]·PE[q] = Σ_i cos((p - q)/10000^(2i/d)) depends only
on the distance p - q (checked to {gram_error:.1e}). Each pair is a point on a circle turning by
ω_i = 10000^(-2i/d) radians per position (the circles), and PE[p]·PE[q] adds up the cosines of the
angles between the pairs' points. Near 0 the sum falls with distance ({falls}, relative to distance
0), but not monotonically: the fast pairs come back round, and it rises again at {rises} of the
{P - 1} steps in the plot. So the dot product says "near or far" roughly, not the exact distance; the
model's learned W_q and W_k, or RoPE's rotation, make finer use of the phases. The encoding is
added to the token embeddings, so attention scores can pick up where
tokens are and how far apart.
"""
    return ConceptOutput(
        arrays_from(PE=pe, dot_products=gram, falloff=falloff),
        metrics,
        explanation,
        {"encoding": draw_encoding, "dot_products": draw_dot_products},
        labels={"PE": (labels("pos", P), labels("d", d))},
    )


def rotary(p: dict, ctx: RunContext) -> ConceptOutput:
    P, d = p["positions"], p["d"]
    g = ctx.generator()
    q = torch.randn(d, generator=g).to(ctx.device)  # (d,): one query vector
    k = torch.randn(d, generator=g).to(ctx.device)  # (d,): one key vector
    pos = torch.arange(P, device=ctx.device)
    q_rot = apply_rope(q.expand(P, d), pos)  # (P, d): q placed at positions 0..P-1
    k_rot = apply_rope(k.expand(P, d), pos)  # (P, d)
    scores = q_rot @ k_rot.T  # (P, P): scores[m, n] = RoPE(q, m)·RoPE(k, n)
    offsets, by_offset, spread = _by_offset(scores.cpu())
    # The additive alternative for contrast: (q + PE[m])·(k + PE[n]) depends on m and n, not just m - n.
    pe = sinusoidal_encoding(P, d).to(ctx.device)  # (P, d)
    additive = (q + pe) @ (k + pe).T  # (P, P)
    _, _, additive_spread = _by_offset(additive.cpu())
    metrics = {
        "relative_offset_max_spread": spread,
        "additive_pe_max_spread": additive_spread,
        "norm_change_max": (q_rot.norm(dim=-1) - q.norm()).abs().max().item(),
        "max_abs_diff_vs_complex": (q_rot - rope_complex(q.expand(P, d), pos)).abs().max().item(),
        "score_at_offset_0": float(by_offset[P - 1]),
    }
    theta = BASE ** (-np.arange(0, d, 2) / d)  # (d/2,): θ_i, the turn of pair i per position
    step = (pair_angles(q_rot[1:]) - pair_angles(q_rot[:-1])).cpu().double()  # (P-1, d/2)
    step = torch.remainder(step + math.pi, 2 * math.pi) - math.pi  # the turn from pos to pos+1, in [-π, π)
    metrics["pair_turn_vs_theta_max_error"] = (step - torch.from_numpy(theta)).abs().max().item()

    def draw_rotating_pairs() -> Figure:
        shown = min(d // 2, 8)
        fig_pairs = new_figure(2.2 * shown + 1.5, 3.2)
        _draw_rotating_pairs(fig_pairs, q_rot.cpu().numpy(), theta, shown)
        return fig_pairs

    def draw_scores() -> Figure:
        ticks = labels("", P)
        fig = new_figure(11, 4.6)
        ax1, ax2 = fig.subplots(1, 2)
        heatmap(
            ax1,
            scores.cpu(),
            ticks,
            ticks,
            title="RoPE: q_m·k_n (constant along diagonals)",
            xlabel="key position n",
            ylabel="query position m",
            cmap="RdBu_r",
            annotate=False,
            colorbar="score",
        )
        heatmap(
            ax2,
            additive.cpu(),
            ticks,
            ticks,
            title="Added PE: (q + PE_m)·(k + PE_n)",
            xlabel="key position n",
            ylabel="query position m",
            cmap="RdBu_r",
            annotate=False,
            colorbar="score",
        )
        return fig

    def draw_by_offset() -> Figure:
        fig_offset = new_figure(8, 4.2)
        ax = fig_offset.subplots()
        m_idx, n_idx = np.meshgrid(np.arange(P), np.arange(P), indexing="ij")
        ax.scatter(
            (m_idx - n_idx).ravel(),
            additive.cpu().numpy().ravel(),
            s=8,
            alpha=0.5,
            color="tab:gray",
            label="added PE: many values per offset",
        )
        ax.scatter(
            (m_idx - n_idx).ravel(),
            scores.cpu().numpy().ravel(),
            s=14,
            color="tab:red",
            label="RoPE: one value per offset",
        )
        ax.set(
            title="Every (m, n) pair, plotted against its offset m - n",
            xlabel="offset m - n",
            ylabel="q·k score",
        )
        ax.legend()
        ax.grid(alpha=0.3)
        return fig_offset

    explanation = f"""
Rotary positional embedding (RoPE, used in LLaMA and most recent LLMs) does not add anything to the
tokens: it rotates the query and the key. Each pair of dimensions (2i, 2i+1) is rotated by the angle
pos·θ_i:

  θ_i = 10000^(-2i/d),   (x_2i, x_2i+1) -> (x_2i cos(pos·θ_i) - x_2i+1 sin(pos·θ_i),
                                             x_2i sin(pos·θ_i) + x_2i+1 cos(pos·θ_i))

Read as points in a plane, pair i of RoPE(q, pos) walks round its own circle: the fast pair 0 turns
θ_0 = 1 rad per position, the last pair only {theta[-1]:.2g} rad (the rotating-pairs figure; each step's
turn equals θ_i to {metrics["pair_turn_vs_theta_max_error"]:.1e}). A rotation keeps lengths (norms
changed by {metrics["norm_change_max"]:.1e}), and the dot product of a vector rotated by mθ with one
rotated by nθ depends only on the angle between them, (m - n)θ. So
RoPE(q, m)·RoPE(k, n) is a function of the offset m - n alone: over {P} x {P} position pairs, scores with
the same offset differ by at most {spread:.1e}. With added sinusoidal encodings instead, they differ by up
to {additive_spread:.2f}. The real-pair form matches the complex form q·e^(i·pos·θ) to
{metrics["max_abs_diff_vs_complex"]:.1e}.
"""
    return ConceptOutput(
        arrays_from(
            q=q,
            k=k,
            q_rotated=q_rot,
            k_rotated=k_rot,
            scores=scores,
            score_by_offset=by_offset,
            offsets=offsets,
            additive_scores=additive,
        ),
        metrics,
        explanation,
        {"scores": draw_scores, "rotating_pairs": draw_rotating_pairs, "by_offset": draw_by_offset},
        labels={"scores": (labels("m", P), labels("n", P))},
    )
