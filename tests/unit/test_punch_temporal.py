"""The 1D CNN over keypoint sequences (models/punch/temporal.py): it learns punch types from the sequence
alone (generated rounds of other seeds held out), and training lowers the loss."""

from __future__ import annotations

import numpy as np

from models.punch.synthetic import synthetic_windows
from models.punch.temporal import CNN, sequences, train_cnn


def test_learns_types_from_sequences_on_unseen_rounds() -> None:
    train, test = synthetic_windows(40, seed=0), synthetic_windows(15, seed=3)
    x, xt = sequences(train.xy), sequences(test.xy)
    assert x.shape == (len(train), 6, 26) and np.isfinite(x).all()
    model = train_cnn(x, train.y, seed=0)
    acc = float(np.mean(model.predict_proba(xt).argmax(1) == test.y))
    chance = float(np.max(np.bincount(test.y)) / len(test.y))
    assert acc > 0.8 > chance, (acc, chance)


def test_training_lowers_the_loss() -> None:
    """Five full-batch steps lower the loss (a sign error in the backward pass would raise it)."""
    w = synthetic_windows(6, seed=1)
    x = sequences(w.xy)

    def loss(m: CNN) -> float:
        p = m.predict_proba(x)
        return float(-np.mean(np.log(p[np.arange(len(w.y)), w.y] + 1e-9)))

    before = train_cnn(x, w.y, epochs=0, seed=4)
    after = train_cnn(x, w.y, epochs=5, batch=len(w.y), lr=1e-2, seed=4)
    assert loss(after) < loss(before)
