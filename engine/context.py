"""What a concept function gets besides its parameters: device, seed, progress and cancel hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from engine.errors import Cancelled

ProgressFn = Callable[[int, int, float], None]  # (step, total, loss)
CancelFn = Callable[[], bool]  # True: stop now


@dataclass
class RunContext:
    device: torch.device
    seed: int
    progress: ProgressFn | None = None
    cancel: CancelFn | None = None
    report_every: int = 10  # steps between cancel checks and progress reports

    def generator(self, stream: int = 0) -> torch.Generator:
        """A fresh CPU generator for `seed` (plus `stream`, so data and noise draws stay independent).

        Random draws happen on the CPU and move to the device, so a seed gives the same numbers everywhere.
        """
        return torch.Generator().manual_seed(self.seed * 1_000_003 + stream)

    def check_cancel(self, where: str = "") -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled(f"cancelled{' at ' + where if where else ''}")

    def step(self, step: int, total: int, loss: torch.Tensor | float) -> None:
        """Call after training step `step` (1-based): every few steps, check `cancel` and report progress.

        Only then is `loss` turned into a float, so a GPU is not synchronised on every step.
        """
        if step % self.report_every and step != total:
            return
        self.check_cancel(f"step {step}/{total}")
        if self.progress is not None:
            self.progress(step, total, float(loss.detach() if isinstance(loss, torch.Tensor) else loss))
