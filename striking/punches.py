"""Punch detection and rule-based typing from one athlete's keypoint track.

Detection (high recall, separate from type): a punch is an excursion of a wrist away from its own
guard position, measured relative to the same-side shoulder (so body sway and footwork do not count)
and in units of the athlete's size. Reach and speed are judged against the clip's own guard jitter
(a burst: median + z x robust spread), within fixed floors and caps, so the same logic holds from any
camera position and for any 2D keypoints (BlazePose, RTMPose, keypoint-only data): face-on, a punch at
the lens moves the wrist only ~0.4 torso lengths in the picture. A guard drop (mostly downward, ending
with the wrist hanging), a wind-up or dip right before a punch, and the other hand sagging while one
punches are not punches of their own, nor is a burst already under way when the wrist is first seen
(no guard before it). Onset, landing and return to guard are read off the same curve.

Type (after detection): a straight arm is a jab/cross (straight in the picture AND its two segments
foreshortened alike: a hook thrown and filmed at shoulder height looks straight in 2D, but its upper
arm points sideways and its forearm across); a bent arm with the elbow up at wrist height is a hook;
a bent arm that travelled upwards with the elbow under the fist is an uppercut. Lead/rear comes from
the stance. These rules type the punches unless a trained punch model that beat them on
held-out data is installed (models/punch; `serve` in its report); bench/striking_accuracy.py compares
both per source. Each punch carries a confidence and the camera view it was seen from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np

from models.pose.keypoints import K
from striking.track import Track

Hand = Literal["left", "right"]
Shape = Literal["straight", "hook", "uppercut"]
KINDS = ("jab", "cross", "lead_hook", "rear_hook", "lead_uppercut", "rear_uppercut")
KIND_LABEL = {
    "jab": "jab", "cross": "cross", "lead_hook": "lead hook", "rear_hook": "rear hook",
    "lead_uppercut": "lead uppercut", "rear_uppercut": "rear uppercut",
}  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """Detection thresholds, in athlete sizes (S, ~one shoulder width) and seconds.

    Reach and speed are judged against the clip's own guard noise (median + z x robust spread of the
    wrist's distance from its guard place and of its speed), bounded by the floors and caps below:
    face-on, a punch at the lens moves the wrist only ~0.4 torso lengths in the picture (~0.7 S),
    side-on it travels 1.2-1.7 S; a fixed 0.9 S missed every face-on punch.
    """

    min_reach: float = 0.9  # cap on the reach threshold (what a clean side view always passes)
    reach_floor: float = 0.4  # never count an excursion shorter than this, however still the guard
    reach_z: float = 8.0  # robust z-score of the excursion against the clip's own guard jitter
    min_speed: float = 3.5  # cap on the speed threshold, S per second
    speed_floor: float = 2.0
    speed_z: float = 6.0
    max_rise_s: float = 0.6  # onset to peak: slower is a reach, not a punch
    min_gap_s: float = 0.15  # two peaks of one hand closer than this are one punch
    return_frac: float = 0.3  # back in guard when the excursion falls below this share of the peak
    max_down: float = 0.8  # excursion direction mostly downward (unit y >= this) …
    hang: float = 1.0  # … and ending this far (S) below the shoulder is a guard drop, not a punch
    straight_angle: float = 140.0  # elbow angle (deg) at the peak above which the arm is straight …
    max_foreshortening_gap: float = 0.35  # … if its two segments shrink alike in the picture (|log ratio|)
    both_hands_s: float = 0.2  # excursions of both hands peaking this close are one punch (the stronger)


def _robust(x: np.ndarray) -> tuple[float, float]:
    """(median, 1.4826 x median absolute deviation) of the finite values: the clip's own baseline."""
    v = x[np.isfinite(x)]
    if v.size == 0:
        return 0.0, 0.0
    med = float(np.median(v))
    return med, float(1.4826 * np.median(np.abs(v - med)))


@dataclass
class Punch:
    """One punch; times in seconds from the start of the clip, distances in athlete sizes."""

    hand: Hand
    side: Literal["lead", "rear"]
    shape: Shape
    kind: str
    target: Literal["head", "body"]
    t_onset: float
    t_peak: float
    t_return: float | None
    frame_onset: int
    frame_peak: int
    frame_return: int | None
    reach: float
    peak_speed: float
    elbow_angle: float
    confidence: float
    source: str = "rules"
    telegraphed: bool = False
    other_hand_dropped: bool = False
    index: int = 0
    probs: dict[str, float] = field(default_factory=dict)
    down: float = 0.0  # share of the excursion that went downwards in the picture (unit vector y)
    view: str = ""  # camera view of the athlete when the punch landed: front | oblique | side
    windup_seen: bool = True  # the wrist was seen in the moments before the onset (telegraphing measurable)
    elbow_lift: float = 0.0  # how far the elbow rose from its guard place at the landing, S

    @property
    def return_s(self) -> float | None:
        return None if self.t_return is None else self.t_return - self.t_peak

    @property
    def label(self) -> str:
        base = KIND_LABEL.get(self.kind, self.kind)
        return f"{base} ({self.target})" if self.target == "body" else base

    def to_dict(self) -> dict:
        d = asdict(self)
        d["return_s"] = self.return_s
        d["label"] = self.label
        return d


def kind_of(shape: str, side: str) -> str:
    if shape == "straight":
        return "jab" if side == "lead" else "cross"
    return f"{side}_{shape}"


def elbow_angle(shoulder: np.ndarray, elbow: np.ndarray, wrist: np.ndarray) -> float:
    """Interior elbow angle in degrees (180 = straight arm); NaN when a point is missing."""
    u, v = shoulder - elbow, wrist - elbow
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if not (np.isfinite(nu) and np.isfinite(nv)) or nu == 0 or nv == 0:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(np.dot(u, v) / (nu * nv), -1, 1))))


def speed(points: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per-frame speed (px/s) by central differences; NaN where the point is missing."""
    if len(t) < 2:
        return np.zeros(len(t))
    v = np.gradient(points, t, axis=0)
    return np.linalg.norm(v, axis=1)


def _fill_nan(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    ok = np.isfinite(out)
    if ok.any() and not ok.all():
        idx = np.arange(len(out))
        out[~ok] = np.interp(idx[~ok], idx[ok], out[ok])
    return out


def guard_offset(rel: np.ndarray) -> np.ndarray:
    """Where this wrist rests relative to its shoulder: the median of the frames near the median
    (punches are a small share of a round, so two passes shed them)."""
    ok = np.isfinite(rel).all(axis=1)
    if not ok.any():
        return np.array([np.nan, np.nan])
    g = np.median(rel[ok], axis=0)
    near = ok & (np.linalg.norm(np.nan_to_num(rel - g, nan=9e9), axis=1) < 0.6)
    return np.median(rel[near], axis=0) if near.sum() >= 3 else g


@dataclass
class HandSignals:
    """Everything about one hand over the clip, in athlete sizes."""

    hand: Hand
    rel: np.ndarray  # (frames, 2) wrist minus same-side shoulder
    guard: np.ndarray  # (2,) resting offset
    disp: np.ndarray  # (frames,) distance from the guard place
    speed: np.ndarray  # (frames,) wrist speed, S/s


def hand_signals(track: Track, hand: Hand, scale: float) -> HandSignals:
    wrist = track.p(f"{hand}_wrist")
    shoulder = track.p(f"{hand}_shoulder")
    rel = (wrist - shoulder) / scale
    g = guard_offset(rel)
    disp = np.linalg.norm(rel - g, axis=1)
    sp = speed(wrist, track.t) / scale
    return HandSignals(hand, rel, g, disp, sp)


def _arm_shape(track: Track, hand: Hand, i_onset: int, i_peak: int, scale: float,
               th: Thresholds) -> tuple[Shape, float, float]:  # fmt: skip
    """(shape, elbow angle at the peak, confidence 0..1) from the arm's geometry."""
    s, e, w = (track.xy[i_peak, K[f"{hand}_{p}"]] for p in ("shoulder", "elbow", "wrist"))
    angle = elbow_angle(s, e, w)
    wy = track.xy[i_onset : i_peak + 1, K[f"{hand}_wrist"], 1]
    lowest = np.nanmax(wy) if np.isfinite(wy).any() else w[1]
    rise = (lowest - w[1]) / scale  # upward travel before the peak (image y grows downwards)
    horiz = abs(w[0] - track.xy[i_onset, K[f"{hand}_wrist"], 0]) / scale
    elbow_under = (e[1] - w[1]) / scale  # > 0: elbow below the fist
    if not np.isfinite(angle):
        return "straight", angle, 0.3
    if angle >= th.straight_angle and abs(foreshortening_gap(track, hand, i_peak)) <= th.max_foreshortening_gap:
        return "straight", angle, float(np.clip(0.5 + (angle - th.straight_angle) / 60, 0.5, 0.95))
    if rise >= 0.45 and elbow_under >= 0.25 and rise >= 0.6 * horiz:
        return "uppercut", angle, float(np.clip(0.45 + rise / 3, 0.45, 0.9))
    if abs(elbow_under) < 0.45:
        return "hook", angle, float(np.clip(0.5 + (th.straight_angle - angle) / 150, 0.5, 0.9))
    return ("uppercut" if rise > horiz else "hook"), angle, 0.4


def foreshortening_gap(track: Track, hand: Hand, i: int) -> float:
    """log((upper arm / its length) / (forearm / its length)) in the picture at frame i; 0 when unknown.

    A straight arm is one line in 3D, so both its segments shrink alike in the picture whatever the
    camera. A bent arm whose bend plane holds the line of sight (a hook thrown at shoulder height and
    filmed from shoulder height, the usual three-quarter phone or broadcast shot) also looks straight
    in 2D, but its upper arm points out to the side and its forearm across, so one segment is
    foreshortened and the other is not. Each segment's length is its 90th percentile over the clip
    (it lies across the picture at some point of a round)."""
    s, e, w = (track.p(f"{hand}_{p}") for p in ("shoulder", "elbow", "wrist"))
    upper, fore = np.linalg.norm(e - s, axis=1), np.linalg.norm(w - e, axis=1)
    if not (np.isfinite(upper[i]) and np.isfinite(fore[i])) or upper[i] <= 0 or fore[i] <= 0:
        return 0.0
    u_len, f_len = np.nanpercentile(upper, 90), np.nanpercentile(fore, 90)
    return float(np.log((upper[i] / u_len) / (fore[i] / f_len)))


def _front_shape(track: Track, hand: Hand, i: int, scale: float, sig: HandSignals) -> tuple[Shape, float, float]:
    """(shape, 2D elbow angle, confidence) of a punch seen face-on, where the 2D elbow angle says little
    (an arm pointing at the lens looks folded). A hook swings the elbow out to the side and the fist
    across; an uppercut finishes with the fist high in front of the chin (wrist ~1 S above its
    shoulder); a straight at the lens shows the fist near shoulder height. Read off the face-on
    stills' dev part (elbow out >= 0.15 S or fist across >= 0.45 S: hook; wrist >= 0.8 S above the
    shoulder: uppercut)."""
    s, e, w = (track.xy[i, K[f"{hand}_{p}"]] for p in ("shoulder", "elbow", "wrist"))
    angle = elbow_angle(s, e, w)
    mid = (track.p("left_shoulder") + track.p("right_shoulder")) / 2
    side = track.p(f"{hand}_shoulder")[:, 0] - mid[:, 0]
    side = side[np.isfinite(side)]
    out = float(np.sign(np.median(side))) if side.size and np.median(side) != 0 else 0.0
    erel = (track.p(f"{hand}_elbow") - track.p(f"{hand}_shoulder")) / scale
    elbow_out = float((erel[i, 0] - guard_offset(erel)[0]) * out)
    fist_out = float((sig.rel[i, 0] - sig.guard[0]) * out)
    wrist_up = float(-sig.rel[i, 1])
    if not all(np.isfinite(v) for v in (elbow_out, fist_out, wrist_up)):
        return "straight", angle, 0.3
    if elbow_out >= 0.15 or fist_out >= 0.45:
        return "hook", angle, float(np.clip(0.5 + max(elbow_out - 0.15, fist_out - 0.45), 0.5, 0.9))
    if wrist_up >= 0.8:
        return "uppercut", angle, float(np.clip(0.5 + (wrist_up - 0.8), 0.5, 0.9))
    return "straight", angle, float(np.clip(0.5 + (0.8 - wrist_up) / 2, 0.5, 0.85))


def _target(track: Track, hand: Hand, i_peak: int, scale: float) -> Literal["head", "body"]:
    """Body when the fist lands clearly below the shoulder line, head otherwise."""
    w = track.xy[i_peak, K[f"{hand}_wrist"]]
    sh = np.nanmean(track.xy[i_peak, [K["left_shoulder"], K["right_shoulder"]]], axis=0)
    return "body" if (w[1] - sh[1]) / scale > 0.45 else "head"


def _drop_windups(sig: HandSignals, t: np.ndarray, found: list[tuple[int, int, int, int | None]],
                  within_s: float = 0.4) -> list[tuple[int, int, int, int | None]]:  # fmt: skip
    """A short excursion followed at once by a larger one of the same hand the opposite way is the
    wind-up of that punch (telegraphing, flagged on the punch), not a punch of its own."""
    out = []
    for k, ex in enumerate(found):
        if k + 1 < len(found):
            nxt = found[k + 1]
            a, b = sig.rel[ex[1]] - sig.guard, sig.rel[nxt[1]] - sig.guard
            na, nb = np.linalg.norm(a), np.linalg.norm(b)
            if t[nxt[0]] - t[ex[1]] <= within_s and nb > na and na > 0 and float(a @ b) / (na * nb) < -0.3:
                continue
        out.append(ex)
    return out


def burst_thresholds(sig: HandSignals, th: Thresholds) -> tuple[float, float]:
    """(reach, speed) an excursion must pass for this hand in this clip: a burst against the hand's
    own guard jitter, never below the floors nor above the caps."""
    med_d, sd_d = _robust(sig.disp)
    med_s, sd_s = _robust(sig.speed)
    reach = float(np.clip(med_d + th.reach_z * sd_d, th.reach_floor, th.min_reach))
    fast = float(np.clip(med_s + th.speed_z * sd_s, th.speed_floor, th.min_speed))
    return reach, fast


def find_excursions(sig: HandSignals, t: np.ndarray, th: Thresholds,
                    front: bool = False) -> list[tuple[int, int, int, int | None]]:  # fmt: skip
    """(onset, landing, furthest, return) frame indices of wrist excursions that pass the punch tests."""
    disp = _fill_nan(sig.disp)
    sp = np.nan_to_num(sig.speed)
    n = len(disp)
    min_reach, min_speed = burst_thresholds(sig, th)
    seen = np.flatnonzero(np.isfinite(sig.disp))
    first = int(seen[0]) if seen.size else 0
    out: list[tuple[int, int, int, int | None]] = []
    i = 0
    while i < n:
        if not np.isfinite(disp[i]) or disp[i] < min_reach:
            i += 1
            continue
        # climb to the local top of this excursion (until it falls back well below the top)
        j = i
        top = i
        while j < n and disp[j] >= min_reach * 0.6:
            if disp[j] > disp[top]:
                top = j
            if disp[j] < disp[top] * 0.6:
                break
            j += 1
        floor = max(min(0.3, 0.6 * min_reach), th.return_frac * disp[top])
        land = top  # the fist lands when it first gets (nearly) all the way out, not at the end of a hold
        while land > i and disp[land - 1] >= 0.9 * disp[top]:
            land -= 1
        onset = land
        while onset > 0 and disp[onset - 1] > floor and disp[onset - 1] < disp[onset] + 0.05:
            onset -= 1
        back = top + 1  # back in guard, or the valley before the wrist sets off again (a dip, a double)
        while back < n and disp[back] > floor:
            ahead = disp[back : back + 10]
            if disp[back] > disp[back - 1] and disp[back - 1] < 0.6 * disp[top] and ahead.max() >= disp[back - 1] + 0.3:
                back -= 1
                break
            back += 1
        ret = back if back < n else None
        vec = sig.rel[land] - sig.guard
        norm = float(np.linalg.norm(vec))
        # mostly downward is a guard drop or a dip; face-on, a punch at the lens also travels down in the
        # picture, so there only a wrist that ends hanging well below its shoulder is a drop
        downward = norm > 0 and vec[1] / norm >= th.max_down and (not front or sig.rel[top][1] >= th.hang)
        fast = sp[onset : land + 1].max(initial=0.0) >= min_speed
        quick = t[land] - t[onset] <= th.max_rise_s
        # the burst must set off from a guard that was seen: one already under way in the wrist's first
        # frame (a broadcast cut, a track that starts mid-move) cannot be told from a reach or a swap
        from_guard = onset > first
        if fast and quick and not downward and from_guard:
            if out and t[land] - t[out[-1][1]] < th.min_gap_s:
                if disp[land] > disp[out[-1][1]]:
                    out[-1] = (out[-1][0], land, top, ret)
            else:
                out.append((onset, land, top, ret))
        i = max(back, top + 1)
        while i < n and disp[i] >= min_reach and disp[i] <= disp[i - 1] + 0.02:  # still on the way back
            i += 1
    return out


def detect_punches(track: Track, stance: str = "orthodox", th: Thresholds | None = None) -> list[Punch]:
    """All punches of both hands, in time order, typed by the rules."""
    th = th or Thresholds()
    scale = track.scale
    if not np.isfinite(scale) or len(track) < 3:
        return []
    lead: Hand = "left" if stance == "orthodox" else "right"
    punches: list[Punch] = []
    view, _ratio = track.view
    signals = {h: hand_signals(track, h, scale) for h in ("left", "right")}
    lifts = {h: _elbow_lift(track, h, scale) for h in ("left", "right")}
    for hand, sig in signals.items():
        other = signals["right" if hand == "left" else "left"]
        for onset, peak, top, ret in _drop_windups(
            sig, track.t, find_excursions(sig, track.t, th, front=view == "front")
        ):
            angles = [elbow_angle(*(track.xy[i, K[f"{hand}_{p}"]] for p in ("shoulder", "elbow", "wrist")))
                      for i in range(peak, top + 1)]  # fmt: skip
            widest = peak + int(np.nanargmax(angles)) if np.isfinite(angles).any() else peak
            shape, angle, conf = _arm_shape(track, hand, onset, widest, scale, th)
            side = "lead" if hand == lead else "rear"
            punches.append(
                Punch(
                    hand=hand, side=side, shape=shape, kind=kind_of(shape, side),
                    target=_target(track, hand, peak, scale),
                    t_onset=float(track.t[onset]), t_peak=float(track.t[peak]),
                    t_return=None if ret is None else float(track.t[ret]),
                    frame_onset=onset, frame_peak=peak, frame_return=ret,
                    reach=float(sig.disp[peak]), peak_speed=float(np.nanmax(sig.speed[onset : peak + 1])),
                    elbow_angle=angle, confidence=conf,
                    telegraphed=shape != "uppercut" and _telegraphed(sig, track.t, onset, peak),
                    other_hand_dropped=_other_dropped(track, other, onset, ret if ret is not None else peak, scale),
                    down=_down(sig, peak), view=view, windup_seen=_windup_seen(sig, track.t, onset),
                    elbow_lift=float(np.nan_to_num(lifts[hand][peak])),
                )
            )  # fmt: skip
    punches = _one_punch_at_a_time(punches, th)
    for p in punches if view == "front" else []:
        # face-on, a punch at the lens barely moves its wrist in the picture while the guard hand may sag
        # further: a mostly downward excursion whose other arm lifted its elbow is that other arm's punch
        other: Hand = "right" if p.hand == "left" else "left"
        lift = lifts[other][p.frame_peak]
        own = p.elbow_lift if np.isfinite(p.elbow_lift) else 0.0
        if p.down > 0.5 and np.isfinite(lift) and lift - own > 0.2:
            p.hand, p.elbow_lift = other, float(lift)  # finite: checked above
            p.side = "lead" if other == lead else "rear"
    for p in punches if view == "front" else []:
        p.shape, p.elbow_angle, p.confidence = _front_shape(track, p.hand, p.frame_peak, scale, signals[p.hand])
        p.kind = kind_of(p.shape, p.side)
    punches.sort(key=lambda p: p.t_peak)
    for i, p in enumerate(punches, 1):
        p.index = i
    return punches


def punch_strength(p: Punch) -> float:
    """How much this excursion looks like the punching arm: the punching arm lifts its elbow (the upper
    arm comes up and forward for a straight, out for a hook, drives up for an uppercut) while the guard
    arm's elbow stays or sinks; then its reach, the downward part of the movement counting less.
    Picked the punching arm in 0.95 of the face-on stills' dev part, where the other hand often
    drops further than the punching one moves."""
    lift = p.elbow_lift if np.isfinite(p.elbow_lift) else 0.0
    return lift + 0.5 * p.reach * (1.0 - p.down)


def _one_punch_at_a_time(punches: list[Punch], th: Thresholds) -> list[Punch]:
    """Both wrists leaving guard together is one punch (the other hand sagging or bracing): keep the
    stronger excursion. Real double punches are rare enough to lose."""
    keep: list[Punch] = []
    for p in sorted(punches, key=punch_strength, reverse=True):
        if not any(q.hand != p.hand and abs(q.t_peak - p.t_peak) <= th.both_hands_s for q in keep):
            keep.append(p)
    return keep


def _elbow_lift(track: Track, hand: Hand, scale: float) -> np.ndarray:
    """Per frame, how far the elbow sits above its guard place relative to its shoulder, S (NaN unseen)."""
    rel = (track.p(f"{hand}_elbow") - track.p(f"{hand}_shoulder")) / scale
    return -(rel[:, 1] - guard_offset(rel)[1])


def _down(sig: HandSignals, i: int) -> float:
    vec = sig.rel[i] - sig.guard
    norm = float(np.linalg.norm(vec))
    return float(vec[1] / norm) if np.isfinite(norm) and norm > 0 else 0.0


def _windup_seen(sig: HandSignals, t: np.ndarray, onset: int, window_s: float = 0.35) -> bool:
    start = int(np.searchsorted(t, t[onset] - window_s))
    seg = sig.rel[start : onset + 1]
    return bool(len(seg) >= 2 and np.isfinite(seg).all(axis=1).mean() >= 0.5)


def _telegraphed(sig: HandSignals, t: np.ndarray, onset: int, peak: int, window_s: float = 0.35) -> bool:
    """A wind-up: in the moments before the onset the fist first moved AWAY from the target
    (opposite to the punch's direction) by at least a quarter of the athlete's size."""
    direction = sig.rel[peak] - sig.guard
    norm = np.linalg.norm(direction)
    if not np.isfinite(norm) or norm == 0:
        return False
    u = direction / norm
    start = int(np.searchsorted(t, t[onset] - window_s))
    before = (sig.rel[start : onset + 1] - sig.guard) @ u
    before = before[np.isfinite(before)]
    return bool(before.size and before.min() <= -0.25)


def _other_dropped(track: Track, other: HandSignals, a: int, b: int, scale: float) -> bool:
    """The non-punching hand fell at least 0.35 S below its guard height while the punch was out."""
    seg = other.rel[a : b + 1, 1] - other.guard[1]
    seg = seg[np.isfinite(seg)]
    return bool(seg.size and seg.max() >= 0.35)


def detect_stance(track: Track, preferred: str | None = None) -> tuple[str, str]:
    """('orthodox'|'southpaw', how it was decided).

    Side-on or three-quarter, the boxer faces where the nose points past the shoulder midpoint and
    the shoulder on that side is the lead. Face-on the picture cannot tell: the profile's stance is
    used, else orthodox (and the report says it was assumed).
    """
    nose = track.p("nose")[:, 0]
    ls, rs = track.p("left_shoulder")[:, 0], track.p("right_shoulder")[:, 0]
    scale = track.scale
    facing = (nose - (ls + rs) / 2) / scale
    ok = np.isfinite(facing)
    if ok.sum() >= 3 and np.isfinite(scale):
        f = float(np.median(facing[ok]))
        lead_left = np.median((ls - rs)[ok & np.isfinite(ls - rs)]) * np.sign(f) > 0
        if abs(f) >= 0.15:
            return ("orthodox" if lead_left else "southpaw"), "from the video (the side you face)"
    if preferred in ("orthodox", "southpaw"):
        return preferred, "from your profile"
    return "orthodox", "assumed (face-on video; tell me your stance to fix it)"
