"""Transposed convolution: the size formula and both from-scratch versions against nn.ConvTranspose2d."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn as nn

import engine
from engine.concepts.transposed_conv import (
    output_size,
    overlap_map,
    transposed_conv_by_scatter,
    transposed_conv_by_zero_insertion,
    unevenness,
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
    assert unevenness(4, 3, 2) == 4.0
    assert unevenness(4, 4, 2) == 1.0  # kernel divisible by the stride: even coverage
    assert unevenness(4, 3, 1) == 1.0


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
