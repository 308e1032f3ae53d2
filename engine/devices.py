"""The one place that turns a device name into a `torch.device`."""

from __future__ import annotations

import torch

from engine.errors import ConceptError

DEVICE_NAMES = ("auto", "cpu", "cuda", "mps")


def pick_device(name: str = "auto") -> torch.device:
    """`auto` prefers CUDA, then Apple's MPS, then the CPU; a named device that is absent is an error."""
    if name not in DEVICE_NAMES:
        raise ConceptError(f"unknown device {name!r}; use one of {', '.join(DEVICE_NAMES)}")
    has_mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConceptError("device 'cuda' is not available here (no CUDA GPU or a CPU-only torch); use cpu")
    if name == "mps" and not has_mps:
        raise ConceptError("device 'mps' is not available here; use cpu")
    return torch.device(name)
