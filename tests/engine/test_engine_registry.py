"""The registry: torch-free, every concept declared with valid defaults, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import ConceptError, validate_params
from engine.registry import CONCEPTS, ParamSpec, concept_names, get_concept

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "attention.scaled_dot_product",
    "attention.self",
    "attention.cross",
    "attention.multihead",
    "attention.masked",
    "attention.permutation",
    "positional.sinusoidal",
    "positional.rope",
    "transposed_conv",
    "segmentation.unet",
    "autoencoder",
    "flow_matching",
    "transformer.toy_task",
    "generative.taxonomy",
}


def test_registry_and_engine_package_import_without_torch():
    script = (
        "import json, sys, engine, engine.registry\n"
        "engine.validate_params('flow_matching', {'steps': '10'})\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert {"torch", "numpy", "matplotlib"} & loaded == set()


def test_every_concept_is_declared_with_title_summary_and_seed():
    assert set(concept_names()) == EXPECTED
    for concept in CONCEPTS.values():
        assert concept.title and concept.summary and "\n" not in concept.summary
        assert concept.params[-1].name == "seed"
        assert all(spec.help for spec in concept.params)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_defaults_validate_to_themselves(name):
    concept = get_concept(name)
    assert validate_params(name, {}) == concept.defaults()
    assert (
        validate_params(concept, {k: str(v).lower() for k, v in concept.defaults().items()})
        == concept.defaults()
    )


def test_strings_are_parsed_to_the_declared_types():
    assert validate_params("attention.cross", {"n": "4", "m": 6, "d": "8"}) == {
        "n": 4,
        "m": 6,
        "d": 8,
        "seed": 0,
    }
    values = validate_params("flow_matching", {"dataset": "checkerboard", "lr": "0.005", "steps": 12.0})
    assert values["dataset"] == "checkerboard" and values["lr"] == 0.005 and values["steps"] == 12
    spec = ParamSpec("flag", "bool", False, help="a flag")
    assert [spec.parse(v, "x") for v in ("true", "False", "yes", "0", True)] == [
        True,
        False,
        True,
        False,
        True,
    ]


def test_unknown_concept_lists_the_known_ones():
    with pytest.raises(ConceptError) as error:
        get_concept("attention.foo")
    message = str(error.value)
    assert message.startswith("unknown concept 'attention.foo'")
    assert "known: attention.cross, attention.masked" in message
    assert "\n" not in message
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("concept", "raw", "expected"),
    [
        ("attention.cross", {"n": 0}, "attention.cross: parameter n=0 is out of range 1..64"),
        ("attention.cross", {"n": "65"}, "attention.cross: parameter n=65 is out of range 1..64"),
        ("attention.cross", {"q": 1}, "attention.cross: unknown parameter 'q'; parameters: n, m, d, seed"),
        ("attention.cross", {"n": "four"}, "attention.cross: parameter n='four' is not an integer"),
        ("attention.cross", {"n": 2.5}, "attention.cross: parameter n=2.5 is not an integer"),
        ("flow_matching", {"lr": "fast"}, "flow_matching: parameter lr='fast' is not a finite number"),
        ("flow_matching", {"lr": "nan"}, "flow_matching: parameter lr='nan' is not a finite number"),
        (
            "flow_matching",
            {"dataset": "spirals"},
            "flow_matching: parameter dataset='spirals' is not one of moons, 8gaussians, checkerboard",
        ),
        (
            "attention.multihead",
            {"d_model": 10, "heads": 4},
            "attention.multihead: d_model=10 must be divisible",
        ),
        ("positional.rope", {"d": 7}, "positional.rope: d=7 must be even"),
        (
            "transposed_conv",
            {"output_padding": 2},
            "transposed_conv: output_padding=2 must be smaller than stride=2",
        ),
        (
            "transposed_conv",
            {"size": 1, "kernel": 1, "padding": 1},
            "transposed_conv: padding=1 leaves no output",
        ),
        ("segmentation.unet", {"size": 30}, "segmentation.unet: size=30 must be divisible by 4"),
    ],
)
def test_bad_parameters_give_one_clear_line(concept, raw, expected):
    with pytest.raises(ConceptError) as error:
        validate_params(concept, raw)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_run_rejects_bad_input_before_importing_the_concept():
    with pytest.raises(ConceptError, match="unknown concept"):
        engine.run("nope")
    with pytest.raises(ConceptError, match="out of range"):
        engine.run("attention.cross", {"m": 1000})
    with pytest.raises(ConceptError, match="unknown device 'tpu'"):
        engine.run("attention.cross", device="tpu")


@given(st.integers(min_value=-1000, max_value=1000))
def test_int_parameters_accept_exactly_their_range(value):
    spec = get_concept("attention.cross").param("n")
    assert spec is not None
    if spec.min <= value <= spec.max:
        assert spec.parse(str(value), "attention.cross") == value
    else:
        with pytest.raises(ConceptError, match="out of range 1..64"):
            spec.parse(str(value), "attention.cross")
