"""FSRS-6 trained on many cards at once: the `fsrs` package's optimizer, batched.

py-fsrs's `Optimizer` replays one card and one review at a time through torch scalars; on this
project's 2-core machine that is about 13 ms a review, 20 minutes for 100k reviews. This module runs
the same model over a batch of cards as tensors (one row per card, one column per review) and
trains it with the same objective and recipe as py-fsrs: binary cross-entropy of the predicted recall
on every review a study day or more after the previous one, a card's first 64 reviews, Adam at
learning rate 4e-2 with cosine annealing over 5 epochs, parameters clamped to py-fsrs's bounds after
each step, and the epoch with the lowest loss on the whole training set kept. Only the mini-batch
differs: whole cards of similar length, up to 4096 scored reviews, per step instead of 512
reviews, which is what makes it fast. `test_fsrs_training.py` checks its predictions and loss
against py-fsrs's own on the same reviews. torch is imported inside the functions: the core layer stays
importable without it, and only `flashapp optimize` (and the TUI's fit) ever loads it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

if TYPE_CHECKING:
    import torch

__all__ = ["CardSequences", "batch_loss", "predict", "sequences", "train"]

MAX_SEQUENCE = 64  # py-fsrs trains on each card's first 64 reviews
EPOCHS = 5
LEARNING_RATE = 4e-2
# Scored reviews per Adam step: py-fsrs's 512 at least, more for big logs (per-step overhead is what
# costs), but never so many that an epoch has fewer than STEPS_PER_EPOCH steps.
MIN_BATCH_TERMS, MAX_BATCH_TERMS, STEPS_PER_EPOCH = 512, 4096, 32
STABILITY_MIN = LOWER_BOUNDS_PARAMETERS[0]


@dataclass(frozen=True)
class CardSequences:
    """Padded review sequences, one row per card. `ratings` (N, T) 1-4, 0 past a card's end;
    `elapsed` (N, T) whole study days since the card's previous review (0 in column 0)."""

    ratings: torch.Tensor
    elapsed: torch.Tensor

    def __len__(self) -> int:
        return self.ratings.shape[0]


def sequences(cards: Sequence[Sequence[tuple[int, int]]], limit: int | None = MAX_SEQUENCE) -> CardSequences:
    """Each card's reviews as (rating 1-4, study days since its previous review), in time order; the
    first `limit` of each (None: all)."""
    import torch

    width = max((min(len(c), limit or len(c)) for c in cards), default=1)
    ratings = torch.zeros((len(cards), width), dtype=torch.long)
    elapsed = torch.zeros((len(cards), width), dtype=torch.float64)
    for row, card in enumerate(cards):
        card = card[:limit]
        ratings[row, : len(card)] = torch.tensor([r for r, _ in card], dtype=torch.long)
        elapsed[row, : len(card)] = torch.tensor([float(e) for _, e in card], dtype=torch.float64)
    return CardSequences(ratings, elapsed)


def forward(w: torch.Tensor, seqs: CardSequences) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted recall (N, T) before each review, and the mask (N, T) of the reviews that are scored."""
    import torch

    ratings, elapsed = seqs.ratings, seqs.elapsed
    n, width = ratings.shape
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    first = ratings[:, 0]
    stability = w[first.clamp(min=1) - 1].clamp(min=STABILITY_MIN)  # (N,)
    difficulty = (w[4] - torch.exp(w[5] * (first - 1)) + 1).clamp(1.0, 10.0)  # (N,)
    easy_difficulty = w[4] - torch.exp(w[5] * 3) + 1  # mean-reversion target, unclamped
    predicted = [torch.zeros(n, dtype=torch.float64)]
    for t in range(1, width):
        rating, days = ratings[:, t], elapsed[:, t]
        grade = rating.to(torch.float64)
        recall = (1 + factor * days / stability) ** decay  # (N,)
        predicted.append(recall)
        short_term = stability * torch.where(
            rating >= 2,
            (torch.exp(w[17] * (grade - 3 + w[18])) * stability ** -w[19]).clamp(min=1.0),
            torch.exp(w[17] * (grade - 3 + w[18])) * stability ** -w[19],
        )
        forget = torch.minimum(
            w[11] * difficulty ** -w[12] * ((stability + 1) ** w[13] - 1) * torch.exp((1 - recall) * w[14]),
            stability / torch.exp(w[17] * w[18]),
        )
        bonus = torch.where(rating == 2, w[15], torch.where(rating == 4, w[16], torch.ones_like(w[15])))
        remembered = stability * (
            1
            + torch.exp(w[8])
            * (11 - difficulty)
            * stability ** -w[9]
            * (torch.exp((1 - recall) * w[10]) - 1)
            * bonus
        )
        long_term = torch.where(rating == 1, forget, remembered)
        new_stability = torch.where(days < 1, short_term, long_term).clamp(min=STABILITY_MIN)
        damped = difficulty + (10 - difficulty) * (-w[6] * (grade - 3)) / 9
        new_difficulty = (w[7] * easy_difficulty + (1 - w[7]) * damped).clamp(1.0, 10.0)
        present = rating > 0
        stability = torch.where(present, new_stability, stability)
        difficulty = torch.where(present, new_difficulty, difficulty)
    scored = (seqs.ratings > 0) & (seqs.elapsed >= 1)
    scored[:, 0] = False
    return torch.stack(predicted, dim=1), scored


def predict(parameters: Sequence[float], seqs: CardSequences) -> tuple[list[list[float]], torch.Tensor]:
    """Predicted recall before each review (rows of floats) and the scored mask, without gradients."""
    import torch

    with torch.no_grad():
        predicted, scored = forward(torch.tensor(tuple(parameters), dtype=torch.float64), seqs)
    return predicted.tolist(), scored


def batch_loss(w: torch.Tensor, seqs: CardSequences) -> tuple[torch.Tensor, int]:
    """Summed binary cross-entropy over the scored reviews (torch's BCELoss, log clamped at -100)."""
    import torch

    predicted, scored = forward(w, seqs)
    p = predicted[scored]
    y = (seqs.ratings[scored] > 1).to(torch.float64)
    terms = -(y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100))
    return terms.sum(), int(scored.sum())


def _batches(seqs: CardSequences, order: list[int]) -> list[CardSequences]:
    """Consecutive cards of `order` grouped until each group holds about a batch of scored reviews."""
    import torch

    counts = ((seqs.ratings > 0) & (seqs.elapsed >= 1))[:, 1:].sum(dim=1).tolist()
    batch_terms = min(max(sum(counts) // STEPS_PER_EPOCH, MIN_BATCH_TERMS), MAX_BATCH_TERMS)
    groups, current, terms = [], [], 0
    for row in order:
        current.append(row)
        terms += counts[row]
        if terms >= batch_terms:
            groups.append(current)
            current, terms = [], 0
    if current:
        groups.append(current)
    out = []
    for group in groups:
        index = torch.tensor(group)
        ratings = seqs.ratings[index]
        width = int((ratings > 0).sum(dim=1).max())  # trim the padding this group does not need
        out.append(CardSequences(ratings[:, :width], seqs.elapsed[index][:, :width]))
    return out


def train(
    seqs: CardSequences, *, seed: int = 42, on_epoch: Callable[[int, float], None] | None = None
) -> tuple[float, ...]:
    """Fitted parameters, starting from the defaults. `on_epoch(epoch, loss)` reports progress."""
    import torch

    # Element-wise work on vectors of a few thousand: one thread is fastest, and on a busy machine
    # torch's worker threads spin against each other (measured: 15x slower with 2 threads).
    torch.set_num_threads(1)
    lower = torch.tensor(LOWER_BOUNDS_PARAMETERS, dtype=torch.float64)
    upper = torch.tensor(UPPER_BOUNDS_PARAMETERS, dtype=torch.float64)
    w = torch.tensor(DEFAULT_PARAMETERS, dtype=torch.float64, requires_grad=True)
    rng = random.Random(seed)
    order = list(range(len(seqs)))
    steps_per_epoch = len(_batches(seqs, order))
    adam = torch.optim.Adam([w], lr=LEARNING_RATE)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(adam, T_max=max(1, steps_per_epoch * EPOCHS))
    best, best_loss = tuple(DEFAULT_PARAMETERS), math.inf
    with torch.no_grad():
        total, count = batch_loss(w, seqs)
        best_loss = float(total) / max(count, 1)
    lengths = (seqs.ratings > 0).sum(dim=1).tolist()
    for epoch in range(EPOCHS):
        # Cards of similar length share a batch (a batch costs as many steps as its longest card);
        # which cards of a length, and the order of the batches, are random.
        rng.shuffle(order)
        order.sort(key=lambda row: lengths[row])
        batches = _batches(seqs, order)
        rng.shuffle(batches)
        for batch in batches:
            loss, count = batch_loss(w, batch)
            if count == 0:
                continue
            adam.zero_grad()
            (loss / count).backward()
            adam.step()
            schedule.step()
            with torch.no_grad():
                w.clamp_(min=lower, max=upper)
        with torch.no_grad():
            total, count = batch_loss(w, seqs)
            epoch_loss = float(total) / max(count, 1)
        if epoch_loss < best_loss:
            best, best_loss = tuple(float(x) for x in w.detach()), epoch_loss
        if on_epoch is not None:
            on_epoch(epoch + 1, epoch_loss)
    return best
