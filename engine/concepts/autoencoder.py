"""An autoencoder squeezes 12x12 images of a blob through a tiny latent code and learns to rebuild them."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from matplotlib.figure import Figure

from engine.context import RunContext
from engine.plots import new_figure
from engine.result import ConceptOutput, arrays_from

SIDE = 12  # images are SIDE x SIDE
TRAIN, TEST, BATCH = 2048, 512, 128


def blob_images(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n images of one Gaussian blob at a random (x, y): images (n, SIDE*SIDE) in [0, 1], positions (n, 2).

    Two numbers explain every image, so a 2-D latent code can in principle hold all of it.
    """
    pos = 0.15 + 0.7 * torch.rand(n, 2, generator=g)  # (n, 2): x, y in [0.15, 0.85]
    grid = (torch.arange(SIDE) + 0.5) / SIDE  # (SIDE,) pixel centres
    dx = grid[None, None, :] - pos[:, 0, None, None]  # (n, 1, SIDE)
    dy = grid[None, :, None] - pos[:, 1, None, None]  # (n, SIDE, 1)
    images = torch.exp(-(dx**2 + dy**2) / (2 * 0.1**2))  # (n, SIDE, SIDE)
    return images.reshape(n, SIDE * SIDE), pos


class Autoencoder(nn.Module):
    def __init__(self, latent: int = 2, hidden: int = 128):
        super().__init__()
        pixels = SIDE * SIDE
        self.encoder = nn.Sequential(nn.Linear(pixels, hidden), nn.ReLU(), nn.Linear(hidden, latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, pixels), nn.Sigmoid()
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (B, 144) -> reconstruction (B, 144) and code z (B, latent)."""
        z = self.encoder(x)  # (B, latent): the bottleneck
        return self.decoder(z), z  # (B, 144), (B, latent)


def neighbour_r2(z: torch.Tensor, target: torch.Tensor, k: int = 5) -> float:
    """R² of predicting each point's target (N, 2) as the mean over its k nearest codes z (N, latent),
    itself left out: near 1 when the code determines the target, however bent the map is."""
    distances = torch.cdist(z, z)  # (N, N)
    distances.fill_diagonal_(float("inf"))
    nearest = distances.topk(k, largest=False).indices  # (N, k)
    predicted = target[nearest].mean(1)  # (N, 2)
    return (1 - ((predicted - target) ** 2).sum() / ((target - target.mean(0)) ** 2).sum()).item()


def cell_span(values: np.ndarray) -> float:
    return float(values.max() - values.min()) / 6 or 1.0


def autoencoder(p: dict, ctx: RunContext) -> ConceptOutput:
    steps, latent = p["steps"], p["latent"]
    x_train, _ = (t.to(ctx.device) for t in blob_images(TRAIN, ctx.generator(1)))
    x_test, pos_test = (t.to(ctx.device) for t in blob_images(TEST, ctx.generator(2)))
    g = ctx.generator(3)
    model = Autoencoder(latent).to(ctx.device)
    # foreach: each update op runs once over all the tensors, not in a Python loop per tensor (what CUDA
    # does by default): the same numbers, a fifth less Adam time per step on the CPU
    opt = torch.optim.Adam(model.parameters(), lr=p["lr"], foreach=True)
    losses = []
    for step in range(1, steps + 1):
        batch = x_train[torch.randint(TRAIN, (BATCH,), generator=g).to(ctx.device)]  # (B, 144)
        recon, _ = model(batch)
        loss = F.mse_loss(recon, batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        ctx.step(step, steps, loss)
    with torch.no_grad():
        recon, z = model(x_test)  # (N, 144), (N, latent)
        test_mse = F.mse_loss(recon, x_test).item()
        mean_mse = F.mse_loss(x_train.mean(0).expand_as(x_test), x_test).item()
        r2 = neighbour_r2(z, pos_test)
        # decode a grid of codes over the latent plane, reaching 30% beyond the data on every side, so
        # that codes off the data (the holes between and around the points) are decoded too
        z2 = z[:, :2] if latent >= 2 else torch.cat([z, torch.zeros_like(z)], 1)  # (N, 2)
        lo, hi = z2.min(0).values, z2.max(0).values  # (2,) each
        span = (hi - lo).clamp(min=1e-3)
        cols, rows = 7, 7 if latent >= 2 else 1
        gx = torch.linspace(float(lo[0] - 0.3 * span[0]), float(hi[0] + 0.3 * span[0]), cols)  # (cols,)
        gy = torch.linspace(float(hi[1] + 0.3 * span[1]), float(lo[1] - 0.3 * span[1]), rows)
        gy = gy if latent >= 2 else torch.zeros(1)  # (rows,): top to bottom
        grid_codes = z.mean(0).repeat(rows * cols, 1)  # (rows·cols, latent), row-major
        grid_codes[:, 0] = gx.to(ctx.device).repeat(rows)
        if latent >= 2:
            grid_codes[:, 1] = gy.to(ctx.device).repeat_interleave(cols)
        decoded = model.decoder(grid_codes).reshape(rows, cols, SIDE, SIDE)  # (row, col, S, S)
    loss_curve = torch.stack(losses).cpu()

    shown = 8

    def draw_reconstructions() -> Figure:
        fig_rec = new_figure(12, 3.4)
        grid = fig_rec.subplots(2, shown)
        for i in range(shown):
            for row, images in enumerate((x_test, recon)):
                ax = grid[row, i]
                ax.imshow(images[i].reshape(SIDE, SIDE).cpu().numpy(), cmap="magma", vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
            grid[0, i].set_title(f"test {i}", fontsize=9)
        grid[0, 0].set_ylabel("input")
        grid[1, 0].set_ylabel("reconstruction")
        fig_rec.suptitle(f"144 pixels -> {latent} numbers -> 144 pixels (test MSE {test_mse:.4f})")
        return fig_rec

    def draw_latent() -> Figure:
        fig_lat = new_figure(13, 4.4)
        ax1, ax2, ax3 = fig_lat.subplots(1, 3)
        zc = z2.cpu().numpy().copy()
        if latent == 1:  # a flat axis hides the points: spread them a little vertically (no meaning)
            zc[:, 1] = np.random.default_rng(ctx.seed).uniform(-0.3, 0.3, len(zc)) * cell_span(zc[:, 0])
        for ax, column, name in ((ax1, 0, "x"), (ax2, 1, "y")):
            points = ax.scatter(zc[:, 0], zc[:, 1], c=pos_test[:, column].cpu().numpy(), cmap="viridis", s=8)
            fig_lat.colorbar(points, ax=ax, label=f"true blob {name} position")
            ax.set(
                title=f"Latent codes, coloured by blob {name}",
                xlabel="z[0]",
                ylabel="z[1]" if latent >= 2 else "",
            )
        # The decoded grid drawn where its codes lie, over the codes of the test images
        cell_w = float(gx[1] - gx[0]) if cols > 1 else 1.0
        cell_h = float(gy[0] - gy[1]) if rows > 1 else cell_w
        for r in range(rows):
            for c in range(cols):
                x0, y0 = float(gx[c]), float(gy[r])
                ax3.imshow(
                    decoded[r, c].cpu().numpy(),
                    cmap="magma",
                    vmin=0,
                    vmax=1,
                    extent=(x0 - 0.45 * cell_w, x0 + 0.45 * cell_w, y0 - 0.45 * cell_h, y0 + 0.45 * cell_h),
                )
        ax3.scatter(zc[:, 0], zc[:, 1], s=4, color="cyan", alpha=0.5, label="test codes")
        ax3.set(
            xlim=(float(gx[0]) - 0.6 * cell_w, float(gx[-1]) + 0.6 * cell_w),
            ylim=(float(gy[-1]) - 0.6 * cell_h, float(gy[0]) + 0.6 * cell_h),
            aspect="auto",
            title="Decoded grid over the codes",
            xlabel="z[0]",
            ylabel="z[1]" if latent >= 2 else "(one latent number: a single row)",
        )
        ax3.legend(loc="upper right", fontsize=7)
        if latent == 1:
            for ax in (ax1, ax2):  # one number: the codes on a line, a little vertical jitter to see them
                ax.set_yticks([])
        return fig_lat

    def draw_loss() -> Figure:
        fig_loss = new_figure(7, 4)
        ax = fig_loss.subplots()
        ax.plot(np.arange(1, steps + 1), loss_curve.numpy(), lw=1, label="training batch")
        ax.axhline(mean_mse, color="gray", ls="--", lw=1, label="predict the mean image")
        ax.axhline(test_mse, color="tab:red", ls=":", lw=1, label="final, test set")
        ax.set(title="Reconstruction loss", xlabel="step", ylabel="mean squared error", yscale="log")
        ax.legend()
        ax.grid(alpha=0.3)
        return fig_loss

    metrics = {
        "test_mse": test_mse,
        "mean_image_mse": mean_mse,
        "mse_ratio_vs_mean": test_mse / mean_mse,
        "latent_knn_r2_position": r2,
        "final_train_loss": loss_curve[-20:].mean().item(),
        "compression": SIDE * SIDE / latent,
    }
    explanation = f"""
An autoencoder is trained to output its own input through a bottleneck: the encoder maps each image
x (144 pixels) to a code z of {latent} number(s), the decoder maps z back to pixels, and the loss is the
reconstruction error.

  z = enc(x),   x̂ = dec(z),   loss = ‖x - x̂‖² / 144   (here 144 -> 128 -> {latent} -> 128 -> 144, ReLU MLPs)

The data, made here: {TRAIN} images of a blurred blob at a random position, so two numbers (x, y) explain
each image. After {steps} steps (Adam, lr {p["lr"]:g}) the test error is {test_mse:.4f}, against
{mean_mse:.4f} for always predicting the mean image ({100 * test_mse / mean_mse:.1f}% of it). No one told
the network about positions, yet its codes pin them down: predicting a test blob's position from its 5 nearest
codes gives R² = {r2:.3f}. The latent space is a (bent) map of where the blob is, and decoding a grid of
codes sweeps the blob across the image. The grid reaches past the test codes (cyan): out there the
decoder invents no new positions, it pins the blob to the image's edges and corners. Nothing in the
training asks codes off the data to decode to anything sensible; a VAE's prior is what adds that.
"""
    return ConceptOutput(
        arrays_from(
            inputs=x_test[:shown].reshape(-1, SIDE, SIDE),
            reconstructions=recon[:shown].reshape(-1, SIDE, SIDE),
            codes=z,
            positions=pos_test,
            loss=loss_curve,
        ),
        metrics,
        explanation,
        {"reconstructions": draw_reconstructions, "latent": draw_latent, "loss": draw_loss},
    )
