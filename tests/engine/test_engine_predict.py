"""Predict-then-run truths against hand-computed values, and the torch-free task registry's checks."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import ConceptError
from engine.predict import solve
from engine.predict_registry import TASKS, check_card, get_task

ROOT = Path(__file__).resolve().parents[2]


def test_the_registry_loads_without_torch():
    script = (
        "import json, sys, engine.predict_registry as r\n"
        "r.check_card('softmax', 'vector', {'s0': range(-2, 3), 's1': [0], 's2': [1]})\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert {"torch", "numpy", "matplotlib"} & set(json.loads(result.stdout)) == set()


@pytest.mark.parametrize(
    ("params", "shape"),
    [
        # (H - 1)·s - 2p + d·(k - 1) + op + 1
        (
            {"h": 4, "w": 5, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 1},
            (8, 10),
        ),
        (
            {"h": 8, "w": 8, "kernel": 4, "stride": 2, "padding": 1, "output_padding": 0, "dilation": 1},
            (16, 16),
        ),
        (
            {"h": 3, "w": 2, "kernel": 2, "stride": 3, "padding": 0, "output_padding": 1, "dilation": 2},
            (10, 7),
        ),
        (
            {"h": 1, "w": 1, "kernel": 1, "stride": 1, "padding": 0, "output_padding": 0, "dilation": 1},
            (1, 1),
        ),
    ],
)
def test_conv_transpose_output_shape(params, shape):
    truth = solve("transposed_conv.output_shape", params)
    assert truth.parts == (shape,)
    assert f"{shape[0]} x {shape[1]}" in truth.explanation


@pytest.mark.parametrize(
    ("kernel", "stride", "answer"),
    [(4, 2, "even"), (3, 2, "uneven"), (6, 3, "even"), (5, 3, "uneven"), (3, 1, "even")],
)
def test_overlap_is_even_exactly_when_the_kernel_divides_by_the_stride(kernel, stride, answer):
    assert solve("transposed_conv.overlap", {"kernel": kernel, "stride": stride}).parts == (answer,)


def test_attention_shapes_per_head_weights():
    truth = solve("attention.shapes", {"batch": 2, "n": 4, "m": 6, "d": 8, "heads": 2})
    assert truth.parts == ((2, 4, 8), (2, 2, 4, 6))


def test_tiny_attention_weights_by_hand():
    # q·a = 2, q·b = 0; scaled by 1/√2; softmax of (√2, 0) = (1/(1 + e^-√2), 1/(1 + e^√2))
    truth = solve("attention.tiny_weights", {"q0": 1, "q1": 0, "a0": 2, "a1": 0, "b0": 0, "b1": 2})
    (weights,) = truth.parts
    expected = 1 / (1 + math.exp(-math.sqrt(2)))
    assert weights == pytest.approx((expected, 1 - expected), abs=1e-12)
    assert "0.8044" in truth.explanation


@pytest.mark.parametrize(
    ("pos", "dim", "d", "value"),
    [
        (3, 2, 4, math.sin(3 / 100)),  # 2i = 2, 10000^(2/4) = 100
        (3, 3, 4, math.cos(3 / 100)),
        (5, 0, 8, math.sin(5)),
        (0, 1, 8, 1.0),
        (7, 5, 8, math.cos(7 / 10000 ** (4 / 8))),
    ],
)
def test_pe_value_by_the_formula(pos, dim, d, value):
    assert solve("positional.pe_value", {"pos": pos, "dim": dim, "d": d}).parts[0] == pytest.approx(
        value, abs=1e-6
    )


@pytest.mark.parametrize(("d", "heads"), [(8, 2), (512, 8), (64, 1), (4096, 64)])
def test_multihead_parameter_count_is_4d2_plus_4d(d, heads):
    assert solve("attention.multihead_params", {"d_model": d, "heads": heads}).parts == (4 * d * d + 4 * d,)


def test_softmax_by_hand():
    (weights,) = solve("softmax", {"s0": 1, "s1": 2, "s2": 3}).parts
    total = math.e + math.e**2 + math.e**3
    assert weights == pytest.approx((math.e / total, math.e**2 / total, math.e**3 / total), abs=1e-12)
    assert solve("softmax", {"s0": 0, "s1": 0, "s2": 0}).parts[0] == pytest.approx((1 / 3,) * 3)


def test_straight_path_point_and_velocity():
    truth = solve("flow_matching.straight_path", {"t": 0.25, "x0a": 1, "x0b": -2, "x1a": 3, "x1b": 2})
    assert truth.parts == ((1.5, -1.0), (2.0, 4.0))
    ends = solve("flow_matching.straight_path", {"t": 1.0, "x0a": 1, "x0b": -2, "x1a": 3, "x1b": 2})
    assert ends.parts[0] == (3.0, 2.0)  # t = 1 is the data


@pytest.mark.parametrize(("size", "width"), [(24, 8), (16, 4), (64, 16)])
def test_unet_shapes_follow_the_poolings_and_the_skip(size, width):
    truth = solve("segmentation.unet_shapes", {"size": size, "width": width})
    assert truth.parts == ((4 * width, size // 4, size // 4), (4 * width, size // 2, size // 2))


def test_solving_leaves_torchs_global_generator_alone():
    import torch

    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    solve("attention.shapes", {"batch": 1, "n": 2, "m": 3, "d": 4, "heads": 2})
    assert torch.equal(torch.rand(3), expected)


def test_bad_values_are_one_line_errors():
    with pytest.raises(ConceptError, match=r"attention.shapes: d=6 must be divisible by heads=4"):
        solve("attention.shapes", {"batch": 1, "n": 2, "m": 3, "d": 6, "heads": 4})
    with pytest.raises(
        ConceptError, match="unknown predict concept 'softmaxx' \\(did you mean softmax\\?\\)"
    ):
        get_task("softmaxx")
    with pytest.raises(ConceptError, match="parameter 's2' has no value"):
        solve("softmax", {"s0": 1, "s1": 2})


def test_check_card_names_what_is_wrong():
    ok = {"d_model": [8, 16], "heads": range(1, 3)}
    assert check_card("attention.multihead_params", "int", ok) is None
    assert "computes a int answer, not 'float'" in check_card("attention.multihead_params", "float", ok)
    assert "unknown parameter 'bias'" in check_card("attention.multihead_params", "int", {**ok, "bias": [1]})
    assert "parameter 'heads' needs a range" in check_card(
        "attention.multihead_params", "int", {"d_model": [8]}
    )
    problem = check_card("attention.multihead_params", "int", {"d_model": [8, 12], "heads": [1, 8]})
    assert problem == (
        "attention.multihead_params: the ranges allow d_model=12, heads=8, where d_model=12 must be "
        "divisible by heads=8"
    )
    assert "out of range" in check_card("softmax", "vector", {"s0": range(0, 50), "s1": [0], "s2": [0]})


def test_every_task_declares_what_the_screen_needs():
    from engine.registry import CONCEPTS

    for task in TASKS.values():
        assert task.title and task.function and task.answer in ("int", "float", "shape", "choice", "vector")
        assert task.demo is None or task.demo in CONCEPTS
        assert (task.answer == "choice") == bool(task.options)


def test_demo_params_keep_what_the_demo_accepts():
    conv = get_task("transposed_conv.output_shape")
    case = {"h": 5, "w": 7, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 1}
    assert conv.demo_params(case) == {
        "size": 5,
        "kernel": 3,
        "stride": 2,
        "padding": 1,
        "output_padding": 1,
        "dilation": 1,
    }
    mha = get_task("attention.multihead_params")
    assert mha.demo_params({"d_model": 512, "heads": 8}) == {"heads": 8}  # 512 is beyond the demo's range
    assert mha.demo_params({"d_model": 12, "heads": 8}) == {}  # a combination the demo refuses
