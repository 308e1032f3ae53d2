"""The readable attention, softmax(Q Kᵀ / √d) V in three tensor ops, against torch's fused
F.scaled_dot_product_attention, for sequence lengths 64 to 2048. Prints a markdown table: the median
and the best of --repeat calls, in ms.

Run: .venv/bin/python benchmarks/attention_vs_sdpa.py [--device cpu] [--batch 2] [--heads 4] [--dim 64]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.concepts.attention import attention  # noqa: E402
from engine.devices import pick_device  # noqa: E402

LENGTHS = (64, 128, 256, 512, 1024, 2048)


def seconds(fn: Callable[[], torch.Tensor], device: torch.device) -> float:
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def interleaved_ms(
    first: Callable[[], torch.Tensor], second: Callable[[], torch.Tensor], device: torch.device, repeat: int
) -> tuple[list[float], list[float]]:
    """ms per call of each, alternating the two inside every round so that a busy neighbour on a shared
    machine does not favour one of them."""
    seconds(first, device), seconds(second, device)  # warm-up
    rounds = [(seconds(first, device) * 1000, seconds(second, device) * 1000) for _ in range(repeat)]
    a, b = zip(*rounds, strict=True)
    return list(a), list(b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--causal", action="store_true")
    args = parser.parse_args()
    device = pick_device(args.device)
    B, H, d = args.batch, args.heads, args.dim
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}, float32, "
        f"B={B}, heads={H}, d={d}, {'causal' if args.causal else 'no mask'}, {args.repeat} calls each\n"
    )
    print(
        "| T | readable ms, median | SDPA ms, median | readable ms, best | SDPA ms, best "
        "| readable / SDPA, best | scores matrix MB | max abs diff |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for T in LENGTHS:
            q, k, v = (torch.randn(B, H, T, d, generator=g).to(device) for _ in range(3))  # (B, H, T, d)
            mask = torch.ones(T, T, dtype=torch.bool, device=device).tril() if args.causal else None
            readable, fused = interleaved_ms(
                lambda q=q, k=k, v=v, mask=mask: attention(q, k, v, mask)[0],
                lambda q=q, k=k, v=v: F.scaled_dot_product_attention(q, k, v, is_causal=args.causal),
                device,
                args.repeat,
            )
            gap = attention(q, k, v, mask)[0] - F.scaled_dot_product_attention(q, k, v, is_causal=args.causal)
            scores_mb = B * H * T * T * 4 / 2**20
            cells = [statistics.median(readable), statistics.median(fused), min(readable), min(fused)]
            print(
                f"| {T} | " + " | ".join(f"{c:.2f}" for c in cells) + f" | {min(readable) / min(fused):.2f}x "
                f"| {scores_mb:.1f} | {gap.abs().max().item():.1e} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
