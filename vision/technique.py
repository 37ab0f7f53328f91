"""Technique measures of one analysed lift: the bar's path and the lifter's landmarks turned into numbers.

Each measure carries its uncertainty, the rep and the moment it was read at, and — when the camera
angle or what could be seen does not allow it — `not_judged` with the reason instead of a value.
Measures only measure: which of them matter, and what to say, is `vision.critique`'s business.

Angles are read on the side of the body nearer the camera (the one the pose model is surer of).
Distances along the body are in the lifter's own thigh or torso lengths, so they need no scale;
distances of the bar are in centimetres only when a plate gave the scale.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from vision.body import POSE_SIDE, J, LifterPose

# Landmark error of a single-camera pose model on a joint centre: ~3-4 % of image height for BlazePose
# on COCO-like images; on a lifter filling a third of the frame that is ~5 % of a thigh length, and about
# 5 degrees on a joint angle read from three such points. These set the floor of every uncertainty.
POINT_SD_LIMB = 0.05  # in limb lengths
MIN_POINT_PX = 3.0  # ... and never below ~3 pixels of the image the pose model read (a small clip's thigh is ~35 px)
ANGLE_SD_DEG = 5.0
SIDE_VIEW_MAX = 0.30  # shoulder spread / torso length below this: the camera looks at the side
FRONT_VIEW_MIN = 0.60  # above this: the camera looks at the front (or back)
WINDOW_S = 0.15  # pose frames this close to a moment count as "at" it


@dataclass
class Measure:
    """One number about the lift (or why it could not be read)."""

    name: str  # "depth", "knee_angle_bottom", ...
    value: float | None
    sd: float | None
    unit: str  # "thigh", "deg", "cm", "s", "torso", "ratio", ""
    rep: int | None = None
    t: float | None = None  # the moment (s, clip time) the key frame shows
    verdict: str | None = None  # a word set by the measure's own rule (depth: "deep enough" / "high" / "borderline")
    not_judged: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("value", "sd", "t"):
            if isinstance(d[k], float):
                d[k] = round(d[k], 3)
        return d


def view_of(pose: LifterPose) -> tuple[str, float | None]:
    """ "side", "oblique" or "front" from how far apart the shoulders look next to the torso's length."""
    ls, rs, lh, rh = (pose.p(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    spread = np.abs(ls[:, 0] - rs[:, 0])
    both = np.stack([np.hypot(*(ls - lh).T), np.hypot(*(rs - rh).T)])
    torso = np.where(np.isfinite(both).any(axis=0), np.nanmax(np.where(np.isfinite(both), both, -1), axis=0), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = spread / torso
    if np.isfinite(ratio).sum() < 3:
        return "unknown", None
    r = float(np.nanmedian(ratio))
    return ("side" if r < SIDE_VIEW_MAX else "front" if r > FRONT_VIEW_MIN else "oblique"), r


def near_side(pose: LifterPose) -> str:
    """'left' or 'right': the leg and arm the camera sees best (higher mean confidence)."""
    left = [J[n] for n in ("left_shoulder", "left_hip", "left_knee", "left_ankle", "left_elbow", "left_wrist")]
    right = [J[n] for n in ("right_shoulder", "right_hip", "right_knee", "right_ankle", "right_elbow", "right_wrist")]
    return "left" if pose.conf[:, left].mean() >= pose.conf[:, right].mean() else "right"


def angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Interior angle at b (degrees) between b→a and b→c; NaN when a point is missing."""
    u, v = a - b, c - b
    nu, nv = np.hypot(*u), np.hypot(*v)
    if not (np.isfinite(nu) and np.isfinite(nv)) or nu == 0 or nv == 0:
        return math.nan
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(u, v) / (nu * nv))))))


@dataclass
class Context:
    """What every measure needs: the pose of the lifter, the bar in displayed pixels, times, scale."""

    lift: str
    pose: LifterPose
    side: str
    view: str
    view_ratio: float | None
    bar_t: np.ndarray  # clip times of the bar path
    bar_xy: np.ndarray  # displayed px
    bar_ok: np.ndarray
    t0: float  # clip time of the kinematics' zero
    px_per_m: float | None  # None: no plate, no centimetres
    kin: Any
    reps: list[Any]
    plate_radius_px: float | None = None
    point_floor_px: float = 0.0  # a landmark's error can't be below a few of the pose input's pixels
    body_note: str | None = None  # why the landmarks are doubtful (Olympic lifts: the bar's measures still stand)
    facing: float | None = None  # snatch/clean: +1 the lifter faces toward larger image x, -1 smaller, None unseen

    def j(self, name: str) -> np.ndarray:
        return self.pose.p(f"{self.side}_{name}")

    def frames_near(self, t: float, within: float = WINDOW_S) -> np.ndarray:
        return np.nonzero(np.abs(self.pose.t - t) <= within)[0]

    def bar_at(self, t: float) -> np.ndarray:
        good = self.bar_ok & np.isfinite(self.bar_xy).all(axis=1)
        if good.sum() < 2:
            return np.array([np.nan, np.nan])
        return np.array([np.interp(t, self.bar_t[good], self.bar_xy[good, i]) for i in (0, 1)])

    def plate_hides(self, point: np.ndarray, t: float) -> bool:
        """Whether the plate (side view, scale from the plate) covers `point` at time `t`."""
        if self.plate_radius_px is None:
            return False
        centre = self.bar_at(t)
        return bool(np.isfinite(centre).all() and np.hypot(*(point - centre)) < 1.25 * self.plate_radius_px)

    def lowest(self, t: float, point: str = "hip", within: float = WINDOW_S) -> int | None:
        """The pose frame near `t` where `point` is lowest in the picture (largest y) and seen."""
        idx = [i for i in self.frames_near(t, within) if np.isfinite(self.j(point)[i]).all()]
        return max(idx, key=lambda i: self.j(point)[i, 1]) if idx else None


BONES = (("hip", "knee"), ("knee", "ankle"), ("shoulder", "hip"), ("shoulder", "elbow"), ("elbow", "wrist"))
BONE_RANGE = (0.6, 1.6)  # a bone this far from its own median length is a misread (side views shorten little)
FLIP_DEG = 75.0  # the torso turned further than this from its median direction between two reads: a flip
MAX_REJECTED = 0.4


def plausible(pose: LifterPose) -> float:
    """Blank out frames the pose model misread (bones of impossible length, the body flipped); the share blanked.

    A lying lifter (bench) or a plate hiding the body makes BlazePose swap head and feet or fold a limb; a
    measure read from such a frame would be a confident wrong number."""
    n = len(pose.t)
    if n == 0:
        return 0.0
    bad = np.zeros(n, bool)
    seen = np.isfinite(pose.xy).all(axis=2).any(axis=1)
    for side in ("left", "right"):
        for a, b in BONES:
            length = np.hypot(*(pose.p(f"{side}_{a}") - pose.p(f"{side}_{b}")).T)
            if np.isfinite(length).sum() >= 3:
                med = float(np.nanmedian(length))
                bad |= np.isfinite(length) & ((length < BONE_RANGE[0] * med) | (length > BONE_RANGE[1] * med))
        v = pose.p(f"{side}_shoulder") - pose.p(f"{side}_hip")
        ang = np.degrees(np.arctan2(v[:, 0], -v[:, 1]))
        if np.isfinite(ang).sum() >= 3:
            med = float(np.degrees(np.angle(np.nanmean(np.exp(1j * np.radians(ang[np.isfinite(ang)]))))))
            diff = np.abs((ang - med + 180) % 360 - 180)
            bad |= np.isfinite(diff) & (diff > FLIP_DEG)
    pose.xy[bad] = np.nan
    return float(bad[seen].mean()) if seen.any() else 0.0


def context(analysis: Any) -> Context | str:
    """The context for the measures, or why none can be made (no body track, sideways clip)."""
    if analysis.body is None:
        return analysis.body_note or "the clip was analysed without the lifter's body (before the pose pass existed)"
    if any("sideways" in n for n in analysis.notes):
        return "the clip is sideways, so the lifter's landmarks are not upright"
    pose = analysis.body.lifter(analysis.path_t, analysis.drawn_path)
    olympic = analysis.options.lift in OLYMPIC
    if olympic:
        # a snatch or clean is filmed on a platform with people around it, and the plate hides the lifter in the
        # pull: the person nearest the bar is often a spectator, whose limbs would pass as the lifter's
        away_from_bar(pose, np.asarray(analysis.path_t), np.asarray(analysis.drawn_path, float))
    face = facing_of(pose) if olympic else None  # the head is read well even when the limbs are not
    rejected = plausible(pose)
    body_note = None
    if rejected > MAX_REJECTED:
        body_note = (
            f"the pose model could not follow the lifter reliably ({100 * rejected:.0f}% of the frames it read "
            "had limbs of impossible lengths or a body flipped over)"
        )
        if not olympic:
            return body_note
        # snatch and clean: the bar's own measures (timing, loop, catch) still stand, and a body measure uses
        # only the frames left after the misread ones were blanked (each says when too few were left)
    view, ratio = view_of(pose)
    ok = analysis.path_ok if analysis.path_ok is not None else np.ones(len(analysis.path_t), bool)
    px = analysis.px_per_m if analysis.source == "plate" else None
    return Context(analysis.options.lift, pose, near_side(pose), view, ratio, np.asarray(analysis.path_t),
                   np.asarray(analysis.drawn_path, float), np.asarray(ok, bool), float(analysis.path_t[0]), px,
                   analysis.kin, list(analysis.reps), _plate_radius(analysis),
                   MIN_POINT_PX * max(1.0, max(analysis.video.width, analysis.video.height) / POSE_SIDE),
                   body_note, face)  # fmt: skip


OLYMPIC = ("snatch", "clean")
AT_BAR_TORSO = 1.0  # a person whose hips are further than a torso length (sideways) from the bar is not the lifter


def facing_of(pose: LifterPose) -> float | None:
    """+1 if the lifter faces toward larger image x, -1 toward smaller, None if not seen (nose against ears)."""
    nose = pose.p("nose")
    both = np.stack([pose.p("left_ear")[:, 0], pose.p("right_ear")[:, 0]])
    seen = np.isfinite(both)
    ears = np.where(seen.any(axis=0), np.where(seen, both, 0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1), np.nan)
    votes = np.sign(nose[:, 0] - ears)
    votes = votes[np.isfinite(votes) & (votes != 0)]
    if len(votes) < 2 or abs(float(np.mean(votes))) < 0.5:
        return None
    return float(np.sign(np.mean(votes)))


def away_from_bar(pose: LifterPose, bar_t: np.ndarray, bar_xy: np.ndarray) -> None:
    """Blank the frames whose person stands away from the bar (hips more than a torso length from it sideways)."""
    good = np.isfinite(bar_xy).all(axis=1)
    if good.sum() < 2:
        return
    bx = np.interp(pose.t, bar_t[good], bar_xy[good, 0])
    for side in ("left", "right"):
        torso = np.hypot(*(pose.p(f"{side}_shoulder") - pose.p(f"{side}_hip")).T)
        far = np.abs(pose.p(f"{side}_hip")[:, 0] - bx) > AT_BAR_TORSO * torso
        pose.xy[far] = np.nan


def _plate_radius(analysis: Any) -> float | None:
    if analysis.source != "plate" or not analysis.scale_method.startswith("plate"):
        return None
    return analysis.px_per_m * analysis.options.plate_mm / 2000.0


def _bottom_t(ctx: Context, rep: Any) -> float:
    return float(rep.start_t) + ctx.t0


def _top_t(ctx: Context, rep: Any) -> float:
    return float(rep.end_t) + ctx.t0


def _not(name: str, why: str, rep: int | None = None, unit: str = "") -> Measure:
    return Measure(name, None, None, unit, rep=rep, not_judged=why)


# IPF Technical Rules (2023), back squat, rule 3(b): "the top surface of the legs at the hip joint lower
# than the top of the knees". Read on landmarks: the crease sits at about hip-joint height, the top of the
# knee about 0.1 thigh length above the knee's centre, so the rule is met when the hip joint is no more
# than 0.05 thigh length above the knee joint (half the knee's radius as margin against a high crease).
DEPTH_RULE_THIGH = -0.05
# A plate in front of the hip leaves the pose model guessing the hip under it: the landmark's error grows
# to about a plate rim's width (the crease cannot be seen, by the model or by a judge at that angle).
HIDDEN_HIP_SD = 0.15


def depth(ctx: Context) -> list[Measure]:
    """Per rep: how far the hip joint is below the knee joint at the bottom, in thigh lengths (+ = below)."""
    if ctx.view == "front":
        return [_not("depth", "from the front I can't judge depth: film from the side", unit="thigh")]
    out = []
    for rep in ctx.reps:
        i = ctx.lowest(_bottom_t(ctx, rep))
        if i is None or not np.isfinite(ctx.j("knee")[i]).all():
            out.append(_not("depth", "the hips and knees were not seen at the bottom", rep.number, "thigh"))
            continue
        hip, knee = ctx.j("hip")[i].copy(), ctx.j("knee")[i]
        thigh = float(np.hypot(*(hip - knee)))
        # The pose frame may be a little before or after the bar's lowest point: the hips move with the bar.
        lowest_bar, bar_then = ctx.bar_at(_bottom_t(ctx, rep)), ctx.bar_at(float(ctx.pose.t[i]))
        if ctx.px_per_m is not None and np.isfinite(lowest_bar).all() and np.isfinite(bar_then).all():
            hip[1] += lowest_bar[1] - bar_then[1]
        margin = float(hip[1] - knee[1]) / thigh
        near = [k for k in ctx.frames_near(ctx.pose.t[i], 0.07) if np.isfinite(ctx.j("knee")[k]).all()]
        near = [k for k in near if np.isfinite(ctx.j("hip")[k]).all()]
        jitter = float(np.std([(ctx.j("hip")[k, 1] - ctx.j("knee")[k, 1]) / thigh for k in near])) if near else 0
        point = max(POINT_SD_LIMB, ctx.point_floor_px / thigh)
        sd = math.hypot(point * math.sqrt(2), jitter)
        if ctx.view == "oblique":
            sd *= 1.5  # a thigh pointing partly at the camera is foreshortened
        hidden = ctx.plate_hides(hip, _bottom_t(ctx, rep))
        if hidden:
            sd = math.hypot(sd, HIDDEN_HIP_SD)
        verdict = "deep enough" if margin - sd > DEPTH_RULE_THIGH else "high" if margin + sd < DEPTH_RULE_THIGH else (
            "borderline")  # fmt: skip
        out.append(Measure("depth", margin, sd, "thigh", rep.number, float(ctx.pose.t[i]), verdict,
                           extra={"frame": int(ctx.pose.index[i]), "hip_xy": hip.tolist(), "knee_xy": knee.tolist(),
                                  "hip_hidden_by_plate": hidden}))  # fmt: skip
    return out


def joint_angles_at_bottom(ctx: Context) -> list[Measure]:
    """Knee and hip angle and torso lean from vertical at each rep's bottom (side or oblique view)."""
    if ctx.view == "front":
        why = "from the front I can't read joint angles or torso lean: film from the side"
        return [_not("knee_angle_bottom", why, unit="deg"), _not("torso_lean_bottom", why, unit="deg")]
    out = []
    for rep in ctx.reps:
        i = ctx.lowest(_bottom_t(ctx, rep))
        if i is None:
            out.append(_not("knee_angle_bottom", "the hips were not seen at the bottom", rep.number, "deg"))
            continue
        sh, hip, knee, ank = (ctx.j(n)[i] for n in ("shoulder", "hip", "knee", "ankle"))
        t = float(ctx.pose.t[i])
        sd = ANGLE_SD_DEG * (1.5 if ctx.view == "oblique" else 1.0)
        for name, value in (("knee_angle_bottom", angle(hip, knee, ank)), ("hip_angle_bottom", angle(sh, hip, knee))):
            if math.isfinite(value):
                out.append(Measure(name, value, sd, "deg", rep.number, t, extra={"frame": int(ctx.pose.index[i])}))
        v = sh - hip
        if np.isfinite(v).all():
            lean = math.degrees(math.atan2(abs(float(v[0])), -float(v[1])))
            out.append(Measure("torso_lean_bottom", lean, sd, "deg", rep.number, t,
                               extra={"frame": int(ctx.pose.index[i])}))  # fmt: skip
    return out


LOCKOUT_DEG = 165.0  # a joint within 15 degrees of straight is taken as locked out (landmark error ~5-8 deg)


def lockout(ctx: Context, joints: tuple[str, ...] = ("knee", "hip")) -> list[Measure]:
    """The smallest of the lockout joints' angles at each rep's top; 'locked out' when all are >= LOCKOUT_DEG."""
    points = {"knee": ("hip", "knee", "ankle"), "hip": ("shoulder", "hip", "knee"), "elbow": ("shoulder", "elbow",
                                                                                             "wrist")}  # fmt: skip
    out = []
    for rep in ctx.reps:
        # from just before the bar's top to 0.6 s after it: the stand that follows a rep is where it locks out,
        # and the pose is sampled ~5 times a second there
        top = _top_t(ctx, rep)
        idx = np.nonzero((ctx.pose.t >= top - 0.15) & (ctx.pose.t <= top + 0.6))[0]
        best: tuple[float, int, str] | None = None
        for i in idx:
            vals = [(angle(*(ctx.j(n)[i] for n in points[jn])), jn) for jn in joints]
            vals = [(v, jn) for v, jn in vals if math.isfinite(v)]
            if len(vals) != len(joints):
                continue
            low, jn = min(vals)
            if best is None or low > best[0]:
                best = (low, int(i), jn)
        if best is None:
            out.append(_not("lockout", "the joints were not seen at the top", rep.number, "deg"))
            continue
        low, top_i, jn = best
        verdict = "locked out" if low + ANGLE_SD_DEG >= LOCKOUT_DEG else "soft lockout"
        out.append(Measure("lockout", low, ANGLE_SD_DEG, "deg", rep.number, float(ctx.pose.t[top_i]), verdict,
                           extra={"joint": jn, "frame": int(ctx.pose.index[top_i])}))  # fmt: skip
    return out


# Mid-foot: the bar over the middle of the foot is the balanced position (Rippetoe, Starting Strength 3rd ed.,
# ch. 2). The ankle joint sits about a quarter of the foot from the heel, so mid-foot is ~6 cm ahead of it for
# a 26 cm foot; "ahead" is the way the knees point at the bottom.
MIDFOOT_AHEAD_M = 0.06
MIDFOOT_SD_M = 0.03  # foot size and the ankle landmark's error
MIN_REPS_FOR_DRIFT = 3  # a line through fewer points says nothing about a change over the set


def bar_over_midfoot(ctx: Context) -> list[Measure]:
    """Per rep: the largest horizontal distance (cm) of the bar from mid-foot over the rep, and where."""
    if ctx.px_per_m is None:
        return [_not("bar_midfoot", "without a plate in sight there is no scale for the bar's distance", unit="cm")]
    if ctx.view != "side":
        return [_not("bar_midfoot", f"the camera is not side-on ({ctx.view} view)", unit="cm")]
    out = []
    for rep in ctx.reps:
        lo, hi = _bottom_t(ctx, rep) - (rep.eccentric_s or 1.0), _top_t(ctx, rep)
        idx = [
            i for i in np.nonzero((ctx.pose.t >= lo) & (ctx.pose.t <= hi))[0] if np.isfinite(ctx.j("ankle")[i]).all()
        ]
        b = ctx.lowest(_bottom_t(ctx, rep), "hip")
        if len(idx) < 3 or b is None or not np.isfinite(ctx.j("knee")[b]).all():
            out.append(_not("bar_midfoot", "the feet were not seen through the rep", rep.number, "cm"))
            continue
        ahead = 1.0 if ctx.j("knee")[b, 0] > ctx.j("ankle")[b, 0] else -1.0
        ankle_x = float(np.median(ctx.j("ankle")[idx, 0]))  # the foot does not move
        mid_x = ankle_x + ahead * MIDFOOT_AHEAD_M * ctx.px_per_m
        offs = [(ctx.bar_at(float(ctx.pose.t[i]))[0] - mid_x) * ahead / ctx.px_per_m * 100 for i in idx]
        k = int(np.nanargmax(np.abs(offs)))
        out.append(Measure("bar_midfoot", float(offs[k]), MIDFOOT_SD_M * 100, "cm", rep.number,
                           float(ctx.pose.t[idx[k]]), "in front of mid-foot" if offs[k] > 0 else "behind mid-foot",
                           extra={"mean_cm": float(np.nanmean(offs)),
                                  "frame": int(ctx.pose.index[idx[k]])}))  # fmt: skip
    return out


STICKING_DROP = 0.25  # the bar slowing by a quarter of its early speed after the bottom is a sticking point


def sticking_point(ctx: Context) -> list[Measure]:
    """Per rep: after the first push out of the bottom, where (share of the rise) and how long the bar slows."""
    if ctx.px_per_m is None:
        return [_not("sticking", "bar speeds need a plate in sight", unit="s")]
    kin, out = ctx.kin, []
    for rep in ctx.reps:
        sel = (kin.t >= rep.start_t) & (kin.t <= rep.end_t)
        t, v, h = kin.t[sel], kin.velocity_m_s[sel], kin.height_m[sel]
        if len(t) < 8 or rep.rom_m is None:
            continue
        first = int(np.argmax(v[: max(2, len(v) // 2)]))
        if first >= len(v) - 2:
            continue
        low = first + int(np.argmin(v[first:]))
        # only a dip before the lockout counts: the bar slowing at the top is the end of the rep
        rise = (h[low] - h[0]) / max(rep.rom_m, 1e-6)
        drop = 1.0 - v[low] / max(v[first], 1e-6)
        if rise > 0.9 or drop < STICKING_DROP:
            continue
        slow = v[first:] < v[first] * (1 - STICKING_DROP / 2)
        dur = float(slow.sum()) / kin.rate_hz if kin.rate_hz else float("nan")
        out.append(Measure("sticking", dur, 1.0 / kin.rate_hz if kin.rate_hz else None, "s", rep.number,
                           float(t[low]) + ctx.t0, extra={"rise_pct": round(100 * rise), "slowest_m_s": float(v[low]),
                                                          "early_m_s": float(v[first])}))  # fmt: skip
    return out


def tempo(ctx: Context) -> list[Measure]:
    """Per rep: seconds down and up (the bar's own phases)."""
    out = []
    for rep in ctx.reps:
        sd = 2.0 / ctx.kin.rate_hz if ctx.kin.rate_hz else None
        if rep.eccentric_s is not None:
            out.append(Measure("eccentric_s", float(rep.eccentric_s), sd, "s", rep.number, _bottom_t(ctx, rep)))
        up = rep.concentric_s if rep.concentric_s is not None else rep.end_t - rep.start_t
        out.append(Measure("concentric_s", float(up), sd, "s", rep.number, _top_t(ctx, rep)))
    return out


def consistency(ctx: Context, measures: list[Measure]) -> list[Measure]:
    """Across the set: spread of the reps' up-times (coefficient of variation, %) and the bar path's drift
    (change of the horizontal offset from the first rep to the last, cm)."""
    ups = [m.value for m in measures if m.name == "concentric_s" and m.value]
    out = []
    if len(ups) >= 3:
        cv = 100 * float(np.std(ups) / np.mean(ups))
        out.append(Measure("tempo_spread_pct", cv, 100 * 2 / ctx.kin.rate_hz / float(np.mean(ups)), "%",
                           extra={"reps": len(ups)}))  # fmt: skip
    mids = [m for m in measures if m.name == "bar_midfoot" and m.value is not None]
    if len(mids) >= MIN_REPS_FOR_DRIFT:
        slope = float(np.polyfit([float(m.rep or 0) for m in mids], [float(m.value or 0.0) for m in mids], 1)[0])
        out.append(Measure("bar_path_drift_cm_per_rep", slope, MIDFOOT_SD_M * 100 / math.sqrt(len(mids)), "cm",
                           extra={"reps": len(mids), "first_cm": mids[0].value,
                                  "last_cm": mids[-1].value}))  # fmt: skip
    return out


def elbow_at_bottom(ctx: Context) -> list[Measure]:
    """Bench: elbow angle at the bottom, and where the bar touches along the torso (0 shoulders, 1 hips)."""
    out = []
    for rep in ctx.reps:
        i = ctx.lowest(_bottom_t(ctx, rep), "wrist")
        if i is None:
            out.append(_not("elbow_angle_bottom", "the arm was not seen at the bottom", rep.number, "deg"))
            continue
        sh, el, wr, hip = (ctx.j(n)[i] for n in ("shoulder", "elbow", "wrist", "hip"))
        a = angle(sh, el, wr)
        t = float(ctx.pose.t[i])
        if math.isfinite(a):
            out.append(Measure("elbow_angle_bottom", a, ANGLE_SD_DEG, "deg", rep.number, t,
                               extra={"frame": int(ctx.pose.index[i])}))  # fmt: skip
        torso = hip - sh
        if np.isfinite(torso).all() and np.isfinite(wr).all() and np.hypot(*torso) > 0:
            along = float(np.dot(wr - sh, torso) / np.dot(torso, torso))
            out.append(Measure("touch_point", along, POINT_SD_LIMB * 2, "torso", rep.number, t,
                               extra={"frame": int(ctx.pose.index[i])}))  # fmt: skip
    return out


def bench_path(ctx: Context) -> list[Measure]:
    """Bench: how far the bar travels toward the shoulders on the way up (the J-curve), in torso lengths."""
    out = []
    for rep in ctx.reps:
        b, top = ctx.bar_at(_bottom_t(ctx, rep)), ctx.bar_at(_top_t(ctx, rep))
        i = ctx.lowest(_bottom_t(ctx, rep), "shoulder")
        if i is None or not np.isfinite(b).all() or not np.isfinite(top).all():
            continue
        sh, hip = ctx.j("shoulder")[i], ctx.j("hip")[i]
        torso = hip - sh
        if not np.isfinite(torso).all():
            continue
        toward = -float(np.dot(top - b, torso) / np.dot(torso, torso))  # + = toward the shoulders
        out.append(Measure("j_curve", toward, POINT_SD_LIMB * 2, "torso", rep.number, _top_t(ctx, rep)))
    return out


def _to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    k = float(np.clip(np.dot(p - a, ab) / max(float(np.dot(ab, ab)), 1e-9), 0.0, 1.0))
    return float(np.hypot(*(p - (a + k * ab))))


HIPS_FIRST_RATIO = 1.5  # hips rising 1.5x faster than the shoulders off the floor: the "stripper pull"


def deadlift_pull(ctx: Context) -> list[Measure]:
    """Deadlift: hip rise over shoulder rise in the first 0.3 s of the pull, and bar distance from the shins."""
    out = []
    for rep in ctx.reps:
        t0 = _bottom_t(ctx, rep)
        a, b = ctx.pose.near(t0, 0.12), ctx.pose.near(t0 + 0.3, 0.12)
        if t0 < float(ctx.bar_t[0]) + 0.1:
            out.append(_not("hips_first", "the clip starts as the bar leaves the floor, so the start of the pull "
                            "is not in it", rep.number, "ratio"))  # fmt: skip
        elif a is None or b is None or a == b:
            out.append(_not("hips_first", "the lifter was not seen as the bar left the floor", rep.number, "ratio"))
        else:
            dh = float(ctx.j("hip")[a, 1] - ctx.j("hip")[b, 1])
            ds = float(ctx.j("shoulder")[a, 1] - ctx.j("shoulder")[b, 1])
            if math.isfinite(dh) and math.isfinite(ds) and abs(ds) > 1:
                ratio = dh / ds
                out.append(Measure("hips_first", ratio, 0.3, "ratio", rep.number, float(ctx.pose.t[b]),
                                   "hips first" if ratio > HIPS_FIRST_RATIO else "together",
                                   extra={"frame": int(ctx.pose.index[b])}))  # fmt: skip
        if ctx.view == "side":
            dists = []
            for i in np.nonzero((ctx.pose.t >= t0) & (ctx.pose.t <= _top_t(ctx, rep)))[0]:
                hip, knee, ank = ctx.j("hip")[i], ctx.j("knee")[i], ctx.j("ankle")[i]
                bar = ctx.bar_at(float(ctx.pose.t[i]))
                thigh = float(np.hypot(*(hip - knee)))
                if np.isfinite([hip, knee, ank, bar]).all() and thigh > 0:
                    d = min(_to_segment(bar, hip, knee), _to_segment(bar, knee, ank))
                    dists.append((d / thigh, int(i)))
            if dists:
                d, far = max(dists)
                out.append(Measure("bar_from_legs", d, POINT_SD_LIMB * 2, "thigh", rep.number, float(ctx.pose.t[far]),
                                   extra={"frame": int(ctx.pose.index[far])}))  # fmt: skip
    return out


SUPPORTED = ("squat", "bench", "deadlift", "press", "snatch", "clean")


def measure(analysis: Any) -> dict[str, Any]:
    """Every measure that fits the lift, as a JSON-ready dict; `not_judged` says when none can be made."""
    lift = analysis.options.lift
    if lift not in SUPPORTED:
        why = (
            f"technique measures for the {lift} are not built yet (squat, bench, deadlift, press, snatch and clean are)"
        )
        return {"lift": lift, "view": None, "measures": [], "not_judged": why}
    ctx = context(analysis)
    if isinstance(ctx, str):
        return {"lift": lift, "view": None, "measures": [], "not_judged": ctx}
    ms: list[Measure] = []
    if lift == "squat":
        ms += depth(ctx) + joint_angles_at_bottom(ctx) + bar_over_midfoot(ctx) + sticking_point(ctx)
        ms += lockout(ctx, ("knee", "hip"))
    elif lift == "bench":
        ms += elbow_at_bottom(ctx) + bench_path(ctx) + sticking_point(ctx) + lockout(ctx, ("elbow",))
    elif lift == "deadlift":
        ms += deadlift_pull(ctx) + bar_over_midfoot(ctx) + lockout(ctx, ("knee", "hip"))
    elif lift == "press":
        ms += bar_over_midfoot(ctx) + sticking_point(ctx) + lockout(ctx, ("elbow",))
    if lift in ("snatch", "clean"):
        from vision.olympic import measures as olympic  # imports this module: imported here, not at the top

        ms += olympic(ctx)
    else:
        ms += tempo(ctx)
        ms += consistency(ctx, ms)
    return {"lift": lift, "view": ctx.view, "view_ratio": None if ctx.view_ratio is None else round(ctx.view_ratio, 2),
            "side": ctx.side, "measures": [m.to_dict() for m in ms], "not_judged": None,
            "body_note": ctx.body_note}  # fmt: skip
