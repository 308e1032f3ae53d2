"""Rectified flow: data, the solver on fields with known solutions, the metric, the default run's quality and
short training runs."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import engine
from engine.concepts.flow_matching import (
    DATASETS,
    MMD_BANDWIDTHS,
    checkerboard,
    flow_matching_loss,
    mmd_rbf,
    precision_recall,
    sample_euler,
    sliced_w2,
    straightness,
    two_moons,
)


class ConstantField(nn.Module):
    def __init__(self, velocity: torch.Tensor):
        super().__init__()
        self.velocity = velocity

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.velocity.expand_as(x)


class TimeField(nn.Module):
    """dx/dt = 2t (both coordinates): x(1) = x(0) + 1 exactly; Euler with N steps gives x(0) + 1 - 1/N."""

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return (2 * t).expand_as(x)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_datasets_are_seeded_2d_points(name):
    a = DATASETS[name](500, torch.Generator().manual_seed(0))
    b = DATASETS[name](500, torch.Generator().manual_seed(0))
    assert a.shape == (500, 2) and torch.equal(a, b)
    assert a.abs().max() < 4


def test_euler_is_exact_for_a_constant_field_and_first_order_otherwise():
    x0 = torch.randn(100, 2, generator=torch.Generator().manual_seed(1))
    shift = torch.tensor([0.5, -2.0])
    for steps in (1, 3, 50):
        torch.testing.assert_close(sample_euler(ConstantField(shift), x0, steps), x0 + shift)
    for steps in (1, 4, 100):
        torch.testing.assert_close(
            sample_euler(TimeField(), x0, steps), x0 + 1 - 1 / steps, atol=1e-5, rtol=0
        )
    path = sample_euler(ConstantField(shift), x0, 4, keep_path=True)
    assert path.shape == (5, 100, 2)
    torch.testing.assert_close(path[2], x0 + shift / 2)


def test_loss_is_zero_for_the_exact_velocity_when_paths_do_not_cross():
    # With one data point the target x1 - x0 is determined by x_t and t: (x1 - x_t) / (1 - t).
    x1_point = torch.tensor([[1.0, 2.0]])

    class Oracle(nn.Module):
        def forward(self, x, t):
            return (x1_point - x) / (1 - t)

    loss = flow_matching_loss(Oracle(), x1_point.expand(256, 2), torch.Generator().manual_seed(0))
    assert loss.item() < 1e-8


def test_sliced_w2_and_mmd_behave_like_distances():
    g = torch.Generator().manual_seed(2)
    a = two_moons(1000, g)
    assert sliced_w2(a, a) == 0.0
    assert sliced_w2(a, a + torch.tensor([0.3, 0.0])) == pytest.approx(0.3 * (0.5**0.5), rel=1e-3)
    assert sliced_w2(a, a[torch.randperm(1000, generator=g)]) == pytest.approx(0.0, abs=1e-12)
    assert mmd_rbf(a, a) == pytest.approx(0.0, abs=1e-5)
    assert mmd_rbf(a, a + 1) > 0.1
    # the RBF kernels flush values below float32's normal range to 0: the MMD is the formula's, as
    # computed in float64 where nothing is flushed
    a, b = a[:300], two_moons(300, g)  # 300 points: float64 costs, and the flush acts on each pair

    def kernel_mean(x, y):
        d2 = torch.cdist(x.double(), y.double()) ** 2
        return sum(torch.exp(-d2 / (2 * s * s)) for s in MMD_BANDWIDTHS).mean().item()

    exact = kernel_mean(a, a) + kernel_mean(b, b) - 2 * kernel_mean(a, b)
    assert mmd_rbf(a, b) == pytest.approx(exact, abs=1e-6) and exact > 1e-4


def test_precision_drops_for_blurred_samples_where_sliced_w2_does_not_see_it():
    g = torch.Generator().manual_seed(3)
    data, other = checkerboard(2000, g), checkerboard(2000, g)
    blurred = checkerboard(2000, g) + 0.25 * torch.randn(2000, 2, generator=g)  # squares smeared into gaps
    clean_precision, clean_recall = precision_recall(other, data)
    blur_precision, _ = precision_recall(blurred, data)
    assert clean_precision > 0.9 and clean_recall > 0.9
    assert blur_precision < clean_precision - 0.1
    # one mode left out: recall drops, precision does not
    one_half = other[other[:, 0] < 0]
    half_precision, half_recall = precision_recall(one_half, data)
    assert half_precision > 0.9 and half_recall < 0.7


def test_straightness_is_zero_for_straight_paths_and_positive_for_curved_ones():
    x0 = torch.randn(200, 2, generator=torch.Generator().manual_seed(4))
    assert straightness(ConstantField(torch.tensor([1.0, -0.5])), x0, 20) == pytest.approx(0.0, abs=1e-10)
    assert straightness(TimeField(), x0, 20) > 0.1  # speed changes along the path


@pytest.mark.slow
def test_reflow_straightens_the_flow_and_improves_one_step_samples(default_run):
    """On the default run (two moons; 1200 steps of 1-RF, 300 of reflow), shared with the runner's
    tests: training it once more for these checks alone took seconds."""
    result = default_run("flow_matching")
    m = result.metrics
    assert m["straightness_2rf"] < 0.25 * m["straightness_1rf"], m
    assert m["one_step_precision_2rf"] > m["one_step_precision_1rf"] + 0.3, m
    assert m["one_step_mmd_2rf"] < m["one_step_mmd_1rf"], m
    assert set(result.figures) == {"samples", "reflow", "velocity", "training"}
    assert len(result.arrays["loss"]) == result.params["steps"]
    assert len(result.arrays["loss_2rf"]) == result.params["reflow_steps"]


@pytest.mark.slow
def test_rectified_flow_on_two_moons_gets_within_2x_of_the_data_floor(default_run):
    result = default_run("flow_matching")
    assert result.params["dataset"] == "moons"
    m = result.metrics
    assert m["sliced_w2"] <= 2 * m["sliced_w2_floor"], m
    assert m["precision"] > 0.8 * m["precision_floor"] and m["recall"] > 0.8 * m["recall_floor"], m
    assert m["one_step_precision_1rf"] < 0.2  # one Euler step of 1-RF is far off: the metric can tell
    assert m["sliced_w2_noise"] > 3 * m["sliced_w2_floor"]
    assert result.arrays["samples"].shape == (2000, 2)


def test_tiny_step_counts_train_without_error():
    # Both flows go through the same `train`: one run trains it for 10 steps (once divided by zero in a
    # one-cycle schedule) and for 1, where a run of each (both flows at 1, then at 10) cost twice as much.
    result = engine.run("flow_matching", {"steps": 10, "reflow_steps": 1, "sample_steps": 4}, device="cpu")
    assert len(result.arrays["loss"]) == 10 and len(result.arrays["loss_2rf"]) == 1
