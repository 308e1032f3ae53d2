"""A tiny U-Net learns to segment noisy synthetic shapes in seconds, with and without skip connections."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from matplotlib.figure import Figure

from engine.context import RunContext
from engine.plots import new_figure
from engine.result import ConceptOutput, arrays_from

NOISE = 0.6  # standard deviation of the pixel noise; shapes are 1.0 brighter than the background
BATCH = 16
TEST_IMAGES = 64


def synthetic_shapes(n: int, size: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n noisy images with two random discs or rectangles each, and their masks: (n, 1, size, size) twice."""
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    yy, xx = yy[None].float(), xx[None].float()  # (1, S, S)
    mask = torch.zeros(n, size, size, dtype=torch.bool)
    for _ in range(2):
        cx, cy = (torch.rand(2, n, 1, 1, generator=g) * (size - 8) + 4).unbind(0)  # centres (n, 1, 1)
        r = torch.rand(n, 1, 1, generator=g) * size / 8 + size / 10  # radii (n, 1, 1)
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= r**2  # (n, S, S)
        rect = ((xx - cx).abs() <= r) & ((yy - cy).abs() <= 0.6 * r)  # (n, S, S)
        mask |= torch.where(torch.rand(n, 1, 1, generator=g) < 0.5, disc, rect)
    image = mask.float() + NOISE * torch.randn(n, size, size, generator=g)  # (n, S, S)
    return image[:, None], mask[:, None].float()  # (n, 1, S, S) each


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
    )


class TinyUNet(nn.Module):
    """Two levels down, two up. With `skip`, each decoder level also sees the encoder's features at its
    resolution (concatenated); without, it must rebuild the detail from the 4x smaller bottleneck."""

    def __init__(self, width: int = 8, skip: bool = True):
        super().__init__()
        c = width
        self.skip = skip
        self.down1, self.down2, self.bottom = conv_block(1, c), conv_block(c, 2 * c), conv_block(2 * c, 4 * c)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.dec2 = conv_block(4 * c if skip else 2 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec1 = conv_block(2 * c if skip else c, c)
        self.head = nn.Conv2d(c, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 1, S, S) -> mask logits (B, 1, S, S)."""
        h1 = self.down1(x)  # (B, c, S, S)
        h2 = self.down2(F.max_pool2d(h1, 2))  # (B, 2c, S/2, S/2)
        u = self.bottom(F.max_pool2d(h2, 2))  # (B, 4c, S/4, S/4)
        u = self.up2(u)  # (B, 2c, S/2, S/2)
        u = self.dec2(torch.cat([u, h2], dim=1) if self.skip else u)  # (B, 2c, S/2, S/2)
        u = self.up1(u)  # (B, c, S, S)
        u = self.dec1(torch.cat([u, h1], dim=1) if self.skip else u)  # (B, c, S, S)
        return self.head(u)  # (B, 1, S, S)


def iou(logits: torch.Tensor, mask: torch.Tensor) -> float:
    """Intersection over union of the predicted (logit > 0) and true foreground."""
    pred, true = logits > 0, mask > 0.5
    return ((pred & true).sum() / (pred | true).sum().clamp_min(1)).item()


def boundary_band(mask: torch.Tensor, radius: int = 1) -> torch.Tensor:
    """The pixels within `radius` (chessboard distance) of the true edge: where a pixel's 3x3
    neighbourhood holds both classes, widened by `radius` - 1 more pixels.  (N, 1, S, S) -> bool, same."""
    fg = mask.float()
    has_fg = F.max_pool2d(fg, 3, stride=1, padding=1)  # 1 where a foreground pixel is next door
    has_bg = F.max_pool2d(1 - fg, 3, stride=1, padding=1)  # 1 where a background pixel is next door
    edge = (has_fg * has_bg).clamp(0, 1)  # (N, 1, S, S): both classes touch here
    if radius > 1:
        edge = F.max_pool2d(edge, 2 * radius - 1, stride=1, padding=radius - 1)
    return edge > 0.5


def boundary_error(logits: torch.Tensor, mask: torch.Tensor) -> float:
    """The fraction of pixels in the true boundary band that the prediction (logit > 0) gets wrong."""
    band = boundary_band(mask)
    wrong = (logits > 0) != (mask > 0.5)
    return ((wrong & band).sum() / band.sum().clamp_min(1)).item()


def edge_crop(mask: torch.Tensor, crop: int) -> tuple[int, int]:
    """Top-left (y, x) of the crop x crop window of a (S, S) mask holding the most true-boundary pixels:
    chosen from the truth alone, not from either prediction."""
    band = boundary_band(mask[None, None]).float()  # (1, 1, S, S)
    density = F.avg_pool2d(band, crop, stride=1)[0, 0]  # (S - crop + 1, S - crop + 1)
    flat = int(density.flatten().argmax())
    return divmod(flat, density.shape[1])


def train(net: nn.Module, p: dict, ctx: RunContext, g: torch.Generator) -> torch.Tensor:
    """Adam on fresh random batches; returns the loss per step. Progress counts this net's steps, the
    `steps` asked for (each net reports 1..steps; a progress display starts a new line when it resets)."""
    opt = torch.optim.Adam(net.parameters(), lr=p["lr"], foreach=True)  # foreach: see autoencoder
    losses = []
    net.train()
    for step in range(1, p["steps"] + 1):
        x, mask = (t.to(ctx.device) for t in synthetic_shapes(BATCH, p["size"], g))  # (B, 1, S, S) each
        loss = F.binary_cross_entropy_with_logits(net(x), mask)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        ctx.step(step, p["steps"], loss)
    net.eval()
    return torch.stack(losses).cpu()


def feature_shapes(net: TinyUNet, size: int) -> dict[str, tuple[int, ...]]:
    """(C, H, W) of what each block of `net` outputs for one 1 x size x size image, and of what the
    decoder blocks take in (`dec2_in`, `dec1_in`: the up-convolved features, with the skip if any)."""
    seen: dict[str, tuple[int, ...]] = {}
    hooks = []
    for name in ("down1", "down2", "bottom", "up2", "dec2", "up1", "dec1", "head"):
        module = getattr(net, name)
        hooks.append(
            module.register_forward_hook(lambda m, i, o, n=name: seen.__setitem__(n, tuple(o.shape[1:])))
        )
    for name in ("dec2", "dec1"):
        hooks.append(
            getattr(net, name).register_forward_pre_hook(
                lambda m, i, n=name: seen.__setitem__(f"{n}_in", tuple(i[0].shape[1:]))
            )
        )
    try:
        with torch.no_grad():
            net(torch.zeros(1, 1, size, size, device=next(net.parameters()).device))
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def _shape(shape: tuple[int, ...]) -> str:
    return " x ".join(str(n) for n in shape)


def architecture_figure(shapes: dict[str, tuple[int, ...]], size: int):
    """The U: encoder down the left, bottleneck at the bottom, decoder up the right, skips across; every
    box names the real (C x H x W) of the net that ran."""
    fig = new_figure(11, 6)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    boxes = {
        "input": (0.06, 0.85, f"input\n{_shape((1, size, size))}"),
        "down1": (0.2, 0.85, f"down1: conv-conv\n{_shape(shapes['down1'])}"),
        "down2": (0.32, 0.5, f"pool, down2\n{_shape(shapes['down2'])}"),
        "bottom": (0.5, 0.15, f"pool, bottleneck\n{_shape(shapes['bottom'])}"),
        "dec2": (
            0.68,
            0.5,
            f"up2 {_shape(shapes['up2'])}\n+ skip = {_shape(shapes['dec2_in'])}\n"
            f"dec2 -> {_shape(shapes['dec2'])}",
        ),
        "dec1": (
            0.8,
            0.85,
            f"up1 {_shape(shapes['up1'])}\n+ skip = {_shape(shapes['dec1_in'])}\n"
            f"dec1 -> {_shape(shapes['dec1'])}",
        ),
        "head": (0.94, 0.85, f"1x1 conv\nmask logits\n{_shape(shapes['head'])}"),
    }
    for x, y, text in boxes.values():
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox=dict(boxstyle="round,pad=0.4", facecolor="#cfe2f3", edgecolor="#555555"),
        )
    path = ["input", "down1", "down2", "bottom", "dec2", "dec1", "head"]
    for a, b in zip(path, path[1:], strict=False):
        (xa, ya, _), (xb, yb, _) = boxes[a], boxes[b]
        shrink = 28  # points: diagonal arrows stop short of the boxes
        if ya == yb:  # side by side: start and end at the boxes' edges, not inside them
            xa, xb, shrink = xa + (0.075 if a == "dec1" else 0.045), xb - 0.055, 0
        ax.annotate(
            "",
            xy=(xb, yb),
            xytext=(xa, ya),
            arrowprops=dict(arrowstyle="->", color="#555555", lw=1.2, shrinkA=shrink, shrinkB=shrink),
        )
    for a, b in (("down1", "dec1"), ("down2", "dec2")):
        (xa, ya, _), (xb, yb, _) = boxes[a], boxes[b]
        ax.annotate(
            "",
            xy=(xb - 0.07, yb),
            xytext=(xa + 0.07, ya),
            arrowprops=dict(arrowstyle="->", color="tab:red", lw=1.5, ls="--"),
        )
        ax.text(
            (xa + xb) / 2, ya + 0.03, "skip: copy and concatenate", color="tab:red", ha="center", fontsize=9
        )
    fig.suptitle(f"The U-Net that ran (width {shapes['down1'][0]}), on a {size} x {size} image: C x H x W")
    return fig


def unet(p: dict, ctx: RunContext) -> ConceptOutput:
    steps, size = p["steps"], p["size"]
    x_test, mask_test = (t.to(ctx.device) for t in synthetic_shapes(TEST_IMAGES, size, ctx.generator(1)))
    nets, losses, scores, preds, edge_errors = {}, {}, {}, {}, {}
    for index, (name, skip) in enumerate((("skip", True), ("no_skip", False))):
        torch.manual_seed(ctx.seed + index)  # the same initial weights however the other net trained
        nets[name] = TinyUNet(p["width"], skip).to(ctx.device)
        losses[name] = train(nets[name], p, ctx, ctx.generator(2))
        with torch.no_grad():
            logits = nets[name](x_test)  # (N, 1, S, S)
        scores[name], preds[name] = iou(logits, mask_test), torch.sigmoid(logits)
        edge_errors[name] = boundary_error(logits, mask_test)
    threshold_iou = iou(x_test - 0.5, mask_test)  # per-pixel "brighter than 0.5" baseline

    shown = 4

    def draw_predictions() -> Figure:
        fig = new_figure(9, 2.2 * shown + 0.4)
        grid = fig.subplots(shown, 4)
        titles = [
            "input",
            "true mask",
            f"U-Net (IoU {scores['skip']:.2f})",
            f"no skips (IoU {scores['no_skip']:.2f})",
        ]
        for row in range(shown):
            panels = [x_test[row, 0], mask_test[row, 0], preds["skip"][row, 0], preds["no_skip"][row, 0]]
            for col, image in enumerate(panels):
                ax = grid[row, col]
                shown_image = ax.imshow(
                    image.cpu().numpy(),
                    cmap="gray" if col == 0 else "viridis",
                    vmin=None if col == 0 else 0,
                    vmax=None if col == 0 else 1,
                )
                ax.set_xticks([])
                ax.set_yticks([])
                if row == 0:
                    ax.set_title(titles[col], fontsize=10)
            grid[row, 0].set_ylabel(f"test image {row}")
        fig.colorbar(shown_image, ax=grid[:, 3], label="P(foreground)", shrink=0.6)
        fig.suptitle(f"Segmentation of noisy shapes, {steps} training steps per net")
        return fig

    def draw_edge_zoom() -> Figure:
        crop = max(6, size // 2)
        fig_zoom = new_figure(10, 3.4)
        zoom_axes = fig_zoom.subplots(1, 4)
        y0, x0 = edge_crop(mask_test[0, 0].cpu(), crop)
        window = (slice(y0, y0 + crop), slice(x0, x0 + crop))
        zoom_titles = [
            "input (crop)",
            "true mask",
            f"U-Net: {edge_errors['skip']:.0%} of edge\npixels wrong (all test images)",
            f"no skips: {edge_errors['no_skip']:.0%} of edge\npixels wrong (all test images)",
        ]
        truth0 = mask_test[0, 0].cpu().numpy()[window]  # (crop, crop)
        zoom_panels = [x_test[0, 0], mask_test[0, 0], preds["skip"][0, 0], preds["no_skip"][0, 0]]
        for col, (ax, image) in enumerate(zip(zoom_axes, zoom_panels, strict=True)):
            shown_zoom = ax.imshow(
                image.cpu().numpy()[window],
                cmap="gray" if col == 0 else "viridis",
                vmin=None if col == 0 else 0,
                vmax=None if col == 0 else 1,
                interpolation="nearest",
            )
            if col > 0:  # the true edge drawn over the mask and both predictions
                ax.contour(truth0, levels=[0.5], colors="tab:red", linewidths=1.2)
            if col > 1:  # and the edge each net predicts: where its P(foreground) crosses 0.5
                ax.contour(
                    image.cpu().numpy()[window], levels=[0.5], colors="white", linewidths=1.2, linestyles="--"
                )
            ax.set_title(zoom_titles[col], fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        fig_zoom.colorbar(shown_zoom, ax=zoom_axes[3], label="P(foreground)", shrink=0.8)
        fig_zoom.suptitle(
            f"Zoom on an edge of test image 0: rows {y0}-{y0 + crop - 1}, columns {x0}-{x0 + crop - 1}\n"
            "(red: the true edge; white dashed: the predicted edge, P = 0.5)"
        )
        return fig_zoom

    arch_shapes = feature_shapes(nets["skip"], size)

    def draw_architecture() -> Figure:
        return architecture_figure(arch_shapes, size)

    def draw_loss() -> Figure:
        fig_loss = new_figure(7, 4)
        ax = fig_loss.subplots()
        for name, label in (("skip", "U-Net with skips"), ("no_skip", "without skips")):
            ax.plot(np.arange(1, steps + 1), losses[name].numpy(), label=label, lw=1)
        ax.set(title="Training loss", xlabel="step", ylabel="binary cross-entropy", yscale="log")
        ax.legend()
        ax.grid(alpha=0.3)
        return fig_loss

    metrics = {
        "iou_unet": scores["skip"],
        "iou_no_skip": scores["no_skip"],
        "iou_threshold_baseline": threshold_iou,
        "boundary_error_unet": edge_errors["skip"],
        "boundary_error_no_skip": edge_errors["no_skip"],
        "final_loss_unet": losses["skip"][-10:].mean().item(),
        "final_loss_no_skip": losses["no_skip"][-10:].mean().item(),
        "parameters_unet": sum(t.numel() for t in nets["skip"].parameters()),
        "parameters_no_skip": sum(t.numel() for t in nets["no_skip"].parameters()),
    }
    explanation = f"""
A U-Net is an encoder-decoder for per-pixel prediction: the encoder halves the resolution twice to see
context ({size}x{size} -> {size // 4}x{size // 4}), the decoder upsamples back with transposed
convolutions, and skip connections concatenate the encoder's full-resolution features into the decoder
so edges stay sharp.

  down: conv-conv-pool x2 -> bottleneck -> up: ConvTranspose2d(2, stride 2), concat skip, conv-conv x2

Both nets trained {steps} steps (batch {BATCH}, Adam lr {p["lr"]:g}, binary cross-entropy) on noisy images
of discs and rectangles (noise σ = {NOISE}). On {TEST_IMAGES} held-out images the U-Net reaches IoU
{scores["skip"]:.3f}; the same net without skip connections {scores["no_skip"]:.3f}: its masks come out
as rounded blobs that lose corners and edges, because all detail had to pass through the
{size // 4}x{size // 4} bottleneck. Thresholding pixels alone gets
{threshold_iou:.3f}: the noise makes context necessary. IoU = |prediction ∩ truth| / |prediction ∪ truth|.

The difference lives at the edges: of the pixels within one pixel of a true edge, the U-Net gets
{edge_errors["skip"]:.1%} wrong and the net without skips {edge_errors["no_skip"]:.1%} (the zoom figure
shows one edge of test image 0 up close, the crop chosen from the true mask alone).
"""
    return ConceptOutput(
        arrays_from(
            images=x_test[:shown, 0],
            masks=mask_test[:shown, 0],
            pred_unet=preds["skip"][:shown, 0],
            pred_no_skip=preds["no_skip"][:shown, 0],
            loss_unet=losses["skip"],
            loss_no_skip=losses["no_skip"],
        ),
        metrics,
        explanation,
        {
            "predictions": draw_predictions,
            "edge_zoom": draw_edge_zoom,
            "architecture": draw_architecture,
            "loss": draw_loss,
        },
    )
