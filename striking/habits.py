"""Guard habits measured from the track, each scaled by the athlete's own size.

- guard down: a wrist below the chin line (nose height + 0.35 S) by more than 0.25 S, outside the
  moments that hand is punching; reported as a share of the time the athlete is in frame;
- return to guard: seconds from a punch landing until the fist is back at its guard place;
- non-punching hand dropping during a punch; chin exposure (neither fist near the chin while a
  punch is out); telegraphing (a wind-up before the extension).
Every habit keeps the moments (timestamps) it counted, so a follow-up can point at them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from striking.punches import Punch
from striking.track import Track

CHIN_BELOW_NOSE = 0.35  # chin line, in athlete sizes below the nose
DOWN_MARGIN = 0.5  # how far below the chin line the WRIST must be (the knuckles sit ~0.4 S above it)
CHIN_COVER = 0.75  # a fist within this distance (S) of the chin covers it


@dataclass
class Habits:
    guard_down_share: float | None  # either hand down, share of in-frame time outside punches
    guard_down_share_left: float | None
    guard_down_share_right: float | None
    return_s_left: float | None  # median seconds back to guard after a punch
    return_s_right: float | None
    other_hand_drop_share: float | None  # share of punches during which the other hand dropped
    chin_exposed_share: float | None  # share of punches with neither fist near the chin
    telegraph_share: float | None
    guard_down_moments: list[tuple[float, float, str]] = field(default_factory=list)  # (start, end, hand)

    def to_dict(self) -> dict:
        return asdict(self)


def chin_line(track: Track, scale: float) -> np.ndarray:
    """Per-frame chin height in pixels (from the nose; ears when the face turns away)."""
    nose = track.p("nose")[:, 1]
    ears = np.nanmean(np.stack([track.p("left_ear")[:, 1], track.p("right_ear")[:, 1]]), axis=0)
    head = np.where(np.isfinite(nose), nose, ears)
    return head + CHIN_BELOW_NOSE * scale


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(mask) - 1))
    return out


def punching_mask(track: Track, punches: list[Punch], hand: str) -> np.ndarray:
    mask = np.zeros(len(track), bool)
    for p in punches:
        if p.hand == hand:
            end = p.frame_return if p.frame_return is not None else min(len(track) - 1, p.frame_peak + 10)
            mask[p.frame_onset : end + 1] = True
    return mask


def guard_down(track: Track, punches: list[Punch], scale: float) -> dict[str, np.ndarray]:
    """Per-hand boolean arrays: the hand is down (and not punching) in that frame."""
    chin = chin_line(track, scale)
    out = {}
    for hand in ("left", "right"):
        wy = track.p(f"{hand}_wrist")[:, 1]
        seen = np.isfinite(wy) & np.isfinite(chin)
        out[hand] = seen & (wy > chin + DOWN_MARGIN * scale) & ~punching_mask(track, punches, hand)
    return out


def _median(values: list[float]) -> float | None:
    v = [x for x in values if x is not None and np.isfinite(x)]
    return float(np.median(v)) if v else None


def chin_exposed(track: Track, p: Punch, scale: float) -> bool:
    """During the punch, neither fist came within CHIN_COVER sizes of the chin."""
    chin_y = chin_line(track, scale)
    nose_x = track.p("nose")[:, 0]
    other = "right" if p.hand == "left" else "left"
    a, b = p.frame_onset, p.frame_return if p.frame_return is not None else p.frame_peak
    w = track.p(f"{other}_wrist")[a : b + 1]
    chin = np.stack([nose_x[a : b + 1], chin_y[a : b + 1]], axis=1)
    d = np.linalg.norm(w - chin, axis=1) / scale
    d = d[np.isfinite(d)]
    return bool(d.size and np.median(d) > CHIN_COVER)


def measure_habits(track: Track, punches: list[Punch]) -> Habits:
    scale = track.scale
    if not np.isfinite(scale):
        return Habits(None, None, None, None, None, None, None, None)
    down = guard_down(track, punches, scale)
    present = track.present
    shares = {}
    for hand in ("left", "right"):
        valid = present & ~punching_mask(track, punches, hand)
        shares[hand] = float(down[hand][valid].mean()) if valid.any() else None
    either = down["left"] | down["right"]
    any_share = float(either[present].mean()) if present.any() else None
    moments = []
    for hand in ("left", "right"):
        for a, b in _runs(down[hand]):
            if track.t[b] - track.t[a] >= 0.2:
                moments.append((float(track.t[a]), float(track.t[b]), hand))
    moments.sort()
    n = len(punches)
    return Habits(
        guard_down_share=any_share,
        guard_down_share_left=shares["left"],
        guard_down_share_right=shares["right"],
        return_s_left=_median([p.return_s for p in punches if p.hand == "left"]),
        return_s_right=_median([p.return_s for p in punches if p.hand == "right"]),
        other_hand_drop_share=sum(p.other_hand_dropped for p in punches) / n if n else None,
        chin_exposed_share=sum(chin_exposed(track, p, scale) for p in punches) / n if n else None,
        telegraph_share=sum(p.telegraphed for p in punches) / n if n else None,
        guard_down_moments=moments,
    )
