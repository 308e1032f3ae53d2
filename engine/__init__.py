"""PyTorch concept runners for flashapp's runnable cards.

`import engine` is cheap: it loads the registry and the exceptions, not torch. `engine.run` and
`engine.DemoResult` import torch, numpy and matplotlib the first time they are used.

    >>> import engine
    >>> result = engine.run("attention.cross", {"n": 4, "m": 6}, device="cpu", seed=0)
    >>> print(result.summary())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import Cancelled, ConceptError
from engine.registry import CONCEPTS, Concept, ParamSpec, concept_names, get_concept, validate_params

if TYPE_CHECKING:
    from engine.result import DemoResult
    from engine.runner import run

__all__ = [
    "CONCEPTS",
    "Cancelled",
    "Concept",
    "ConceptError",
    "DemoResult",
    "ParamSpec",
    "concept_names",
    "get_concept",
    "run",
    "validate_params",
]


def __getattr__(name: str) -> Any:
    # Lazy: the torch-heavy names load on first use, so `import engine` stays torch-free.
    if name == "run":
        from engine.runner import run

        return run
    if name == "DemoResult":
        from engine.result import DemoResult

        return DemoResult
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
