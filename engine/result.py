"""What a concept run returns: named arrays, scalar metrics, an explanation and figures."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from engine.text import wrap_paragraph

Labels = tuple[list[str], list[str]]  # (row names, column names)
FigureBuilder = Callable[[], Figure]


class LazyFigures(Mapping[str, Figure]):
    """Figures by name, each drawn the first time it is read (then kept): a run's names are known at
    once, but drawing costs most of a run's CPU and the TUI needs the figures only when asked to save.

    Values given are Figures or builders (no-argument callables returning one). A builder reads only
    what its run computed, so drawing it later gives the same figure as drawing it at once. Pickling
    draws every figure first and keeps plain Figures (builders are closures)."""

    def __init__(self, figures: Mapping[str, Figure | FigureBuilder] | None = None):
        self._items: dict[str, Figure | FigureBuilder] = dict(figures or {})

    def __getitem__(self, name: str) -> Figure:
        value = self._items[name]
        if not isinstance(value, Figure):
            value = value()
            self._items[name] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def built(self) -> list[str]:
        """The names of the figures drawn so far."""
        return [name for name, value in self._items.items() if isinstance(value, Figure)]

    def __reduce__(self):
        return (LazyFigures, ({name: self[name] for name in self},))

    def __repr__(self) -> str:
        return f"LazyFigures({list(self._items)}, built={self.built()})"


@dataclass
class ConceptOutput:
    """What a concept function returns; the runner adds the concept, params, device and timing.

    `labels` names the arrays that `summary()` prints as small matrices, with their row and column names.
    """

    arrays: dict[str, np.ndarray]
    metrics: dict[str, float]
    explanation: str
    figures: Mapping[str, Figure | FigureBuilder]
    labels: dict[str, Labels] = field(default_factory=dict)


@dataclass
class DemoResult:
    """One run of a concept. `params` are the validated values (seed included), `device` the one used,
    `arrays` numpy copies of the tensors worth looking at, `metrics` plain floats, `explanation` a few
    paragraphs of plain text with the formula, `figures` Agg-backed matplotlib figures by name (a
    read-only `LazyFigures`: each is drawn when first read),
    `elapsed_s` the wall time of the run, `labels` the row and column names of the arrays that
    `summary()` prints as matrices."""

    concept: str
    title: str
    params: dict[str, Any]
    device: str
    arrays: dict[str, np.ndarray]
    metrics: dict[str, float]
    explanation: str
    figures: Mapping[str, Figure]
    elapsed_s: float
    labels: dict[str, Labels] = field(default_factory=dict)

    def summary(self, max_rows: int = 12, max_cols: int = 12, width: int = 100) -> str:
        """Readable text: parameters, array shapes, metrics, labelled matrices, the explanation."""
        params = ", ".join(f"{key}={value}" for key, value in self.params.items())
        lines = [
            f"{self.concept}: {self.title}",
            f"  params: {params}",
            f"  device: {self.device}   time: {self.elapsed_s:.2f} s",
            "",
        ]
        if self.arrays:
            lines.append("arrays")
            name_width = max(len(name) for name in self.arrays)
            for name, array in self.arrays.items():
                shape = "(" + ", ".join(str(n) for n in array.shape) + ")"
                lines.append(f"  {name:<{name_width}}  {shape:<16} {array.dtype}")
            lines.append("")
        if self.metrics:
            lines.append("metrics")
            name_width = max(len(name) for name in self.metrics)
            lines.extend(
                f"  {name:<{name_width}}  {format_number(value)}" for name, value in self.metrics.items()
            )
            lines.append("")
        for name, (rows, cols) in self.labels.items():
            lines.extend(format_matrix(name, self.arrays[name], rows, cols, max_rows, max_cols))
            lines.append("")
        for paragraph in self.explanation.strip().split("\n\n"):
            if paragraph.startswith("  "):  # pre-formatted (a formula, a tree): keep as is
                lines.append(paragraph)
            else:
                lines.extend(wrap_paragraph(paragraph, width))
            lines.append("")
        if self.figures:
            lines.append("figures: " + ", ".join(self.figures))
        return "\n".join(lines).rstrip() + "\n"

    def png(self, figure: str, dpi: int = 100) -> bytes:
        """One figure as PNG bytes (for a TUI image widget or a collection's media folder)."""
        buffer = io.BytesIO()
        self.figures[figure].savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()

    def params_hash(self) -> str:
        """8 hex digits naming the parameters other than the seed (the same values, the same hash)."""
        shown = json.dumps({k: v for k, v in self.params.items() if k != "seed"}, sort_keys=True)
        return hashlib.sha256(shown.encode()).hexdigest()[:8]

    def figure_file(self, figure: str) -> str:
        """`<concept>-<figure>-<params hash>-seed<seed>.png`: runs with other parameters or seeds do not
        overwrite each other's figures."""
        seed = self.params.get("seed", 0)
        return f"{_safe(self.concept)}-{_safe(figure)}-{self.params_hash()}-seed{seed}.png"

    def save_figures(self, directory: str | Path) -> list[Path]:
        """Write each figure as `directory/<figure_file(name)>`; returns the paths."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, fig in self.figures.items():
            path = folder / self.figure_file(name)
            fig.savefig(path, dpi=100)
            paths.append(path)
        return paths


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def format_number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e9:
        return str(int(value))
    return f"{value:.4g}" if 1e-3 <= abs(value) < 1e5 else f"{value:.3e}"


def format_matrix(
    name: str, matrix: np.ndarray, rows: list[str], cols: list[str], max_rows: int = 12, max_cols: int = 12
) -> list[str]:
    """`name (R x C)` then the matrix with its row and column names; large ones are cut with `...`."""
    matrix = np.asarray(matrix)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    n_rows, n_cols = matrix.shape
    integral = np.issubdtype(matrix.dtype, np.integer) or bool(np.all(np.mod(matrix, 1) == 0))
    cells = [[str(int(v)) if integral else f"{v:.3f}" for v in row[:max_cols]] for row in matrix[:max_rows]]
    col_names = list(cols[:max_cols]) + (["..."] if n_cols > max_cols else [])
    row_names = list(rows[:max_rows]) + (["..."] if n_rows > max_rows else [])
    if n_cols > max_cols:
        cells = [row + ["..."] for row in cells]
    if n_rows > max_rows:
        cells.append(["..."] * len(col_names))
    cell_width = max(len(text) for text in [*col_names, *(c for row in cells for c in row)])
    label_width = max(len(text) for text in row_names)
    out = [f"{name} ({n_rows} x {n_cols})"]
    out.append("  " + " " * label_width + "  " + " ".join(f"{c:>{cell_width}}" for c in col_names))
    for label, row in zip(row_names, cells, strict=True):
        out.append(f"  {label:>{label_width}}  " + " ".join(f"{c:>{cell_width}}" for c in row))
    return out


def arrays_from(**tensors: Any) -> dict[str, np.ndarray]:
    """Tensors (on any device) and array-likes as numpy arrays, keyed by their keyword names."""
    out = {}
    for name, value in tensors.items():
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        out[name] = np.asarray(value)
    return out
