"""When no plate can be seen (an empty bar, a front view), the lifter's hands carry the bar.

The pose backend (models.pose) gives wrists per frame; the lifter is the person whose wrists move
the most up and down, and the bar is at the mean of the wrists that are visible. Without a plate
there is no ruler in the picture, so the scale comes from a stated range of motion or, failing
that, from the lifter's own torso (shoulder to hip is about 0.29 of standing height; the height is
the profile's or an average adult's): good enough to count reps and compare them, with the
larger uncertainty said out loud.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from vision.io import Frame

TORSO_PER_HEIGHT = 0.29  # shoulder-to-hip length as a share of standing height (adult anthropometry)
DEFAULT_HEIGHT_M = 1.75
# Faster than any barbell moves in a lift (peak bar speeds: <= ~3.5 m/s in the powerlifts, ~2.5 in a snatch;
# vision.kinematics.LIFT_BOUNDS), with room for the torso scale's error and a clip played at twice its speed.
MAX_HAND_SPEED_M_S = 8.0
_LW, _RW, _LS, _RS, _LH, _RH, _LA, _RA = 9, 10, 5, 6, 11, 12, 15, 16


@dataclass
class WristPath:
    t: np.ndarray
    x: np.ndarray  # pixels of the frames analysed, scaled back to the displayed size
    y: np.ndarray
    ok: np.ndarray
    torso_px: float  # median shoulder-to-hip length (px), 0 when never seen
    frames: int
    torso_deg: float | None = None  # hips -> ankles direction: 0 down (upright), +90 right, -90 left
    rotation: int = 0  # clockwise degrees the frames were turned for the pose model


def unrotate(xy: np.ndarray, rotation: int, w: int, h: int) -> np.ndarray:
    """Points found in a frame turned `rotation` degrees clockwise, back in the unturned frame (w x h)."""
    if rotation == 90:
        return np.stack([xy[..., 1], (h - 1) - xy[..., 0]], axis=-1)
    if rotation == 270:
        return np.stack([(w - 1) - xy[..., 1], xy[..., 0]], axis=-1)
    if rotation == 180:
        return np.stack([(w - 1) - xy[..., 0], (h - 1) - xy[..., 1]], axis=-1)
    return xy


def turn_points(xy: np.ndarray, rotation: int, w: int, h: int) -> np.ndarray:
    """Points of a w x h frame, where they land when the frame is turned `rotation` degrees clockwise."""
    if rotation == 90:
        return np.stack([(h - 1) - xy[..., 1], xy[..., 0]], axis=-1)
    if rotation == 270:
        return np.stack([xy[..., 1], (w - 1) - xy[..., 0]], axis=-1)
    if rotation == 180:
        return np.stack([(w - 1) - xy[..., 0], (h - 1) - xy[..., 1]], axis=-1)
    return xy


def upright_turn(torso_deg: float | None) -> int | None:
    """The clockwise turn that stands a lifter lying across the picture upright (a phone held sideways with
    no rotation flag), or None when they already stand within 50 degrees of upright."""
    if torso_deg is None or abs(torso_deg) <= 50:
        return None
    if abs(torso_deg) >= 130:
        return 180
    return 90 if torso_deg > 0 else 270


def follow_wrists(
    frames: Iterable[Frame],
    backend: Callable[[np.ndarray, float, int], object],
    *,
    to_display: float = 1.0,
    min_conf: float = 0.4,
    progress: Callable[[Frame], None] | None = None,
    rotation: int = 0,
) -> WristPath:
    """Run the pose backend over frames and keep the lifter's hands (see module doc). `rotation` turns each
    frame clockwise before the pose model sees it (pose models find people standing up); the points are
    turned back, so the path is in the frame's own coordinates whatever the turn."""
    import cv2

    turn = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}.get(rotation)
    per_frame: list[tuple[float, np.ndarray, np.ndarray]] = []
    for frame in frames:
        h, w = frame.image.shape[:2]
        image = frame.image if turn is None else cv2.rotate(frame.image, turn)
        kp = backend(image, frame.t, frame.index)
        xy = np.asarray(getattr(kp, "xy", np.zeros((0, 17, 2))), np.float32)[:, :17]
        xy = unrotate(xy, rotation, w, h) * to_display
        conf = np.asarray(getattr(kp, "conf", np.zeros((0, 17))), np.float32)[:, :17]
        per_frame.append((frame.t, xy, conf))
        if progress is not None:
            progress(frame)
    n = len(per_frame)
    t = np.array([p[0] for p in per_frame], float)
    hands = np.full((n, 2, 2), np.nan)  # frame, side (left, right), xy
    confs = np.zeros((n, 2))
    torsos: list[float] = []
    angles: list[float] = []
    prev: np.ndarray | None = None
    for i, (_, xy, conf) in enumerate(per_frame):
        if len(xy) == 0:
            continue
        # The lifter: the person whose hands are nearest to where they were, else the most confident.
        centre = [xy[p, [_LW, _RW]].mean(0) for p in range(len(xy))]
        if prev is not None:
            p = min(range(len(xy)), key=lambda q: float(np.linalg.norm(centre[q] - prev)))
        else:
            p = max(range(len(xy)), key=lambda q: float(conf[q, [_LW, _RW, _LS, _RS]].sum()))
        prev = centre[p]
        for side, k in enumerate((_LW, _RW)):
            confs[i, side] = conf[p, k]
            if conf[p, k] >= min_conf:
                hands[i, side] = xy[p, k]
        for s, h, a in ((_LS, _LH, _LA), (_RS, _RH, _RA)):
            if conf[p, s] >= min_conf and conf[p, h] >= min_conf:
                torsos.append(float(np.linalg.norm(xy[p, s] - xy[p, h])))
            # Which way is down: hips to ankles (the legs stay near vertical through a squat, a hinge or a
            # pull, where the torso leans up to 60 degrees).
            if conf[p, h] >= min_conf and conf[p, a] >= min_conf:
                d = xy[p, a] - xy[p, h]
                angles.append(float(np.degrees(np.arctan2(d[0], d[1]))))
    # One hand all along (the one the camera sees best); the other stands in, shifted by the usual
    # offset between the two, where it is hidden. Averaging whichever is visible would jump.
    main = int(np.argmax(confs.sum(axis=0)))
    other = 1 - main
    both = ~np.isnan(hands[:, 0, 0]) & ~np.isnan(hands[:, 1, 0])
    offset = np.nanmedian(hands[both, main] - hands[both, other], axis=0) if both.sum() >= 3 else np.zeros(2)
    path = hands[:, main].copy()
    fill = np.isnan(path[:, 0]) & ~np.isnan(hands[:, other, 0])
    path[fill] = hands[fill, other] + offset
    x, y, ok = _hampel(t, path[:, 0], path[:, 1])
    torso_px = float(np.median(torsos)) if torsos else 0.0
    if torso_px > 0:
        ok = _plausible_speed(t, x, y, ok, MAX_HAND_SPEED_M_S * torso_px / (TORSO_PER_HEIGHT * DEFAULT_HEIGHT_M))
    x, y = _running_median(t, x, ok), _running_median(t, y, ok)
    torso_deg = float(np.degrees(np.angle(np.mean(np.exp(1j * np.radians(angles)))))) if angles else None
    return WristPath(t, x, y, ok, torso_px, n, torso_deg, rotation)


def _hampel(t: np.ndarray, x: np.ndarray, y: np.ndarray, window_s: float = 0.25) -> tuple[np.ndarray, ...]:
    """Drop pose glitches (a wrist swapped for a knee for a frame): points far from their running median."""
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 5:
        return x, y, ok
    n = len(t)
    rate = 1.0 / float(np.median(np.diff(t))) if n > 1 else 30.0
    half = max(2, round(window_s * rate / 2))
    scale = max(float(np.nanpercentile(y, 95) - np.nanpercentile(y, 5)), 1.0)
    bad = np.zeros(n, bool)
    for i in np.nonzero(ok)[0]:
        lo, hi = max(0, i - half), min(n, i + half + 1)
        for v in (x, y):
            seg = v[lo:hi][ok[lo:hi]]
            med = float(np.median(seg))
            mad = 1.4826 * float(np.median(np.abs(seg - med)))
            if abs(v[i] - med) > max(3 * mad, 0.04 * scale):
                bad[i] = True
    ok = ok & ~bad
    return x, y, ok


def _plausible_speed(
    t: np.ndarray, x: np.ndarray, y: np.ndarray, ok: np.ndarray, max_px_s: float, settle_s: float = 0.5
) -> np.ndarray:
    """Drop excursions the hands could not have made: a jump away faster than `max_px_s` and a jump back
    as fast within `settle_s`. The pose model sometimes takes a knee or the bench for a wrist for a few
    frames in a row (seen: 0.2 s, 0.7 m away and back), too long for the Hampel test's window. A single
    fast jump with no return is kept (the lifter found again elsewhere)."""
    ok = ok.copy()
    idx = np.nonzero(ok)[0]
    if len(idx) < 3:
        return ok
    d = np.stack([np.diff(x[idx]), np.diff(y[idx])], axis=1)
    dt = np.maximum(np.diff(t[idx]), 1e-3)
    fast = np.nonzero(np.hypot(d[:, 0], d[:, 1]) > max_px_s * dt)[0]  # jump k: from idx[k] to idx[k + 1]
    used = -1
    for n, k in enumerate(fast):
        if k <= used:
            continue
        for k2 in fast[n + 1 :]:
            if t[idx[k2]] - t[idx[k + 1]] > settle_s:
                break
            if float(d[k] @ d[k2]) < 0:  # back the way it came
                ok[idx[k + 1 : k2 + 1]] = False
                used = k2
                break
    return ok


def _running_median(t: np.ndarray, v: np.ndarray, ok: np.ndarray, window_s: float = 0.15) -> np.ndarray:
    """A short running median over the measured points. In a deep crouch, or in dark footage, the pose model
    swaps the wrists for the knees every other frame with full confidence (seen: jumps of a third of the
    picture from one frame to the next); too many for the Hampel test, whose median they drag along. A
    hand cannot move like that, and a median over ~0.15 s keeps the hands' real motion (a rep's turn
    lasts several times that)."""
    idx = np.nonzero(ok)[0]
    if len(idx) < 5:
        return v
    out = v.copy()
    tk, vk = t[idx], v[idx]
    lo = np.searchsorted(tk, tk - window_s / 2, side="left")
    hi = np.searchsorted(tk, tk + window_s / 2, side="right")
    out[idx] = [float(np.median(vk[a:b])) for a, b in zip(lo, hi, strict=True)]  # by time: never across a gap
    return out


def torso_scale(torso_px: float, height_m: float | None) -> tuple[float, float]:
    """Pixels per metre from the torso, and its relative uncertainty (about 12 %, 8 % with a height)."""
    height = height_m or DEFAULT_HEIGHT_M
    rel = 0.08 if height_m else 0.12
    return torso_px / (TORSO_PER_HEIGHT * height), rel
