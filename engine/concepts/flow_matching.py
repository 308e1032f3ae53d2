"""Rectified flow matching on 2-D toys: regress a velocity field on straight noise-to-data paths, then
integrate it with Euler steps. Convention (as in facebookresearch/flow_matching): t=0 noise, t=1 data."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn as nn
from matplotlib.figure import Figure

from engine.context import RunContext
from engine.plots import new_figure
from engine.result import ConceptOutput, arrays_from

EVAL_SAMPLES = 2000  # samples compared with the data; the floor is two data samples of this size
MMD_SAMPLES = 1000  # MMD costs N² kernel values: it looks at the first 1000 of each set
EULER_STEPS_COMPARED = (1, 2, 4, 8, 16)

# ----------------------------------------------------------------------------------------------------------
# data: (n, 2) tensors, drawn on the CPU from a seeded generator


def two_moons(n: int, g: torch.Generator) -> torch.Tensor:
    u = torch.rand(n, generator=g) * math.pi  # (n,) angle along a half circle
    upper = torch.rand(n, generator=g) < 0.5  # (n,) which moon
    x = torch.where(upper, torch.cos(u), 1 - torch.cos(u))
    y = torch.where(upper, torch.sin(u), 0.5 - torch.sin(u))
    points = torch.stack([x, y], dim=1) + 0.05 * torch.randn(n, 2, generator=g)  # (n, 2)
    return (points - torch.tensor([0.5, 0.25])) * 1.5  # centred, roughly unit spread


def eight_gaussians(n: int, g: torch.Generator) -> torch.Tensor:
    angle = torch.randint(8, (n,), generator=g) * (math.pi / 4)  # (n,) one of 8 directions
    centres = 2.0 * torch.stack([angle.cos(), angle.sin()], dim=1)  # (n, 2) on a circle of radius 2
    return centres + 0.15 * torch.randn(n, 2, generator=g)


def checkerboard(n: int, g: torch.Generator) -> torch.Tensor:
    x = 4 * torch.rand(n, generator=g) - 2  # (n,) in [-2, 2)
    column = torch.floor(x + 2)  # (n,) 0..3
    row = 2 * torch.randint(2, (n,), generator=g) + column % 2  # a row of the same parity: a dark square
    y = row + torch.rand(n, generator=g) - 2  # (n,) in [-2, 2)
    return torch.stack([x, y], dim=1)


DATASETS: dict[str, Callable[[int, torch.Generator], torch.Tensor]] = {
    "moons": two_moons,
    "8gaussians": eight_gaussians,
    "checkerboard": checkerboard,
}

# ----------------------------------------------------------------------------------------------------------
# model, training, sampling


class VelocityField(nn.Module):
    """v_θ(x, t): an MLP on the point and sin/cos features of the time."""

    def __init__(self, hidden: int = 128, time_features: int = 4):
        super().__init__()
        self.register_buffer("freqs", math.pi * torch.arange(1, time_features + 1, dtype=torch.float32))
        self.net = nn.Sequential(
            nn.Linear(2 + 2 * time_features, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """x: (B, 2), t: (B, 1) in [0, 1] -> velocity (B, 2)."""
        angles = t * self.freqs  # (B, F)
        return self.net(torch.cat([x, angles.sin(), angles.cos()], dim=1))  # (B, 2)


def straight_path(
    x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor | float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The point x_t = (1 - t)·x0 + t·x1 on the straight path from noise x0 (t=0) to data x1 (t=1), and
    the target velocity x1 - x0, the same all along it. x0, x1: (..., 2); t: a number or (..., 1)."""
    return (1 - t) * x0 + t * x1, x1 - x0


def flow_matching_loss(
    model: nn.Module, x1: torch.Tensor, g: torch.Generator, x0: torch.Tensor | None = None
) -> torch.Tensor:
    """‖v_θ(x_t, t) - (x1 - x0)‖² on the straight path x_t = (1 - t)·x0 + t·x1 from noise x0 to data x1.

    x0: the noise paired with each x1 (reflow's coupling); None draws independent noise (1-RF)."""
    if x0 is None:
        x0 = torch.randn(x1.shape, generator=g).to(x1.device)  # (B, 2) noise
    t = torch.rand(len(x1), 1, generator=g).to(x1.device)  # (B, 1)
    xt = (1 - t) * x0 + t * x1  # (B, 2)
    target = x1 - x0  # (B, 2): constant velocity along the straight line
    return ((model(xt, t) - target) ** 2).sum(dim=1).mean()


Batches = Callable[[int, torch.Generator], torch.Tensor | tuple[torch.Tensor, torch.Tensor]]


def train(
    model: nn.Module,
    data: Batches,
    steps: int,
    batch: int,
    lr: float,
    g: torch.Generator,
    device: torch.device,
    on_step: Callable[[int, torch.Tensor], None] | None = None,
) -> torch.Tensor:
    """Adam on fresh batches (`data(batch, g)`: data points x1, or coupled (x0, x1) pairs for reflow),
    the learning rate warming up over the first 10% of steps and then decaying
    to 0 along a cosine; `on_step(step, loss)` after each step (1-based). Returns the loss per step."""
    opt = torch.optim.Adam(model.parameters(), lr=lr, foreach=True)  # foreach: see autoencoder
    warmup = max(1, steps // 10)

    def lr_factor(step: int) -> float:  # step counts from 0
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    losses = []
    model.train()
    for step in range(1, steps + 1):
        drawn = data(batch, g)
        if isinstance(drawn, tuple):  # coupled pairs: reflow
            loss = flow_matching_loss(model, drawn[1].to(device), g, drawn[0].to(device))
        else:
            loss = flow_matching_loss(model, drawn.to(device), g)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.detach())
        if on_step is not None:
            on_step(step, loss)
    model.eval()
    return torch.stack(losses).cpu()


@torch.no_grad()
def sample_euler(model: nn.Module, x0: torch.Tensor, steps: int, keep_path: bool = False) -> torch.Tensor:
    """Integrate dx/dt = v_θ(x, t) from t=0 (noise x0, (N, 2)) to t=1 with `steps` Euler steps.

    Returns the samples (N, 2), or with `keep_path` every intermediate state (steps + 1, N, 2).
    """
    x, dt = x0, 1.0 / steps
    path = [x]
    for i in range(steps):
        t = torch.full((len(x), 1), i * dt, device=x.device)  # (N, 1)
        x = x + dt * model(x, t)  # (N, 2)
        path.append(x)
    return torch.stack(path) if keep_path else x


# ----------------------------------------------------------------------------------------------------------
# quality: how far are samples from the data?


SLICED_DIRECTIONS = 64


def _sorted_projections(points: torch.Tensor, directions: int) -> torch.Tensor:
    """The points (N, 2) projected on `directions` evenly spaced unit vectors, each column sorted: (N, D)."""
    angles = torch.arange(directions, dtype=torch.float64) * math.pi / directions
    units = torch.stack([angles.cos(), angles.sin()], dim=1)  # (D, 2)
    return (points.double().cpu() @ units.T).sort(dim=0).values  # (N, D)


def _w2_of_sorted(pa: torch.Tensor, pb: torch.Tensor) -> float:
    return ((pa - pb) ** 2).mean().sqrt().item()


def sliced_w2(a: torch.Tensor, b: torch.Tensor, directions: int = SLICED_DIRECTIONS) -> float:
    """Sliced 2-Wasserstein distance between equal-sized point sets (N, 2): project on `directions`
    evenly spaced unit vectors, where W2 in 1-D is the distance between the sorted projections."""
    return _w2_of_sorted(_sorted_projections(a, directions), _sorted_projections(b, directions))


MMD_BANDWIDTHS = (0.05, 0.2, 1.0)
# exp(-87.3) ≈ 1.2e-38, float32's smallest normal number. Below it the CPU's exp returns a denormal or 0
# through a slow path, 10-40x slower: at the narrow bandwidths most pairs are that far apart, and it
# was most of what MMD cost. Those kernel values are flushed to 0 instead (a flush-to-zero mode's
# result): a change under 1.2e-38 per value, lost in the rounding of the mean (the metrics are the same).
EXP_FLOOR = -87.3


def _kernel_mean(x: torch.Tensor, y: torch.Tensor, bandwidths: tuple[float, ...]) -> torch.Tensor:
    """The mean of the summed RBF kernels between x (N, 2) and y (M, 2), a 0-d tensor."""
    d2 = torch.cdist(x, y) ** 2  # (N, M)
    exponents = (-d2 / (2 * s * s) for s in bandwidths)  # (N, M) each
    return sum(e.clamp(min=EXP_FLOOR).exp().where(e > EXP_FLOOR, 0.0) for e in exponents).mean()


def mmd_rbf(a: torch.Tensor, b: torch.Tensor, bandwidths: tuple[float, ...] = MMD_BANDWIDTHS) -> float:
    """Squared maximum mean discrepancy (biased, so ≥ 0) with a sum of RBF kernels, (N, 2) vs (M, 2)."""
    a, b = a.float().cpu(), b.float().cpu()
    return _mmd_of(a, b, _kernel_mean(b, b, bandwidths), bandwidths)


def _mmd_of(
    a: torch.Tensor, b: torch.Tensor, b_self: torch.Tensor, bandwidths: tuple[float, ...] = MMD_BANDWIDTHS
) -> float:
    """mmd_rbf(a, b) given b's own kernel mean `b_self` (a and b float32 on the CPU)."""
    return (_kernel_mean(a, a, bandwidths) + b_self - 2 * _kernel_mean(a, b, bandwidths)).item()


def _knn_radii(points: torch.Tensor, k: int) -> torch.Tensor:
    """(N,) each point's distance to its k-th nearest neighbour among the points (N, 2), itself excluded."""
    return torch.cdist(points, points).topk(k + 1, dim=1, largest=False).values[:, k]


def _precision_recall_of(
    a: torch.Tensor, b: torch.Tensor, b_radii: torch.Tensor, k: int
) -> tuple[float, float]:
    """precision_recall of samples a against data b (float32 on the CPU) given b's k-NN radii."""
    cross = torch.cdist(a, b)  # (N, M)
    precision = (cross <= b_radii[None, :]).any(dim=1).float().mean().item()
    recall = (cross <= _knn_radii(a, k)[:, None]).any(dim=0).float().mean().item()
    return precision, recall


def precision_recall(
    samples: torch.Tensor, data: torch.Tensor, k: int = 3, points: int = MMD_SAMPLES
) -> tuple[float, float]:
    """k-nearest-neighbour precision and recall (Kynkäänniemi et al. 2019), (N, 2) vs (M, 2).

    Precision: the share of samples inside the data's manifold, the union of balls around each data
    point reaching its k-th nearest data neighbour (blurred samples between the modes fall outside).
    Recall: the share of data points inside the samples' manifold (a mode left out lowers it)."""
    a, b = samples[:points].float().cpu(), data[:points].float().cpu()
    return _precision_recall_of(a, b, _knn_radii(b, k), k)


class Reference:
    """A data sample (N, 2) that many sample sets are compared with: what each comparison would compute
    of the data alone (its sorted projections, its own MMD kernel mean, its k-NN radii) is computed
    once here. `quality` and `precision_recall` give the numbers the module's functions give."""

    K = 3  # precision_recall's k

    def __init__(self, points: torch.Tensor):
        self.points = points.cpu()  # (N, 2)
        self.projections = _sorted_projections(self.points, SLICED_DIRECTIONS)  # (N, 64)
        self.head = self.points[:MMD_SAMPLES].float()  # (M, 2): what MMD and k-NN look at
        self.kernel_self = _kernel_mean(self.head, self.head, MMD_BANDWIDTHS)
        self.radii = _knn_radii(self.head, self.K)

    def precision_recall(self, samples: torch.Tensor) -> tuple[float, float]:
        return _precision_recall_of(samples[:MMD_SAMPLES].float().cpu(), self.head, self.radii, self.K)

    def quality(self, samples: torch.Tensor) -> dict[str, float]:
        """Sliced W2, MMD² and k-NN precision / recall of samples (N, 2) against the data (N, 2)."""
        samples = samples.cpu()
        precision, recall = self.precision_recall(samples)
        return {
            "sliced_w2": _w2_of_sorted(_sorted_projections(samples, SLICED_DIRECTIONS), self.projections),
            "mmd": _mmd_of(samples[:MMD_SAMPLES].float(), self.head, self.kernel_self),
            "precision": precision,
            "recall": recall,
        }


@torch.no_grad()
def straightness(model: nn.Module, x0: torch.Tensor, steps: int) -> float:
    """Liu et al.'s straightness S = ∫₀¹ E‖(Z₁ - Z₀) - v(Z_t, t)‖² dt along the model's own Euler paths
    from noise x0 (N, 2): 0 when every path is a straight line travelled at constant speed."""
    return _straightness_of(sample_euler(model, x0, steps, keep_path=True))


def _straightness_of(path: torch.Tensor) -> float:
    """straightness of Euler paths (steps + 1, N, 2)."""
    steps = len(path) - 1
    velocities = (path[1:] - path[:-1]) * steps  # (steps, N, 2): v at each step's start
    displacement = path[-1] - path[0]  # (N, 2)
    return ((displacement[None] - velocities) ** 2).sum(dim=2).mean().item()


def quality_floor(
    data: Callable[[int, torch.Generator], torch.Tensor], g: torch.Generator
) -> tuple[Reference, dict[str, float]]:
    """A reference data sample, and the metrics between it and a second, independent data sample of
    the same size: the best a perfect model could score on this sample size."""
    reference, other = Reference(data(EVAL_SAMPLES, g)), data(EVAL_SAMPLES, g)  # (N, 2) each
    return reference, reference.quality(other)


def quality(samples: torch.Tensor, reference: torch.Tensor) -> dict[str, float]:
    """Sliced W2, MMD² and k-NN precision / recall of samples (N, 2) against data (N, 2)."""
    return Reference(reference).quality(samples)


def reflow_pairs(
    model: nn.Module, count: int, g: torch.Generator, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Reflow's coupling: fresh noise x0 and where the trained flow carries it, x1 = ODE(x0), each
    (count, 2) on the CPU. Trained on these, the next flow's straight lines no longer cross."""
    x0 = torch.randn(count, 2, generator=g)  # (count, 2)
    x1 = sample_euler(model, x0.to(device), SOLVER_STEPS).cpu()  # (count, 2)
    return x0, x1


def pair_batches(x0: torch.Tensor, x1: torch.Tensor) -> Batches:
    def draw(batch: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.randint(len(x0), (batch,), generator=g)  # (B,)
        return x0[index], x1[index]

    return draw


# ----------------------------------------------------------------------------------------------------------
# the demo

SOLVER_STEPS = 50  # Euler steps for reflow's pairs, the drawn paths and straightness: near the exact ODE
REFLOW_PAIRS = 2048
STRAIGHTNESS_PATHS = 500
SHOWN_PATHS = 40
RF_COLOURS = {"1-RF": "tab:blue", "2-RF": "tab:green"}


def _limits(*point_sets: torch.Tensor) -> tuple[float, float]:
    reach = max(float(points.abs().max()) for points in point_sets)
    return -reach - 0.2, reach + 0.2


def _reflow_figure(name, reference, pairs, paths, one_step, quality_one, straight, lim):
    """Liu et al.'s figure 1: the training lines, the flow's paths and its one-step samples, per flow."""
    fig = new_figure(15, 9.6)
    grid = fig.subplots(2, 3)
    for row, rf in enumerate(("1-RF", "2-RF")):
        x0, x1 = pairs[rf]
        ax = grid[row, 0]
        ax.scatter(*reference[:600].numpy().T, s=2, color="0.75")
        ax.plot(
            np.stack([x0[:SHOWN_PATHS, 0], x1[:SHOWN_PATHS, 0]]),
            np.stack([x0[:SHOWN_PATHS, 1], x1[:SHOWN_PATHS, 1]]),
            color="tab:purple",
            lw=0.7,
            alpha=0.7,
        )
        coupling = (
            "independent noise and data: lines cross" if rf == "1-RF" else "(x0, 1-RF(x0)): no crossing"
        )
        ax.set_title(f"{rf} training pairs\n{coupling}")
        ax = grid[row, 1]
        lines = paths[rf].numpy()  # (steps + 1, P, 2)
        ax.plot(lines[:, :, 0], lines[:, :, 1], color=RF_COLOURS[rf], lw=0.8, alpha=0.8)
        ax.scatter(*lines[0].T, s=6, color="black", label="t = 0 (noise)", zorder=3)
        ax.scatter(*lines[-1].T, s=6, color="tab:red", label="t = 1 (sample)", zorder=3)
        ax.legend(loc="lower right", fontsize=7)
        ax.set_title(f"{rf} paths from noise ({SOLVER_STEPS} Euler steps)\nstraightness {straight[rf]:.3f}")
        ax = grid[row, 2]
        ax.scatter(*reference[:1000].numpy().T, s=2, color="0.75", label="data")
        ax.scatter(*one_step[rf][:1000].numpy().T, s=2, color=RF_COLOURS[rf], label=f"{rf}, 1 step")
        ax.legend(loc="lower right", fontsize=7, markerscale=4)
        q = quality_one[rf]
        ax.set_title(f"{rf} one Euler step: precision {q['precision']:.2f}, recall {q['recall']:.2f}")
        for ax in grid[row]:
            ax.set(xlim=lim, ylim=lim, xlabel="x₁", ylabel="x₂")
            ax.set_aspect("equal", adjustable="box")
    fig.suptitle(f"Reflow on {name}: retraining on the flow's own (noise, sample) pairs straightens it")
    return fig


VELOCITY_TIMES = (0.0, 0.5, 0.9)


def _velocity_fields(models, lim) -> tuple[torch.Tensor, dict[str, list[torch.Tensor]]]:
    """The grid of points the velocity figure draws, and each model's velocity there at t = 0, 0.5, 0.9
    (computed with the run, so the figure drawn later reads only these)."""
    ticks = torch.linspace(lim[0] + 0.3, lim[1] - 0.3, 15)
    gx, gy = torch.meshgrid(ticks, ticks, indexing="xy")
    points = torch.stack([gx.flatten(), gy.flatten()], dim=1)  # (225, 2)
    fields = {}
    for rf, model in models.items():
        device = next(model.parameters()).device
        with torch.no_grad():
            fields[rf] = [
                model(points.to(device), torch.full((len(points), 1), t, device=device)).cpu()  # (225, 2)
                for t in VELOCITY_TIMES
            ]
    return points, fields


def _velocity_figure(points, fields, lim):
    fig = new_figure(13, 8.6)
    grid = fig.subplots(2, 3)
    for row, (rf, velocities) in enumerate(fields.items()):
        for col, (t, v) in enumerate(zip(VELOCITY_TIMES, velocities, strict=True)):
            ax = grid[row, col]
            speed = v.norm(dim=1).numpy()
            arrows = ax.quiver(*points.numpy().T, *v.numpy().T, speed, cmap="viridis", angles="xy")
            ax.set(title=f"{rf} velocity v(x, t = {t:g})", xlim=lim, ylim=lim, xlabel="x₁", ylabel="x₂")
            ax.set_aspect("equal", adjustable="box")
            fig.colorbar(arrows, ax=ax, label="speed ‖v‖", shrink=0.8)
    fig.suptitle("The learned velocity fields: 1-RF turns as t grows, 2-RF points nearly the same way")
    return fig


def flow_matching(p: dict, ctx: RunContext) -> ConceptOutput:
    name, steps, n_euler, r_steps = p["dataset"], p["steps"], p["sample_steps"], p["reflow_steps"]
    data = DATASETS[name]
    total = steps + r_steps
    g_train, g_eval, g_pairs = ctx.generator(1), ctx.generator(2), ctx.generator(3)
    rf1 = VelocityField().to(ctx.device)
    losses = train(
        rf1,
        data,
        steps,
        p["batch"],
        p["lr"],
        g_train,
        ctx.device,
        on_step=lambda i, loss: ctx.step(i, total, loss),
    )
    # reflow: the 1-RF's own (noise, sample) pairs, and a 2-RF trained on them, starting from the 1-RF
    pair_x0, pair_x1 = reflow_pairs(rf1, REFLOW_PAIRS, g_pairs, ctx.device)
    rf2 = VelocityField().to(ctx.device)
    rf2.load_state_dict(rf1.state_dict())
    reflow_losses = train(
        rf2,
        pair_batches(pair_x0, pair_x1),
        r_steps,
        p["batch"],
        p["lr"],
        g_train,
        ctx.device,
        on_step=lambda i, loss: ctx.step(steps + i, total, loss),
    )
    models = {"1-RF": rf1, "2-RF": rf2}
    ctx.check_cancel("evaluating")
    ref, floor = quality_floor(data, g_eval)
    reference = ref.points  # (N, 2)
    x0 = torch.randn(EVAL_SAMPLES, 2, generator=g_eval).to(ctx.device)  # (N, 2) noise at t=0
    samples = sample_euler(rf1, x0, n_euler).cpu()  # (N, 2)
    q = ref.quality(samples)
    compared = sorted({*EULER_STEPS_COMPARED, n_euler})
    by_steps = {  # precision and recall only: the full set of metrics costs more than the sampling
        rf: [
            dict(
                zip(
                    ("precision", "recall"),
                    ref.precision_recall(sample_euler(m, x0[:MMD_SAMPLES], k)),
                    strict=True,
                )
            )
            for k in compared
        ]
        for rf, m in models.items()
    }
    one_step = {rf: sample_euler(m, x0, 1).cpu() for rf, m in models.items()}  # (N, 2) each
    quality_one = {rf: ref.quality(one_step[rf]) for rf in models}
    straight = {rf: straightness(m, x0[:STRAIGHTNESS_PATHS], SOLVER_STEPS) for rf, m in models.items()}
    paths = {
        rf: sample_euler(m, x0[:SHOWN_PATHS], SOLVER_STEPS, keep_path=True).cpu() for rf, m in models.items()
    }
    independent = (torch.randn(SHOWN_PATHS, 2, generator=g_eval), reference[:SHOWN_PATHS])
    pairs = {"1-RF": independent, "2-RF": (pair_x0, pair_x1)}
    lim = _limits(reference, x0[:SHOWN_PATHS].cpu(), *paths.values())

    def draw_samples() -> Figure:
        fig = new_figure(16, 4.3)
        axes = fig.subplots(1, 4)
        panels = [
            (reference, f"data ({name})", "tab:gray", floor),
            (samples, f"1-RF, {n_euler} Euler steps", "tab:blue", q),
            (one_step["1-RF"], "1-RF, 1 Euler step", "tab:orange", quality_one["1-RF"]),
            (one_step["2-RF"], "2-RF (reflow), 1 Euler step", "tab:green", quality_one["2-RF"]),
        ]
        for ax, (points, title, color, scores) in zip(axes, panels, strict=True):
            ax.scatter(*points[:1000].numpy().T, s=3, alpha=0.6, color=color)
            which = "a second data sample: " if points is reference else ""
            ax.set(
                title=f"{title}\n{which}precision {scores['precision']:.2f}, recall {scores['recall']:.2f}",
                xlabel="x₁",
                xlim=lim,
                ylim=lim,
            )
            ax.set_aspect("equal", adjustable="box")
        axes[0].set_ylabel("x₂")
        fig.suptitle(
            f"Rectified flow on {name}: samples, and k-NN precision (samples on the data) / "
            "recall (data covered)"
        )
        return fig

    def draw_reflow() -> Figure:
        return _reflow_figure(name, reference, pairs, paths, one_step, quality_one, straight, lim)

    velocity_points, velocity_fields = _velocity_fields(models, lim)

    def draw_velocity() -> Figure:
        return _velocity_figure(velocity_points, velocity_fields, lim)

    def draw_training() -> Figure:
        fig_train = new_figure(12, 4.2)
        ax1, ax2 = fig_train.subplots(1, 2)
        for rf, curve, offset in (("1-RF", losses, 0), ("2-RF", reflow_losses, steps)):
            window = max(1, len(curve) // 50)
            smooth = np.convolve(curve.numpy(), np.ones(window) / window, mode="valid")
            x = np.arange(offset + window, offset + len(curve) + 1)
            ax1.plot(x, smooth, color=RF_COLOURS[rf], label=f"{rf} (mean of {window} batches)")
        ax1.set(title="Flow matching loss", xlabel="step", ylabel="‖v_θ(x_t, t) - (x1 - x0)‖²", yscale="log")
        ax1.legend()
        for rf in models:
            for metric, style in (("precision", "o-"), ("recall", "s--")):
                values = [m[metric] for m in by_steps[rf]]
                ax2.plot(compared, values, style, color=RF_COLOURS[rf], label=f"{rf} {metric}")
        ax2.axhline(floor["precision"], color="gray", ls=":", label="data vs data")
        ax2.set(
            title="Sample quality vs Euler steps",
            xlabel="Euler steps N",
            ylabel="k-NN precision / recall",
            xscale="log",
            ylim=(0, 1.02),
        )
        ax2.legend(fontsize=8)
        for ax in (ax1, ax2):
            ax.grid(alpha=0.3)
        return fig_train

    metrics = {
        "sliced_w2": q["sliced_w2"],
        "sliced_w2_floor": floor["sliced_w2"],
        "mmd": q["mmd"],
        "mmd_floor": floor["mmd"],
        "precision": q["precision"],
        "recall": q["recall"],
        "precision_floor": floor["precision"],
        "recall_floor": floor["recall"],
        "straightness_1rf": straight["1-RF"],
        "straightness_2rf": straight["2-RF"],
        "one_step_precision_1rf": quality_one["1-RF"]["precision"],
        "one_step_recall_1rf": quality_one["1-RF"]["recall"],
        "one_step_mmd_1rf": quality_one["1-RF"]["mmd"],
        "one_step_precision_2rf": quality_one["2-RF"]["precision"],
        "one_step_recall_2rf": quality_one["2-RF"]["recall"],
        "one_step_mmd_2rf": quality_one["2-RF"]["mmd"],
        "sliced_w2_noise": _w2_of_sorted(_sorted_projections(x0, SLICED_DIRECTIONS), ref.projections),
        "final_loss": losses[-max(1, steps // 20) :].mean().item(),
        "final_loss_2rf": reflow_losses[-max(1, r_steps // 20) :].mean().item(),
    }
    m = metrics
    explanation = f"""
Rectified flow (flow matching with straight paths) turns noise into data by learning a velocity field.
Training pairs a noise point x0 ~ N(0, I) (t = 0) with a data point x1 (t = 1), picks t ~ U(0, 1), and
regresses the network's velocity on the straight line between them:

  x_t = (1 - t)·x0 + t·x1,    target velocity x1 - x0,    loss = ‖v_θ(x_t, t) - (x1 - x0)‖²

Sampling integrates dx/dt = v_θ(x, t) from fresh noise at t = 0 to t = 1 with N Euler steps,
x ← x + v_θ(x, t)/N. The pairs are independent, so their lines cross; where they cross the network can
only learn their average direction, and its paths (1-RF, {steps} steps on {name}) bend. One Euler step
follows the first direction only: precision {m["one_step_precision_1rf"]:.2f}, recall
{m["one_step_recall_1rf"]:.2f}.

Reflow: generate pairs (x0, x1 = 1-RF(x0)) with the trained flow ({REFLOW_PAIRS} of them,
{SOLVER_STEPS} Euler steps) and train again on those pairs ({r_steps} steps, from the 1-RF's weights).
Its lines no longer cross, so the new flow (2-RF) can follow them: straightness, Liu et al.'s
S = ∫ E‖(Z₁ - Z₀) - v(Z_t, t)‖² dt (0 for straight paths), drops from {m["straightness_1rf"]:.3f} to
{m["straightness_2rf"]:.3f}, and one Euler step now gives precision {m["one_step_precision_2rf"]:.2f},
recall {m["one_step_recall_2rf"]:.2f}.

Quality is measured three ways on {MMD_SAMPLES}-{EVAL_SAMPLES} points, against a second data sample
(the floor). k-NN precision (k = 3) is the share of samples inside the data's manifold, recall the
share of data covered by the samples; they agree with the eye (blurred samples between the modes lower
precision; a missing mode lowers recall). With N = {n_euler}: precision {m["precision"]:.2f} (floor
{m["precision_floor"]:.2f}), recall {m["recall"]:.2f} (floor {m["recall_floor"]:.2f}); MMD² with RBF
kernels of bandwidths {", ".join(f"{b:g}" for b in MMD_BANDWIDTHS)}: {m["mmd"]:.5f} (floor
{m["mmd_floor"]:.5f}); sliced W2 {m["sliced_w2"]:.3f} (floor {m["sliced_w2_floor"]:.3f}). Sliced W2
looks at 1-D projections only and can call a blurred sample good: trust precision and recall here.
"""
    table_rows = [f"N={k}" for k in compared]
    table = np.array(
        [
            [by_steps[rf][i][key] for rf in models for key in ("precision", "recall")]
            for i in range(len(compared))
        ]
    )
    return ConceptOutput(
        arrays_from(
            samples=samples,
            data=reference,
            one_step_samples=one_step["1-RF"],
            one_step_samples_2rf=one_step["2-RF"],
            trajectories=paths["1-RF"],
            trajectories_2rf=paths["2-RF"],
            loss=losses,
            loss_2rf=reflow_losses,
            quality_by_euler_steps=table,
        ),
        metrics,
        explanation,
        {
            "samples": draw_samples,
            "reflow": draw_reflow,
            "velocity": draw_velocity,
            "training": draw_training,
        },
        labels={"quality_by_euler_steps": (table_rows, ["1RF_prec", "1RF_rec", "2RF_prec", "2RF_rec"])},
    )
