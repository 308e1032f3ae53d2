"""Sinusoidal encodings follow the formula; RoPE scores depend only on the relative offset."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import engine
from engine.concepts.positional import (
    apply_rope,
    pair_angles,
    rope_complex,
    sinusoidal_by_formula,
    sinusoidal_encoding,
)


@pytest.mark.parametrize(("positions", "d"), [(1, 2), (50, 16), (128, 64)])
def test_sinusoidal_matches_the_formula(positions, d):
    pe = sinusoidal_encoding(positions, d)
    assert pe.shape == (positions, d) and pe.dtype == torch.float32
    np.testing.assert_allclose(pe.numpy(), sinusoidal_by_formula(positions, d), atol=1e-6)


def test_sinusoidal_by_hand():
    pe = sinusoidal_encoding(10, 4)
    for pos in range(10):
        # PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)), d = 4
        assert pe[pos, 0].item() == pytest.approx(math.sin(pos), abs=1e-6)
        assert pe[pos, 1].item() == pytest.approx(math.cos(pos), abs=1e-6)
        assert pe[pos, 2].item() == pytest.approx(math.sin(pos / 100), abs=1e-6)
        assert pe[pos, 3].item() == pytest.approx(math.cos(pos / 100), abs=1e-6)


def test_sinusoidal_dot_product_depends_on_distance_only():
    pe = sinusoidal_encoding(40, 16).double()
    gram = pe @ pe.T
    for offset in range(-39, 40):
        diagonal = gram.diagonal(offset)
        assert (diagonal.max() - diagonal.min()).item() < 1e-5


def test_rope_scores_depend_only_on_the_relative_offset():
    g = torch.Generator().manual_seed(0)
    d = 16
    q, k = torch.randn(d, generator=g), torch.randn(d, generator=g)
    positions = torch.arange(64)
    q_rot, k_rot = apply_rope(q.expand(64, d), positions), apply_rope(k.expand(64, d), positions)
    scores = q_rot @ k_rot.T  # scores[m, n] = RoPE(q, m)·RoPE(k, n)
    for m, n, shift in [(0, 0, 17), (3, 10, 25), (40, 2, 20), (5, 5, 58)]:
        assert scores[m, n].item() == pytest.approx(scores[m + shift, n + shift].item(), abs=1e-4)
    # and not a constant: different offsets give different scores
    assert abs(scores[0, 0].item() - scores[0, 5].item()) > 1e-3


def test_rope_rotates_pairs_and_keeps_norms():
    x = torch.randn(3, 10, 8, generator=torch.Generator().manual_seed(1))
    positions = torch.arange(10)
    rotated = apply_rope(x, positions)
    torch.testing.assert_close(rotated.norm(dim=-1), x.norm(dim=-1), atol=1e-5, rtol=0)
    torch.testing.assert_close(rotated[:, 0], x[:, 0])  # position 0: no rotation
    torch.testing.assert_close(rotated, rope_complex(x, positions), atol=1e-5, rtol=0)
    # pair i = 0 turns by exactly pos·θ_0 = pos radians
    pos = 3
    c, s = math.cos(pos), math.sin(pos)
    expected = torch.stack([x[0, pos, 0] * c - x[0, pos, 1] * s, x[0, pos, 0] * s + x[0, pos, 1] * c])
    torch.testing.assert_close(rotated[0, pos, :2], expected, atol=1e-5, rtol=0)


def test_rope_rotating_pairs_turn_by_theta_and_scores_survive_a_common_shift():
    """The rotating-pairs picture: pair i of RoPE(q, pos) turns by exactly θ_i from pos to pos+1, and
    turning q and k by the same extra positions leaves q·k unchanged (it depends on the offset alone)."""
    d, P = 8, 16
    result = engine.run("positional.rope", {"positions": P, "d": d}, device="cpu")
    q_rot = torch.from_numpy(np.asarray(result.arrays["q_rotated"])).double()  # (P, d)
    theta = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
    for p in (0, 5, P - 2):
        turn = pair_angles(q_rot[p + 1]) - pair_angles(q_rot[p])  # (d/2,)
        turn = torch.remainder(turn + math.pi, 2 * math.pi) - math.pi
        torch.testing.assert_close(turn, theta, atol=1e-5, rtol=0)
    assert result.metrics["pair_turn_vs_theta_max_error"] < 1e-5
    assert "rotating_pairs" in result.figures
    q = torch.from_numpy(np.asarray(result.arrays["q"])).double()
    k = torch.from_numpy(np.asarray(result.arrays["k"])).double()
    score = float(result.arrays["scores"][2, 7])
    for extra in (1, 9, 300):
        moved_q = apply_rope(q[None], torch.tensor([2 + extra]))[0]
        moved_k = apply_rope(k[None], torch.tensor([7 + extra]))[0]
        assert float(moved_q @ moved_k) == pytest.approx(score, abs=1e-4)
    moved_k = apply_rope(k[None], torch.tensor([8]))[0]  # a different offset: a different score
    assert abs(float(apply_rope(q[None], torch.tensor([2]))[0] @ moved_k) - score) > 1e-3


def test_demos_report_the_checks(default_run):
    sinusoidal = default_run("positional.sinusoidal")
    assert sinusoidal.metrics["formula_max_abs_error"] < 1e-6
    assert sinusoidal.arrays["PE"].shape == (64, 32)
    rope = engine.run("positional.rope", {"positions": 32, "d": 16}, device="cpu")
    assert rope.metrics["relative_offset_max_spread"] < 1e-4
    assert rope.metrics["additive_pe_max_spread"] > 0.1


def test_the_dot_product_text_is_honest_about_a_non_monotone_falloff(default_run):
    result = default_run("positional.sinusoidal")
    falloff = result.arrays["falloff"]
    rises = int((np.diff(falloff) > 1e-9).sum())
    assert rises > 0 and result.metrics["falloff_increases"] == rises  # it does come back up
    assert "not monotonically" in result.explanation
    assert falloff[1] > falloff[4] > falloff[16]  # but it falls near 0
