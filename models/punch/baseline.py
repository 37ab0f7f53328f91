"""The rule baseline on a keypoint window: the same rules the video pipeline falls back on
(striking.punches), applied to a 6-frame window, so model and rules are scored on equal terms."""

from __future__ import annotations

import numpy as np

from models.punch import CLASSES, STEP_S, WINDOW
from models.punch.features import normalise
from striking.punches import Thresholds, _arm_shape, speed
from striking.track import Track

SIZE = 100.0  # pixels per athlete size in the rebuilt track


def rule_label(window: np.ndarray, th: Thresholds | None = None) -> int:
    """Class index (none/straight/hook/uppercut) for one (6, 17, 2) window."""
    th = th or Thresholds()
    xy = (normalise(window) * SIZE).astype(np.float32)
    t = np.arange(WINDOW) * STEP_S
    track = Track(t, xy, np.isfinite(xy[..., 0]).astype(np.float32))
    best: tuple[float, str, int] | None = None
    for hand, (s, w) in {"left": (5, 9), "right": (6, 10)}.items():
        rel = (xy[:, w] - xy[:, s]) / SIZE
        if not np.isfinite(rel).all(axis=1).sum() >= 3:
            continue
        disp = np.linalg.norm(rel - rel[np.isfinite(rel).all(axis=1)][0], axis=1)
        sp = speed(xy[:, w], t) / SIZE
        if not np.isfinite(disp).any():
            continue
        peak = int(np.nanargmax(disp))
        if (
            disp[peak] >= th.min_reach * 0.7
            and np.nanmax(sp) >= th.min_speed
            and (best is None or disp[peak] > best[0])
        ):
            best = (float(disp[peak]), hand, peak)
    if best is None:
        return 0
    shape, _angle, _conf = _arm_shape(track, best[1], 0, best[2], SIZE, th)  # type: ignore[arg-type]
    return CLASSES.index(shape)


def rule_labels(windows: np.ndarray) -> np.ndarray:
    return np.array([rule_label(w) for w in windows], int)
