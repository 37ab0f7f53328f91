"""Key frames: one PNG of the lifter (or boxer) at a flagged instant, with the overlay that shows the finding.

A finding points at a moment ("the bottom of rep 2"); its picture is the clip's frame at that time,
decoded alone (a seek, not a pass over the clip), with the skeleton, the bar's path up to that
instant and a caption written by code from the finding's own numbers.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from models.pose.keypoints import SKELETON
from vision.io import iter_frames

SIDE = 720
_BONE = (255, 200, 60)
_JOINT = (40, 220, 255)
_BAR = (80, 200, 60)
_MARK = (60, 60, 230)


def frame_at(video: Path, t: float, max_side: int = SIDE) -> tuple[np.ndarray, float] | None:
    """The displayed frame nearest time `t` (BGR, long side `max_side`) and its time; None past the end."""
    best: tuple[np.ndarray, float] | None = None
    for frame in iter_frames(Path(video), max_side=max_side, start_s=max(0.0, t - 0.5), end_s=t + 0.2):
        if best is None or abs(frame.t - t) < abs(best[1] - t):
            best = (frame.image.copy(), frame.t)
        if frame.t > t + 0.1:
            break
    return best


GAP_S = 2.0  # key frames further apart than this are reached by a seek, nearer ones by decoding on


def frames_at(video: Path, times: list[float], max_side: int = SIDE) -> dict[float, tuple[np.ndarray, float]]:
    """`frame_at` for many instants, in as few decoding passes as there are groups of nearby instants.

    Each `frame_at` seeks, and a seek decodes from the keyframe before it: a phone clip with one keyframe every
    few seconds was decoded from its start once per key frame (small-squat: ~1.3 s a picture). Here the instants
    are taken in time order and a group within `GAP_S` of each other shares one pass. The picture for each
    instant is the one `frame_at` gives: the frame nearest it within [t - 0.5, t + 0.2] s, the earlier on a tie."""
    want = sorted({float(t) for t in times})
    groups: list[list[float]] = []
    for t in want:
        if groups and t - groups[-1][-1] <= GAP_S:
            groups[-1].append(t)
        else:
            groups.append([t])
    found: dict[float, tuple[np.ndarray, float]] = {}
    for group in groups:
        start, end = max(0.0, group[0] - 0.5), group[-1] + 0.2
        for frame in iter_frames(Path(video), max_side=max_side, start_s=start, end_s=end):
            for t in group:
                if not max(0.0, t - 0.5) - 1e-6 <= frame.t <= t + 0.2 + 1e-9:  # `iter_frames`'s own bounds
                    continue
                best = found.get(t)
                if best is None or abs(frame.t - t) < abs(best[1] - t):
                    found[t] = (frame.image.copy(), frame.t)
    return found


def draw(
    image: np.ndarray,
    *,
    scale: float,
    joints: np.ndarray | None = None,
    path: np.ndarray | None = None,
    marks: list[tuple[float, float]] | None = None,
    lines: list[tuple[tuple[float, float], tuple[float, float]]] | None = None,
    caption: list[str] | None = None,
) -> np.ndarray:
    """Draw on `image` in place; every coordinate is in displayed full-size pixels (times `scale` here)."""

    def pt(p: np.ndarray | tuple[float, float]) -> tuple[int, int]:
        return round(float(p[0]) * scale), round(float(p[1]) * scale)

    thick = max(2, round(image.shape[0] / 240))
    if path is not None and len(path) > 1:
        good = np.isfinite(path).all(axis=1)
        for a, b in zip(np.nonzero(good)[0][:-1], np.nonzero(good)[0][1:], strict=False):
            if b == a + 1:
                cv2.line(image, pt(path[a]), pt(path[b]), _BAR, thick, cv2.LINE_AA)
    if joints is not None:
        for a, b in SKELETON:
            if np.isfinite(joints[a]).all() and np.isfinite(joints[b]).all():
                cv2.line(image, pt(joints[a]), pt(joints[b]), _BONE, thick, cv2.LINE_AA)
        for j in joints:
            if np.isfinite(j).all():
                cv2.circle(image, pt(j), thick + 2, _JOINT, -1, cv2.LINE_AA)
    for a, b in lines or []:
        cv2.line(image, pt(a), pt(b), _MARK, thick, cv2.LINE_AA)
    for m in marks or []:
        cv2.circle(image, pt(m), 4 * thick, _MARK, thick, cv2.LINE_AA)
    y = 10
    for text in caption or []:
        size = max(0.5, image.shape[0] / 1100)
        (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, size, 1)
        cv2.rectangle(image, (6, y), (14 + w, y + h + 12), (0, 0, 0), -1)
        cv2.putText(image, text, (10, y + h + 5), cv2.FONT_HERSHEY_SIMPLEX, size, (255, 255, 255), 1, cv2.LINE_AA)
        y += h + 16
    return image


def save_png(image: np.ndarray, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), image):
        raise OSError(f"could not write the key frame {path}")
    return path
