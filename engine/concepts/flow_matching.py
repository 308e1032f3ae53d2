"""Rectified flow matching on 2-D toys: regress a velocity field on straight noise-to-data paths, then
integrate it with Euler steps. Convention (as in facebookresearch/flow_matching): t=0 noise, t=1 data."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn as nn

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


def flow_matching_loss(model: nn.Module, x1: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """‖v_θ(x_t, t) - (x1 - x0)‖² on the straight path x_t = (1 - t)·x0 + t·x1 from noise x0 to data x1."""
    x0 = torch.randn(x1.shape, generator=g).to(x1.device)  # (B, 2) noise
    t = torch.rand(len(x1), 1, generator=g).to(x1.device)  # (B, 1)
    xt = (1 - t) * x0 + t * x1  # (B, 2)
    target = x1 - x0  # (B, 2): constant velocity along the straight line
    return ((model(xt, t) - target) ** 2).sum(dim=1).mean()


def train(
    model: nn.Module,
    data: Callable[[int, torch.Generator], torch.Tensor],
    steps: int,
    batch: int,
    lr: float,
    g: torch.Generator,
    device: torch.device,
    on_step: Callable[[int, torch.Tensor], None] | None = None,
) -> torch.Tensor:
    """Adam on fresh batches, the learning rate warming up over the first 10% of steps and then decaying
    to 0 along a cosine; `on_step(step, loss)` after each step (1-based). Returns the loss per step."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    warmup = max(1, steps // 10)

    def lr_factor(step: int) -> float:  # step counts from 0
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    losses = []
    model.train()
    for step in range(1, steps + 1):
        loss = flow_matching_loss(model, data(batch, g).to(device), g)
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


def sliced_w2(a: torch.Tensor, b: torch.Tensor, directions: int = 64) -> float:
    """Sliced 2-Wasserstein distance between equal-sized point sets (N, 2): project on `directions`
    evenly spaced unit vectors, where W2 in 1-D is the distance between the sorted projections."""
    angles = torch.arange(directions, dtype=torch.float64) * math.pi / directions
    units = torch.stack([angles.cos(), angles.sin()], dim=1)  # (D, 2)
    pa = (a.double().cpu() @ units.T).sort(dim=0).values  # (N, D)
    pb = (b.double().cpu() @ units.T).sort(dim=0).values  # (N, D)
    return ((pa - pb) ** 2).mean().sqrt().item()


def mmd_rbf(a: torch.Tensor, b: torch.Tensor, bandwidths: tuple[float, ...] = (0.05, 0.2, 1.0)) -> float:
    """Squared maximum mean discrepancy (biased, so ≥ 0) with a sum of RBF kernels, (N, 2) vs (M, 2)."""
    a, b = a.float().cpu(), b.float().cpu()

    def kernel(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        d2 = torch.cdist(x, y) ** 2  # (N, M)
        return sum(torch.exp(-d2 / (2 * s * s)) for s in bandwidths)

    return (kernel(a, a).mean() + kernel(b, b).mean() - 2 * kernel(a, b).mean()).item()


def quality_floor(
    data: Callable[[int, torch.Generator], torch.Tensor], g: torch.Generator
) -> tuple[torch.Tensor, float, float]:
    """A reference data sample, and the metrics between it and a second, independent data sample of
    the same size: the best a perfect model could score on this sample size."""
    reference, other = data(EVAL_SAMPLES, g), data(EVAL_SAMPLES, g)  # (N, 2) each
    return reference, sliced_w2(reference, other), mmd_rbf(reference[:MMD_SAMPLES], other[:MMD_SAMPLES])


# ----------------------------------------------------------------------------------------------------------
# the demo


def flow_matching(p: dict, ctx: RunContext) -> ConceptOutput:
    name, steps, n_euler = p["dataset"], p["steps"], p["sample_steps"]
    data = DATASETS[name]
    g_train, g_eval = ctx.generator(1), ctx.generator(2)
    model = VelocityField().to(ctx.device)
    losses = train(
        model,
        data,
        steps,
        p["batch"],
        p["lr"],
        g_train,
        ctx.device,
        on_step=lambda step, loss: ctx.step(step, steps, loss),
    )
    reference, floor_w2, floor_mmd = quality_floor(data, g_eval)
    x0 = torch.randn(EVAL_SAMPLES, 2, generator=g_eval).to(ctx.device)  # (N, 2) noise at t=0
    path = sample_euler(model, x0, n_euler, keep_path=True)  # (N_euler + 1, N, 2)
    samples = path[-1].cpu()  # (N, 2)
    w2, mmd = sliced_w2(samples, reference), mmd_rbf(samples[:MMD_SAMPLES], reference[:MMD_SAMPLES])
    compared = sorted({*EULER_STEPS_COMPARED, n_euler})
    by_steps = np.array([sliced_w2(sample_euler(model, x0, k).cpu(), reference) for k in compared])
    one_step = sample_euler(model, x0, 1).cpu()  # (N, 2)
    noise_w2 = sliced_w2(x0.cpu(), reference)

    fig = new_figure(16, 3.9)
    axes = fig.subplots(1, 4)
    shown = 1000
    panels = [
        (reference, f"data ({name})", "tab:gray"),
        (samples, f"{n_euler} Euler steps: W2 {w2:.3f}", "tab:blue"),
        (one_step, f"1 Euler step: W2 {by_steps[0]:.3f}", "tab:orange"),
    ]
    for ax, (points, title, color) in zip(axes[:3], panels, strict=False):
        ax.scatter(*points[:shown].numpy().T, s=3, alpha=0.6, color=color)
        ax.set(title=title, xlabel="x₁")
    lines = path[:, :150].cpu().numpy()  # (N_euler + 1, 150, 2)
    axes[3].plot(lines[:, :, 0], lines[:, :, 1], color="tab:blue", lw=0.5, alpha=0.5)
    axes[3].scatter(lines[0, :, 0], lines[0, :, 1], s=5, color="black", label="t = 0 (noise)", zorder=3)
    axes[3].scatter(lines[-1, :, 0], lines[-1, :, 1], s=5, color="tab:red", label="t = 1 (sample)", zorder=3)
    axes[3].set(title=f"Paths from noise to samples ({n_euler} steps)", xlabel="x₁")
    axes[3].legend(loc="lower right", fontsize=8)
    axes[0].set_ylabel("x₂")
    low, high = (reference.min(0).values - 0.5).tolist(), (reference.max(0).values + 0.5).tolist()
    for ax in axes:
        ax.set(xlim=(low[0], high[0]), ylim=(low[1], high[1]))
        ax.set_aspect("equal", adjustable="box")
    fig.suptitle(
        f"Rectified flow on {name}: sliced W2 to the data {w2:.3f}, data-vs-data floor {floor_w2:.3f}"
    )

    fig_train = new_figure(11, 4)
    ax1, ax2 = fig_train.subplots(1, 2)
    window = max(1, steps // 50)
    smooth = np.convolve(losses.numpy(), np.ones(window) / window, mode="valid")
    ax1.plot(np.arange(1, steps + 1), losses.numpy(), color="tab:blue", alpha=0.25, lw=0.5, label="per batch")
    ax1.plot(np.arange(window, steps + 1), smooth, color="tab:blue", label=f"mean of {window}")
    ax1.set(title="Flow matching loss", xlabel="step", ylabel="‖v_θ(x_t, t) - (x1 - x0)‖²")
    ax1.legend()
    ax2.plot(compared, by_steps, "o-", label="model samples")
    ax2.axhline(floor_w2, color="gray", ls="--", label="floor: data vs data")
    ax2.axhline(2 * floor_w2, color="gray", ls=":", label="2 x floor")
    ax2.set(
        title="Quality vs Euler steps",
        xlabel="Euler steps N",
        ylabel="sliced W2 to the data",
        xscale="log",
        yscale="log",
    )
    ax2.legend()
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)

    metrics = {
        "sliced_w2": w2,
        "sliced_w2_floor": floor_w2,
        "sliced_w2_ratio": w2 / floor_w2,
        "sliced_w2_one_step": float(by_steps[0]),
        "sliced_w2_noise": noise_w2,
        "mmd": mmd,
        "mmd_floor": floor_mmd,
        "mmd_ratio": mmd / floor_mmd,
        "final_loss": losses[-max(1, steps // 20) :].mean().item(),
    }
    explanation = f"""
Rectified flow (flow matching with straight paths) turns noise into data by learning a velocity field.
Training pairs a noise point x0 ~ N(0, I) (t = 0) with a data point x1 (t = 1), picks t ~ U(0, 1), and
regresses the network's velocity on the straight line between them:

  x_t = (1 - t)·x0 + t·x1,    target velocity x1 - x0,    loss = ‖v_θ(x_t, t) - (x1 - x0)‖²

Sampling integrates dx/dt = v_θ(x, t) from fresh noise at t = 0 to t = 1 with N Euler steps,
x ← x + v_θ(x, t)/N. After {steps} steps on {name} (batch {p["batch"]}, peak lr {p["lr"]:g}) the loss is
{metrics["final_loss"]:.3f}; it cannot reach 0, because many (x0, x1) pairs cross at the same x_t and the
network learns their average direction.

Quality, as the sliced 2-Wasserstein distance between {EVAL_SAMPLES} samples and {EVAL_SAMPLES} data
points: {w2:.4f} with N = {n_euler}, against a floor of {floor_w2:.4f} between two independent data
samples of that size ({w2 / floor_w2:.2f} x the floor; the noise itself scores {noise_w2:.3f}).

A single Euler step fails (W2 {by_steps[0]:.3f}): at t = 0 the point x_t is pure noise and says nothing
about x1, so the best velocity there is E[x1] - x0 and every sample lands near the mean of the data.
A few steps fix most of it, because the learned paths bend only a little. MMD² with RBF kernels on
{MMD_SAMPLES} points: {mmd:.5f} against a floor of {floor_mmd:.5f} ({mmd / floor_mmd:.2f} x). Both metrics
can only resolve what that many points show; raise steps to sharpen finer structure (the checkerboard's
edges).
"""
    table_rows = [f"N={k}" for k in compared]
    return ConceptOutput(
        arrays_from(
            samples=samples,
            data=reference,
            one_step_samples=one_step,
            trajectories=path[:, :150],
            loss=losses,
            w2_by_euler_steps=np.stack([by_steps, by_steps / floor_w2], axis=1),
        ),
        metrics,
        explanation,
        {"samples": fig, "training": fig_train},
        labels={"w2_by_euler_steps": (table_rows, ["sliced_W2", "x_floor"])},
    )
