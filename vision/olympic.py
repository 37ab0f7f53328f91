"""Snatch and clean measures: the pull's phases and timing, and the bar's distance from the body.

Read from the stored bar track (every frame, plate-scaled) and the lifter's landmarks; no new video pass.
The bar alone gives the pull's timing (lift-off, peak upward speed, highest point, catch), its loop and
where it was caught against where it started; the landmarks add the knee passage, the full extension
against the arms bending, and the bar's distance from the hips. Each measure carries its uncertainty or
`not_judged` with the reason (front view, no plate for a scale, the bar lost, the body not seen).

Direction words ("toward you", "forward") need to know which way the lifter faces: read from the nose
against the ears on frames where the person found is the one at the bar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from vision.technique import (
    ANGLE_SD_DEG,
    AT_BAR_TORSO,
    MIDFOOT_AHEAD_M,
    MIDFOOT_SD_M,
    OLYMPIC,
    Context,
    Measure,
    _not,
    angle,
)

LIFT_OFF_M = 0.02  # the bar 2 cm above its resting height has left the floor (a plate's wobble is < 1 cm)
LIFT_OFF_V = 0.05  # ... and started up where its speed last rose past 0.05 m/s (the track's noise is ~0.02)
CATCH_V = -0.05  # after the highest point the bar has stopped going down once its speed is above -0.05 m/s
CATCH_WINDOW_S = 1.0  # the catch comes within a second of the highest point (elite turnovers take 0.3-0.6 s)
# The transition ("double knee bend", Enoka 1979, Med Sci Sports 11:131; Garhammer 1985, Int J Sport Biomech
# 1:122) shows on the bar as a dip of its upward speed just after the knees: when the knees were not seen, the
# first pull is timed to the dip's lowest point instead (said so in the measure), looked for between a fifth and
# nine tenths of the time to the peak speed (the upper bound was widened from 0.75 on the shared snatch clip,
# whose dip comes at 0.75 of it: a development choice, not a literature value).
DIP_RANGE = (0.2, 0.9)
DIP_MIN = 0.04  # a dip must be at least 4 % of the speed before it (and above the speed's own error) to count
HANDS_AT_BAR_TORSO = 0.6  # during the pull the hands hold the bar: wrists this close to the plate's centre
# Joint "straight" at full extension: within 20 deg of 180 (landmark angle error ~5-8 deg; elite lifters reach
# ~170-180 deg at the hip and knee, Gourgoulis et al. 2000, J Sports Sci 18:643 — the 160 deg cut is ours).
EXTENDED_DEG = 160.0
ARMS_BENT_DEG = 150.0  # an elbow below 150 deg has started to pull (straight arms read ~165-180 with the error)


@dataclass
class Pull:
    """The bar's moments in clip time (s) and heights (m above its lowest point)."""

    lift_off: float
    peak_v_t: float
    peak_v: float
    top_t: float
    top_h: float
    catch_t: float | None
    catch_h: float | None
    start_h: float
    i0: int  # kinematics index of the lift-off
    ipv: int  # ... of the peak speed
    itop: int
    icatch: int | None


def _pull(ctx: Context, rep: Any) -> Pull | str:
    """Where the pull's moments are on the bar's own clock, or why they can't be found."""
    kin = ctx.kin
    t, h, v = kin.t, kin.height_m, kin.velocity_m_s
    if ctx.px_per_m is None:
        return "the bar's heights and speeds need a plate in sight for a scale"
    lo = int(np.searchsorted(t, rep.start_t - 0.3))
    start_h = float(np.median(h[max(0, lo - 3) : lo + 3]))
    up = np.nonzero((t >= rep.start_t - 0.3) & (h > start_h + LIFT_OFF_M))[0]
    if not len(up):
        return "the bar was not seen leaving the floor"
    i0 = int(up[0])
    while i0 > lo and v[i0 - 1] > LIFT_OFF_V:  # back to where the bar started moving up
        i0 -= 1
    end = int(np.searchsorted(t, rep.end_t + 0.2))
    itop = i0 + int(np.argmax(h[i0:end]))
    ipv = i0 + int(np.argmax(v[i0 : itop + 1]))
    for a, b in kin.lost:
        if a < t[itop] and b > t[i0]:
            return f"the bar was lost during the pull ({a + ctx.t0:.1f}-{b + ctx.t0:.1f} s)"
    icatch = None
    after = np.nonzero((t > t[itop]) & (t <= t[itop] + CATCH_WINDOW_S))[0]
    falling = False
    for i in after:
        falling = falling or v[i] < 2 * CATCH_V
        if falling and v[i] >= CATCH_V:
            icatch = int(i)
            break
    if icatch is not None and any(a < t[icatch] and b > t[itop] for a, b in kin.lost):
        icatch = None
    return Pull(float(t[i0]) + ctx.t0, float(t[ipv]) + ctx.t0, float(v[ipv]), float(t[itop]) + ctx.t0, float(h[itop]),
                None if icatch is None else float(t[icatch]) + ctx.t0, None if icatch is None else float(h[icatch]),
                start_h, i0, ipv, itop, icatch)  # fmt: skip


def lifter_frames(ctx: Context, lo: float, hi: float, hands: bool = False) -> list[int]:
    """Pose frames in [lo, hi] whose person is the lifter: hips within a torso length of the bar sideways
    (and, with `hands`, a wrist at the bar): a spectator the pose model found instead is left out."""
    out = []
    for i in np.nonzero((ctx.pose.t >= lo) & (ctx.pose.t <= hi))[0]:
        sh, hip = ctx.j("shoulder")[i], ctx.j("hip")[i]
        bar = ctx.bar_at(float(ctx.pose.t[i]))
        torso = float(np.hypot(*(sh - hip))) if np.isfinite([sh, hip]).all() else math.nan
        if not (math.isfinite(torso) and torso > 0 and np.isfinite(bar).all()):
            continue
        if abs(float(hip[0] - bar[0])) > AT_BAR_TORSO * torso:
            continue
        if hands:
            wrists = [ctx.pose.p(f"{s}_wrist")[i] for s in ("left", "right")]
            near = [float(np.hypot(*(w - bar))) for w in wrists if np.isfinite(w).all()]
            if not near or min(near) > HANDS_AT_BAR_TORSO * torso:
                continue
        out.append(int(i))
    return out


def facing(ctx: Context) -> float | None:
    """+1 if the lifter faces toward larger image x, -1 toward smaller, None if not seen."""
    return ctx.facing


def _frame(ctx: Context, t: float) -> int | None:
    i = ctx.pose.near(t, 0.05)
    return None if i is None else int(ctx.pose.index[i])


def _step(ctx: Context) -> float:
    return 1.0 / ctx.kin.rate_hz if ctx.kin.rate_hz else 1 / 30


def knee_passage(ctx: Context, rep: Any, p: Pull) -> tuple[float, float, str] | None:
    """When the bar passed the knees (clip time, sd, how it was read): the bar's height reaching the knee
    landmark's when the knees were seen, else the bar's speed dip of the transition; None if neither."""
    seen = [i for i in lifter_frames(ctx, p.lift_off, p.peak_v_t, hands=True) if np.isfinite(ctx.j("knee")[i]).all()]
    if seen:
        # image y grows downward: the bar is above the knee when its y is smaller than the knee's
        gaps = [(float(ctx.pose.t[i]), float(ctx.bar_at(float(ctx.pose.t[i]))[1] - ctx.j("knee")[i, 1])) for i in seen]
        below = [g for g in gaps if g[1] > 0]
        above = [g for g in gaps if g[1] <= 0]
        if below and above and below[-1][0] < above[0][0]:
            (ta, ga), (tb, gb) = below[-1], above[0]
            tk = ta + (tb - ta) * ga / (ga - gb)
            return tk, math.hypot(_step(ctx), (tb - ta) / 2), "the knee landmark"
    kin = ctx.kin
    v = kin.velocity_m_s[p.i0 : p.ipv + 1]
    if len(v) < 6:
        return None
    lo, hi = int(DIP_RANGE[0] * len(v)), int(DIP_RANGE[1] * len(v))
    best = None
    for k in range(max(1, lo), hi):
        before = float(np.max(v[:k]))
        drop = before - float(v[k])
        sd = rep.peak_v_sd or 0.0
        if drop > DIP_MIN * before and drop > sd and (best is None or drop > best[1]):
            best = (k, drop)
    if best is None:
        return None
    return (
        float(kin.t[p.i0 + best[0]]) + ctx.t0,
        2 * _step(ctx),
        "the dip in the bar's speed at the transition (knees not seen)",
    )


def pull_timing(ctx: Context) -> list[Measure]:
    """Per rep: the pull's phases (s) — first pull, second pull, pull to peak speed, turnover — and the drop."""
    out: list[Measure] = []
    sd1 = math.sqrt(2) * _step(ctx)
    for rep in ctx.reps:
        p = _pull(ctx, rep)
        if isinstance(p, str):
            out.append(_not("pull_s", p, rep.number, "s"))
            continue
        out.append(Measure("pull_s", p.peak_v_t - p.lift_off, sd1, "s", rep.number, p.peak_v_t,
                           extra={"lift_off_t": round(p.lift_off, 3), "peak_v_t": round(p.peak_v_t, 3),
                                  "peak_v_m_s": round(p.peak_v, 2), "peak_v_height_cm": round(
                                      100 * (float(ctx.kin.height_m[p.ipv]) - p.start_h)),
                                  "top_t": round(p.top_t, 3), "top_cm": round(100 * (p.top_h - p.start_h)),
                                  "frame": _frame(ctx, p.peak_v_t)}))  # fmt: skip
        knee = knee_passage(ctx, rep, p)
        if knee is None:
            why = "the knees were not seen during the pull and the bar's speed shows no transition dip"
            out.append(_not("first_pull_s", why, rep.number, "s"))
        else:
            tk, sdk, how = knee
            first = tk - p.lift_off
            second = p.peak_v_t - tk
            sd = math.hypot(sdk, _step(ctx))
            out.append(Measure("first_pull_s", first, sd, "s", rep.number, tk,
                               extra={"read_from": how, "frame": _frame(ctx, tk)}))  # fmt: skip
            out.append(Measure("second_pull_s", second, sd, "s", rep.number, p.peak_v_t,
                               extra={"read_from": how, "ratio": round(first / second, 1) if second > 0 else None,
                                      "frame": _frame(ctx, p.peak_v_t)}))  # fmt: skip
        if p.catch_t is None or p.catch_h is None:
            out.append(_not("turnover_s", "the bar was not seen coming to a stop in the catch", rep.number, "s"))
        else:
            drop = 100 * (p.top_h - p.catch_h)
            out.append(Measure("turnover_s", p.catch_t - p.top_t, sd1, "s", rep.number, p.catch_t,
                               extra={"top_t": round(p.top_t, 3), "catch_t": round(p.catch_t, 3),
                                      "drop_cm": round(drop), "catch_cm": round(100 * (p.catch_h - p.start_h)),
                                      "frame": _frame(ctx, p.catch_t)}))  # fmt: skip
    return out


def extension(ctx: Context) -> list[Measure]:
    """Per rep: the straightest hip and knee before the bar's top, and whether the arms bent before that
    full extension (seconds from the arms' bend to the extension; + = the arms bent first)."""
    if ctx.view == "front":
        why = "from the front I can't read the hip and elbow angles of the pull: film from the side"
        return [_not("full_extension", why, unit="deg")]
    out: list[Measure] = []
    for rep in ctx.reps:
        p = _pull(ctx, rep)
        if isinstance(p, str):
            out.append(_not("full_extension", p, rep.number, "deg"))
            continue
        frames = lifter_frames(ctx, p.lift_off, p.top_t, hands=True)
        rows = []
        for i in frames:
            sh, hip, knee, ank, el, wr = (ctx.j(n)[i] for n in ("shoulder", "hip", "knee", "ankle", "elbow", "wrist"))
            rows.append((float(ctx.pose.t[i]), angle(sh, hip, knee), angle(hip, knee, ank), angle(sh, el, wr), int(i)))
        legs = [r for r in rows if math.isfinite(r[1]) and math.isfinite(r[2])]
        if len(legs) < 3:
            why = "the lifter's hips and knees were not seen during the pull (the plate or blur hid them, or the pose "
            out.append(_not("full_extension", why + "model found someone else)", rep.number, "deg"))
            continue
        t_ext, hip_a, knee_a, _, i_ext = max(legs, key=lambda r: min(r[1], r[2]))
        straight = min(hip_a, knee_a)
        verdict = "full extension" if straight + ANGLE_SD_DEG >= EXTENDED_DEG else "not fully extended"
        out.append(Measure("full_extension", straight, ANGLE_SD_DEG, "deg", rep.number, t_ext, verdict,
                           extra={"hip_deg": round(hip_a), "knee_deg": round(knee_a),
                                  "frame": int(ctx.pose.index[i_ext]),
                                  "before_peak_v_s": round(p.peak_v_t - t_ext, 2)}))  # fmt: skip
        arms = [r for r in rows if math.isfinite(r[3])]
        if len(arms) < 3:
            out.append(_not("arms_early", "the elbows were not seen during the pull", rep.number, "s"))
            continue
        first_ext = next((r for r in legs if min(r[1], r[2]) + ANGLE_SD_DEG >= EXTENDED_DEG), None)
        bent = next((r for r in arms if r[3] + ANGLE_SD_DEG < ARMS_BENT_DEG), None)
        if bent is None:
            continue  # the arms stayed straight to the top of the pull as read: nothing to time
        ext_t = first_ext[0] if first_ext is not None else p.peak_v_t
        ext_from = "legs straight" if first_ext is not None else "the bar's peak speed"
        lead = ext_t - bent[0]
        sd = math.hypot(_step(ctx), float(np.median(np.diff([r[0] for r in rows]))) if len(rows) > 1 else _step(ctx))
        out.append(Measure("arms_early", lead, sd, "s", rep.number, bent[0],
                           "arms bent first" if lead - sd > 0 else "extended first",
                           extra={"elbow_deg": round(bent[3]), "extension_t": round(ext_t, 3),
                                  "extension_from": ext_from,
                                  "frame": int(ctx.pose.index[bent[4]])}))  # fmt: skip
    return out


BAR_SD_CM = 1.0  # the plate's centre on a plate-scaled side view: ~2-3 px at ~4 px/cm


def bar_loop(ctx: Context) -> list[Measure]:
    """Per rep, from the bar alone (cm, + = away from the lifter): how far it came toward the lifter in the
    first pull, how far it swung out after the second pull, its furthest point against the start, and where
    it was caught against where it started (the jump forward or back)."""
    if ctx.px_per_m is None:
        return [_not("bar_loop", "without a plate in sight there is no scale for the bar's distances", unit="cm")]
    if ctx.view == "front":
        return [_not("bar_loop", "from the front the bar's forward and back movement can't be seen: film from the "
                     "side", unit="cm")]  # fmt: skip
    face = facing(ctx)
    if face is None:
        return [_not("bar_loop", "which way the lifter faces was not seen, so toward and away can't be told",
                     unit="cm")]  # fmt: skip
    out: list[Measure] = []
    for rep in ctx.reps:
        p = _pull(ctx, rep)
        if isinstance(p, str):
            out.append(_not("bar_loop", p, rep.number, "cm"))
            continue
        x = face * 100 * (ctx.kin.horizontal_m - ctx.kin.horizontal_m[p.i0])  # cm, + = away from the lifter
        back = p.i0 + int(np.argmin(x[p.i0 : p.ipv + 1]))
        end = p.icatch if p.icatch is not None else p.itop
        out_i = back + int(np.argmax(x[back : end + 1]))
        toward, swing = -float(x[back]), float(x[out_i] - x[back])
        sd = BAR_SD_CM * math.sqrt(2)
        out.append(Measure("bar_loop", swing, sd, "cm", rep.number, float(ctx.kin.t[out_i]) + ctx.t0,
                           extra={"toward_cm": round(toward), "swing_cm": round(swing),
                                  "past_start_cm": round(float(x[out_i])),
                                  "frame": _frame(ctx, float(ctx.kin.t[out_i]) + ctx.t0)}))  # fmt: skip
        if p.icatch is None:
            out.append(_not("catch_vs_start", "the bar was not seen coming to a stop in the catch", rep.number, "cm"))
        else:
            out.append(Measure("catch_vs_start", float(x[p.icatch]), sd, "cm", rep.number, p.catch_t,
                               "in front of the start" if x[p.icatch] > 0 else "behind the start",
                               extra={"frame": _frame(ctx, p.catch_t or 0.0)}))  # fmt: skip
    return out


HIP_GAP_SD_CM = 4.0  # hip landmark error on a side view (~3-4 % of image height, Context's POINT_SD_LIMB)


def bar_from_hips(ctx: Context) -> list[Measure]:
    """Per rep: the bar's closest horizontal distance (cm) from the hip joint in the second pull, where the
    bar should meet the hips; in front of the hips = +."""
    if ctx.px_per_m is None:
        return [_not("bar_hip_gap", "without a plate in sight there is no scale for the bar's distance", unit="cm")]
    if ctx.view == "front":
        return [_not("bar_hip_gap", "from the front the bar's distance from the hips can't be seen: film from the "
                     "side", unit="cm")]  # fmt: skip
    face = facing(ctx)
    out: list[Measure] = []
    for rep in ctx.reps:
        p = _pull(ctx, rep)
        if isinstance(p, str) or face is None:
            why = p if isinstance(p, str) else "which way the lifter faces was not seen"
            out.append(_not("bar_hip_gap", why, rep.number, "cm"))
            continue
        half = p.lift_off + 0.5 * (p.peak_v_t - p.lift_off)
        frames = [i for i in lifter_frames(ctx, half, p.peak_v_t + _step(ctx), hands=True)
                  if np.isfinite(ctx.j("hip")[i]).all()]  # fmt: skip
        if not frames:
            why = "the lifter's hips were not seen in the second pull (the plate or blur hid them, or the pose model "
            out.append(_not("bar_hip_gap", why + "found someone else)", rep.number, "cm"))
            continue
        gaps = []
        for i in frames:
            dx = float(ctx.bar_at(float(ctx.pose.t[i]))[0]) - float(ctx.j("hip")[i, 0])
            gaps.append((face * dx / ctx.px_per_m * 100, int(i)))
        gap, i = min(gaps)
        out.append(Measure("bar_hip_gap", gap, HIP_GAP_SD_CM, "cm", rep.number, float(ctx.pose.t[i]),
                           extra={"frame": int(ctx.pose.index[i]), "frames_seen": len(frames)}))  # fmt: skip
    return out


def bar_from_midfoot(ctx: Context) -> list[Measure]:
    """Per rep: the bar's horizontal distance (cm) from mid-foot through the pull (lift-off to peak speed): the
    largest, with the mean and the one at lift-off; + = in front of mid-foot (the way the lifter faces)."""
    if ctx.px_per_m is None:
        return [_not("bar_midfoot_pull", "without a plate in sight there is no scale for the bar's distance",
                     unit="cm")]  # fmt: skip
    if ctx.view == "front":
        return [_not("bar_midfoot_pull", "from the front the bar's distance from the feet can't be seen: film from "
                     "the side", unit="cm")]  # fmt: skip
    out: list[Measure] = []
    for rep in ctx.reps:
        p = _pull(ctx, rep)
        if isinstance(p, str) or ctx.facing is None:
            why = p if isinstance(p, str) else "which way the lifter faces was not seen"
            out.append(_not("bar_midfoot_pull", why, rep.number, "cm"))
            continue
        frames = [i for i in lifter_frames(ctx, p.lift_off, p.peak_v_t, hands=True)
                  if np.isfinite(ctx.j("ankle")[i]).all()]  # fmt: skip
        if len(frames) < 3:
            why = "the lifter's feet were not seen during the pull (the plate or blur hid them, or the pose model "
            out.append(_not("bar_midfoot_pull", why + "found someone else)", rep.number, "cm"))
            continue
        ankle_x = float(np.median(ctx.j("ankle")[frames, 0]))  # the feet stay down until the end of the pull
        mid_x = ankle_x + ctx.facing * MIDFOOT_AHEAD_M * ctx.px_per_m
        offs = [ctx.facing * (float(ctx.bar_at(float(ctx.pose.t[i]))[0]) - mid_x) / ctx.px_per_m * 100
                for i in frames]  # fmt: skip
        k = int(np.argmax(np.abs(offs)))
        start = ctx.facing * (float(ctx.bar_at(p.lift_off)[0]) - mid_x) / ctx.px_per_m * 100
        out.append(Measure("bar_midfoot_pull", offs[k], MIDFOOT_SD_M * 100, "cm", rep.number,
                           float(ctx.pose.t[frames[k]]), "in front of mid-foot" if offs[k] > 0 else "behind mid-foot",
                           extra={"mean_cm": round(float(np.mean(offs))), "lift_off_cm": round(start),
                                  "frame": int(ctx.pose.index[frames[k]])}))  # fmt: skip
    return out


def measures(ctx: Context) -> list[Measure]:
    """Every Olympic-lift measure for a snatch or clean."""
    return pull_timing(ctx) + extension(ctx) + bar_loop(ctx) + bar_from_hips(ctx) + bar_from_midfoot(ctx)


def refine_times(analysis: Any) -> list[float]:
    """Clip times to re-read the pose at (every frame of the pull and the turnover): at 5 reads a second the
    ~1 s pull would have four, too few to time its phases."""
    if analysis.options.lift not in OLYMPIC or not len(analysis.path_t):
        return []
    t0, step = float(analysis.path_t[0]), 1.0 / max(1.0, analysis.video.fps or 30.0)
    out: list[float] = []
    for r in analysis.reps:
        out += list(np.arange(r.start_t - 0.2, r.end_t + 0.8, step) + t0)
    return out
