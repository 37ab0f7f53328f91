"""Which person is the athlete when several are in frame (a coach, a partner, a crowd).

The athlete is the person who is biggest and most central early in the clip, and is then followed
frame to frame by box overlap and keypoint distance, so a coach walking past does not steal the
track. When nobody matches for a while the track is marked lost (the athlete left the frame) and
re-acquired when someone of the athlete's remembered size comes back.

`PeopleTracker` + `choose_athlete` do it over the whole clip instead: every person gets an id across
frames, and the athlete is the most active of those present most of the time (or the one the user
names: "the one on the left"), so a partner who walks in first cannot take the track.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# ---- every person tracked, then the athlete chosen over the whole clip --------------------------------------------

PICKS = ("auto", "left", "right", "centre", "largest", "most active")


class PeopleTracker:
    """Gives every person a stable id across frames (greedy matching on keypoint distance and box
    overlap, the same cost as `AthleteTracker`); ids of people gone for `lost_after` frames retire."""

    def __init__(self, lost_after: int = 15):
        self.lost_after = lost_after
        self._last: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}  # id -> (xy, box, frame last seen)
        self._next = 0
        self.max_persons = 0

    def __call__(self, kp: Keypoints, frame: int) -> dict[int, int]:
        """{track id: person index in this frame}."""
        self.max_persons = max(self.max_persons, kp.persons)
        boxes = kp.boxes(MIN_CONF)
        visible = [p for p in range(kp.persons) if (kp.conf[p, :17] >= MIN_CONF).sum() >= 4]
        live = {i: v for i, v in self._last.items() if frame - v[2] <= self.lost_after}
        pairs = []
        for tid, (xy, box, _) in live.items():
            scale = max(1.0, 0.25 * float(box[3] - box[1]))
            for p in visible:
                both = (kp.conf[p, :17] >= MIN_CONF) & np.isfinite(xy[:, 0])
                dist = np.linalg.norm(kp.xy[p, :17][both] - xy[both], axis=1).mean() if both.any() else scale
                cost = dist / scale - _iou(boxes[p], box)
                if cost <= 1.0:
                    pairs.append((cost, tid, p))
        out: dict[int, int] = {}
        for _cost, tid, p in sorted(pairs):
            if tid not in out and p not in out.values():
                out[tid] = p
        for p in visible:
            if p not in out.values():
                out[self._next] = p
                self._next += 1
        for tid, p in out.items():
            xy = kp.xy[p, :17].copy()
            xy[kp.conf[p, :17] < MIN_CONF] = np.nan
            if tid in self._last:
                xy = np.where(np.isnan(xy), self._last[tid][0], xy)
            self._last[tid] = (xy, boxes[p], frame)
        self._last = {i: v for i, v in self._last.items() if frame - v[2] <= self.lost_after}
        return out


def _finite_median(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _activity(xy: np.ndarray) -> float:
    """How much this person's fists move relative to their own shoulders, per frame, in units of
    their size (shoulder width or 0.45 x torso, the larger): the 90th percentile over the frames seen."""
    sh = (xy[:, 5] + xy[:, 6]) / 2
    width = _finite_median(np.linalg.norm(xy[:, 5] - xy[:, 6], axis=1))
    torso = _finite_median(np.linalg.norm(sh - (xy[:, 11] + xy[:, 12]) / 2, axis=1))
    unit = np.fmax(width, 0.45 * torso)
    if not np.isfinite(unit) or unit <= 0:
        return 0.0
    rel = xy[:, [9, 10]] - xy[:, [5, 6]]
    step = np.linalg.norm(np.diff(rel, axis=0), axis=2) / unit
    step = step[np.isfinite(step)]
    return float(np.percentile(step, 90)) if step.size >= 5 else 0.0


@dataclass
class Candidate:
    """One tracked person over the clip, with what the choice looks at."""

    tid: int
    frames: np.ndarray  # frame indices where seen
    person: np.ndarray  # index of the person in each of those frames
    xy: np.ndarray  # (all frames, 17, 2), NaN where not seen
    presence: float  # share of the clip's frames
    size: float  # median box height / frame height
    centre_x: float  # median box centre, 0 (left edge) .. 1 (right edge)
    centrality: float  # 1 at the centre .. 0 at the edge
    activity: float


def candidates(frames: list[Keypoints], width: int, height: int) -> list[Candidate]:
    tracker = PeopleTracker()
    n = len(frames)
    seen: dict[int, list[tuple[int, int]]] = {}
    for i, kp in enumerate(frames):
        for tid, p in tracker(kp, i).items():
            seen.setdefault(tid, []).append((i, p))
    out = []
    for tid, hits in seen.items():
        idx = np.array([h[0] for h in hits])
        per = np.array([h[1] for h in hits])
        xy = np.full((n, 17, 2), np.nan, np.float32)
        boxes = []
        for i, p in hits:
            kp = frames[i]
            pts = kp.xy[p, :17].copy()
            pts[kp.conf[p, :17] < MIN_CONF] = np.nan
            xy[i] = pts
            boxes.append(kp.boxes(MIN_CONF)[p])
        b = np.asarray(boxes)
        cx = float(np.median((b[:, 0] + b[:, 2]) / 2)) / max(1, width)
        size = float(np.median(b[:, 3] - b[:, 1])) / max(1, height)
        centrality = 1 - min(1.0, 2 * abs(cx - 0.5))
        out.append(Candidate(tid, idx, per, xy, len(hits) / max(1, n), size, cx, centrality, _activity(xy)))
    return out


def merge_reappearances(cands: list[Candidate], width_tol: float = 0.25) -> list[Candidate]:
    """Join a person who left the frame with the one who came back later: tracks that never overlap
    in time, of about the same size (0.7-1.4x) and place (within a quarter of the frame's width)."""
    cands = sorted(cands, key=lambda c: c.frames[0])
    merged: list[Candidate] = []
    for c in cands:
        host = next((m for m in merged if m.frames[-1] < c.frames[0] and 0.7 <= c.size / max(m.size, 1e-6) <= 1.4
                     and abs(c.centre_x - m.centre_x) <= width_tol), None)  # fmt: skip
        if host is None:
            merged.append(c)
            continue
        n_h, n_c = len(host.frames), len(c.frames)
        host.xy = np.where(np.isfinite(c.xy), c.xy, host.xy)
        host.frames = np.concatenate([host.frames, c.frames])
        host.person = np.concatenate([host.person, c.person])
        host.presence += c.presence
        host.activity = max(host.activity, c.activity) if n_c >= 5 else host.activity
        host.size = (host.size * n_h + c.size * n_c) / (n_h + n_c)
    return merged


def choose_athlete(cands: list[Candidate], pick: str = "auto") -> tuple[Candidate | None, str]:
    """(the athlete, how they were chosen, in the user's words).

    Only people seen in at least a third of the clip (or the longest-seen when nobody is) are
    considered. `pick` is the user's word ("left", "right", "centre", "largest", "most active");
    "auto" takes the most active, unless activity cannot tell them apart (within 1.5x), then the
    biggest and most central."""
    if not cands:
        return None, "nobody was seen"
    longest = max(c.presence for c in cands)
    pool = [c for c in cands if c.presence >= min(1 / 3, 0.8 * longest)]
    if len(pool) == 1:
        return pool[0], "the only person in frame most of the time"
    pick = (pick or "auto").lower().replace("center", "centre")
    if pick == "left":
        return min(pool, key=lambda c: c.centre_x), "the person on the left, as you asked"
    if pick == "right":
        return max(pool, key=lambda c: c.centre_x), "the person on the right, as you asked"
    if pick == "centre":
        return max(pool, key=lambda c: c.centrality), "the person in the middle, as you asked"
    if pick == "largest":
        return max(pool, key=lambda c: c.size), "the biggest person in frame, as you asked"
    ranked = sorted(pool, key=lambda c: c.activity, reverse=True)
    if pick == "most active" or ranked[0].activity >= 1.5 * max(ranked[1].activity, 1e-6):
        return ranked[0], "the one moving their hands the most"
    best = max(pool, key=lambda c: c.size + 0.5 * c.centrality)
    return best, "the biggest and most central (nobody moved their hands clearly more)"
