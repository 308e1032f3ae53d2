"""Transposed convolution: the size formula and both from-scratch versions against nn.ConvTranspose2d."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn as nn

import engine
from engine.concepts.transposed_conv import (
    coverage_verdict,
    dilated_kernel,
    interior,
    interior_range,
    output_size,
    overlap_map,
    probe_size,
    stamps_per_phase,
    transposed_conv_by_scatter,
    transposed_conv_by_zero_insertion,
    unevenness,
    upsample_constant,
)


def configurations():
    for size, kernel, stride, padding, dilation in itertools.product(
        (1, 3, 5), (1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (1, 2)
    ):
        for output_padding in range(max(stride, dilation)):
            if output_size(size, kernel, stride, padding, output_padding, dilation) >= 1:
                yield size, kernel, stride, padding, output_padding, dilation


CONFIGS = list(configurations())


def test_output_size_formula_matches_conv_transpose2d_everywhere():
    assert len(CONFIGS) > 200
    for size, kernel, stride, padding, output_padding, dilation in CONFIGS:
        layer = nn.ConvTranspose2d(1, 1, kernel, stride, padding, output_padding, dilation=dilation)
        expected = layer(torch.zeros(1, 1, size, size + 1)).shape[-2:]
        assert (
            output_size(size, kernel, stride, padding, output_padding, dilation),
            output_size(size + 1, kernel, stride, padding, output_padding, dilation),
        ) == tuple(expected)


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "output_padding", "dilation"), CONFIGS[::7])
def test_scatter_and_zero_insertion_equal_conv_transpose2d(
    size, kernel, stride, padding, output_padding, dilation
):
    torch.manual_seed(size * 100 + kernel * 10 + stride)
    layer = nn.ConvTranspose2d(2, 3, kernel, stride, padding, output_padding, dilation=dilation, bias=False)
    x = torch.randn(2, 2, size, size)
    conv = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    with torch.no_grad():
        reference = layer(x)
        by_zeros = transposed_conv_by_zero_insertion(x, layer.weight, **conv)
        by_scatter = torch.stack([transposed_conv_by_scatter(image, layer.weight, **conv) for image in x])
    torch.testing.assert_close(by_zeros, reference, atol=1e-5, rtol=0)
    torch.testing.assert_close(by_scatter, reference, atol=1e-5, rtol=0)


def test_overlap_map_is_a_checkerboard_when_kernel_is_not_divisible_by_stride():
    counts = overlap_map(4, 3, 2)
    assert counts.shape == (9, 9)
    interior = counts[2:7, 2:7]
    assert set(interior.unique().tolist()) == {1.0, 2.0, 4.0}
    assert interior[0, 0] == 4 and interior[0, 1] == 2 and interior[1, 1] == 1  # alternates: a checkerboard
    assert interior_range(4, 3, 2) == (1, 4) and unevenness(4, 3, 2) == 4.0
    assert interior_range(4, 4, 2) == (4, 4)  # kernel divisible by the stride: even coverage
    assert interior_range(4, 3, 1) == (9, 9) and unevenness(4, 3, 1) == 1.0
    assert unevenness(4, 2, 2, dilation=2) == math.inf  # holes


@pytest.mark.parametrize(
    ("kernel", "stride", "dilation"),
    [(k, s, d) for k in (1, 2, 3, 4, 5) for s in (1, 2, 3) for d in (1, 2, 3)],
)
def test_the_coverage_verdict_matches_the_drawn_map_with_dilation(kernel, stride, dilation):
    n = probe_size(4, kernel, stride, dilation)
    inner = interior(overlap_map(n, kernel, stride, dilation=dilation), n, kernel, stride, dilation)
    assert inner.shape[0] >= 2 * stride  # the drawn map has an interior showing the period twice
    phases = stamps_per_phase(kernel, stride, dilation)
    expected = torch.outer(phases, phases)  # one period of the interior, by phase of row and column
    first = dilation * (kernel - 1)
    for i in range(inner.shape[0]):
        for j in range(inner.shape[1]):
            assert inner[i, j] == expected[(first + i) % stride, (first + j) % stride]
    low, high = interior_range(4, kernel, stride, dilation)
    assert (low, high) == (int(inner.min()), int(inner.max()))
    if math.gcd(stride, dilation) > 1 and stride > 1:
        assert coverage_verdict(low, high) == "holes"


def test_dilation_2_stride_2_is_reported_as_holes_where_it_used_to_be_even():
    result = engine.run(
        "transposed_conv", {"kernel": 4, "stride": 2, "dilation": 2, "output_padding": 1}, device="cpu"
    )
    assert result.metrics["overlap_interior_min"] == 0
    assert result.metrics["overlap_interior_max"] == 16
    assert (result.arrays["overlap"][1::2] == 0).all()  # every other row of its map is empty
    assert "holes" in result.explanation
    kernel = dilated_kernel(torch.ones(3, 3), 2)
    assert kernel.shape == (5, 5) and kernel.sum() == 9 and kernel[1].sum() == 0


def test_constant_input_checkerboards_through_transposed_conv_and_not_through_resize_conv(default_run):
    g = torch.Generator().manual_seed(0)
    weights = [torch.rand(1, 1, 3, 3, generator=g) + 0.5 for _ in range(2)]
    for depth in (1, 2):
        transposed = upsample_constant(weights[:depth], 2, 1, 6, resize=False)
        resized = upsample_constant(weights[:depth], 2, 1, 6, resize=True)
        assert transposed.max() / transposed.min() > 1.2  # alternating rows and columns
        assert transposed[0, 0] != transposed[0, 1] and transposed[0, 0] != transposed[1, 0]
        torch.testing.assert_close(resized, torch.full_like(resized, resized.mean().item()))
    result = default_run("transposed_conv")
    assert result.metrics["constant_spread_transposed_2_layers"] > 0.1
    assert result.metrics["constant_spread_resize_conv_2_layers"] < 1e-6


def test_demo_reports_formula_torch_and_agreement():
    result = engine.run(
        "transposed_conv",
        {"size": 5, "kernel": 4, "stride": 3, "padding": 1, "output_padding": 2, "dilation": 1},
        device="cpu",
    )
    assert result.metrics["h_out_formula"] == result.metrics["h_out_torch"] == (5 - 1) * 3 - 2 + 3 + 2 + 1
    assert result.metrics["max_abs_diff_scatter_vs_torch"] < 1e-5
    assert result.metrics["max_abs_diff_zero_insertion_vs_torch"] < 1e-5
    sizes = result.arrays["output_sizes"]
    assert (sizes[:, 0] == sizes[:, 1]).all()
