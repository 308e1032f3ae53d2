"""benchmarks/engine_demos.py: which devices it times, and its one-line refusal of an absent GPU."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "engine_demos.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("engine_demos", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here: --device cuda is timed, not refused")
def test_device_cuda_is_refused_in_one_line_where_there_is_no_gpu(capsys):
    benchmark = load_benchmark()
    with pytest.raises(SystemExit) as stop:
        benchmark.main(["--device", "cuda", "--repeat", "1", "--seeds", "1", "--no-cli"])
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""  # nothing was timed
    assert err.splitlines() == [
        "engine_demos: device 'cuda' is not available here (no CUDA GPU or a CPU-only torch); use cpu"
    ]


def test_both_times_the_cpu_and_cuda_only_where_a_gpu_exists():
    benchmark = load_benchmark()
    expected = ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    assert benchmark.devices_to_time("both") == expected
    assert benchmark.devices_to_time("cpu") == ["cpu"]
