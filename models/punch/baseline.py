"""The rule baseline on a keypoint window: the same rules the video pipeline falls back on
(striking.punches), applied to a 6-frame window, so model and rules are scored on equal terms."""

from __future__ import annotations

import warnings

import numpy as np

from models.punch import CLASSES, STEP_S, WINDOW
from models.punch.features import mirror
from striking.punches import Thresholds, _arm_shape, speed
from striking.track import Track

SIZE = 100.0  # pixels per athlete size in the rebuilt track


def _as_track(window: np.ndarray) -> np.ndarray:
    """The window as a small track in a fixed frame (shoulders at the origin, one athlete size =
    `SIZE` px with the pipeline's own size measure, `Track.scale`, facing image-left), so the clip
    thresholds apply unchanged."""
    xy = np.asarray(window, np.float64).reshape(WINDOW, 17, 2).copy()
    xy[(xy == 0).all(axis=-1)] = np.nan
    centre = np.nanmean(xy[:, [5, 6]].reshape(-1, 2), axis=0)
    if not np.isfinite(centre).all():
        centre = np.nanmean(xy.reshape(-1, 2), axis=0)
    xy = xy - np.nan_to_num(centre)
    scale = Track(np.arange(WINDOW) * STEP_S, xy, np.ones((WINDOW, 17))).scale
    xy = xy / (scale if np.isfinite(scale) and scale > 1e-3 else 1.0)
    facing = np.nanmedian(xy[:, 0, 0] - (xy[:, 5, 0] + xy[:, 6, 0]) / 2)
    return (mirror(xy) if np.isfinite(facing) and facing > 0 else xy) * SIZE


def rule_label(window: np.ndarray, th: Thresholds | None = None) -> int:
    """Class index (none/straight/hook/uppercut) for one (6, 17, 2) window."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # unseen points are NaN by design
        return _rule_label(_as_track(window).astype(np.float32), th or Thresholds())


def _rule_label(xy: np.ndarray, th: Thresholds) -> int:
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
