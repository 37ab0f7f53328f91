"""From a bar path in pixels to reps and velocities in m/s, each with its uncertainty.

The position is resampled onto a uniform clock (phones record at a variable rate) and smoothed with
a Savitzky-Golay filter, which keeps peaks that a moving average flattens. Reps are the rises of a
zig-zag through the height signal that are at least half as tall as the tallest one (walk-outs and
re-racks are not reps). The concentric phase's ends are not taken where a smoothed velocity crosses
a threshold (that shortens or stretches the phase by tens of milliseconds); they are fitted on the
raw positions around each turning point with the physics of a reversal: decelerate, rest (or not),
accelerate; y = y0 + c1·max(0, tp - t)^2 + c2·max(0, t - t0)^2. That gives the start and end to a
few milliseconds even at 24 fps, and mean concentric velocity = range of motion / concentric time.

The concentric ends at lockout: the upward velocity first back near zero after the rep's peak (with
no real climb left in the rise), not at the rise's highest point, so a hold, a re-rack, a walk-back
or a dropped bar never stretches the rep. A rep whose span the bar was not measured through (a gap
longer than a few frames: only interpolation over a short gap is trusted) is reported as not
measured, and a rep whose numbers fall outside physiological bounds for the lift is withheld: in
both cases the rep counts, its numbers are None, and it stays out of the velocity loss.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from scipy.optimize import least_squares
from scipy.signal import savgol_coeffs, savgol_filter

G = 9.81
LIFTS = ("squat", "bench", "deadlift", "press", "row", "snatch", "clean", "jerk", "other")
CONCENTRIC_FIRST = {"deadlift", "row", "snatch", "clean"}
CATCH_LIFTS = {"snatch", "clean", "jerk", "other"}  # the bar is caught low and the lifter stands up with it


class KinematicsError(ValueError):
    """Not enough of a lift in the path to measure (no reps, too short)."""


@dataclass(frozen=True)
class Bounds:
    """Physiologically plausible range of one rep's numbers for a lift; outside it a number is a
    measurement failure (lost bar, wrong object, wrong scale), not a result."""

    rom_m: tuple[float, float]
    mcv_max: float
    peak_max: float
    mcv_min: float = 0.05  # slower than this is not a concentric (even a 1RM grinder is >= ~0.1 m/s)


# Sources / rationale (one standard deviation of a number is small next to these margins):
# - Squat: bar travel 0.25 m (a shallow parallel squat of a short lifter) to 0.9 m (a very tall
#   lifter, ass-to-grass); MCV at 20-30 % 1RM is ~1.2-1.5 m/s (Conceição et al. 2016, J Sports Sci
#   34:1099; Sánchez-Medina et al. 2017, Int J Sports Med 38:480), so 2 m/s leaves margin; peak velocity
#   of unloaded/jump squats stays below ~3 m/s (Cormie et al. 2007, JSCR 21:424) -> 3.5 m/s.
# - Bench press: bar travel 0.2-0.7 m (chest to lockout, arch and arm length; González-Badillo &
#   Sánchez-Medina 2010, Int J Sports Med 31:347, report ~0.3-0.5 m); MCV <= ~1.6 m/s at 30 % 1RM there.
# - Deadlift: 0.25 m (an RDL-like pull from the shins) to 0.9 m; MCV at 40 % 1RM ~1.0-1.2 m/s
#   (Morán-Navarro et al. 2021, Biol Sport 38:33).
# - Overhead press / row / jerk: arm-length travel 0.1-0.9 m; the same velocity margins as the powerlifts.
# - Snatch and clean: the pull from the floor to the bar's highest point is ~0.8-1.5 m (snatch) and
#   ~0.6-1.3 m (clean); peak bar velocity 1.5-2.4 m/s in elite lifters (Garhammer 1985, J Appl Biomech
#   1:122; Gourgoulis et al. 2000, J Sports Sci 18:643) -> 4 m/s leaves room for light technique pulls.
LIFT_BOUNDS: dict[str, Bounds] = {
    "squat": Bounds((0.25, 0.9), 2.0, 3.5),
    "bench": Bounds((0.15, 0.7), 2.0, 3.5),
    "deadlift": Bounds((0.2, 0.9), 2.0, 3.5),
    "press": Bounds((0.2, 0.9), 2.0, 3.5),
    "row": Bounds((0.1, 0.7), 2.0, 3.5),
    "jerk": Bounds((0.2, 0.9), 2.5, 4.0),
    "snatch": Bounds((0.5, 2.2), 3.0, 4.5),
    "clean": Bounds((0.4, 1.9), 3.0, 4.5),
    "other": Bounds((0.08, 2.2), 3.0, 4.5),
}
LOST_GAP_S = 0.15  # a run of unmeasured frames longer than this is a lost bar, not a gap to interpolate


@dataclass(frozen=True)
class Rep:
    number: int
    start_t: float  # concentric start (s)
    end_t: float  # concentric end (s): lockout
    rom_m: float | None
    rom_sd: float | None
    concentric_s: float | None
    concentric_sd: float | None
    mcv: float | None  # mean concentric velocity (m/s); None: not measured or withheld (see `note`)
    mcv_sd: float | None
    peak_v: float | None
    peak_v_sd: float | None
    mpv: float | None  # mean propulsive velocity (m/s)
    mpv_sd: float | None
    horizontal_dev_m: float | None
    horizontal_dev_sd: float | None
    eccentric_s: float | None
    velocity_loss_pct: float | None  # vs the fastest measured rep so far
    measured: bool = True
    note: str | None = None  # why the numbers are missing ("bar lost 0.9–1.4 s, not measured")

    def to_dict(self) -> dict[str, float | int | str | bool | None]:
        return asdict(self)


def withhold(rep: Rep, note: str) -> Rep:
    """The same rep (number, times) with every number removed and the reason said."""
    blank = {k: None for k in ("rom_m", "rom_sd", "concentric_s", "concentric_sd", "mcv", "mcv_sd", "peak_v",
                               "peak_v_sd", "mpv", "mpv_sd", "horizontal_dev_m", "horizontal_dev_sd",
                               "eccentric_s", "velocity_loss_pct")}  # fmt: skip
    return Rep(**(asdict(rep) | blank | {"measured": False, "note": note}))


def check_bounds(rep: Rep, lift: str) -> str | None:
    """Why `rep`'s numbers are not plausible for `lift` (None when they are)."""
    b = LIFT_BOUNDS.get(lift, LIFT_BOUNDS["other"])
    name = "lift" if lift == "other" else lift
    if rep.rom_m is not None and not b.rom_m[0] <= rep.rom_m <= b.rom_m[1]:
        return (f"range of motion {rep.rom_m:.2f} m is outside {b.rom_m[0]:g}–{b.rom_m[1]:g} m for a {name}: "
                "withheld")  # fmt: skip
    if rep.mcv is not None and not b.mcv_min <= rep.mcv <= b.mcv_max:
        return f"mean velocity {rep.mcv:.2f} m/s is outside {b.mcv_min:g}–{b.mcv_max:g} m/s for a {name}: withheld"
    if rep.peak_v is not None and rep.peak_v > b.peak_max:
        return f"peak velocity {rep.peak_v:.2f} m/s is above {b.peak_max:g} m/s for a {name}: withheld"
    return None


def _gaps(t: np.ndarray, ok: np.ndarray, max_gap: float) -> list[tuple[float, float]]:
    """Time spans (between the measured frames around them) where the bar was not measured for longer
    than `max_gap`, including a lost head or tail of the clip."""
    tm = t[ok]
    out: list[tuple[float, float]] = []
    if len(tm) == 0:
        return [(float(t[0]), float(t[-1]))]
    if tm[0] - t[0] > max_gap:
        out.append((float(t[0]), float(tm[0])))
    d = np.diff(tm)
    for k in np.nonzero(d > max_gap)[0]:
        out.append((float(tm[k]), float(tm[k + 1])))
    if t[-1] - tm[-1] > max_gap:
        out.append((float(tm[-1]), float(t[-1])))
    return out


def _lockout(hs: np.ndarray, v: np.ndarray, a: int, b: int, v_stop: float, amp: float, rate: float) -> int:
    """Index of the lockout in the rise a..b: after the peak velocity, the first place where the upward
    velocity is back near zero with no real climb left (a sticking point slows down and climbs on);
    the highest point just after it. A hold, re-rack or walk-back after that is not the rep."""
    kpk = a + int(np.argmax(v[a : b + 1]))
    horizon = max(2, round(0.3 * rate))
    for i in range(kpk, b + 1):
        if v[i] > v_stop:
            continue
        if float(hs[i : b + 1].max()) - float(hs[i]) > 0.12 * amp:
            continue  # it climbs on: a sticking point, not the top
        j_end = min(b, i + horizon)
        cross = np.nonzero(v[i : j_end + 1] <= 0)[0]
        if len(cross):
            return i + int(cross[0])
        return i + int(np.argmax(hs[i : j_end + 1]))
    return b


@dataclass
class Kinematics:
    t: np.ndarray  # uniform clock (s)
    height_m: np.ndarray  # bar height, up positive, 0 at the lowest point
    horizontal_m: np.ndarray
    velocity_m_s: np.ndarray  # vertical
    reps: list[Rep] = field(default_factory=list)
    px_per_m: float = 0.0
    scale_rel_sd: float = 0.0
    pos_sd_m: float = 0.0
    rate_hz: float = 0.0
    lost: list[tuple[float, float]] = field(default_factory=list)  # spans (s) the bar was not measured in

    def measured_at(self, t: float) -> bool:
        """Whether the bar was seen around time `t` (not inside a lost span)."""
        return not any(a < t < b for a, b in self.lost)

    @property
    def velocity_loss_pct(self) -> float | None:
        """Loss of mean concentric velocity from the fastest rep to the last one (%)."""
        measured = [r for r in self.reps if r.mcv is not None]
        if len(measured) < 2:
            return None
        best = max(r.mcv for r in measured)
        return 100.0 * (best - measured[-1].mcv) / best if best > 0 else None


def _uniform(t: np.ndarray, values: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    n = max(2, math.floor((t[-1] - t[0]) * rate) + 1)
    grid = t[0] + np.arange(n) / rate
    return grid, np.interp(grid, t, values)


def _window(rate: float, seconds: float, order: int) -> int:
    w = max(order + 2, round(seconds * rate))
    return w + 1 if w % 2 == 0 else w


def _zigzag(y: np.ndarray, delta: float) -> list[int]:
    """Indices of alternating extremes whose swings are at least `delta`."""
    if len(y) < 3:
        return []
    turns: list[int] = []
    hi_i = lo_i = 0
    direction = 0
    for i in range(1, len(y)):
        if direction >= 0:
            if y[i] > y[hi_i]:
                hi_i = i
            if y[hi_i] - y[i] >= delta:
                if direction == 0 or not turns or turns[-1] != hi_i:
                    turns.append(hi_i)
                direction, lo_i = -1, i
                continue
        if direction <= 0:
            if y[i] < y[lo_i]:
                lo_i = i
            if y[i] - y[lo_i] >= delta:
                if direction == 0 or not turns or turns[-1] != lo_i:
                    turns.append(lo_i)
                direction, hi_i = 1, i
    last = hi_i if direction > 0 else lo_i
    if not turns or turns[-1] != last:
        turns.append(last)
    return turns


def _fit_turn(t: np.ndarray, y: np.ndarray, sign: float, sd: float) -> tuple[float, float, float, float, float]:
    """Fit a reversal (sign=+1: a bottom, -1: a top) to raw samples.

    Returns (level, t_arrive, t_leave, sd_arrive, sd_leave): the bar reaches the extreme at
    t_arrive and leaves it at t_leave (equal for a bounce).
    """
    z = sign * y
    k = int(np.argmin(z))
    level0 = float(z[k])
    still = np.nonzero(z <= level0 + max(3 * sd, 1e-4))[0]
    tp0, t00 = float(t[still[0]]), float(t[still[-1]])
    span = max(float(t[-1] - t[0]), 1e-3)
    left = z[: still[0] + 1]
    right = z[still[-1] :]
    c1 = (left[0] - level0) / max((t[still[0]] - t[0]) ** 2, 1e-4) if len(left) > 1 else 1.0
    c2 = (right[-1] - level0) / max((t[-1] - t[still[-1]]) ** 2, 1e-4) if len(right) > 1 else 1.0

    def model(p: np.ndarray) -> np.ndarray:
        lev, a1, a2, tp, dur = p
        return lev + a1 * np.maximum(0.0, tp - t) ** 2 + a2 * np.maximum(0.0, t - tp - dur) ** 2

    p0 = np.array([level0, max(c1, 1e-3), max(c2, 1e-3), tp0, max(0.0, t00 - tp0)])
    lo = [level0 - 0.05 - 10 * sd, 0.0, 1e-6, float(t[0]) - 0.2 * span, 0.0]
    hi = [level0 + 0.05 + 10 * sd, np.inf, np.inf, float(t[-1]), span]
    p0 = np.clip(p0, np.array(lo) + 1e-9, np.array(hi) - 1e-9)
    try:
        res = least_squares(lambda p: model(p) - z, p0, bounds=(lo, hi), loss="soft_l1", f_scale=max(2 * sd, 1e-4))
    except ValueError:
        return sign * level0, tp0, t00, 0.02, 0.02
    lev, _, _, tp, dur = res.x
    # Uncertainty of the two times from the fit's covariance (Gauss-Newton approximation).
    dof = max(1, len(z) - 5)
    s2 = max(float(np.sum(res.fun**2)) / dof, sd**2)
    try:
        cov = np.linalg.pinv(res.jac.T @ res.jac) * s2
        sd_tp = math.sqrt(max(cov[3, 3], 0.0))
        sd_t0 = math.sqrt(max(cov[3, 3] + cov[4, 4] + 2 * cov[3, 4], 0.0))
    except (np.linalg.LinAlgError, ValueError):
        sd_tp = sd_t0 = 0.02
    return sign * float(lev), float(tp), float(tp + dur), min(sd_tp, 0.1), min(sd_t0, 0.1)


def _turn_window(
    t: np.ndarray, y: np.ndarray, i: int, lo: int, hi: int, amp: float, sign: float, first: float = 0.15
) -> slice:
    """Samples around extreme i (between neighbouring extremes lo..hi) within a band of the extreme
    (`first` of the rep's travel, widened until there are a few samples on each side)."""
    z = sign * y
    level = z[i]
    for frac in [f for f in (0.15, 0.22, 0.3, 0.4) if f >= first]:
        band = level + frac * amp
        a = i
        while a > lo and z[a - 1] <= band:
            a -= 1
        b = i
        while b < hi and z[b + 1] <= band:
            b += 1
        if (i - a) >= 3 and (b - i) >= 3:
            break
    return slice(a, b + 1)


def _pick(fits: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Level from the narrowest window (the most local view of the extreme), time from the fit with
    the median time; its sd grows with the fits' disagreement."""
    level = fits[0][0]
    order = sorted(fits, key=lambda f: f[1])
    _, time, sd = order[len(order) // 2]
    spread = (order[-1][1] - order[0][1]) / 2
    if spread <= 2 * max(fits[0][2], 0.002):  # they agree: the narrowest (least model bias) wins
        return level, fits[0][1], math.hypot(fits[0][2], spread)
    return level, time, math.hypot(sd, spread)


def analyse_path(
    t: np.ndarray,
    x_px: np.ndarray,
    y_px: np.ndarray,
    *,
    px_per_m: float,
    scale_rel_sd: float = 0.02,
    pos_sd_px: float = 0.5,
    lift: str = "squat",
    ok: np.ndarray | None = None,
    min_rom_m: float = 0.08,
    bounds: bool = True,
    rep_share: float = 0.5,
) -> Kinematics:
    """Reps and their metrics from the bar's path in displayed pixels (y grows downwards).

    `ok` marks the frames where the bar was measured; `bounds=False` skips the physiological checks
    (for a path in pixels, when the scale is still being worked out). A rise counts as a rep when it is at
    least `rep_share` of the tallest rise (0.5 unless the athlete's rep labels set it: vision.rep_labels)."""
    t = np.asarray(t, float)
    if len(t) < 8 or t[-1] - t[0] < 0.3:
        raise KinematicsError("The clip is too short to contain a rep.")
    ok = np.ones(len(t), bool) if ok is None else np.asarray(ok, bool)
    if ok.sum() < 8:
        raise KinematicsError("The bar could not be followed through the clip.")
    order = np.argsort(t)
    t, x_px, y_px, ok = t[order], np.asarray(x_px, float)[order], np.asarray(y_px, float)[order], ok[order]
    keep = np.r_[True, np.diff(t) > 1e-6]
    t, x_px, y_px, ok = t[keep], x_px[keep], y_px[keep], ok[keep]
    # Raw metric positions (coasted frames interpolated from measured ones).
    tm = t[ok]
    h_raw = np.interp(t, tm, -y_px[ok] / px_per_m)
    u_raw = np.interp(t, tm, x_px[ok] / px_per_m)
    pos_sd = pos_sd_px / px_per_m
    rate = float(1.0 / np.median(np.diff(t)))
    rate = min(max(rate, 10.0), 480.0)
    grid, h = _uniform(t, h_raw, rate)
    _, u = _uniform(t, u_raw, rate)
    order_sg = 3
    win = _window(rate, 0.12, order_sg)
    if len(grid) <= win:
        raise KinematicsError("The clip is too short to contain a rep.")
    dt = 1.0 / rate
    hs = savgol_filter(h, win, order_sg)
    v = savgol_filter(h, win, order_sg, deriv=1, delta=dt)
    acc = savgol_filter(h, _window(rate, 0.2, order_sg), order_sg, deriv=2, delta=dt)
    us = savgol_filter(u, win, order_sg)
    base = float(hs.min())
    kin = Kinematics(
        t=grid - grid[0], height_m=hs - base, horizontal_m=us - us[0], velocity_m_s=v, px_per_m=px_per_m,
        scale_rel_sd=scale_rel_sd, pos_sd_m=pos_sd, rate_hz=rate,
    )  # fmt: skip
    # Velocity noise of the SG derivative for white position noise (the filter's gain on noise).
    coeffs = savgol_coeffs(win, order_sg, deriv=1, delta=dt)
    v_noise = pos_sd * float(np.sqrt(np.sum(coeffs**2)))

    delta0 = max(min_rom_m * 0.5, 6 * pos_sd)
    turns = _zigzag(hs, delta0)
    rises = [(a, b) for a, b in itertools.pairwise(turns) if hs[b] > hs[a]]
    if not rises:
        return kin
    tallest = max(hs[b] - hs[a] for a, b in rises)
    threshold = max(min_rom_m, rep_share * tallest)
    if tallest < threshold:  # the bar only wobbled: no rep (the caller says how far it moved)
        return kin
    # A pull from the floor starts where the set's pulls start; a rise from much higher up is a recovery
    # (standing up from a snatch or clean catch), not a rep. Only for lifts with a catch: a squat or press
    # that turns higher than the others (a shallower rep) is still a rep.
    if lift in CATCH_LIFTS:
        floor = min(hs[a] for a, b in rises if hs[b] - hs[a] >= threshold)
        rises = [(a, b) for a, b in rises if hs[a] - floor <= 0.4 * tallest]
    reps: list[Rep] = []
    fastest = 0.0
    tt = grid
    lost = _gaps(t, ok, LOST_GAP_S)
    t_first = float(grid[0])
    t_seen = float(t[ok][-1])  # the last frame the bar (or hands) was measured in
    kin.lost = [(a - t_first, b - t_first) for a, b in lost]
    for a, b in rises:
        amp = hs[b] - hs[a]
        if amp < threshold:
            continue
        ia, ib = turns.index(a), turns.index(b)
        prev_ext = turns[ia - 1] if ia > 0 else 0
        next_ext = turns[ib + 1] if ib + 1 < len(turns) else len(hs) - 1
        peak0 = float(v[a : b + 1].max())
        top = _lockout(hs, v, a, b, max(0.1 * peak0, 3 * v_noise, 0.03), amp, rate)
        amp_top = max(float(hs[top] - hs[a]), 0.5 * amp)
        # The top's fit sees the lockout and a little after it, never the walk-back or re-rack.
        top_hi = min(next_ext, top + max(3, round(0.3 * rate)))
        if lift in CONCENTRIC_FIRST and ib + 1 >= len(turns) and t_seen - float(tt[top]) < 0.3:
            continue  # a last rise with no hold or lowering seen after it (see below), lost frames or not
        span_lost = [g for g in lost if g[1] > tt[a] - 0.1 and g[0] < tt[top] + 0.1]
        if span_lost:
            # The rise is there (the count stands) but the bar was not seen through it: no numbers.
            reps.append(_lost_rep(len(reps) + 1, float(tt[a]) - t_first, float(tt[top]) - t_first, span_lost,
                                  t_first))  # fmt: skip
            continue
        # Fit the bottom and the top on the raw samples (actual timestamps).
        # Fit each turn on three window widths: the median is the estimate, and the spread says how
        # much the answer depends on the window (a slow creep off the bottom, a soft lockout) and
        # joins the fit's own uncertainty. Clean reversals agree to a millisecond.
        bottoms, tops = [], []
        for first in (0.15, 0.22, 0.3):
            sb = _turn_window(tt, h, a, prev_ext, top, amp_top, +1, first)
            st = _turn_window(tt, h, top, a, top_hi, amp_top, -1, first)
            rb = (t >= tt[sb.start]) & (t <= tt[sb.stop - 1])
            rt = (t >= tt[st.start]) & (t <= tt[st.stop - 1])
            if rb.sum() >= 5 and rt.sum() >= 5:
                bottoms.append(_fit_turn(t[rb], h_raw[rb], +1, pos_sd))
                tops.append(_fit_turn(t[rt], h_raw[rt], -1, pos_sd))
        if not bottoms:
            continue
        y_bot, start, sd_start = _pick([(b_[0], b_[2], b_[4]) for b_ in bottoms])
        y_top, end, sd_end = _pick([(t_[0], t_[1], t_[3]) for t_ in tops])
        duration = end - start
        if duration <= 0.05:
            continue
        rom = y_top - y_bot
        in_rep = (tt >= start) & (tt <= end)
        if in_rep.sum() < 2:
            continue
        mcv = rom / duration
        # Peak velocity on a window that grows with the rep (a fifth of the concentric, 0.12-0.3 s; at least
        # 7 samples for a concentric of 0.5 s or more): a
        # smooth 1 s push loses nothing to it, and the position noise a short window turns into a
        # higher maximum (a maximum of noisy values is biased up) shrinks with its length^1.5.
        win_pk = _window(rate, min(0.3, max(0.12, 0.2 * duration)), order_sg)
        if duration >= 0.5:  # at 24-30 fps a cubic needs 7 samples to ride over frame-rate judder
            win_pk = max(win_pk, 7)
        if win_pk > win and len(h) > win_pk:
            v_pk = savgol_filter(h, win_pk, order_sg, deriv=1, delta=dt)
            pk_noise = pos_sd * float(np.sqrt(np.sum(savgol_coeffs(win_pk, order_sg, deriv=1, delta=dt) ** 2)))
        else:
            v_pk, pk_noise = v, v_noise
        peak = float(v_pk[in_rep].max())
        # Propulsive phase: until the bar decelerates faster than gravity (after peak velocity).
        kpk = int(np.argmax(np.where(in_rep, v, -np.inf)))
        after = np.nonzero(in_rep & (np.arange(len(v)) > kpk) & (acc < -G))[0]
        t_prop = float(tt[after[0]]) if len(after) else end
        if t_prop < end:
            h_prop = float(np.interp(t_prop, tt, hs))
            mpv = (h_prop - y_bot) / max(t_prop - start, 1e-3)
        else:
            mpv = mcv
        dev = float(us[in_rep].max() - us[in_rep].min())
        # Uncertainties: scale (all lengths), position noise (ends of the ROM), timing of both ends.
        sd_t = math.hypot(sd_start, sd_end)
        rom_sd = math.hypot(rom * scale_rel_sd, math.sqrt(2) * pos_sd)
        mcv_sd = mcv * math.sqrt((rom_sd / rom) ** 2 + (sd_t / duration) ** 2)
        peak_sd = math.hypot(peak * scale_rel_sd, pk_noise, 0.02 * peak * min(1.0, 30.0 / rate))
        mpv_sd = mpv * math.sqrt((rom_sd / rom) ** 2 + (sd_t / duration) ** 2) if mpv else 0.0
        dev_sd = math.hypot(dev * scale_rel_sd, math.sqrt(2) * pos_sd)
        if lift in CONCENTRIC_FIRST and ib + 1 >= len(turns) and t_seen - end < 0.3:
            # Lift-first lifts: a last rise that is neither lowered nor held before the clip ends (or the
            # bar is last seen: black or lost frames after it prove no hold) is not a rep we can vouch for
            # (standing up after letting go of the bar looks the same).
            continue
        ecc = None
        if ia > 0 and lift not in CONCENTRIC_FIRST:
            ecc = float(tt[a] - tt[turns[ia - 1]])
        elif ib + 1 < len(turns) and lift in CONCENTRIC_FIRST:
            ecc = float(tt[turns[ib + 1]] - tt[top])
        rep = Rep(
                number=len(reps) + 1, start_t=float(start - grid[0]), end_t=float(end - grid[0]), rom_m=float(rom),
                rom_sd=rom_sd, concentric_s=float(duration), concentric_sd=sd_t, mcv=float(mcv), mcv_sd=mcv_sd,
                peak_v=peak, peak_v_sd=peak_sd, mpv=float(mpv), mpv_sd=mpv_sd, horizontal_dev_m=dev,
                horizontal_dev_sd=dev_sd, eccentric_s=ecc,
                velocity_loss_pct=None,
            )  # fmt: skip
        why = check_bounds(rep, lift) if bounds else None
        if why is not None:
            reps.append(withhold(rep, why))
            continue
        fastest = max(fastest, mcv)
        loss = float(100 * (fastest - mcv) / fastest) if fastest > 0 else 0.0
        reps.append(replace(rep, velocity_loss_pct=loss))
    kin.reps = reps
    return kin


def _lost_rep(number: int, start: float, end: float, spans: list[tuple[float, float]], t0: float) -> Rep:
    where = ", ".join(f"{a - t0:.1f}–{b - t0:.1f} s" for a, b in spans)
    blank = Rep(number, start, end, *([None] * 15))
    return withhold(blank, f"bar lost {where}, not measured")
