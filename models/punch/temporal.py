"""A small temporal model over the keypoint sequence itself (issue 17's comparison with the feature MLP):
one 1D convolution along the 6 frames (kernel 3, 16 filters) over the normalised upper-body keypoints
(the same centring, scaling and mirroring as `features.normalise`), ReLU, mean and max over time, then a
linear layer. Numpy with Adam, like `mlp.py`; no export (it is compared in the bench, not served)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.punch.features import normalise
from models.punch.mlp import class_weights, softmax

POINTS = 13  # nose .. hips: what a boxing clip reliably shows
K = 3


def sequences(windows: np.ndarray) -> np.ndarray:
    """(n, 6, 17, 2) pixels → (n, 6, 26) normalised upper-body coordinates (0 where unseen)."""
    out = [np.nan_to_num(normalise(w)[0][:, :POINTS].reshape(len(w), -1)) for w in windows]
    return np.asarray(out, np.float32)


@dataclass
class CNN:
    w1: np.ndarray  # (K*C, F)
    b1: np.ndarray
    w2: np.ndarray  # (2F, classes)
    b2: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    @staticmethod
    def _patches(z: np.ndarray) -> np.ndarray:
        t = z.shape[1] - K + 1
        return np.concatenate([z[:, i : i + t] for i in range(K)], axis=2)  # (n, t, K*C)

    def _forward(self, x: np.ndarray):
        p = self._patches((x - self.mean) / self.std)
        pre = p @ self.w1 + self.b1
        h = np.maximum(pre, 0)
        pooled = np.concatenate([h.mean(1), h.max(1)], axis=1)
        return p, pre, h, pooled, pooled @ self.w2 + self.b2

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(self._forward(x)[-1])


def train_cnn(x: np.ndarray, y: np.ndarray, n_classes: int = 4, *, filters: int = 16, epochs: int = 60,
              lr: float = 3e-3, l2: float = 1e-3, batch: int = 64, seed: int = 0) -> CNN:  # fmt: skip
    rng = np.random.default_rng(seed)
    c = x.shape[2]
    m = CNN(rng.normal(0, np.sqrt(2 / (K * c)), (K * c, filters)).astype(np.float32), np.zeros(filters, np.float32),
            rng.normal(0, np.sqrt(1 / (2 * filters)), (2 * filters, n_classes)).astype(np.float32),
            np.zeros(n_classes, np.float32), x.mean((0, 1)), x.std((0, 1)) + 1e-3)  # fmt: skip
    cw = class_weights(y, n_classes)
    params = {"w1": m.w1, "b1": m.b1, "w2": m.w2, "b2": m.b2}
    mom = {k: np.zeros_like(v) for k, v in params.items()}
    vel = {k: np.zeros_like(v) for k, v in params.items()}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for s in range(0, len(y), batch):
            idx = order[s : s + batch]
            p, pre, h, pooled, logits = m._forward(x[idx])
            prob = softmax(logits)
            sw = cw[y[idx]][:, None] / cw[y[idx]].sum()
            dlog = (prob - np.eye(n_classes)[y[idx]]) * sw
            f = h.shape[2]
            dpool = dlog @ m.w2.T
            t = h.shape[1]
            dh = np.repeat(dpool[:, None, :f] / t, t, axis=1)
            arg = h.argmax(1)
            dh[np.arange(len(idx))[:, None], arg, np.arange(f)[None, :]] += dpool[:, f:]
            dpre = dh * (pre > 0)
            dw1 = p.reshape(-1, p.shape[2]).T @ dpre.reshape(-1, f)
            grads = {"w2": pooled.T @ dlog + l2 * m.w2, "b2": dlog.sum(0), "w1": dw1 + l2 * m.w1,
                     "b1": dpre.sum((0, 1))}  # fmt: skip
            step += 1
            for k, g in grads.items():
                mom[k] = 0.9 * mom[k] + 0.1 * g
                vel[k] = 0.999 * vel[k] + 0.001 * g * g
                params[k] -= (lr * (mom[k] / (1 - 0.9**step)) / (np.sqrt(vel[k] / (1 - 0.999**step)) + 1e-8)).astype(
                    np.float32)  # fmt: skip
    return m
