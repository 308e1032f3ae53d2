"""The readable attention against torch's, causal masking, permutation equivariance."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import engine
from engine.concepts.attention import (
    FEATURES,
    HEAD_SENTENCE,
    SENTENCE,
    MultiHeadSelfAttention,
    attention,
    causal_mask,
    entropy,
    scaling_study,
    softmax_jacobian_norm,
    specialised_heads,
)
from engine.concepts.positional import sinusoidal_encoding


@pytest.mark.parametrize(
    ("batch", "n", "m", "d_k", "d_v"), [((), 1, 1, 1, 1), ((2,), 5, 7, 8, 3), ((2, 3), 16, 9, 64, 64)]
)
def test_attention_equals_sdpa(batch, n, m, d_k, d_v):
    g = torch.Generator().manual_seed(n * m)
    q = torch.randn(*batch, n, d_k, generator=g)
    k = torch.randn(*batch, m, d_k, generator=g)
    v = torch.randn(*batch, m, d_v, generator=g)
    out, weights = attention(q, k, v)
    assert out.shape == (*batch, n, d_v) and weights.shape == (*batch, n, m)
    reference = F.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, reference, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(*batch, n), atol=1e-6, rtol=0)


def test_the_formula_is_softmax_of_scaled_scores():
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(4, 16, generator=g) for _ in range(3))
    expected = torch.softmax(q @ k.T / math.sqrt(16), dim=-1) @ v
    torch.testing.assert_close(attention(q, k, v)[0], expected, atol=1e-6, rtol=0)
    unscaled = torch.softmax(q @ k.T, dim=-1)
    torch.testing.assert_close(attention(q, k, v, scale=False)[1], unscaled, atol=1e-6, rtol=0)


def test_causal_mask_zeroes_the_future_exactly_and_matches_sdpa():
    g = torch.Generator().manual_seed(2)
    q, k, v = (torch.randn(2, 7, 8, generator=g) for _ in range(3))
    out, weights = attention(q, k, v, causal_mask(7))
    assert torch.equal(weights.triu(1), torch.zeros_like(weights))  # exactly zero, not just small
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=1e-5, rtol=0
    )
    assert torch.all(weights[..., 0, 0] == 1)


@pytest.mark.parametrize(("d_model", "heads", "n"), [(16, 4, 6), (8, 1, 3), (24, 8, 11)])
def test_multihead_equals_torch_multihead_attention(d_model, heads, n):
    torch.manual_seed(d_model + heads)
    reference = nn.MultiheadAttention(d_model, heads, batch_first=True)
    with torch.no_grad():  # non-zero biases, so they are checked too
        reference.in_proj_bias.normal_()
        reference.out_proj.bias.normal_()
    mine = MultiHeadSelfAttention(d_model, heads).load_from(reference)
    x = torch.randn(3, n, d_model)
    with torch.no_grad():
        out, weights = mine(x)
        ref_out, ref_weights = reference(x, x, x, need_weights=True, average_attn_weights=False)
        masked_out, _ = mine(x, causal_mask(n))
        ref_masked, _ = reference(x, x, x, attn_mask=~causal_mask(n), need_weights=False)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights, ref_weights, atol=1e-5, rtol=0)
    torch.testing.assert_close(masked_out, ref_masked, atol=1e-5, rtol=0)


def self_attention_fn(d: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    w_q, w_k, w_v = (torch.randn(d, d, generator=g) / math.sqrt(d) for _ in range(3))
    return lambda x: attention(x @ w_q, x @ w_k, x @ w_v)[0]


def test_self_attention_is_permutation_equivariant():
    f = self_attention_fn(8, 0)
    x = torch.randn(9, 8, generator=torch.Generator().manual_seed(3))
    for seed in range(5):
        perm = torch.randperm(9, generator=torch.Generator().manual_seed(seed))
        torch.testing.assert_close(f(x[perm]), f(x)[perm], atol=1e-5, rtol=0)


def test_positional_encoding_breaks_permutation_equivariance():
    f = self_attention_fn(8, 0)
    x = torch.randn(9, 8, generator=torch.Generator().manual_seed(3))
    pe = sinusoidal_encoding(9, 8)
    perm = torch.tensor([3, 0, 1, 2, 8, 4, 5, 7, 6])
    gap = (f(x[perm] + pe) - f(x + pe)[perm]).abs().max().item()
    assert gap > 0.05


def test_permutation_demo_reports_both():
    result = engine.run("attention.permutation", {"n": 7, "d": 8}, device="cpu", seed=4)
    assert result.metrics["equivariance_error"] < 1e-5
    assert result.metrics["equivariance_error_with_pe"] > 0.05
    assert result.metrics["equivariance_error_causal"] > 0.05  # the mask is tied to positions
    assert result.metrics["sentence_weights_error"] < 1e-6  # "man bites dog": the same weights, moved


def test_scaling_keeps_entropy_while_unscaled_softmax_saturates():
    table = scaling_study(torch.Generator().manual_seed(0), dims=(4, 64, 1024))
    h_scaled, h_raw, max_scaled, max_raw, std_scaled, std_raw, jac_scaled, jac_raw = table.T
    assert std_raw[2] > 20 * std_scaled[2] and abs(std_scaled - 1).max() < 0.2  # spread √d vs 1
    assert jac_raw[0] > jac_raw[1] > jac_raw[2] and jac_raw[2] < 0.4 * jac_scaled[2]  # gradients vanish
    assert jac_scaled.max() / jac_scaled.min() < 2
    assert h_raw[0] > h_raw[1] > h_raw[2]  # entropy collapses as d grows without 1/√d
    assert max_raw[2] > 0.9 and max_scaled[2] < 0.3
    assert h_scaled.max() - h_scaled.min() < 0.2  # roughly constant with 1/√d
    assert entropy(torch.full((1, 4), 0.25)).item() == pytest.approx(math.log(4))
    p = torch.tensor([0.2, 0.5, 0.3], requires_grad=True)
    numeric = torch.autograd.functional.jacobian(lambda s: s.softmax(-1), torch.log(p.detach()))
    assert softmax_jacobian_norm(p.detach()).item() == pytest.approx(torch.linalg.matrix_norm(numeric).item())
    assert softmax_jacobian_norm(torch.tensor([0.0, 1.0, 0.0])).item() == 0.0


@pytest.mark.parametrize(
    "name", ["attention.scaled_dot_product", "attention.self", "attention.cross", "attention.masked"]
)
def test_demos_agree_with_sdpa(name, default_run):
    result = default_run(name)
    gap = next(value for key, value in result.metrics.items() if key.startswith("max_abs_diff_vs_sdpa"))
    assert gap < 1e-5


def test_cross_attention_has_n_by_m_weights():
    result = engine.run("attention.cross", {"n": 4, "m": 6, "d": 8}, device="cpu")
    assert result.arrays["weights"].shape == (4, 6)
    assert result.arrays["output"].shape == (4, 8)
    assert result.arrays["K"].shape == result.arrays["V"].shape == (6, 8)


def test_masked_demo_weights_above_diagonal_are_zero():
    result = engine.run("attention.masked", {"n": 10}, device="cpu", seed=5)
    weights = result.arrays["weights"]
    assert (weights[~result.arrays["mask"]] == 0).all()
    assert result.metrics["max_weight_above_diagonal"] == 0.0
    assert result.metrics["future_leak"] == 0.0


def test_multihead_demo_matches_torch():
    result = engine.run("attention.multihead", {"n": 5, "d_model": 12, "heads": 3}, device="cpu")
    assert result.metrics["max_abs_diff_vs_torch_output"] < 1e-5
    assert result.metrics["max_abs_diff_vs_torch_weights"] < 1e-5
    assert result.arrays["weights"].shape == (3, 5, 5)


def test_masked_scores_are_minus_infinity_and_their_weights_exactly_zero():
    result = engine.run("attention.masked", {"n": 20}, device="cpu", seed=2)
    scores, weights, mask = result.arrays["scores"], result.arrays["weights"], result.arrays["mask"]
    assert np.isneginf(scores[~mask]).all() and np.isfinite(scores[mask]).all()
    assert (weights[~mask] == 0.0).all()  # exactly, not merely small
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)


def test_it_attends_to_what_it_refers_to_in_the_hand_built_sentence(default_run):
    result = default_run("attention.self")
    weights = result.arrays["weights"]
    it = SENTENCE.index("it")
    assert weights.shape == (len(SENTENCE), len(SENTENCE))
    assert weights[it].argmax() == SENTENCE.index("animal") and weights[it].max() > 0.5
    assert result.metrics["it_to_animal"] > 5 * result.metrics["it_to_street"]
    # the output row of "it" now carries the animate-noun features of what it refers to
    out = result.arrays["output"][it]
    assert out[FEATURES.index("animate")] > 0.5 and out[FEATURES.index("pronoun")] < 0.1
    random = engine.run("attention.self", {"input": "random", "n": 5, "d": 4}, device="cpu")
    assert random.arrays["weights"].shape == (5, 5) and "it_to_animal" not in random.metrics


def test_the_hand_set_heads_do_four_different_jobs(default_run):
    weights = specialised_heads(HEAD_SENTENCE)  # (4, T, T)
    T = len(HEAD_SENTENCE)
    previous, same, first, nouns = weights
    assert (previous[1:].argmax(-1) == torch.arange(T - 1)).all() and previous[1:].max(-1).values.min() > 0.9
    for i, word in enumerate(HEAD_SENTENCE):
        copies = [j for j, other in enumerate(HEAD_SENTENCE) if other == word]
        assert same[i, copies].sum() > 0.95
        assert nouns[i, [j for j, w in enumerate(HEAD_SENTENCE) if w in ("cat", "mat")]].sum() > 0.95
    assert (first[:, 0] > 0.95).all()
    result = default_run("attention.multihead")
    assert result.metrics["specialised_min_difference"] > 0.5
    assert result.metrics["untrained_mean_max_weight"] < 0.5  # untrained heads: no sharp job
