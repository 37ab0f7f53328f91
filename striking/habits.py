"""Guard habits measured from the track, each scaled by the athlete's own size.

- guard down: a wrist below the chin line (nose height + 0.35 S) by more than 0.25 S, outside the
  moments that hand is punching; reported as a share of the time the athlete is in frame;
- return to guard: seconds from a punch landing until the fist is back at its guard place;
- telegraphing is judged on straight punches only: a hook's arc and an uppercut's dip begin by moving
  away from the target by nature (a face-on lead hook was once flagged "telegraphed 100 %");
- non-punching hand dropping during a punch; chin exposure (neither fist near the chin while a
  punch is out); telegraphing (a wind-up before the extension).
Every habit keeps the moments (timestamps) it counted, so a follow-up can point at them.

Each figure rests only on the frames (or punches) where the landmarks it needs were seen: the wrist
and the head for guard down, the other wrist and the head for the chin, the punching wrist before
the onset for telegraphing. The share of frames/punches it rests on is reported with it, and a
figure resting on too little is `None` (not measured) rather than a guess.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from striking.punches import Punch
from striking.track import Track

CHIN_BELOW_NOSE = 0.35  # chin line, in athlete sizes below the nose
DOWN_MARGIN = 0.5  # how far below the chin line the WRIST must be (the knuckles sit ~0.4 S above it)
CHIN_COVER = 0.75  # a fist within this distance (S) of the chin covers it
MIN_BASIS = 0.2  # a share needs the landmarks seen in at least this share of the in-frame time …
MIN_FRAMES = 10  # … and at least this many frames


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
    guard_basis_share: float | None = None  # share of in-frame time where a wrist and the head were both seen
    chin_checked: int = 0  # punches where the other wrist and the head were seen (the chin share's basis)
    telegraph_checked: int = 0  # punches whose wind-up window was seen

    def to_dict(self) -> dict:
        return asdict(self)


def head_y(track: Track) -> np.ndarray:
    """Per-frame head height in pixels: the nose, else the mean of the ears seen, else NaN."""
    nose = track.p("nose")[:, 1]
    ears = np.stack([track.p("left_ear")[:, 1], track.p("right_ear")[:, 1]])
    seen = np.isfinite(ears)
    n = seen.sum(axis=0)
    ear_mean = np.where(n > 0, np.where(seen, ears, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)
    return np.where(np.isfinite(nose), nose, ear_mean)


def chin_line(track: Track, scale: float) -> np.ndarray:
    """Per-frame chin height in pixels (from the nose; ears when the face turns away; NaN unseen)."""
    return head_y(track) + CHIN_BELOW_NOSE * scale


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
        below = np.where(seen, wy, 0.0) > np.where(seen, chin, 0.0) + DOWN_MARGIN * scale
        out[hand] = seen & below & ~punching_mask(track, punches, hand)
    return out


def _median(values: list[float]) -> float | None:
    v = [x for x in values if x is not None and np.isfinite(x)]
    return float(np.median(v)) if v else None


def chin_exposed(track: Track, p: Punch, scale: float) -> bool | None:
    """During the punch, neither fist came within CHIN_COVER sizes of the chin; None when the other
    wrist or the head was not seen during the punch."""
    chin_y = chin_line(track, scale)
    nose_x = track.p("nose")[:, 0]
    other = "right" if p.hand == "left" else "left"
    a, b = p.frame_onset, p.frame_return if p.frame_return is not None else p.frame_peak
    w = track.p(f"{other}_wrist")[a : b + 1]
    chin = np.stack([nose_x[a : b + 1], chin_y[a : b + 1]], axis=1)
    d = np.linalg.norm(w - chin, axis=1) / scale
    d = d[np.isfinite(d)]
    return bool(np.median(d) > CHIN_COVER) if d.size else None


def _share(flags: list[bool | None]) -> tuple[float | None, int]:
    seen = [f for f in flags if f is not None]
    return (sum(seen) / len(seen) if seen else None), len(seen)


def measure_habits(track: Track, punches: list[Punch]) -> Habits:
    scale = track.scale
    if not np.isfinite(scale):
        return Habits(None, None, None, None, None, None, None, None)
    down = guard_down(track, punches, scale)
    present = track.present
    head = np.isfinite(head_y(track))
    seen = {h: present & head & np.isfinite(track.p(f"{h}_wrist")[:, 1]) for h in ("left", "right")}
    enough = {h: seen[h].sum() >= MIN_FRAMES and seen[h].sum() >= MIN_BASIS * max(1, present.sum())
              for h in seen}  # fmt: skip
    shares = {}
    for hand in ("left", "right"):
        valid = seen[hand] & ~punching_mask(track, punches, hand)
        shares[hand] = float(down[hand][valid].mean()) if enough[hand] and valid.any() else None
    either = down["left"] | down["right"]
    basis = seen["left"] | seen["right"]
    any_share = float(either[basis].mean()) if (enough["left"] or enough["right"]) and basis.any() else None
    moments = []
    for hand in ("left", "right"):
        for a, b in _runs(down[hand]):
            if track.t[b] - track.t[a] >= 0.2:
                moments.append((float(track.t[a]), float(track.t[b]), hand))
    moments.sort()
    n = len(punches)
    chin, chin_n = _share([chin_exposed(track, p, scale) for p in punches])
    tele, tele_n = _share([p.telegraphed if p.windup_seen else None for p in punches])
    return Habits(
        guard_down_share=any_share,
        guard_down_share_left=shares["left"],
        guard_down_share_right=shares["right"],
        return_s_left=_median([p.return_s for p in punches if p.hand == "left"]),
        return_s_right=_median([p.return_s for p in punches if p.hand == "right"]),
        other_hand_drop_share=sum(p.other_hand_dropped for p in punches) / n if n else None,
        chin_exposed_share=chin,
        telegraph_share=tele,
        guard_down_moments=moments,
        guard_basis_share=float(basis.sum() / present.sum()) if present.any() else None,
        chin_checked=chin_n,
        telegraph_checked=tele_n,
    )
