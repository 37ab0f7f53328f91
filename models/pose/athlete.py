"""Which person is the athlete when several are in frame (a coach, a partner, a crowd).

The athlete is the person who is biggest and most central early in the clip, and is then followed
frame to frame by box overlap and keypoint distance, so a coach walking past does not steal the
track. When nobody matches for a while the track is marked lost (the athlete left the frame) and
re-acquired when someone of the athlete's remembered size comes back.
"""

from __future__ import annotations

import numpy as np

from models.pose.keypoints import Keypoints

MIN_CONF = 0.3


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def prominence(kp: Keypoints, width: int, height: int) -> np.ndarray:
    """Score per person: box area share, minus distance from the frame centre, times visibility."""
    boxes = kp.boxes(MIN_CONF)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) / float(max(1, width * height))
    cx = (boxes[:, 0] + boxes[:, 2]) / 2 / max(1, width) - 0.5
    cy = (boxes[:, 1] + boxes[:, 3]) / 2 / max(1, height) - 0.5
    visible = (kp.conf[:, :17] >= MIN_CONF).mean(axis=1)
    return (np.sqrt(np.maximum(area, 0)) - 0.5 * np.hypot(cx, cy)) * visible


class AthleteTracker:
    """Feed it every frame's keypoints; it returns the athlete's index (or None) per frame."""

    def __init__(self, width: int, height: int, lost_after: int = 15):
        self.width, self.height = width, height
        self.lost_after = lost_after
        self._box: np.ndarray | None = None
        self._xy: np.ndarray | None = None
        self._missed = 0
        self._height: float | None = None  # the athlete's remembered size, to re-acquire the right person
        self.max_persons = 0

    def __call__(self, kp: Keypoints) -> int | None:
        self.max_persons = max(self.max_persons, kp.persons)
        visible = [p for p in range(kp.persons) if (kp.conf[p, :17] >= MIN_CONF).sum() >= 4]
        if not visible:
            self._missed += 1
            if self._missed > self.lost_after:
                self._box = self._xy = None
            return None
        boxes = kp.boxes(MIN_CONF)
        if self._box is None:
            if self._height is not None:  # lost earlier: only someone of the athlete's size comes back as them
                heights = boxes[:, 3] - boxes[:, 1]
                visible = [p for p in visible if 0.7 <= heights[p] / self._height <= 1.4]
                if not visible:
                    return None
            scores = prominence(kp, self.width, self.height)
            best = max(visible, key=lambda p: scores[p])
        else:
            scale = max(1.0, 0.25 * float(self._box[3] - self._box[1]))  # ~ a torso width

            def cost(p: int) -> float:
                both = (kp.conf[p, :17] >= MIN_CONF) & np.isfinite(self._xy[:, 0])
                dist = np.linalg.norm(kp.xy[p, :17][both] - self._xy[both], axis=1).mean() if both.any() else scale
                return dist / scale - _iou(boxes[p], self._box)

            best = min(visible, key=cost)
            if cost(best) > 1.0:  # nobody near the athlete's last place
                self._missed += 1
                if self._missed > self.lost_after:
                    self._box = self._xy = None
                return None
        self._box = boxes[best]
        h = float(boxes[best][3] - boxes[best][1])
        self._height = h if self._height is None else 0.9 * self._height + 0.1 * h
        xy = kp.xy[best, :17].copy()
        xy[kp.conf[best, :17] < MIN_CONF] = np.nan
        if self._xy is not None:
            xy = np.where(np.isnan(xy), self._xy, xy)
        self._xy = xy
        self._missed = 0
        return best
