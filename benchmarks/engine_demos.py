"""Engine demo timings: every concept's default run (budget: under 5 s on a 2-core CPU), and how long
rectified flow on two moons trains before its samples are within 2x of the data-vs-data floor
(budget: under 10 s). Prints markdown tables.

Run: .venv/bin/python benchmarks/engine_demos.py [--device cpu] [--repeat 5] [--seeds 3] [--no-cli]
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
from engine.concepts import flow_matching as fm  # noqa: E402
from engine.devices import pick_device  # noqa: E402
from engine.runner import CPU_THREADS, cpu_threads  # noqa: E402


def time_default_runs(device: str, repeat: int, cli: bool) -> None:
    engine.run("attention.multihead", device=device)  # pay torch's own warm-up once
    print(f"| concept | run s, median of {repeat} | min | max | write PNGs s | fresh process wall s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in engine.concept_names():
        runs, saves = [], []
        for _ in range(repeat):
            result = engine.run(name, device=device)
            runs.append(result.elapsed_s)
            with tempfile.TemporaryDirectory() as folder:
                start = time.perf_counter()
                result.save_figures(folder)
                saves.append(time.perf_counter() - start)
        wall = time_cli(name, device) if cli else float("nan")
        print(
            f"| {name} | {statistics.median(runs):.2f} | {min(runs):.2f} | {max(runs):.2f} "
            f"| {statistics.median(saves):.2f} "
            f"| {wall:.2f} |",
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


class FloorWatch:
    """An `on_step` hook: every `every` steps it pauses the clock, samples 2000 points with the default
    Euler steps, and records the first training time at which sliced W2 <= 2x the data floor."""

    def __init__(self, model, x0, reference, floor, euler_steps: int, every: int = 50):
        self.model, self.x0, self.reference, self.floor = model, x0, reference, floor
        self.euler_steps, self.every = euler_steps, every
        self.start = time.perf_counter()
        self.paused = 0.0
        self.crossing: tuple[int, float, float] | None = None  # (step, training seconds, W2 / floor)
        self.last_ratio = float("nan")

    def training_seconds(self, now: float) -> float:
        return now - self.start - self.paused

    def __call__(self, step: int, loss: torch.Tensor) -> None:
        if step % self.every:
            return
        pause = time.perf_counter()
        samples = fm.sample_euler(self.model, self.x0, self.euler_steps).cpu()
        self.model.train()
        self.last_ratio = fm.sliced_w2(samples, self.reference) / self.floor
        if self.crossing is None and self.last_ratio <= 2:
            self.crossing = (step, self.training_seconds(pause), self.last_ratio)
        self.paused += time.perf_counter() - pause


def time_flow_matching_to_floor(device_name: str, seeds: int) -> None:
    """Train the default flow-matching config on two moons, seeded and threaded as `engine.run` does."""
    p = engine.get_concept("flow_matching").defaults()
    device = pick_device(device_name)
    steps = p["steps"]
    print(
        "| seed | floor (sliced W2) | first step at <= 2x floor | training s to 2x floor | W2 / floor then "
        f"| W2 / floor after {steps} steps | training s, all {steps} steps |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for seed in range(seeds):
        threads = CPU_THREADS if device.type == "cpu" else None  # as engine.run trains
        with torch.random.fork_rng(devices=[]), cpu_threads(threads):
            torch.manual_seed(seed)
            g_train = torch.Generator().manual_seed(seed * 1_000_003 + 1)
            g_eval = torch.Generator().manual_seed(seed * 1_000_003 + 2)
            reference, floor, _ = fm.quality_floor(fm.two_moons, g_eval)
            x0 = torch.randn(fm.EVAL_SAMPLES, 2, generator=g_eval).to(device)
            model = fm.VelocityField().to(device)
            watch = FloorWatch(model, x0, reference, floor, p["sample_steps"])
            fm.train(model, fm.two_moons, steps, p["batch"], p["lr"], g_train, device, on_step=watch)
            total = watch.training_seconds(time.perf_counter())
        step, seconds, ratio = watch.crossing or ("never", float("nan"), float("nan"))
        cells = [seed, f"{floor:.4f}", step, f"{seconds:.2f}", f"{ratio:.2f}", f"{watch.last_ratio:.2f}"]
        print("| " + " | ".join(str(c) for c in cells) + f" | {total:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-process timings")
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {pick_device(args.device)}\n"
    )
    time_default_runs(args.device, args.repeat, cli=not args.no_cli)
    print()
    time_flow_matching_to_floor(args.device, args.seeds)


if __name__ == "__main__":
    main()
