"""Engine demo timings: every concept's default run (budget: under 5 s on a 2-core CPU; flow matching
with reflow and the toy transformer under 10 s), and what reflow does per dataset and seed (Liu et
al.'s straightness, one-step precision and recall of 1-RF and 2-RF). Prints markdown tables.

Run: .venv/bin/python benchmarks/engine_demos.py [--device both|cpu|cuda|auto] [--repeat 5] [--seeds 2]
[--no-cli]. `both` (the default) times the CPU, then CUDA where a GPU exists; `cuda` where there is none
is refused with one line (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine.devices import pick_device  # noqa: E402
from engine.errors import ConceptError  # noqa: E402


def time_default_runs(device: str, repeat: int, cli: bool) -> None:
    engine.run("attention.multihead", device=device)  # pay torch's own warm-up once
    print(
        f"| concept | run s, median of {repeat} | min | max | CPU s of the process, median "
        "| write PNGs s | fresh process wall s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in engine.concept_names():
        runs, cpu, saves = [], [], []
        for _ in range(repeat):
            before = time.process_time()
            result = engine.run(name, device=device)
            cpu.append(time.process_time() - before)
            runs.append(result.elapsed_s)
            with tempfile.TemporaryDirectory() as folder:
                start = time.perf_counter()
                result.save_figures(folder)
                saves.append(time.perf_counter() - start)
        wall = time_cli(name, device) if cli else float("nan")
        print(
            f"| {name} | {statistics.median(runs):.2f} | {min(runs):.2f} | {max(runs):.2f} "
            f"| {statistics.median(cpu):.2f} | {statistics.median(saves):.2f} | {wall:.2f} |",
            flush=True,
        )


def time_cli(name: str, device: str) -> float:
    """A fresh interpreter that imports the engine, runs NAME and writes its PNGs: what `flashapp demo
    NAME --save DIR` costs, less parsing arguments (the rest of the CLI is not imported, so that work in
    progress elsewhere in the tree cannot break this measurement)."""
    with tempfile.TemporaryDirectory() as folder:
        script = (
            "import engine, json, sys\n"
            f"result = engine.run({name!r}, device={device!r})\n"
            f"print(json.dumps([str(p) for p in result.save_figures({folder!r})]))"
        )
        start = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
        )
        wall = time.perf_counter() - start
    json.loads(output.stdout)
    return wall


def reflow_by_seed(device: str, seeds: int) -> None:
    """The default flow-matching run (1-RF, reflow, 2-RF) per seed and dataset: straightness and the
    one-step sample quality of each flow, against the data-vs-data floor."""
    print(
        "| dataset | seed | straightness 1-RF | straightness 2-RF | 1-step precision 1-RF / 2-RF "
        "| 1-step recall 1-RF / 2-RF | 50-step precision (floor) | run s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for dataset in ("moons", "8gaussians", "checkerboard"):
        for seed in range(seeds):
            result = engine.run("flow_matching", {"dataset": dataset}, device=device, seed=seed)
            m = result.metrics
            print(
                f"| {dataset} | {seed} | {m['straightness_1rf']:.3f} | {m['straightness_2rf']:.4f} "
                f"| {m['one_step_precision_1rf']:.2f} / {m['one_step_precision_2rf']:.2f} "
                f"| {m['one_step_recall_1rf']:.2f} / {m['one_step_recall_2rf']:.2f} "
                f"| {m['precision']:.2f} ({m['precision_floor']:.2f}) | {result.elapsed_s:.2f} |",
                flush=True,
            )


def devices_to_time(choice: str) -> list[str]:
    """`both`: the CPU, and CUDA when a GPU is there; otherwise the one device named (checked: a device
    that is absent raises ConceptError with the engine's one-line message)."""
    if choice == "both":
        return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    pick_device(choice)
    return [choice]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="both", choices=("both", "cpu", "cuda", "auto"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-process timings")
    args = parser.parse_args(argv)
    try:
        devices = devices_to_time(args.device)
    except ConceptError as error:
        parser.exit(2, f"engine_demos: {error}\n")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.device == "both" and devices == ["cpu"]:
        print("no CUDA GPU here: CPU times only")
    for device in devices:
        print(f"\n### {pick_device(device)}\n")
        time_default_runs(device, args.repeat, cli=not args.no_cli)
    print()
    reflow_by_seed(devices[0], args.seeds)


if __name__ == "__main__":
    main()
