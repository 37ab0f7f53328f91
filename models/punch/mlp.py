"""A two-layer perceptron trained with Adam in numpy: small enough to train on a CPU in seconds and
to export to ONNX by hand (no torch in the app's environment). A few of them, differing only in
their random start, are averaged (`Ensemble`): on three labelled videos one network's score moves
by a few points with the seed; the average is steadier and a little better.

Imbalance (most windows are 'none') is handled with class weights; pruning keeps a fixed mask
while fine-tuning; quantisation-aware training (QAT) rounds the weights to the int8 grid in the
forward pass with a straight-through gradient, so the int8 export loses less.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MLP:
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    masks: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def init(cls, x: np.ndarray, n_classes: int, hidden: int = 64, seed: int = 0) -> MLP:
        rng = np.random.default_rng(seed)
        d = x.shape[1]
        mean = x.mean(0)
        std = x.std(0) + 1e-3
        return cls(rng.normal(0, np.sqrt(2 / d), (d, hidden)).astype(np.float32), np.zeros(hidden, np.float32),
                   rng.normal(0, np.sqrt(1 / hidden), (hidden, n_classes)).astype(np.float32),
                   np.zeros(n_classes, np.float32), mean.astype(np.float32), std.astype(np.float32))  # fmt: skip

    def params(self) -> dict[str, np.ndarray]:
        return {"w1": self.w1, "b1": self.b1, "w2": self.w2, "b2": self.b2}

    def _weights(self, qat: bool) -> tuple[np.ndarray, np.ndarray]:
        w1, w2 = self.w1, self.w2
        if qat:
            w1, w2 = fake_quant(w1), fake_quant(w2)
        return w1, w2

    def forward(self, x: np.ndarray, qat: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w1, w2 = self._weights(qat)
        z = (x - self.mean) / self.std
        h = np.maximum(z @ w1 + self.b1, 0)
        logits = h @ w2 + self.b2
        return z, h, logits

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(self.forward(x)[2])

    def copy(self) -> MLP:
        return MLP(self.w1.copy(), self.b1.copy(), self.w2.copy(), self.b2.copy(), self.mean.copy(),
                   self.std.copy(), {k: v.copy() for k, v in self.masks.items()})  # fmt: skip


@dataclass
class Ensemble:
    """Members vote by averaging their class probabilities (exported as one ONNX graph)."""

    members: list[MLP]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.mean([m.predict_proba(x) for m in self.members], axis=0)

    def copy(self) -> Ensemble:
        return Ensemble([m.copy() for m in self.members])


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def fake_quant(w: np.ndarray) -> np.ndarray:
    """Round to the symmetric per-tensor int8 grid (what the int8 export will hold)."""
    s = np.abs(w).max() / 127 + 1e-12
    return (np.round(w / s) * s).astype(w.dtype)


def class_weights(y: np.ndarray, n: int, power: float = 0.5) -> np.ndarray:
    """Inverse class frequency to the `power`: 0.5 (the default) did best held-out; full inverse
    frequency (1.0) over-predicts the rare classes on three videos."""
    counts = np.bincount(y, minlength=n).astype(np.float64)
    w = np.where(counts > 0, len(y) / (n * np.maximum(counts, 1)), 0.0)
    return w**power


def train(model: MLP, x: np.ndarray, y: np.ndarray, *, epochs: int = 60, lr: float = 3e-3, l2: float = 1e-3,
          batch: int = 64, seed: int = 0, qat: bool = False, dropout: float = 0.2,
          cw_power: float = 0.5) -> MLP:  # fmt: skip
    """Adam on weighted cross-entropy; masks in `model.masks` stay zero (pruned weights)."""
    rng = np.random.default_rng(seed)
    n_classes = model.w2.shape[1]
    cw = class_weights(y, n_classes, cw_power)
    params = model.params()
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch):
            idx = order[start : start + batch]
            xb, yb = x[idx], y[idx]
            w1, w2 = model._weights(qat)
            z = (xb - model.mean) / model.std
            pre = z @ w1 + model.b1
            h = np.maximum(pre, 0)
            keep = (rng.random(h.shape) >= dropout) / (1 - dropout) if dropout else 1.0
            hd = h * keep
            p = softmax(hd @ w2 + model.b2)
            onehot = np.eye(n_classes)[yb]
            sw = cw[yb][:, None] / cw[yb].sum()
            dlogits = (p - onehot) * sw
            grads = {"w2": hd.T @ dlogits + l2 * model.w2, "b2": dlogits.sum(0)}
            dh = (dlogits @ w2.T) * keep * (pre > 0)
            grads["w1"] = z.T @ dh + l2 * model.w1
            grads["b1"] = dh.sum(0)
            step += 1
            for k, g in grads.items():
                m[k] = 0.9 * m[k] + 0.1 * g
                v[k] = 0.999 * v[k] + 0.001 * g * g
                mh, vh = m[k] / (1 - 0.9**step), v[k] / (1 - 0.999**step)
                params[k] -= (lr * mh / (np.sqrt(vh) + 1e-8)).astype(params[k].dtype)
                if k in model.masks:
                    params[k] *= model.masks[k]
    return model


def prune(model: MLP, sparsity: float) -> MLP:
    """Zero the smallest-magnitude share `sparsity` of each weight matrix and remember the mask."""
    out = model.copy()
    for k in ("w1", "w2"):
        w = getattr(out, k)
        cut = np.quantile(np.abs(w), sparsity)
        mask = (np.abs(w) > cut).astype(w.dtype)
        w *= mask
        out.masks[k] = mask
    return out


def macro_f1(y: np.ndarray, pred: np.ndarray, n: int) -> float:
    """Mean F1 over the classes present in `y` or predicted (sklearn's 'macro' on those labels)."""
    f1s = []
    for c in range(n):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def f1_per_class(y: np.ndarray, pred: np.ndarray, n: int) -> list[float]:
    """F1 of each class (0 where the class is neither present nor predicted)."""
    out = []
    for c in range(n):
        tp = np.sum((pred == c) & (y == c))
        denom = 2 * tp + np.sum((pred == c) & (y != c)) + np.sum((pred != c) & (y == c))
        out.append(float(2 * tp / denom) if denom else 0.0)
    return out
