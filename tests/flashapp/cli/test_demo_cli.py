"""`flashapp demo`: listing (without torch), running a concept, --json, --save, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flashapp.cli.main import main

ROOT = Path(__file__).resolve().parents[3]


def test_listing_names_every_concept_with_its_summary(capsys):
    from engine.registry import CONCEPTS

    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for concept in CONCEPTS.values():
        assert f"  {concept.name}" in out and concept.summary in out
    assert "--set n=4 (1..64)  m=6 (1..64)  d=8 (1..256)" in out


def test_listing_as_json_carries_the_parameter_specs(capsys):
    assert main(["demo", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    cross = next(item for item in listing if item["name"] == "attention.cross")
    assert [p["name"] for p in cross["params"]] == ["n", "m", "d", "seed"]
    assert cross["params"][0] == {
        "name": "n",
        "kind": "int",
        "default": 4,
        "min": 1,
        "max": 64,
        "choices": [],
        "help": "target length (queries, e.g. decoder tokens)",
    }
    flow = next(item for item in listing if item["name"] == "flow_matching")
    assert flow["trains"] is True and flow["params"][0]["choices"] == ["moons", "8gaussians", "checkerboard"]


def test_run_prints_a_readable_summary_and_saves_pngs(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code = main(
        ["demo", "attention.cross", "--set", "n=4", "--set", "m=6", "--device", "cpu", "--save", str(out_dir)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("attention.cross: Cross-attention")
    assert "params: n=4, m=6, d=8, seed=0" in out
    assert "weights (4 x 6)" in out and "Q        (4, 8)" in out and "max_abs_diff_vs_sdpa" in out
    expected = sorted(out_dir.glob("*.png"))
    assert [path.name.split("-")[:2] for path in expected] == [
        ["attention.cross", "qkv"],
        ["attention.cross", "weights"],
    ]
    assert all(path.name.endswith("-seed0.png") for path in expected)
    for path in expected:
        assert path.read_bytes()[:4] == b"\x89PNG"
        assert str(path) in out


def test_json_output(capsys, tmp_path):
    assert main(["demo", "attention.masked", "--set", "n=5", "--seed", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"concept", "params", "device", "metrics", "elapsed_s", "figures"}
    assert data["concept"] == "attention.masked" and data["params"] == {"n": 5, "d": 8, "seed": 3}
    assert data["device"] in {"cpu", "cuda", "mps"}
    assert data["metrics"]["max_weight_above_diagonal"] == 0.0
    assert data["figures"] == ["weights"]
    small = ["--set", "n=2", "--set", "d=2"]  # a figure with few labels for matplotlib to lay out
    assert main(["demo", "attention.masked", *small, "--json", "--save", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    [saved] = data["figures"]
    assert saved.startswith(str(tmp_path / "attention.masked-weights-")) and saved.endswith("-seed0.png")


def test_seed_gives_the_same_numbers(capsys):
    runs = []
    for _ in range(2):
        assert main(["demo", "attention.self", "--seed", "11", "--json"]) == 0
        runs.append(json.loads(capsys.readouterr().out)["metrics"])
    assert runs[0] == runs[1]


def test_training_progress_goes_to_stderr_unless_json(capsys):
    steps = ["--set", "steps=20", "--set", "reflow_steps=10", "--set", "sample_steps=4", "--set", "batch=8"]
    assert main(["demo", "flow_matching", *steps, "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    assert "training: step 30/30" in captured.err  # both flows on one count
    assert "sliced_w2_floor" in captured.out
    # --json: no progress lines (a lighter training concept: flow matching's evaluation takes a second)
    assert main(["demo", "autoencoder", "--set", "steps=20", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and json.loads(captured.out)["params"]["steps"] == 20


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["attention.foo"], "flashapp: unknown concept 'attention.foo'; known: attention.cross, "),
        (
            ["attention.cross", "--set", "n=0"],
            "flashapp: attention.cross: parameter n=0 is out of range 1..64",
        ),
        (
            ["attention.cross", "--set", "q=1"],
            "flashapp: attention.cross: unknown parameter 'q'; parameters: n, m, d",
        ),
        (["attention.cross", "--set", "n"], "flashapp: --set expects KEY=VALUE"),
        (
            ["attention.multihead", "--set", "heads=3"],
            "flashapp: attention.multihead: d_model=16 must be divisible",
        ),
        (
            ["flow_matching", "--set", "dataset=spiral"],
            "flashapp: flow_matching: parameter dataset='spiral' is not",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_exit_2_nothing_written(capsys, tmp_path, argv, message):
    out_dir = tmp_path / "never"
    assert main(["demo", *argv, "--save", str(out_dir)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message)
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert not out_dir.exists()


def test_cuda_when_unavailable_is_a_clear_error(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["demo", "attention.cross", "--device", "cuda"]) == 2
    assert capsys.readouterr().err == (
        "flashapp: device 'cuda' is not available here (no CUDA GPU or a CPU-only torch); use cpu\n"
    )


def test_listing_and_bad_input_do_not_import_torch():
    script = (
        "import json, sys\n"
        "from flashapp.cli.main import main\n"
        "codes = [main(['demo']), main(['demo', '--json'])]\n"
        "codes.append(main(['demo', 'attention.cross', '--set', 'n=0']))\n"
        "sys.stdout = sys.__stdout__\n"
        "loaded = {name: name in sys.modules for name in ('torch', 'numpy')}\n"
        "print(json.dumps({'codes': codes, **loaded}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"codes": [0, 0, 2], "torch": False, "numpy": False}


def test_python_dash_m_flashapp_demo_lists_without_torch():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flashapp", "demo"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "attention.cross" in result.stdout
    imported = {
        line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
    }
    assert "engine.registry" in imported
    assert not {"torch", "numpy", "matplotlib"} & imported
