"""Figure helpers: `matplotlib.figure.Figure` on an Agg canvas, never pyplot's global state."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def labels(prefix: str, count: int) -> list[str]:
    """`labels("q", 3)` -> ["q0", "q1", "q2"]: row and column names for matrices."""
    return [f"{prefix}{i}" for i in range(count)]


def heatmap(
    ax: Axes,
    matrix: np.ndarray,
    rows: Sequence[str] | None = None,
    cols: Sequence[str] | None = None,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    annotate: bool | None = None,
    fmt: str = ".2f",
    colorbar: str | None = "",
    aspect: str = "auto",
) -> None:
    """A labelled heatmap: row and column names on the axes, values written in the cells when small.

    `colorbar`: its label ("" for an unlabelled one, None for none).
    """
    if hasattr(matrix, "detach"):  # a torch tensor: matplotlib wants numpy
        matrix = matrix.detach().cpu().numpy()
    matrix = np.asarray(matrix, dtype=float)
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect=aspect, interpolation="nearest")
    n_rows, n_cols = matrix.shape
    for axis, names, count in ((ax.yaxis, rows, n_rows), (ax.xaxis, cols, n_cols)):
        if names is not None and count <= 24:
            axis.set_ticks(range(count), labels=list(names))
    if cols is not None and n_cols <= 24 and (n_cols > 12 or max(len(c) for c in cols) > 3):
        for tick in ax.get_xticklabels():
            tick.set_rotation(90 if n_cols > 12 else 45)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if annotate is None:
        annotate = n_rows <= 12 and n_cols <= 12
    if annotate:
        for i in range(n_rows):
            for j in range(n_cols):
                value = matrix[i, j]
                red, green, blue, _ = image.cmap(image.norm(value))
                light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5  # dark text on light cells
                ax.text(
                    j,
                    i,
                    format(value, fmt),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if light else "white",
                )
    if colorbar is not None:
        ax.figure.colorbar(image, ax=ax, label=colorbar, shrink=0.9)


def render_rgba(fig: Figure) -> np.ndarray:
    """The figure drawn to pixels, (H, W, 4) uint8: for tests that a figure is not blank."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()
