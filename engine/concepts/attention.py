"""Attention, written out: scaled dot-product, self, cross, multi-head, causal masking, permutations.

The readable path (`attention`, `MultiHeadSelfAttention`) sits beside torch's fast one
(`F.scaled_dot_product_attention`, `nn.MultiheadAttention`); each demo reports how far apart they are.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from engine.concepts.positional import sinusoidal_encoding
from engine.context import RunContext
from engine.plots import heatmap, labels, new_figure
from engine.result import ConceptOutput, arrays_from

# ----------------------------------------------------------------------------------------------------------
# the readable implementation


def attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None, scale: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ / √d_k) V.

    q: (..., n, d_k), k: (..., m, d_k), v: (..., m, d_v); mask: (n, m) bool, True where a query may look.
    Returns the output (..., n, d_v) and the weights (..., n, m), whose rows sum to 1.
    """
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1)  # (..., n, m): one dot product per (query, key) pair
    if scale:
        scores = scores / math.sqrt(d_k)  # keeps the scores' spread near 1 whatever d_k is
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) = 0: exactly no weight
    weights = scores.softmax(dim=-1)  # (..., n, m)
    return weights @ v, weights  # (..., n, d_v), (..., n, m)


def causal_mask(n: int, device: torch.device | None = None) -> torch.Tensor:
    """(n, n) bool, lower triangular: token i may attend to tokens 0..i."""
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()


def entropy(weights: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of each row of attention weights (..., n, m) -> (..., n); log(m) means uniform."""
    return -(weights * weights.clamp_min(1e-30).log()).sum(-1)


class MultiHeadSelfAttention(nn.Module):
    """nanoGPT-style multi-head attention: one projection to Q, K, V, heads side by side, one output
    projection."""

    def __init__(self, d_model: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d_model, 3 * d_model)  # rows ordered [W_q; W_k; W_v], like torch's in_proj
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (B, T, C) -> output (B, T, C) and per-head weights (B, h, T, T)."""
        B, T, C = x.shape
        h = self.heads
        q, k, v = self.qkv(x).split(C, dim=2)  # each (B, T, C)
        q = q.view(B, T, h, C // h).transpose(1, 2)  # (B, h, T, hs)
        k = k.view(B, T, h, C // h).transpose(1, 2)  # (B, h, T, hs)
        v = v.view(B, T, h, C // h).transpose(1, 2)  # (B, h, T, hs)
        y, weights = attention(q, k, v, mask)  # (B, h, T, hs), (B, h, T, T)
        y = y.transpose(1, 2).reshape(B, T, C)  # (B, T, C): the heads' outputs concatenated
        return self.out(y), weights

    def load_from(self, torch_mha: nn.MultiheadAttention) -> MultiHeadSelfAttention:
        """Copy the weights of a `torch.nn.MultiheadAttention` (same d_model and heads)."""
        with torch.no_grad():
            self.qkv.weight.copy_(torch_mha.in_proj_weight)
            self.qkv.bias.copy_(torch_mha.in_proj_bias)
            self.out.weight.copy_(torch_mha.out_proj.weight)
            self.out.bias.copy_(torch_mha.out_proj.bias)
        return self


def _projections(d: int, g: torch.Generator, device: torch.device) -> list[torch.Tensor]:
    """W_q, W_k, W_v: (d, d) each, scaled by 1/√d so projected vectors keep entries near unit size."""
    return [(torch.randn(d, d, generator=g) / math.sqrt(d)).to(device) for _ in range(3)]


def _sdpa_gap(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, out: torch.Tensor, **kw: bool) -> float:
    reference = F.scaled_dot_product_attention(q[None], k[None], v[None], **kw)[0]  # (n, d)
    return (reference - out).abs().max().item()


# ----------------------------------------------------------------------------------------------------------
# demos


def softmax_jacobian_norm(p: torch.Tensor) -> torch.Tensor:
    """‖∂softmax/∂scores‖_F per row: p (..., m) -> (...). The Jacobian is diag(p) - p pᵀ; it vanishes
    when p is one-hot (saturated) and is largest for a uniform row (√(1/m - 1/m²)·... ≈ 1/√m)."""
    jacobian = torch.diag_embed(p) - p[..., :, None] * p[..., None, :]  # (..., m, m)
    return torch.linalg.matrix_norm(jacobian)


SCALING_DIMS = (1, 4, 16, 64, 256, 1024)
SCALING_KEYS = 32  # keys per query in the scaling study; a uniform row has entropy log(32) = 3.47 nats


def scaling_study(g: torch.Generator, dims: tuple[int, ...] = SCALING_DIMS, queries: int = 256) -> np.ndarray:
    """For random unit-variance q and k of each dimension d, with and without the 1/√d: the mean entropy
    and largest weight of the softmax rows, the spread (std) of the scores, and the mean Frobenius norm
    of the softmax's Jacobian ∂p/∂s = diag(p) - p pᵀ, the factor every gradient through it is scaled by.
    Rows: d; columns: H scaled, H raw, max scaled, max raw, std scaled, std raw, ‖J‖ scaled, ‖J‖ raw."""
    table = []
    for d in dims:
        q = torch.randn(queries, d, generator=g)  # (Nq, d)
        k = torch.randn(SCALING_KEYS, d, generator=g)  # (Nk, d)
        v = torch.zeros(SCALING_KEYS, 1)
        _, w_scaled = attention(q, k, v)  # (Nq, Nk)
        _, w_raw = attention(q, k, v, scale=False)  # (Nq, Nk)
        raw = q @ k.T  # (Nq, Nk)
        table.append(
            [
                entropy(w_scaled).mean(),
                entropy(w_raw).mean(),
                w_scaled.amax(-1).mean(),
                w_raw.amax(-1).mean(),
                (raw / math.sqrt(d)).std(),
                raw.std(),
                softmax_jacobian_norm(w_scaled).mean(),
                softmax_jacobian_norm(w_raw).mean(),
            ]
        )
    return np.array(table, dtype=np.float64)


def scaled_dot_product(p: dict, ctx: RunContext) -> ConceptOutput:
    n, d = p["n"], p["d"]
    g = ctx.generator()
    q, k, v = (torch.randn(n, d, generator=g).to(ctx.device) for _ in range(3))  # (n, d) each
    out, weights = attention(q, k, v)  # (n, d), (n, n)
    _, weights_unscaled = attention(q, k, v, scale=False)  # (n, n)
    scores = q @ k.T  # (n, n), spread ≈ √d
    table = scaling_study(g)
    rows, cols = labels("q", n), labels("k", n)

    def draw_weights() -> Figure:
        fig_w = new_figure(10, 4.2)
        ax1, ax2 = fig_w.subplots(1, 2)
        heatmap(
            ax1,
            weights.cpu(),
            rows,
            cols,
            title=f"softmax(QKᵀ/√{d})",
            xlabel="key",
            ylabel="query",
            vmin=0,
            vmax=1,
        )
        heatmap(
            ax2,
            weights_unscaled.cpu(),
            rows,
            cols,
            title="softmax(QKᵀ), no scaling",
            xlabel="key",
            vmin=0,
            vmax=1,
        )
        return fig_w

    def draw_scaling() -> Figure:
        fig_s = new_figure(16, 4)
        ax0, ax1, ax2, ax3 = fig_s.subplots(1, 4)
        for column, style, name in ((0, "o-", "with 1/√d"), (1, "s--", "without")):
            ax0.plot(SCALING_DIMS, table[:, column + 4], style, label=name)
            ax1.plot(SCALING_DIMS, table[:, column], style, label=name)
            ax2.plot(SCALING_DIMS, table[:, column + 2], style, label=name)
            ax3.plot(SCALING_DIMS, table[:, column + 6], style, label=name)
        ax0.set(
            xscale="log",
            yscale="log",
            xlabel="dimension d",
            ylabel="std of the scores",
            title="Score spread vs d",
        )
        ax3.set(
            xscale="log",
            yscale="log",
            xlabel="dimension d",
            ylabel="‖∂softmax/∂scores‖_F",
            title="Gradient through the softmax vs d",
        )
        ax0.legend()
        ax3.legend()
        ax1.axhline(
            math.log(SCALING_KEYS), color="gray", lw=0.8, ls=":", label=f"uniform: log {SCALING_KEYS}"
        )
        ax1.set(
            xscale="log", xlabel="dimension d", ylabel="entropy of a softmax row (nats)", title="Entropy vs d"
        )
        ax2.set(
            xscale="log",
            xlabel="dimension d",
            ylabel="largest weight in a row",
            title="Saturation vs d",
            ylim=(0, 1.02),
        )
        ax1.legend()
        ax2.legend()
        return fig_s

    arrays = arrays_from(
        Q=q,
        K=k,
        V=v,
        scores=scores,
        weights=weights,
        weights_unscaled=weights_unscaled,
        output=out,
        scaling_table=table,
    )
    h_scaled, h_raw = entropy(weights).mean().item(), entropy(weights_unscaled).mean().item()
    metrics = {
        "score_std_unscaled": scores.std().item() if n * n > 1 else 0.0,
        "score_std_scaled": (scores / math.sqrt(d)).std().item() if n * n > 1 else 0.0,
        "entropy_scaled_nats": h_scaled,
        "entropy_unscaled_nats": h_raw,
        "entropy_uniform_nats": math.log(n),
        "max_weight_scaled": weights.amax(-1).mean().item(),
        "max_weight_unscaled": weights_unscaled.amax(-1).mean().item(),
        "max_abs_diff_vs_sdpa": _sdpa_gap(q, k, v, out),
        "jacobian_norm_d1024_scaled": float(table[SCALING_DIMS.index(1024), 6]),
        "jacobian_norm_d1024_unscaled": float(table[SCALING_DIMS.index(1024), 7]),
    }
    d_big = SCALING_DIMS.index(1024)
    explanation = f"""
Scaled dot-product attention: each query scores every key by a dot product, the scores go through a
softmax, and the output is the weighted average of the values.

  Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V        Q: ({n}, {d})  K: ({n}, {d})  V: ({n}, {d})

With unit-variance entries a dot product of two d-dimensional vectors has standard deviation √d (here
{metrics["score_std_unscaled"]:.2f}; after dividing by √{d}: {metrics["score_std_scaled"]:.2f}). Large
scores push the softmax towards a one-hot row: its entropy here is {h_raw:.2f} nats unscaled against
{h_scaled:.2f} scaled (uniform would be {math.log(n):.2f}). At d = 1024 over {SCALING_KEYS} keys the unscaled
rows put {table[d_big, 3]:.2f} of their weight on a single key on average, the scaled ones
{table[d_big, 2]:.2f}. A saturated softmax has almost no gradient: its Jacobian diag(p) - p pᵀ is 0
for a one-hot p. Measured, its norm falls from {table[0, 7]:.3f} at d = 1 to {table[d_big, 7]:.2e} at
d = 1024 without the scaling, and stays near {table[d_big, 6]:.3f} with it, so training does not
stall. Dividing by √d_k keeps the spread of the scores near 1 for every d. This implementation
matches F.scaled_dot_product_attention to {metrics["max_abs_diff_vs_sdpa"]:.1e}.
"""
    table_rows = [f"d={dim}" for dim in SCALING_DIMS]
    table_cols = ["H_scaled", "H_raw", "max_scaled", "max_raw", "std_scaled", "std_raw", "J_scaled", "J_raw"]
    return ConceptOutput(
        arrays,
        metrics,
        explanation,
        {"weights": draw_weights, "scaling": draw_scaling},
        labels={
            "weights": (rows, cols),
            "weights_unscaled": (rows, cols),
            "scaling_table": (table_rows, table_cols),
        },
    )


def _qkv_figure(panels: dict[str, tuple[torch.Tensor, list[str]]]) -> Figure:
    """Side-by-side heatmaps of token-by-dimension matrices on one shared, zero-centred colour scale."""
    fig = new_figure(3 * len(panels) + 0.6, 3.6)
    scale = max(float(matrix.abs().max()) for matrix, _ in panels.values())
    for index, (ax, (title, (matrix, rows))) in enumerate(
        zip(fig.subplots(1, len(panels)), panels.items(), strict=True)
    ):
        last = index == len(panels) - 1
        heatmap(
            ax,
            matrix.cpu(),
            rows,
            labels("", matrix.shape[1]),
            title=title,
            xlabel="dimension",
            cmap="RdBu_r",
            vmin=-scale,
            vmax=scale,
            annotate=False,
            colorbar="value" if last else None,
        )
    return fig


# A sentence with hand-built embeddings: one feature per column, so every number can be read.
SENTENCE = ["the", "animal", "didn't", "cross", "the", "street", "because", "it", "was", "too", "tired"]
FEATURES = ["det", "noun", "animate", "verb", "pronoun", "conj", "adj", "position"]
_WORD_FEATURES = {
    "the": {"det": 1},
    "animal": {"noun": 1, "animate": 1},
    "didn't": {"verb": 1},
    "cross": {"verb": 1},
    "street": {"noun": 1},
    "because": {"conj": 1},
    "it": {"pronoun": 1},
    "was": {"verb": 1},
    "too": {"adj": 0.5},
    "tired": {"adj": 1, "animate": 0.5},
}
# W_q[f_in, f_out]: what a token with feature f_in looks for. Keys and values are the features themselves.
_QUERIES = {
    ("pronoun", "animate"): 3.0,  # a pronoun looks for an animate noun: "it" -> "animal"
    ("pronoun", "noun"): 2.0,
    ("det", "noun"): 2.0,  # a determiner looks for its noun
    ("verb", "noun"): 2.0,  # a verb looks for its subject and object
    ("noun", "verb"): 1.5,
    ("conj", "verb"): 2.0,  # "because" links the two clauses' verbs
    ("adj", "animate"): 2.0,  # "tired" describes something animate
    ("adj", "noun"): 1.0,
}


def sentence_embeddings() -> tuple[torch.Tensor, torch.Tensor]:
    """X: (n, 8) one row per word of SENTENCE, features FEATURES (position = i/n, which tells the two
    "the"s apart), and the hand-set query matrix W_q: (8, 8). Keys and values use W_k = W_v = I."""
    n = len(SENTENCE)
    x = torch.zeros(n, len(FEATURES))
    for i, word in enumerate(SENTENCE):
        for feature, value in _WORD_FEATURES[word].items():
            x[i, FEATURES.index(feature)] = value
        x[i, FEATURES.index("position")] = i / n
    w_q = torch.zeros(len(FEATURES), len(FEATURES))
    for (f_in, f_out), value in _QUERIES.items():
        w_q[FEATURES.index(f_in), FEATURES.index(f_out)] = 2 * value  # x2: sharp enough to read after /√8
    return x, w_q


def self_attention(p: dict, ctx: RunContext) -> ConceptOutput:
    g = ctx.generator()
    if p["input"] == "sentence":
        x, w_q = (t.to(ctx.device) for t in sentence_embeddings())  # (n, 8), (8, 8)
        eye = torch.eye(x.shape[1], device=ctx.device)
        w_k, w_v = eye, eye
        tokens = [f"{w}" if SENTENCE.index(w) == i else f"{w}₂" for i, w in enumerate(SENTENCE)]
    else:
        x = torch.randn(p["n"], p["d"], generator=g).to(ctx.device)  # (n, d): one row per token
        w_q, w_k, w_v = _projections(p["d"], g, ctx.device)
        tokens = labels("t", p["n"])
    n, d = x.shape
    q, k, v = x @ w_q, x @ w_k, x @ w_v  # (n, d) each: all three from the same sequence
    out, weights = attention(q, k, v)  # (n, d), (n, n)

    def draw_weights() -> Figure:
        fig = new_figure(5.5, 4.6) if n <= 8 else new_figure(8.5, 7.2)
        ax = fig.subplots()
        heatmap(
            ax,
            weights.cpu(),
            tokens,
            tokens,
            title="Self-attention weights (rows sum to 1)",
            xlabel="key token (attended to)",
            ylabel="query token (attending)",
            vmin=0,
            vmax=1,
        )
        if p["input"] == "sentence":  # the row to read first: where "it" looks
            row = SENTENCE.index("it")
            ax.add_patch(Rectangle((-0.5, row - 0.5), n, 1, fill=False, edgecolor="red", lw=2))
            ax.set_title('Self-attention weights (rows sum to 1): "it" attends to "animal"')
        return fig

    def draw_qkv() -> Figure:
        return _qkv_figure(
            {
                "X": (x, tokens),
                "Q = X W_q": (q, tokens),
                "K = X W_k": (k, tokens),
                "V = X W_v": (v, tokens),
                "output": (out, tokens),
            }
        )

    metrics = {
        "max_abs_diff_vs_sdpa": _sdpa_gap(q, k, v, out),
        "row_sum_max_error": (weights.sum(-1) - 1).abs().max().item(),
        "mean_entropy_nats": entropy(weights).mean().item(),
        "mean_self_weight": weights.diagonal().mean().item(),
    }
    story = ""
    if p["input"] == "sentence":
        it, animal, street = SENTENCE.index("it"), SENTENCE.index("animal"), SENTENCE.index("street")
        metrics["it_to_animal"] = weights[it, animal].item()
        metrics["it_to_street"] = weights[it, street].item()
        story = f"""

The sentence: "{" ".join(SENTENCE)}". Each word is a vector of readable features ({", ".join(FEATURES)});
W_q is set by hand so that a pronoun asks for an animate noun, a determiner for a noun, a verb for
its nouns, and W_k = W_v = I. So "it" puts {metrics["it_to_animal"]:.0%} of its weight on "animal" and
{metrics["it_to_street"]:.0%} on "street", and its output row becomes mostly the animal's vector: after
attention, "it" carries what it refers to. A trained transformer learns such W_q, W_k, W_v from data
(and, for "... because it was too wide", uses context from earlier layers to pick "street")."""
    explanation = f"""
Self-attention: queries, keys and values are three linear projections of the same sequence X ({n} tokens
of dimension {d}), so every token looks at every token of its own sequence, itself included.

  Q = X W_q,  K = X W_k,  V = X W_v,   output = softmax(Q Kᵀ / √d) V    weights: {n} x {n}

Row i of the weight matrix says how much token i takes from each token; each row sums to 1 (largest
error {metrics["row_sum_max_error"]:.1e}). The output has one row per token, each a mixture of the value
vectors. Matches F.scaled_dot_product_attention to {metrics["max_abs_diff_vs_sdpa"]:.1e}.{story}
"""
    return ConceptOutput(
        arrays_from(X=x, Q=q, K=k, V=v, weights=weights, output=out),
        metrics,
        explanation,
        {"weights": draw_weights, "qkv": draw_qkv},
        labels={"weights": (tokens, tokens)},
    )


def cross_attention(p: dict, ctx: RunContext) -> ConceptOutput:
    n, m, d = p["n"], p["m"], p["d"]
    g = ctx.generator()
    y = torch.randn(n, d, generator=g).to(ctx.device)  # (n, d): target sequence (e.g. decoder states)
    x = torch.randn(m, d, generator=g).to(ctx.device)  # (m, d): source sequence (e.g. encoder output)
    w_q, w_k, w_v = _projections(d, g, ctx.device)
    q = y @ w_q  # (n, d): queries come from the target
    k, v = x @ w_k, x @ w_v  # (m, d) each: keys and values come from the source
    out, weights = attention(q, k, v)  # (n, d), (n, m)
    rows, cols = labels("y", n), labels("x", m)

    def draw_weights() -> Figure:
        fig = new_figure(max(5.0, 0.7 * m + 2.5), max(3.5, 0.5 * n + 1.8))
        heatmap(
            fig.subplots(),
            weights.cpu(),
            rows,
            cols,
            title=f"Cross-attention weights ({n} x {m})",
            xlabel="source token (key / value)",
            ylabel="target token (query)",
            vmin=0,
            vmax=1,
        )
        return fig

    def draw_qkv() -> Figure:
        return _qkv_figure(
            {"Q = Y W_q": (q, rows), "K = X W_k": (k, cols), "V = X W_v": (v, cols), "output": (out, rows)}
        )

    metrics = {
        "max_abs_diff_vs_sdpa": _sdpa_gap(q, k, v, out),
        "row_sum_max_error": (weights.sum(-1) - 1).abs().max().item(),
        "mean_entropy_nats": entropy(weights).mean().item(),
        "uniform_entropy_nats": math.log(m),
    }
    explanation = f"""
Cross-attention: the queries come from one sequence (the target Y, n = {n} tokens, e.g. the decoder) and
the keys and values from another (the source X, m = {m} tokens, e.g. the encoder output), so the weight
matrix is n x m = {n} x {m}, not square.

  Q = Y W_q (n x d),  K = X W_k (m x d),  V = X W_v (m x d)
  output = softmax(Q Kᵀ / √d) V   (n x d): one row per target token

Each target token reads a mixture of source tokens: row i of the weights sums to 1 over the m sources.
The output has the target's length n and the values' width d. Matches
F.scaled_dot_product_attention to {metrics["max_abs_diff_vs_sdpa"]:.1e}.
"""
    return ConceptOutput(
        arrays_from(Y=y, X=x, Q=q, K=k, V=v, weights=weights, output=out),
        metrics,
        explanation,
        {"weights": draw_weights, "qkv": draw_qkv},
        labels={"weights": (rows, cols)},
    )


HEAD_SENTENCE = ["the", "cat", "sat", "on", "the", "mat", "and", "the", "cat", "slept"]
HEAD_KINDS = ["previous token", "same token", "first token", "content: nouns"]
_NOUNS = {"cat", "mat"}
SHARP = 6.0  # score of a match, after the 1/√d scaling: e^6 ≈ 400 times a non-match


def specialised_heads(words: list[str]) -> torch.Tensor:
    """Four hand-set heads on `words`, (4, T, T): each builds Q and K from the one-hot features of
    the tokens (word, position, first-position flag, noun flag), as trained heads are found to do
    (Clark et al. 2019, "What does BERT look at?"): previous token, same token, first token, nouns."""
    T = len(words)
    vocab = sorted(set(words))
    word = F.one_hot(torch.tensor([vocab.index(w) for w in words]), len(vocab)).float()  # (T, V)
    pos = torch.eye(T)  # (T, T): position one-hot
    ones = torch.ones(T, 1)  # (T, 1)
    first = pos[:, :1]  # (T, 1): 1 at position 0
    noun = torch.tensor([[1.0 if w in _NOUNS else 0.0] for w in words])  # (T, 1)
    previous = torch.cat([torch.zeros(T, 1), pos[:, :-1]], dim=1)  # (T, T): key j answers query j+1
    pairs = [(pos, previous), (word, word), (ones, first), (ones, noun)]  # (queries, keys) per head
    weights = []
    for q, k in pairs:
        d_head = q.shape[1]
        q = q * SHARP * math.sqrt(d_head)  # so that softmax sees SHARP for a match, 0 otherwise
        _, w = attention(q, k, k)  # (T, T)
        weights.append(w)
    return torch.stack(weights)  # (4, T, T)


def multihead(p: dict, ctx: RunContext) -> ConceptOutput:
    n, d_model, heads = p["n"], p["d_model"], p["heads"]
    g = ctx.generator()
    x = torch.randn(1, n, d_model, generator=g)  # (B=1, T, C)
    reference = nn.MultiheadAttention(d_model, heads, batch_first=True)  # initialised from the seeded RNG
    mine = MultiHeadSelfAttention(d_model, heads).load_from(reference)
    reference, mine, x = reference.to(ctx.device).eval(), mine.to(ctx.device).eval(), x.to(ctx.device)
    with torch.no_grad():
        out, weights = mine(x)  # (1, T, C), (1, h, T, T)
        ref_out, ref_weights = reference(x, x, x, need_weights=True, average_attn_weights=False)
    tokens = labels("t", n)
    cols = min(heads, 4)
    rows_of_plots = math.ceil(heads / cols)

    def draw_untrained_heads() -> Figure:
        fig = new_figure(3.2 * cols + 0.8, 3.0 * rows_of_plots + 0.4)
        axes = np.atleast_1d(fig.subplots(rows_of_plots, cols)).ravel()
        for head, ax in enumerate(axes):
            if head >= heads:
                ax.set_axis_off()
                continue
            heatmap(
                ax,
                weights[0, head].cpu(),
                tokens,
                tokens,
                title=f"head {head}",
                xlabel="key",
                ylabel="query" if head % cols == 0 else "",
                vmin=0,
                vmax=1,
                annotate=n <= 8,
                colorbar=None if head % cols != cols - 1 and head != heads - 1 else "weight",
            )
        fig.suptitle(
            f"{heads} untrained heads (random weights, random tokens): arbitrary patterns, no head has a job"
        )
        return fig

    special = specialised_heads(HEAD_SENTENCE)  # (4, T, T)

    def draw_heads() -> Figure:
        fig_heads = new_figure(12.5, 11)
        for head, ax in enumerate(fig_heads.subplots(2, 2).ravel()):
            heatmap(
                ax,
                special[head],
                HEAD_SENTENCE,
                HEAD_SENTENCE,
                title=f"head {head}: {HEAD_KINDS[head]}",
                xlabel="key (attended to)",
                ylabel="query" if head % 2 == 0 else "",
                vmin=0,
                vmax=1,
                annotate=False,
                colorbar="weight" if head % 2 else None,
                aspect="equal",
            )
        fig_heads.suptitle(
            "Four heads with different jobs on one sentence (hand-set Q and K from the tokens' features)"
        )
        return fig_heads

    differs = min(
        (special[a] - special[b]).abs().sum(-1).mean().item() / 2 for a in range(4) for b in range(a + 1, 4)
    )
    metrics = {
        "max_abs_diff_vs_torch_output": (out - ref_out).abs().max().item(),
        "max_abs_diff_vs_torch_weights": (weights - ref_weights).abs().max().item(),
        "head_dim": d_model // heads,
        "parameters": sum(t.numel() for t in mine.parameters()),
        "untrained_mean_max_weight": weights[0].max(-1).values.mean().item(),
        "specialised_min_difference": differs,
    }
    explanation = f"""
Multi-head attention runs h = {heads} attentions side by side. The model dimension d_model = {d_model} is
split into h heads of d_model/h = {d_model // heads} dimensions; each head has its own slice of W_q, W_k, W_v,
so each can attend to different tokens (one weight map per head). The heads' outputs are concatenated
back to d_model and mixed by W_o.

  head_i = softmax(Q_i K_iᵀ / √(d_model/h)) V_i,   MultiHead(X) = concat(head_1, ..., head_h) W_o

Heads matter because they can differ. The first figure shows four heads set by hand on
"{" ".join(HEAD_SENTENCE)}": one looks at the previous token, one at every copy of the same
word, one at the first token (a "no-op" sink), one at the nouns (the first token has no previous
one, so head 0 spreads its row evenly). Trained models grow heads like these (Clark et al. 2019);
any two of ours differ by at least {differs:.0%} of a row's weight (half the L1 distance). Untrained heads
have no such jobs: with random weights and tokens their patterns are arbitrary. A row's largest weight is
{metrics["untrained_mean_max_weight"]:.2f} on average (uniform would be 1/{n} = {1 / n:.2f}), but where it
falls is chance: no head follows the previous token, the first token or the nouns.

Same cost as one full-width head. Loaded with the same weights, this from-scratch version equals
torch.nn.MultiheadAttention: outputs differ by {metrics["max_abs_diff_vs_torch_output"]:.1e}, per-head
weights by {metrics["max_abs_diff_vs_torch_weights"]:.1e}.
"""
    arrays = arrays_from(
        X=x[0], weights=weights[0], output=out[0], torch_output=ref_out[0], specialised_weights=special
    )
    arrays["head_words"] = np.array(HEAD_SENTENCE)  # the specialised heads' tokens, for the terminal
    return ConceptOutput(
        arrays, metrics, explanation, {"heads": draw_heads, "untrained_heads": draw_untrained_heads}
    )


def _masked_panel(ax, values: torch.Tensor, mask: torch.Tensor, title: str, bar: str, cmap: str = "viridis"):
    """A heatmap whose masked cells are drawn as masked (grey, hatched, labelled -∞ or 0), not as a
    colour on the scale; visible cells keep their colour and, when few, their value."""
    shown = values.clone().float()  # (n, m)
    shown[~mask] = float("nan")  # imshow leaves NaN cells out of the colour scale
    visible = shown[mask]
    if cmap == "RdBu_r":
        reach = float(visible.abs().max()) if visible.numel() else 1.0
        low, high = -reach, reach
    else:
        low, high = 0.0, 1.0
    n, m = values.shape
    names = labels("t", n)
    heatmap(
        ax,
        shown.numpy(),
        names,
        labels("t", m),
        title=title,
        xlabel="key (attended to)",
        ylabel="query (attending)",
        cmap=cmap,
        vmin=low,
        vmax=high,
        annotate=False,
        colorbar=bar,
    )
    few = n <= 12
    for i in range(n):
        for j in range(m):
            if not mask[i, j]:
                ax.add_patch(
                    Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.85", edgecolor="0.6", hatch="//")
                )
                if few:
                    ax.text(j, i, "-∞" if cmap == "RdBu_r" else "0", ha="center", va="center", fontsize=7)
            elif few:
                ax.text(
                    j,
                    i,
                    f"{float(values[i, j]):.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if cmap == "RdBu_r" or float(values[i, j]) > 0.5 else "white",
                )


def masked(p: dict, ctx: RunContext) -> ConceptOutput:
    n, d = p["n"], p["d"]
    g = ctx.generator()
    x = torch.randn(n, d, generator=g).to(ctx.device)  # (n, d)
    w_q, w_k, w_v = _projections(d, g, ctx.device)
    q, k, v = x @ w_q, x @ w_k, x @ w_v  # (n, d) each
    mask = causal_mask(n, ctx.device)  # (n, n) lower triangular
    out, weights = attention(q, k, v, mask)  # (n, d), (n, n)
    # Change the last token: no earlier output may move, since no earlier token can see it.
    x2 = x.clone()
    x2[-1] += torch.randn(d, generator=g).to(ctx.device) * 3
    out2, _ = attention(x2 @ w_q, x2 @ w_k, x2 @ w_v, mask)  # (n, d)
    above = weights.masked_select(~mask)
    tokens = labels("t", n)
    scores = (q @ k.T / math.sqrt(d)).masked_fill(~mask, float("-inf"))  # (n, n): what the softmax sees

    def draw_weights() -> Figure:
        fig = new_figure(11, 4.8)
        ax1, ax2 = fig.subplots(1, 2)
        _masked_panel(
            ax1, scores.cpu(), mask.cpu(), "Scores Q Kᵀ/√d + M: -∞ above the diagonal", "score", "RdBu_r"
        )
        _masked_panel(
            ax2, weights.cpu(), mask.cpu(), "Weights after softmax: exactly 0 where masked", "weight"
        )
        return fig

    metrics = {
        "max_weight_above_diagonal": above.abs().max().item() if above.numel() else 0.0,
        "max_abs_diff_vs_sdpa_causal": _sdpa_gap(q, k, v, out, is_causal=True),
        "future_leak": (out2[:-1] - out[:-1]).abs().max().item() if n > 1 else 0.0,
        "row_sum_max_error": (weights.sum(-1) - 1).abs().max().item(),
    }
    explanation = f"""
Masked (causal) attention, as in a decoder or GPT: token i may attend only to tokens 0..i. The mask
sets the scores above the diagonal to -inf before the softmax, and exp(-inf) = 0, so those weights are
exactly zero (largest here: {metrics["max_weight_above_diagonal"]:g}) and each row still sums to 1 over
the visible tokens.

  weights = softmax(Q Kᵀ / √d + M),   M[i, j] = 0 if j <= i else -inf

Changing the last token moved the earlier outputs by {metrics["future_leak"]:g}: nothing leaks from the
future, which is what lets a model be trained on all positions of a sequence at once. Matches
torch's F.scaled_dot_product_attention with is_causal=True to {metrics["max_abs_diff_vs_sdpa_causal"]:.1e}.
"""
    return ConceptOutput(
        arrays_from(X=x, mask=mask, scores=scores, weights=weights, output=out),
        metrics,
        explanation,
        {"weights": draw_weights},
        labels={"weights": (tokens, tokens)},
    )


def permutation(p: dict, ctx: RunContext) -> ConceptOutput:
    n, d = p["n"], p["d"]
    g = ctx.generator()
    x = torch.randn(n, d, generator=g).to(ctx.device)  # (n, d)
    w_q, w_k, w_v = _projections(d, g, ctx.device)
    perm = torch.randperm(n, generator=g)
    while n > 1 and bool((perm == torch.arange(n)).all()):  # a permutation that moves something
        perm = torch.randperm(n, generator=g)
    perm = perm.to(ctx.device)
    pe = sinusoidal_encoding(n, d).to(ctx.device)  # (n, d)

    def f(tokens: torch.Tensor) -> torch.Tensor:
        return attention(tokens @ w_q, tokens @ w_k, tokens @ w_v)[0]  # (n, d)

    permute_after = f(x)[perm]  # P f(X)
    permute_before = f(x[perm])  # f(P X)
    pe_after = f(x + pe)[perm]  # P f(X + PE)
    pe_before = f(x[perm] + pe)  # f(P X + PE): positions stay put while the tokens move
    mask = causal_mask(n, ctx.device)

    def f_causal(tokens: torch.Tensor) -> torch.Tensor:
        return attention(tokens @ w_q, tokens @ w_k, tokens @ w_v, mask)[0]  # (n, d)

    causal_after, causal_before = f_causal(x)[perm], f_causal(x[perm])  # P f(X), f(P X) with the mask
    error = (permute_after - permute_before).abs().max().item()
    error_pe = (pe_after - pe_before).abs().max().item()
    error_causal = (causal_after - causal_before).abs().max().item()
    tokens = [f"t{j}" for j in perm.tolist()]  # rows in permuted order
    dims = labels("d", d)

    def draw_equivariance() -> Figure:
        fig = new_figure(12, 10)
        grid = fig.subplots(3, 3)
        scale = float(max(permute_after.abs().max(), pe_after.abs().max(), causal_after.abs().max()))
        panels = [
            (permute_after, "P·f(X)"),
            (permute_before, "f(P·X)"),
            (permute_after - permute_before, f"difference (max {error:.1e})"),
            (pe_after, "P·f(X + PE)"),
            (pe_before, "f(P·X + PE)"),
            (pe_after - pe_before, f"difference (max {error_pe:.2f})"),
            (causal_after, "P·f_causal(X)"),
            (causal_before, "f_causal(P·X)"),
            (causal_after - causal_before, f"difference (max {error_causal:.2f})"),
        ]
        for ax, (matrix, title) in zip(grid.ravel(), panels, strict=True):
            heatmap(
                ax,
                matrix.cpu(),
                tokens,
                labels("", d),
                title=title,
                xlabel="dimension",
                cmap="RdBu_r",
                vmin=-scale,
                vmax=scale,
                annotate=False,
                colorbar=None if "diff" not in title else "value",
            )
        grid[0, 0].set_ylabel("no positions\ntoken (permuted order)")
        grid[1, 0].set_ylabel("with sinusoidal PE\ntoken (permuted order)")
        grid[2, 0].set_ylabel("causal mask, no PE\ntoken (permuted order)")
        fig.suptitle(f"Permuting the {n} tokens by P = {perm.tolist()}")
        return fig

    # The same on a sentence and its permutation: the weight matrix is permuted rows and columns.
    words = ["dog", "bites", "man"]
    swap = torch.tensor([2, 1, 0])  # "man bites dog"
    embed = torch.randn(3, d, generator=g).to(ctx.device)  # (3, d): one vector per word
    w_sentence = attention(embed @ w_q, embed @ w_k, embed @ w_v)[1]  # (3, 3)
    w_swapped = attention(embed[swap] @ w_q, embed[swap] @ w_k, embed[swap] @ w_v)[1]  # (3, 3)
    w_sentence_causal = attention(embed @ w_q, embed @ w_k, embed @ w_v, causal_mask(3, ctx.device))[1]
    w_swapped_causal = attention(
        embed[swap] @ w_q, embed[swap] @ w_k, embed[swap] @ w_v, causal_mask(3, ctx.device)
    )[1]
    swapped_words = [words[j] for j in swap.tolist()]

    def draw_sentence() -> Figure:
        fig_words = new_figure(11, 7.6)
        axes = fig_words.subplots(2, 2)
        for ax, matrix, names, title in (
            (axes[0, 0], w_sentence, words, '"dog bites man"'),
            (
                axes[0, 1],
                w_swapped,
                swapped_words,
                '"man bites dog": the same weights, rows and columns moved',
            ),
            (axes[1, 0], w_sentence_causal, words, '"dog bites man", causal mask'),
            (axes[1, 1], w_swapped_causal, swapped_words, '"man bites dog", causal: new weights'),
        ):
            heatmap(ax, matrix.cpu(), names, names, title=title, xlabel="key", ylabel="query", vmin=0, vmax=1)
        fig_words.suptitle("No positions: a sentence and its permutation get the same attention, moved")
        return fig_words

    metrics = {
        "equivariance_error": error,
        "equivariance_error_with_pe": error_pe,
        "equivariance_error_causal": error_causal,
        "sentence_weights_error": (w_swapped - w_sentence[swap][:, swap]).abs().max().item(),
        "output_max_abs": permute_after.abs().max().item(),
    }
    explanation = f"""
Self-attention without positional information treats its input as a set: permute the tokens and the
outputs come out permuted the same way, f(P X) = P f(X) (permutation equivariance). Here P = {perm.tolist()}
and the largest difference between f(P X) and P f(X) is {error:.1e}, float rounding only.

Nothing in softmax(Q Kᵀ/√d) V knows where a token sits, so "dog bites man" and "man bites dog" give the
same bag of outputs. Adding positional encodings to the inputs (PE stays attached to positions 0..n-1
while the tokens move) breaks the symmetry: the difference becomes {error_pe:.3f}, on outputs of size
{metrics["output_max_abs"]:.2f}. That is why transformers add (or rotate in) position information.

On words: "man bites dog" gets exactly the weights of "dog bites man" with rows and columns moved
(largest difference {metrics["sentence_weights_error"]:.1e}), so without positions the two sentences
cannot be told apart. A causal mask also breaks the symmetry, since it is tied to positions: token i
sees tokens 0..i, and which tokens those are changes when they move (difference {error_causal:.3f}).
"""
    arrays = arrays_from(
        X=x,
        permutation=perm,
        P_f_X=permute_after,
        f_P_X=permute_before,
        P_f_X_plus_PE=pe_after,
        f_P_X_plus_PE=pe_before,
    )
    return ConceptOutput(
        arrays,
        metrics,
        explanation,
        {"equivariance": draw_equivariance, "sentence": draw_sentence},
        labels={name: (tokens, dims) for name in ("P_f_X", "f_P_X", "P_f_X_plus_PE", "f_P_X_plus_PE")},
    )
