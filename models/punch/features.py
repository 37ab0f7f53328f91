"""Window features shared by training and inference (one function, so they can never drift apart).

A window is 6 frames of COCO-17 (x, y) pixels with 0/NaN for unseen points. Features are made
invariant to where the boxer stands and how big they are (centred on the first frame's shoulder
midpoint, divided by the window's body size) and mirrored so the boxer always faces image-left,
which lets one model serve both stances and both camera sides.
"""

from __future__ import annotations

import numpy as np

from models.punch import WINDOW

UPPER = np.arange(13)  # nose .. hips: legs say little about punch type and are often cropped
LEFT_RIGHT = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
ARMS = ((5, 7, 9), (6, 8, 10))


def _size(xy: np.ndarray) -> float:
    sw = np.linalg.norm(xy[:, 5] - xy[:, 6], axis=1)
    torso = np.linalg.norm((xy[:, 5] + xy[:, 6]) / 2 - (xy[:, 11] + xy[:, 12]) / 2, axis=1) * 0.45
    s = np.fmax(sw, torso)
    s = s[np.isfinite(s) & (s > 1e-3)]
    return float(np.median(s)) if s.size else 1.0


def mirror(xy: np.ndarray) -> np.ndarray:
    """Flip x and swap left/right points (a southpaw looks like a mirrored orthodox)."""
    out = xy[:, LEFT_RIGHT].copy()
    out[..., 0] = -out[..., 0]
    return out


def normalise(window: np.ndarray) -> np.ndarray:
    """(6, 17, 2) → centred, size-normalised, facing image-left, NaN where unseen."""
    xy = np.asarray(window, np.float64).reshape(WINDOW, 17, 2).copy()
    xy[(xy == 0).all(axis=-1)] = np.nan
    centre = np.nanmean(xy[:, [5, 6]].reshape(-1, 2), axis=0)
    if not np.isfinite(centre).all():
        centre = np.nanmean(xy.reshape(-1, 2), axis=0)
    xy = (xy - np.nan_to_num(centre)) / _size(xy)
    facing = np.nanmedian(xy[:, 0, 0] - (xy[:, 5, 0] + xy[:, 6, 0]) / 2)
    if np.isfinite(facing) and facing > 0:
        xy = mirror(xy)
    return xy


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    u, v = a - b, c - b
    cos = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1, 1))) / 180.0


def window_features(window: np.ndarray) -> np.ndarray:
    """One feature vector (float32) per window."""
    xy = normalise(window)
    seen = np.isfinite(xy[..., 0])
    pos = np.nan_to_num(xy[:, UPPER]).reshape(-1)
    vel = np.nan_to_num(np.diff(xy[:, UPPER], axis=0)).reshape(-1)
    arm = []
    for s, e, w in ARMS:
        ang = np.nan_to_num(_angle(xy[:, s], xy[:, e], xy[:, w]), nan=0.5)
        ext = np.nan_to_num(np.linalg.norm(xy[:, w] - xy[:, s], axis=-1))
        spd = np.nan_to_num(np.linalg.norm(np.diff(xy[:, w], axis=0), axis=-1))
        rise = np.nan_to_num(xy[0, w, 1] - xy[:, w, 1])
        arm += [ang, ext, spd, rise, [ext.max() - ext[0], spd.max(), ang.max(), rise.max()]]
    mask = seen[:, UPPER].astype(np.float64).reshape(-1)
    return np.concatenate([pos, vel, *map(np.ravel, arm), mask]).astype(np.float32)


def features(windows: np.ndarray) -> np.ndarray:
    return np.stack([window_features(w) for w in windows]) if len(windows) else np.zeros((0, 0), np.float32)
