"""The taxonomy of generative models, after Goodfellow's NIPS 2016 tutorial, plus diffusion and flow
matching."""

from __future__ import annotations

import numpy as np

from engine.context import RunContext
from engine.plots import new_figure
from engine.result import ConceptOutput

# (key, parent, x, y, text, colour): positions in axes fractions, top to bottom
NODES = [
    ("root", None, 0.50, 0.93, "Generative models\nlearn p(x) from samples, then sample new x", "#dddddd"),
    ("explicit", "root", 0.40, 0.72, "Explicit density\na formula for p(x) or a bound on it", "#cfe2f3"),
    ("implicit", "root", 0.90, 0.72, "Implicit density\nonly a sampler, no p(x)", "#f4cccc"),
    ("tractable", "explicit", 0.22, 0.50, "Tractable density\nexact log p(x)", "#cfe2f3"),
    (
        "approximate",
        "explicit",
        0.615,
        0.50,
        "Approximate density\na lower bound (ELBO) on log p(x)",
        "#cfe2f3",
    ),
    (
        "ar",
        "tractable",
        0.065,
        0.22,
        "Autoregressive\np(x) = Π p(x_i | x_<i)\nPixelCNN, WaveNet, GPT\nslow: one step per dimension",
        "#ffffff",
    ),
    (
        "flows",
        "tractable",
        0.22,
        0.22,
        "Normalizing flows\ninvertible x = f(z):\nlog p(x) = log p(z)\n   - log|det ∂f/∂z|\nRealNVP, Glow",
        "#ffffff",
    ),
    (
        "fm",
        "tractable",
        0.375,
        0.22,
        "Flow matching\n(rectified flow)\nODE dx/dt = v_θ(x, t),\nregress v on x1 - x0;\n"
        "likelihood via the ODE",
        "#fff2cc",
    ),
    (
        "vae",
        "approximate",
        0.535,
        0.22,
        "VAEs\nencoder q(z|x),\ndecoder p(x|z),\nmaximise the ELBO",
        "#ffffff",
    ),
    (
        "diffusion",
        "approximate",
        0.70,
        0.22,
        "Diffusion models\nundo gradual noising;\nELBO / score matching;\nDDPM, many steps",
        "#fff2cc",
    ),
    (
        "gan",
        "implicit",
        0.90,
        0.22,
        "GANs (direct)\ngenerator vs\ndiscriminator; no p(x),\none-pass samples",
        "#ffffff",
    ),
]

FAMILIES = ["autoregressive", "normalizing_flow", "flow_matching", "vae", "diffusion", "gan"]
PROPERTIES = ["explicit_p", "exact_loglik", "one_pass_sample", "latent_z"]
# 1 = yes, 0 = no. Flow matching: exact likelihood through the ODE's change of variables, but costly.
PROPERTY_TABLE = np.array(
    [
        [1, 1, 0, 0],
        [1, 1, 1, 1],
        [1, 1, 0, 1],
        [1, 0, 1, 1],
        [1, 0, 0, 1],
        [0, 0, 1, 1],
    ]
)

TREE = """\
  Generative models
  ├── Explicit density (a formula for p(x), or a bound)
  │   ├── Tractable: exact log-likelihood
  │   │   ├── Autoregressive: p(x) = Π p(x_i | x_<i)      (PixelCNN, WaveNet, GPT)
  │   │   ├── Normalizing flows: change of variables       (RealNVP, Glow)
  │   │   └── Continuous flows / flow matching: ODE dx/dt = v_θ(x, t)
  │   └── Approximate: a lower bound (ELBO)
  │       ├── Variational autoencoders                     (VAE)
  │       └── Diffusion models                             (DDPM; score-based)
  └── Implicit density (a sampler only)
      └── Direct: GANs, generator vs discriminator"""


def taxonomy(p: dict, ctx: RunContext) -> ConceptOutput:
    fig = new_figure(16, 8.5)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set(xlim=(0, 1), ylim=(-0.05, 1.0))
    where = {key: (x, y) for key, _, x, y, _, _ in NODES}
    for key, parent, x, y, text, colour in NODES:
        if parent is not None:
            px, py = where[parent]
            ax.annotate(
                "",
                xy=(x, y + 0.055),
                xytext=(px, py - 0.05),
                arrowprops=dict(arrowstyle="->", color="#555555", lw=1.2),
            )
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9 if parent else 11,
            gid=key,
            bbox=dict(boxstyle="round,pad=0.5", facecolor=colour, edgecolor="#555555"),
        )
    # diffusion and flow matching are close relatives: both move noise to data along a probability path
    ax.annotate(
        "",
        xy=(0.375, 0.10),
        xytext=(0.70, 0.10),
        arrowprops=dict(arrowstyle="<->", color="#b45f06", lw=1.2, ls="--", connectionstyle="arc3,rad=-0.2"),
    )
    ax.text(
        0.5375,
        0.015,
        "close relatives: both carry noise to data along a path;\n"
        "diffusion's probability-flow ODE is such a flow",
        fontsize=9,
        color="#b45f06",
        ha="center",
        va="top",
    )
    ax.text(0.5, 1.0, "Taxonomy of generative models", ha="center", va="top", fontsize=14, weight="bold")
    explanation = f"""
A generative model learns a distribution p(x) from samples so it can draw new ones. The first split
(Goodfellow, NIPS 2016 tutorial) is whether the model defines the density explicitly or only gives a
way to sample (implicit). Explicit models either compute log p(x) exactly (tractable) or optimise a
bound on it (approximate).

{TREE}

Autoregressive models factor p(x) = Π p(x_i | x_<i) and sample one dimension at a time. Normalizing
flows map noise z through an invertible f and get log p(x) = log p(z) - log|det ∂f/∂z|. VAEs and
diffusion models maximise an evidence lower bound, log p(x) ≥ ELBO. GANs train a generator against a
discriminator and never write p(x) down. Flow matching learns the velocity of a continuous flow by
regression, x_t = (1-t)·x0 + t·x1 with target x1 - x0; like diffusion it samples by integrating an
ODE in several steps, and like a flow its likelihood is available through that ODE.
"""
    return ConceptOutput(
        {"properties": PROPERTY_TABLE},
        {"families": float(len(FAMILIES))},
        explanation,
        {"taxonomy": fig},
        labels={"properties": (FAMILIES, PROPERTIES)},
    )
