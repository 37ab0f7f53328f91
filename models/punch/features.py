"""Window features shared by training and inference (one function, so they can never drift apart).

A window is 6 frames of COCO-17 (x, y) pixels with 0/NaN for unseen points. Broadcast keypoints
miss a wrist in about half the windows, so gaps are first filled along time. The window is then
made independent of where the boxer stands, how big they are and which way they face:
- centred on each frame's shoulder midpoint (arm motion relative to the body, not footwork);
- scaled by torso length (shoulder to hip midpoint), which, unlike shoulder width, does not
  shrink when the boxer turns side-on;
- mirrored so the boxer faces image-left (nose ahead of the ears/shoulders), so "forward" is -x.
Features are then a few physical measures per arm (extension, speed, elbow angle, where the fist
and elbow are at the arm's furthest point, how far it travelled forward and up), with the more
active arm first: the punching hand gets the same slot whatever the stance or camera side, which
the three labelled videos are far too few to learn by themselves.
"""

from __future__ import annotations

import warnings

import numpy as np

from models.punch import WINDOW

LEFT_RIGHT = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
ARMS = ((5, 7, 9), (6, 8, 10))  # shoulder, elbow, wrist
ARM_NAMES = (
    "ext_range", "ext_gain", "speed_max", "speed_mean", "angle_at_reach", "angle_max", "angle_range",
    "fist_x", "fist_y", "elbow_x", "elbow_y", "elbow_below_fist", "forward_travel", "down_travel",
    "fist_x_min", "fist_y_min", "fist_y_range", "fist_x_range", "upper_arm", "ext_at_reach",
    "fist_seen", "elbow_seen",
)  # fmt: skip
BODY_NAMES = ("active_is_front", "shoulder_width_range", "shoulder_width_change", "body_travel", "body_dx",
              "body_dy", "nose_x", "nose_y", "seen")  # fmt: skip
NAMES = tuple(f"active_{n}" for n in ARM_NAMES) + tuple(f"other_{n}" for n in ARM_NAMES) + BODY_NAMES


def fill_gaps(window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(6, 17, 2) with 0 = unseen → (points with gaps interpolated along time, seen mask)."""
    xy = np.asarray(window, np.float64).reshape(WINDOW, 17, 2).copy()
    seen = np.isfinite(xy).all(-1) & ~(xy == 0).all(-1)
    xy[~seen] = np.nan
    idx = np.arange(WINDOW)
    for j in range(17):
        ok = seen[:, j]
        if ok.any() and not ok.all():
            for d in range(2):
                xy[~ok, j, d] = np.interp(idx[~ok], idx[ok], xy[ok, j, d])
    return xy, seen


def _median_len(v: np.ndarray) -> float:
    n = np.linalg.norm(v, axis=-1)
    n = n[np.isfinite(n) & (n > 1e-3)]
    return float(np.median(n)) if n.size else float("nan")


def body_size(xy: np.ndarray) -> float:
    """Torso length in pixels (or 1.8 shoulder widths when that is larger: a boxer bent over)."""
    torso = _median_len((xy[:, 5] + xy[:, 6]) / 2 - (xy[:, 11] + xy[:, 12]) / 2)
    shoulders = _median_len(xy[:, 5] - xy[:, 6]) * 1.8
    sizes = [s for s in (torso, shoulders) if np.isfinite(s)]
    if sizes:
        return max(sizes)
    pts = xy[np.isfinite(xy[..., 1])]
    return float(np.ptp(pts[:, 1]) / 2) if len(pts) > 1 and np.ptp(pts[:, 1]) > 2 else 1.0


def facing(xy: np.ndarray) -> float:
    """+1 when the boxer faces image-right, -1 when image-left: the nose (or eyes) ahead of the ears,
    else of the shoulder midpoint; -1 when the picture cannot tell."""
    nose, eyes = xy[:, 0], np.nanmean(xy[:, [1, 2]], axis=1)
    ears, shoulders = np.nanmean(xy[:, [3, 4]], axis=1), np.nanmean(xy[:, [5, 6]], axis=1)
    for a, b in ((nose, ears), (eyes, ears), (nose, shoulders), (eyes, shoulders)):
        dx = a[:, 0] - b[:, 0]
        if np.isfinite(dx).any():
            m = float(np.nanmedian(dx))
            if m != 0:
                return float(np.sign(m))
    return -1.0


def mirror(xy: np.ndarray) -> np.ndarray:
    """Flip x and swap left/right points (a southpaw looks like a mirrored orthodox)."""
    out = xy[:, LEFT_RIGHT].copy()
    out[..., 0] = -out[..., 0]
    return out


def normalise(window: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points relative to each frame's shoulder midpoint in torso lengths, facing image-left;
    seen mask; body midpoint travel from the first frame)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # means of all-unseen points are NaN by design
        xy, seen = fill_gaps(window)
        size = body_size(xy)
        centre = np.nanmean(xy[:, [5, 6]], axis=1)
        fallback = np.nanmean(centre, axis=0)
        if not np.isfinite(fallback).all():
            fallback = np.nan_to_num(np.nanmean(xy.reshape(-1, 2), axis=0))
        centre[~np.isfinite(centre).all(-1)] = fallback
        rel = (xy - centre[:, None]) / size
        drift = (centre - centre[0]) / size
        if facing(xy) > 0:
            rel, seen = mirror(rel), seen[:, LEFT_RIGHT]
            drift = drift * np.array([-1.0, 1.0])
    return rel, seen, drift


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle at b in half-turns (1 = straight arm)."""
    u, v = a - b, c - b
    cos = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1) + 1e-9)
    return np.arccos(np.clip(cos, -1, 1)) / np.pi


def arm_features(rel: np.ndarray, seen: np.ndarray, arm: tuple[int, int, int]) -> tuple[np.ndarray, float]:
    """(features of one arm, how active it was: extension range + peak speed)."""
    s, e, w = arm
    fist, elbow = rel[:, w] - rel[:, s], rel[:, e] - rel[:, s]
    ok = np.isfinite(fist).all(-1)
    if not ok.any():
        return np.zeros(len(ARM_NAMES)), 0.0
    fist = np.where(ok[:, None], fist, fist[ok].mean(0))
    elbow = np.nan_to_num(elbow)
    ext = np.linalg.norm(fist, axis=-1)
    speed = np.linalg.norm(np.diff(fist, axis=0), axis=-1)
    angle = np.nan_to_num(_angle(rel[:, s], rel[:, e], rel[:, w]), nan=0.5)
    k = int(np.argmax(-fist[:, 0] + 0.5 * ext))  # the arm's furthest point: out and forward
    f = [ext.max() - ext.min(), ext.max() - ext[0], speed.max(), speed.mean(), angle[k], angle.max(),
         angle.max() - angle.min(), fist[k, 0], fist[k, 1], elbow[k, 0], elbow[k, 1], elbow[k, 1] - fist[k, 1],
         fist[k, 0] - fist[0, 0], fist[k, 1] - fist[0, 1], fist[:, 0].min(), fist[:, 1].min(), np.ptp(fist[:, 1]),
         np.ptp(fist[:, 0]), np.linalg.norm(elbow[k]), ext[k], seen[:, w].mean(), seen[:, e].mean()]  # fmt: skip
    return np.asarray(f), float(ext.max() - ext.min() + speed.max())


def window_features(window: np.ndarray) -> np.ndarray:
    """One feature vector (float32, named by `NAMES`) per window."""
    rel, seen, drift = normalise(window)
    (fa, act_a), (fb, act_b) = (arm_features(rel, seen, a) for a in ARMS)
    xa, xb = (float(np.nanmean(rel[:, s, 0])) if np.isfinite(rel[:, s, 0]).any() else 0.0 for s in (5, 6))
    a_front = xa < xb  # facing image-left, the front shoulder is the one further left
    if act_b > act_a:
        fa, fb, a_front = fb, fa, not a_front
    width = np.nan_to_num(np.linalg.norm(rel[:, 5] - rel[:, 6], axis=-1))
    nose = np.nan_to_num(rel[:, 0])
    body = [float(a_front), np.ptp(width), width[-1] - width[0], np.abs(np.diff(drift, axis=0)).sum(),
            drift[-1, 0], drift[-1, 1], nose[:, 0].mean(), nose[:, 1].mean(), seen[:, :13].mean()]  # fmt: skip
    return np.nan_to_num(np.concatenate([fa, fb, body])).astype(np.float32)


def features(windows: np.ndarray) -> np.ndarray:
    if not len(windows):
        return np.zeros((0, len(NAMES)), np.float32)
    return np.stack([window_features(w) for w in windows])
