"""One athlete's keypoint track: the athlete chosen among the people in frame, gaps marked, smoothed.

Every later measure is in units of the athlete's own size (`scale`, about one shoulder width), so
the same thresholds work for a phone at 2 m and a camera at 5 m.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from models.pose.athlete import candidates, choose_athlete, merge_reappearances
from models.pose.keypoints import COCO17, K, Keypoints
from models.pose.smoothing import smooth_track

MIN_CONF = 0.3
FRONT_RATIO, SIDE_RATIO = 0.45, 0.25  # shoulder width / torso length at which the view is face-on / side-on


@dataclass
class Track:
    """(frames, 17, 2) pixels with NaN where the athlete's point was not seen; times in seconds."""

    t: np.ndarray
    xy: np.ndarray
    conf: np.ndarray
    width: int = 0
    height: int = 0
    max_persons: int = 1
    notes: list[str] = field(default_factory=list)
    choice: str = ""  # how the athlete was chosen among several people ("" when alone)

    def __len__(self) -> int:
        return len(self.t)

    @property
    def fps(self) -> float:
        if len(self.t) < 2:
            return 30.0
        return float(1.0 / np.median(np.diff(self.t)))

    @property
    def duration_s(self) -> float:
        return float(self.t[-1] - self.t[0]) if len(self.t) > 1 else 0.0

    def p(self, name: str) -> np.ndarray:
        """(frames, 2) track of one named point (NaN where unseen)."""
        return self.xy[:, K[name]]

    @property
    def present(self) -> np.ndarray:
        """Frames where the athlete's upper body (shoulders and a wrist) was seen."""
        c = self.conf
        return (c[:, K["left_shoulder"]] >= MIN_CONF) & (c[:, K["right_shoulder"]] >= MIN_CONF)

    @property
    def scale(self) -> float:
        """The athlete's size in pixels: shoulder width, corrected for a side-on view by torso length.

        Side-on, the shoulders overlap in the picture and their distance collapses, so the larger of
        shoulder width and 0.45 x torso length (shoulder midpoint to hip midpoint) is used; where the
        hips are out of frame, the longer upper arm / 0.8 stands in for the torso: an upper-body clip
        filmed side-on has nothing else to correct with, and a collapsed size made every wrist look
        far below the chin ("guard down 100 %").
        """
        sw = np.linalg.norm(self.p("left_shoulder") - self.p("right_shoulder"), axis=1)
        mid_s = (self.p("left_shoulder") + self.p("right_shoulder")) / 2
        mid_h = (self.p("left_hip") + self.p("right_hip")) / 2
        torso = np.linalg.norm(mid_s - mid_h, axis=1) * 0.45
        arm = np.fmax(
            *(np.linalg.norm(self.p(f"{h}_shoulder") - self.p(f"{h}_elbow"), axis=1) for h in ("left", "right"))
        )
        size = np.where(np.isfinite(torso), np.fmax(sw, torso), np.fmax(sw, arm / 0.8))
        size = size[np.isfinite(size) & (size > 0)]
        if size.size == 0:
            return float("nan")
        return float(np.median(size))

    @property
    def view(self) -> tuple[str, float | None]:
        """(front | oblique | side | unknown, shoulder width / torso length): how the camera sees the athlete.

        Face-on the shoulders span about half the torso length or more in the picture (0.48-0.55 on the
        face-on stills) and the nose sits over their midpoint; side-on they overlap (< 0.25). A wide
        shoulder line with the nose well off to one side is three-quarter (oblique). With the hips out of
        frame (a phone filming the upper body) the shoulder width is weighed against the upper arm
        instead, and the ratio returned is None."""
        ls, rs = self.p("left_shoulder"), self.p("right_shoulder")
        sw = np.linalg.norm(ls - rs, axis=1)
        mid_s = (ls + rs) / 2
        mid_h = (self.p("left_hip") + self.p("right_hip")) / 2
        torso = np.linalg.norm(mid_s - mid_h, axis=1)
        ok = np.isfinite(sw) & np.isfinite(torso) & (torso > 0)
        facing = np.abs(self.p("nose")[:, 0] - mid_s[:, 0]) / np.where(sw > 0, sw, np.nan)
        facing = facing[np.isfinite(facing)]
        turned = facing.size >= 3 and float(np.median(facing)) >= 0.15
        if ok.sum() < max(3, 0.3 * len(self.t)):
            # hips out of frame (a phone filming the upper body): shoulder width against the longer upper
            # arm, and whether the nose sits over the shoulder midpoint
            arm = np.fmax(*(np.linalg.norm(self.p(f"{h}_shoulder") - self.p(f"{h}_elbow"), axis=1)
                            for h in ("left", "right")))  # fmt: skip
            good = np.isfinite(sw) & np.isfinite(arm) & (arm > 0)
            if good.sum() < 3 or facing.size < 3:
                return "unknown", None
            by_arm = float(np.median(sw[good] / arm[good]))
            if by_arm < 0.5:
                return "side", None
            return ("oblique" if turned or by_arm < 1.0 else "front"), None
        r = float(np.median(sw[ok] / torso[ok]))
        if r < SIDE_RATIO:
            return "side", r
        return ("oblique" if turned or r < FRONT_RATIO else "front"), r

    def window(self, start: int, stop: int) -> Track:
        return Track(self.t[start:stop], self.xy[start:stop], self.conf[start:stop], self.width, self.height,
                     self.max_persons)  # fmt: skip


def _interpolate_gaps(values: np.ndarray, t: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Fill short NaN gaps linearly (a blurred frame), leave long ones (athlete out of frame)."""
    out = values.copy()
    ok = np.isfinite(values)
    if ok.sum() < 2:
        return out
    idx = np.flatnonzero(ok)
    for a, b in itertools.pairwise(idx):
        if b - a > 1 and t[b] - t[a] <= max_gap_s:
            w = (t[a + 1 : b] - t[a]) / (t[b] - t[a])
            out[a + 1 : b] = values[a] + w * (values[b] - values[a])
    return out


def build_track(frames: Iterable[Keypoints], width: int, height: int, *, smooth: bool = True,
                max_gap_s: float = 0.2, pick: str = "auto") -> Track:  # fmt: skip
    """Track everyone, choose the athlete over the whole clip (`pick`: "auto", "left", "right", …),
    keep their COCO-17 points, fill blinks, One-Euro smooth. The choice is stated in `notes`."""
    frames = list(frames)
    cands = merge_reappearances(candidates(frames, width, height))
    chosen, how = choose_athlete(cands, pick)
    n = len(frames)
    t = np.asarray([kp.t for kp in frames], np.float64)
    xy = np.full((n, 17, 2), np.nan, np.float32)
    conf = np.zeros((n, 17), np.float32)
    if chosen is not None:
        for i, p in zip(chosen.frames, chosen.person, strict=True):
            c = frames[i].conf[p, :17].astype(np.float32)
            pts = frames[i].xy[p, :17].astype(np.float32).copy()
            pts[c < MIN_CONF] = np.nan
            xy[i], conf[i] = pts, c
    max_persons = max((kp.persons for kp in frames), default=0)
    track = finish_track(t, xy, conf, width, height, smooth=smooth, max_gap_s=max_gap_s, max_persons=max_persons)
    if len([c for c in cands if c.presence >= 0.1]) >= 2 or max_persons >= 2:
        track.choice = how
    return track


def finish_track(t: np.ndarray, xy: np.ndarray, conf: np.ndarray, width: int = 0, height: int = 0, *,
                 smooth: bool = True, max_gap_s: float = 0.2, max_persons: int = 1) -> Track:  # fmt: skip
    """Gap-fill and smooth raw athlete points (NaN = unseen); shared by video and synthetic tracks."""
    xy = xy.astype(np.float32).copy()
    for j in range(xy.shape[1]):
        for d in range(2):
            xy[:, j, d] = _interpolate_gaps(xy[:, j, d], t, max_gap_s)
    if smooth and len(t) > 2:
        seen = np.isfinite(xy[..., 0])
        filled = np.where(np.isfinite(xy), xy, 0.0)
        sm = smooth_track(filled, t, seen.astype(np.float32), min_conf=0.5)
        xy = np.where(seen[..., None], sm, np.nan).astype(np.float32)
    return Track(t, xy, conf, width, height, max_persons)


__all__ = ["COCO17", "MIN_CONF", "Track", "build_track", "finish_track"]
