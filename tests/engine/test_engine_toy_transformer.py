"""The toy transformer: its tasks, and the attention pattern training must produce."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import engine
from engine.concepts.toy_transformer import TASKS, right_inputs, source_positions


def test_tasks_and_their_source_positions_agree():
    x = torch.tensor([[3, 1, 2, 1]])
    assert TASKS["reverse"](x).tolist() == [[1, 2, 1, 3]]
    assert TASKS["copy"](x).tolist() == [[3, 1, 2, 1]]
    assert TASKS["sort"](x).tolist() == [[1, 1, 2, 3]]
    for task in TASKS:
        picked = x.gather(1, source_positions(task, x))
        assert torch.equal(picked, TASKS[task](x)), task
    allowed = right_inputs("sort", x)[0]
    assert allowed[0].tolist() == [0, 1, 0, 1] and allowed[3].tolist() == [1, 0, 0, 0]


def test_reversal_attention_becomes_the_anti_diagonal():
    result = engine.run("transformer.toy_task", {"task": "reverse", "steps": 100}, device="cpu", seed=0)
    n = result.params["length"]
    weights = result.arrays["attention"]  # (n, n): the read-out heads' mean on the drawn example
    assert weights.shape == (n, n)
    assert (weights.argmax(axis=1) == np.arange(n)[::-1]).all()
    assert np.mean(weights[np.arange(n), np.arange(n)[::-1]]) > 0.5
    first = result.arrays["attention_snapshots"][0].mean(axis=0)  # before training: near uniform
    assert first.max() < 0.5
    assert result.metrics["token_accuracy"] > 0.95
    assert result.metrics["attention_on_source"] > 0.5


def test_copying_attention_is_the_diagonal():
    result = engine.run("transformer.toy_task", {"task": "copy", "steps": 120, "length": 6}, device="cpu")
    weights = result.arrays["attention"]
    assert (weights.argmax(axis=1) == np.arange(6)).all()


@pytest.mark.parametrize("params", [{"steps": 1}, {"steps": 2, "layers": 2, "task": "sort", "heads": 4}])
def test_tiny_runs_draw_their_figures(params):
    result = engine.run("transformer.toy_task", params, device="cpu")
    assert set(result.figures) == {"attention", "training"}
    assert result.arrays["attention_snapshots"].shape[0] == 2
