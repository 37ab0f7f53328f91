"""One keypoint format for every pose backend (COCO-17 order first, optional extras after).

Each backend is adapted at the edge by a `from_<backend>` constructor, so smoothing, athlete
selection, punch analysis and drawing only ever see this one shape (the `supervision` pattern).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COCO17: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
K = {name: i for i, name in enumerate(COCO17)}

# BlazePose's 33 landmarks: the COCO-17 subset first, then the extras the striking lab uses
# (mouth corners give the chin line; index fingertips the fist).
BLAZEPOSE_TO_COCO = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
BLAZEPOSE_EXTRAS = {"mouth_left": 9, "mouth_right": 10, "left_index": 19, "right_index": 20}
BLAZEPOSE_NAMES = COCO17 + tuple(BLAZEPOSE_EXTRAS)
_BLAZEPOSE_ORDER = BLAZEPOSE_TO_COCO + tuple(BLAZEPOSE_EXTRAS.values())

SKELETON: tuple[tuple[int, int], ...] = (
    (5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11), (6, 12), (11, 12), (11, 13), (13, 15),
    (12, 14), (14, 16), (0, 1), (0, 2), (1, 3), (2, 4),
)  # fmt: skip


@dataclass
class Keypoints:
    """Keypoints of every person found in one frame, in pixels of the frame that was given."""

    xy: np.ndarray  # (persons, K, 2) float32
    conf: np.ndarray  # (persons, K) float32, 0..1
    names: tuple[str, ...] = COCO17
    t: float = 0.0
    frame_index: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.xy = np.asarray(self.xy, dtype=np.float32).reshape(-1, len(self.names), 2)
        self.conf = np.asarray(self.conf, dtype=np.float32).reshape(-1, len(self.names))
        if self.xy.shape[0] != self.conf.shape[0]:
            raise ValueError("xy and conf disagree on the number of persons")

    @property
    def persons(self) -> int:
        return int(self.xy.shape[0])

    def __len__(self) -> int:
        return self.persons

    @classmethod
    def empty(cls, t: float = 0.0, frame_index: int = 0, names: tuple[str, ...] = COCO17) -> Keypoints:
        return cls(np.zeros((0, len(names), 2), np.float32), np.zeros((0, len(names)), np.float32), names, t,
                   frame_index)  # fmt: skip

    def person(self, i: int) -> Keypoints:
        """A one-person view (same names, same time)."""
        return Keypoints(self.xy[i : i + 1].copy(), self.conf[i : i + 1].copy(), self.names, self.t, self.frame_index)

    def coco17(self) -> Keypoints:
        """Only the COCO-17 points (what the rest of the code needs)."""
        return Keypoints(self.xy[:, :17].copy(), self.conf[:, :17].copy(), COCO17, self.t, self.frame_index)

    def point(self, name: str) -> int:
        return self.names.index(name)

    def boxes(self, min_conf: float = 0.3) -> np.ndarray:
        """(persons, 4) x1, y1, x2, y2 around each person's confident points (zeros when none)."""
        out = np.zeros((self.persons, 4), np.float32)
        for p in range(self.persons):
            ok = self.conf[p] >= min_conf
            if ok.any():
                pts = self.xy[p][ok]
                out[p] = (*pts.min(0), *pts.max(0))
        return out

    @classmethod
    def from_mediapipe(cls, landmarks: list, width: int, height: int, t: float, frame_index: int) -> Keypoints:
        """From MediaPipe Tasks `PoseLandmarkerResult.pose_landmarks` (normalised x, y, visibility)."""
        if not landmarks:
            return cls.empty(t, frame_index, BLAZEPOSE_NAMES)
        xy = np.zeros((len(landmarks), len(_BLAZEPOSE_ORDER), 2), np.float32)
        conf = np.zeros((len(landmarks), len(_BLAZEPOSE_ORDER)), np.float32)
        for p, person in enumerate(landmarks):
            for j, src in enumerate(_BLAZEPOSE_ORDER):
                lm = person[src]
                xy[p, j] = (lm.x * width, lm.y * height)
                vis = lm.visibility if lm.visibility is not None else 1.0
                pres = lm.presence if getattr(lm, "presence", None) is not None else 1.0
                conf[p, j] = min(vis, pres)
        return cls(xy, np.clip(conf, 0, 1), BLAZEPOSE_NAMES, t, frame_index)

    @classmethod
    def from_rtmlib(cls, keypoints: np.ndarray, scores: np.ndarray, t: float, frame_index: int) -> Keypoints:
        """From rtmlib's (persons, 17, 2) pixels and (persons, 17) SimCC scores (not bounded by 1)."""
        kp = np.asarray(keypoints, np.float32).reshape(-1, 17, 2)
        sc = np.clip(np.asarray(scores, np.float32).reshape(-1, 17), 0, 1)
        return cls(kp, sc, COCO17, t, frame_index)
