"""The annotated video: skeleton on every frame, and each punch's label from the moment it lands."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from models.pose.keypoints import SKELETON
from striking.punches import Punch
from striking.track import Track

HOLD_S = 0.8  # how long a punch label stays on screen


def draw(image: np.ndarray, xy: np.ndarray, label: str | None, guard_down: bool, scale: float) -> np.ndarray:
    img = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    th = max(2, int(scale / 40)) if np.isfinite(scale) else 2
    for a, b in SKELETON:
        if np.isfinite(xy[[a, b]]).all():
            cv2.line(img, tuple(map(int, xy[a])), tuple(map(int, xy[b])), (0, 220, 255), th, cv2.LINE_AA)
    for j in range(17):
        if np.isfinite(xy[j]).all():
            colour = (0, 0, 255) if j in (9, 10) else (255, 255, 255)
            cv2.circle(img, tuple(map(int, xy[j])), th + 2, colour, -1, cv2.LINE_AA)
    h = img.shape[0]
    size = max(0.6, h / 600)
    if label:
        cv2.putText(img, label, (20, int(50 * size)), cv2.FONT_HERSHEY_SIMPLEX, size * 1.2, (0, 0, 0), 6, cv2.LINE_AA)
        cv2.putText(img, label, (20, int(50 * size)), cv2.FONT_HERSHEY_SIMPLEX, size * 1.2, (60, 255, 60), 2,
                    cv2.LINE_AA)  # fmt: skip
    if guard_down:
        cv2.putText(img, "guard down", (20, h - 20), cv2.FONT_HERSHEY_SIMPLEX, size, (0, 0, 255), 2, cv2.LINE_AA)
    return img


def annotated_frames(frames: Iterator[np.ndarray], track: Track, punches: list[Punch],
                     down: np.ndarray) -> Iterator[np.ndarray]:  # fmt: skip
    """Frames in decode order, matched to the track by index."""
    scale = track.scale
    for i, image in enumerate(frames):
        if i >= len(track):
            break
        t = track.t[i]
        live = [p for p in punches if p.t_peak <= t < p.t_peak + HOLD_S]
        label = f"#{live[-1].index} {live[-1].label}" if live else None
        yield draw(image.copy(), track.xy[i], label, bool(down[i]), scale)
