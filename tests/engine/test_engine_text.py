"""Explanations wrap at word boundaries and keep inline formulas whole, at 80 and 100 columns."""

from __future__ import annotations

import pytest

from engine.text import protect_formulas, wrap_explanation, wrap_paragraph

PROSE = (
    "Sampling integrates dx/dt = v_θ(x, t) from fresh noise at t = 0 to t = 1 with N Euler steps, "
    "x ← x + v_θ(x, t)/N. Training regresses on x_t = (1 - t)·x0 + t·x1 with target x1 - x0, and "
    "softmax(QKᵀ/√d_k) V mixes the values (C_in 2, C_out 3), which is a long sentence of plain words "
    "that must still wrap somewhere sensible at every width we try."
)
FORMULAS = [
    "dx/dt = v_θ(x, t)",
    "t = 0",
    "t = 1",
    "x ← x + v_θ(x, t)/N.",
    "x_t = (1 - t)·x0 + t·x1",
    "x1 - x0",
    "(C_in 2, C_out 3)",
]


@pytest.mark.parametrize("columns", [80, 100])
def test_formulas_stay_whole_and_lines_fit(columns):
    width = columns - 4  # the demo screen's padding
    for start in range(0, 40, 3):  # shift the text so that breaks fall everywhere
        lines = wrap_paragraph("word " * start + PROSE, width)
        assert all(len(line) <= width for line in lines)
        joined = "\n".join(lines)
        for formula in FORMULAS:
            assert formula in joined, (formula, lines)
        assert " ".join(" ".join(lines).split()) == " ".join(("word " * start + PROSE).split())


def test_long_parentheses_are_prose_and_may_wrap():
    text = "(" + "many words inside a long aside " * 3 + ")"
    assert "\u00a0" not in protect_formulas(text)
    assert len(wrap_paragraph(text, 40)) > 1


def test_indented_paragraphs_keep_their_lines():
    text = "Some prose here.\n\n  H_out = (H_in - 1)·stride\n        = 9\n\nMore prose."
    assert "  H_out = (H_in - 1)·stride\n        = 9" in wrap_explanation(text, 20)


def test_set_operators_glue_a_formula_as_the_other_operators_do():
    text = (
        "Thresholding gets 0.360: the noise makes context necessary. "
        "IoU = |prediction ∩ truth| / |prediction ∪ truth|."
    )
    for width in range(30, 60):
        assert any(
            "|prediction ∩ truth| / |prediction ∪ truth|" in line for line in wrap_paragraph(text, width)
        )


def test_a_tree_line_too_long_wraps_under_its_own_branch():
    tree = (
        "  Generative models\n"
        "  ├── Explicit density: the model computes p(x)\n"
        "  │   └── Autoregressive: p(x) = Π p(x_i | x_<i)        (PixelRNN/CNN, GPT)\n"
        "  └── Implicit density"
    )
    text = "Prose first.\n\n" + tree
    lines = wrap_explanation(text, 42).split("\n")[2:]
    assert all(len(line) <= 42 for line in lines)
    assert lines == [
        "  Generative models",
        "  ├── Explicit density: the model computes",
        "  │   p(x)",
        "  │   └── Autoregressive:",
        "  │       p(x) = Π p(x_i | x_<i)",  # the formula whole, under its branch
        "  │       (PixelRNN/CNN, GPT)",
        "  └── Implicit density",
    ]
    assert wrap_explanation(text, 100) == text  # lines that fit are kept as they are
