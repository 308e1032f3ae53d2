"""The taxonomy of generative models as Stanford CS231n (2025) draws it, with the ELBO and continuous-flow
views as notes, and a labelled table of what each family offers."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.context import RunContext
from engine.plots import new_figure
from engine.result import ConceptOutput

# (key, parent, x, y, text, colour): positions in axes fractions, top to bottom
NODES = [
    ("root", None, 0.50, 0.92, "Generative models\nlearn p(x) from samples, then sample new x", "#dddddd"),
    ("explicit", "root", 0.27, 0.68, "Explicit density\nthe model computes p(x)", "#cfe2f3"),
    ("implicit", "root", 0.73, 0.68, "Implicit density\ncan sample from p(x),\ncannot get p(x)", "#f4cccc"),
    ("tractable", "explicit", 0.14, 0.42, "Tractable density\nreally compute p(x)", "#cfe2f3"),
    ("approximate", "explicit", 0.40, 0.42, "Approximate density\napproximate p(x)", "#cfe2f3"),
    ("direct", "implicit", 0.60, 0.42, "Direct\none network pass\nfrom noise to x", "#f4cccc"),
    ("indirect", "implicit", 0.86, 0.42, "Indirect\nan iterative process\nfrom noise to x", "#f4cccc"),
    (
        "ar",
        "tractable",
        0.14,
        0.15,
        "Autoregressive\np(x) = Π p(x_i | x_<i)\nPixelCNN, GPT",
        "#ffffff",
    ),
    ("vae", "approximate", 0.40, 0.15, "Variational\nautoencoder (VAE)\nmaximise the ELBO", "#ffffff"),
    (
        "gan",
        "direct",
        0.60,
        0.15,
        "Generative adversarial\nnetwork (GAN)\ngenerator vs discriminator",
        "#ffffff",
    ),
    (
        "diffusion",
        "indirect",
        0.86,
        0.15,
        "Diffusion models\nincl. rectified flow /\nflow matching",
        "#fff2cc",
    ),
]

NOTES = (
    "Other views (notes, not the course's branches):\n"
    "• ELBO view: diffusion is a deep VAE with a fixed noising encoder; its loss is a weighted ELBO,\n"
    "   so it also fits under explicit / approximate.\n"
    "• Continuous-flow view: rectified flow learns an ODE dx/dt = v_θ(x, t); as a continuous\n"
    "   normalizing flow its exact log p(x) is computable through the ODE (costly).\n"
    "• Normalizing flows (RealNVP, Glow) sit beside autoregressive models: tractable, by change of variables."
)

FAMILIES = ["autoregressive", "normalizing_flow", "vae", "gan", "diffusion", "rectified_flow"]
PROPERTIES = ["explicit_p", "exact_loglik", "one_pass_sample", "latent_z"]
PROPERTY_HEADERS = ["p(x) in the tree", "log-likelihood", "sampling", "latent code z"]
# The words drawn in the table, and the numbers behind them (1 yes, 0.5 partly, 0 no).
PROPERTY_WORDS = [
    ["explicit", "exact", "one step per dimension", "none"],
    ["explicit", "exact (change of variables)", "one pass", "z, same size as x"],
    ["explicit", "lower bound (ELBO)", "one pass", "z, small"],
    ["implicit", "none", "one pass", "z, small"],
    ["implicit", "bound (ELBO view)", "many denoising steps", "x_t, same size as x"],
    ["implicit", "exact via the ODE (costly)", "many steps; few after reflow", "x0, same size as x"],
]
PROPERTY_TABLE = np.array(
    [
        [1, 1, 0, 0],
        [1, 1, 1, 1],
        [1, 0.5, 1, 1],
        [0, 0, 1, 1],
        [0, 0.5, 0, 1],
        [0, 1, 0, 1],
    ]
)

TREE = """\
  Generative models
  ├── Explicit density: the model computes p(x)
  │   ├── Tractable density: really compute p(x)
  │   │   └── Autoregressive: p(x) = Π p(x_i | x_<i)        (PixelRNN/CNN, GPT)
  │   └── Approximate density: approximate p(x)
  │       └── Variational autoencoder: maximise the ELBO   (VAE)
  └── Implicit density: can sample from p(x), cannot get p(x)
      ├── Direct: one network pass, noise to sample       (GAN)
      └── Indirect: an iterative process                  (diffusion, rectified flow)"""


def _tree(ax) -> None:
    ax.set_axis_off()
    ax.set(xlim=(0, 1), ylim=(0.0, 1.0))
    where = {key: (x, y) for key, _, x, y, _, _ in NODES}
    for key, parent, x, y, text, colour in NODES:
        if parent is not None:
            px, py = where[parent]
            ax.annotate(
                "",
                xy=(x, y + 0.07),
                xytext=(px, py - 0.06),
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
    ax.set_title("Taxonomy of generative models (CS231n 2025)", fontsize=14, weight="bold")


def _table(ax) -> None:
    ax.set_axis_off()
    colours = {1.0: "#d9ead3", 0.5: "#fff2cc", 0.0: "#f4cccc"}
    cell_colours = [[colours[float(v)] for v in row] for row in PROPERTY_TABLE]
    table = ax.table(
        cellText=PROPERTY_WORDS,
        rowLabels=[name.replace("_", " ") for name in FAMILIES],
        colLabels=PROPERTY_HEADERS,
        cellColours=cell_colours,
        loc="upper center",
        cellLoc="center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 1.5)
    for (row, _), cell in table.get_celld().items():
        if row == 0:
            cell.set_text_props(weight="bold")
    ax.set_title("What each family offers (green yes, yellow partly, red no)", fontsize=11)
    ax.text(0.0, 0.0, NOTES, fontsize=9, va="bottom", ha="left", transform=ax.transAxes, color="#7f4f00")


def taxonomy(p: dict, ctx: RunContext) -> ConceptOutput:
    def draw_taxonomy() -> Figure:
        fig = new_figure(15, 11)
        ax_tree, ax_table = fig.subplots(2, 1, height_ratios=[1.25, 1])
        _tree(ax_tree)
        _table(ax_table)
        return fig

    explanation = f"""
A generative model learns a distribution p(x) from samples so it can draw new ones. Stanford's CS231n
(2025) splits them first by the density: explicit models compute p(x), exactly (tractable) or through
an approximation (approximate); implicit models can sample from p(x) but cannot give it, either in one
network pass (direct) or through an iterative process (indirect).

{TREE}

Autoregressive models factor p(x) = Π p(x_i | x_<i) and sample one dimension at a time. VAEs maximise
an evidence lower bound, log p(x) ≥ ELBO. GANs train a generator against a discriminator and never
write p(x) down. Diffusion models, and rectified flow (flow matching), carry noise to data over many
small steps.

Two other views, both correct: in the ELBO view, diffusion is a deep VAE whose encoder adds noise, and
its loss is a weighted ELBO, so it sits under explicit / approximate (as in Goodfellow's 2016
taxonomy). In the continuous-flow view, rectified flow learns the velocity of an ODE, x_t = (1-t)·x0 +
t·x1 with target x1 - x0; as a continuous normalizing flow its exact likelihood is computable through
that ODE, at a cost. Normalizing flows (RealNVP, Glow) are tractable by the change of variables,
log p(x) = log p(z) - log|det ∂f/∂z|.
"""
    return ConceptOutput(
        {"properties": PROPERTY_TABLE},
        {"families": float(len(FAMILIES))},
        explanation,
        {"taxonomy": draw_taxonomy},
        labels={"properties": (FAMILIES, PROPERTIES)},
    )
