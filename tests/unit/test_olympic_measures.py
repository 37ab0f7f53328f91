"""Snatch/clean measures and rules on synthetic pulls built from the physics of the lift, not from the rules.

The bar's height follows piecewise-constant accelerations: at rest, a first pull accelerating it to ~1.2 m/s,
the transition's small slow-down, a second pull to ~1.9 m/s, then free flight under gravity to its highest point,
free fall as the lifter drops under, and a short stop in the catch. Its horizontal path (toward the lifter in the
first pull, out after the second, the catch somewhere) is set per case. The lifter's landmarks come from joint
angles at the pull's key moments (set position, knees, transition, extension) through the limbs' lengths, with
the hands on the bar. Everything goes through the real kinematics (`vision.kinematics.analyse_path`) and
`vision.technique.measure`, as a stored analysis would.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from agent.numbers import numbers_in_data, unsupported_numbers
from models.pose.keypoints import COCO17
from vision.body import BodyTrack
from vision.critique import lift_critique, render
from vision.kinematics import analyse_path
from vision.technique import measure

G = 9.81
FPS = 30.0
PX_PER_M = 400.0
FLOOR_Y = 820.0
ANKLE_X = 300.0
SHIN, THIGH, TORSO = 0.43, 0.45, 0.52  # m, an adult lifter's segments
T0 = 0.5  # the bar leaves the floor
J = {n: i for i, n in enumerate(COCO17)}


def bar_height(t: np.ndarray, drop_m: float = 0.12) -> tuple[np.ndarray, dict[str, float]]:
    """Bar height above its start (m) from piecewise-constant accelerations; the true moments of the pull."""
    phases = [(0.5, 1.2 / 0.5), (0.08, -1.25), (0.15, (1.9 - 1.1) / 0.15)]  # first pull, transition, second pull
    moments, h, v, tt = {"lift_off": T0}, [], [], T0
    for dur, acc in phases:
        moments.setdefault("transition" if acc < 0 else "first" if "first" not in moments else "second", tt)
        tt += dur
    moments["peak_v"] = tt
    v_pk = 1.9
    moments["top"] = tt + v_pk / G
    fall = math.sqrt(2 * drop_m / G)  # free fall for the drop, then a 0.06 s stop
    moments["catch"] = moments["top"] + fall + 0.06
    for x in t:
        s, vel, pos = T0, 0.0, 0.0
        if x <= T0:
            h.append(0.0)
            v.append(0.0)
            continue
        for dur, acc in [*phases, (v_pk / G + fall, -G)]:
            d = min(dur, x - s)
            pos += vel * d + acc * d * d / 2
            vel += acc * d
            s += d
            if x <= s + 1e-12:
                break
        if x > s:  # the catch's stop: decelerate to rest in 0.06 s, then hold
            d = min(0.06, x - s)
            acc = -vel / 0.06
            pos += vel * d + acc * d * d / 2
            vel += acc * d
        h.append(pos)
        v.append(vel)
    return np.array(h), moments


def smooth(t: np.ndarray, a: float, b: float) -> np.ndarray:
    u = np.clip((t - a) / max(b - a, 1e-9), 0, 1)
    return u * u * (3 - 2 * u)


def bar_x(t: np.ndarray, m: dict[str, float], toward: float, out: float, catch: float) -> np.ndarray:
    """Horizontal bar position (m, + = the way the lifter faces): `toward` back in the first pull, then out to
    `out` (relative to the start) by the top, then to `catch` by the catch."""
    x = -toward * smooth(t, m["lift_off"], m["transition"])
    x += (out + toward) * smooth(t, m["transition"], m["top"])
    x += (catch - out) * smooth(t, m["top"], m["catch"])
    return x


# joint angles (deg) at the pull's moments: shin forward of vertical, thigh back of vertical, torso forward lean
KEYS = {"set": (25, 65, 45), "knees": (5, 38, 42), "transition": (15, 25, 25), "extension": (0, 5, -5)}


def pose_at(shin: float, thigh: float, lean: float, bar: np.ndarray, elbow_deg: float, front: bool) -> np.ndarray:
    """17 COCO points (px) of a lifter facing +x from the three angles, the hands on the bar."""
    ankle = np.array([ANKLE_X, FLOOR_Y - 0.08 * PX_PER_M])
    s, th, le = (math.radians(a) for a in (shin, thigh, lean))
    knee = ankle + SHIN * PX_PER_M * np.array([math.sin(s), -math.cos(s)])
    hip = knee + THIGH * PX_PER_M * np.array([-math.sin(th), -math.cos(th)])
    sh = hip + TORSO * PX_PER_M * np.array([math.sin(le), -math.cos(le)])
    d = bar - sh
    dist = float(np.hypot(*d))
    off = 0.0 if elbow_deg >= 179 else (dist / 2) / math.tan(math.radians(elbow_deg) / 2)
    perp = np.array([d[1], -d[0]]) / max(dist, 1e-9)
    elbow = sh + d / 2 - off * perp * np.sign(perp[0] or 1)  # the elbow bends out behind the bar
    head = sh + np.array([0.05, -0.25]) * PX_PER_M
    p = np.zeros((17, 2))
    spread = 0.8 * TORSO * PX_PER_M if front else 4.0  # a front view sees the shoulders apart
    for side, k in (("left", -1), ("right", 1)):
        dx = np.array([k * spread / 2, 0.0])
        for n, v in (("shoulder", sh), ("hip", hip), ("knee", knee), ("ankle", ankle), ("elbow", elbow),
                     ("wrist", bar)):  # fmt: skip
            p[J[f"{side}_{n}"]] = v + dx
        p[J[f"{side}_ear"]] = head + np.array([-0.04 * PX_PER_M, k * 2.0])
        p[J[f"{side}_eye"]] = head + np.array([0.02 * PX_PER_M, k * 2.0])
    p[J["nose"]] = head + np.array([0.05 * PX_PER_M, 0.02 * PX_PER_M])
    return p


def clip(
    toward: float = 0.06, out: float = -0.02, catch: float = -0.05, arms_bend_at: str | None = None,
    extension: tuple[float, float, float] = KEYS["extension"], front: bool = False, spectator: bool = False,
    lost: tuple[float, float] | None = None, lift: str = "snatch", stand_back: float = 0.0,
) -> tuple[SimpleNamespace, dict[str, float]]:  # fmt: skip
    """A stored analysis of one synthetic snatch (bar track, kinematics, landmarks)."""
    t = np.arange(0, 3.5, 1 / FPS)
    h, m = bar_height(t)
    x = bar_x(t, m, toward, out, catch)
    bar = np.stack([ANKLE_X + 0.05 * PX_PER_M + x * PX_PER_M, FLOOR_Y - (0.225 + h) * PX_PER_M], axis=1)
    ok = np.ones(len(t), bool)
    if lost is not None:
        ok[(t > lost[0]) & (t < lost[1])] = False
    kin = analyse_path(t, bar[:, 0], bar[:, 1], px_per_m=PX_PER_M, lift=lift, ok=ok)
    keys = [(m["lift_off"] - 0.3, KEYS["set"]), (m["lift_off"], KEYS["set"]), (m["lift_off"] + 0.3, KEYS["knees"]),
            (m["transition"] + 0.04, KEYS["transition"]), (m["peak_v"], extension)]  # fmt: skip
    kt = np.array([k[0] for k in keys])
    xy = np.full((len(t), 1, 17, 2), np.nan)
    for i, ti in enumerate(t):
        if ti > m["top"] + 0.1:  # under the bar: only the head is drawn (enough to tell which way the lifter faces)
            head = pose_at(*KEYS["extension"], bar[i], 180, front)
            for n in ("nose", "left_ear", "right_ear"):
                xy[i, 0, J[n]] = head[J[n]]
            continue
        angles = [float(np.interp(ti, kt, [k[1][j] for k in keys])) for j in range(3)]
        elbow = 180.0
        if arms_bend_at is not None:
            elbow = 180.0 - 80.0 * float(smooth(np.array([ti]), m[arms_bend_at], m[arms_bend_at] + 0.12)[0])
        elif ti > m["peak_v"]:
            elbow = 180.0 - 80.0 * float(smooth(np.array([ti]), m["peak_v"], m["top"])[0])  # pulling under
        xy[i, 0] = pose_at(angles[0], angles[1], angles[2], bar[i], elbow, front)
        if stand_back:  # the lifter's feet (and body) this far behind the bar; the hands still hold it
            wrists = xy[i, 0, [J["left_wrist"], J["right_wrist"]]].copy()
            xy[i, 0, :, 0] -= stand_back * PX_PER_M
            xy[i, 0, [J["left_wrist"], J["right_wrist"]]] = wrists
        if spectator and m["lift_off"] <= ti <= m["top"]:
            xy[i, 0] += np.array([1.2 * PX_PER_M, 0.0])  # the pose model found someone a step to the side
    body = BodyTrack(t, np.arange(len(t)), xy, np.where(np.isfinite(xy[..., 0]), 0.95, 0.0), "synthetic")
    analysis = SimpleNamespace(
        body=body, body_note=None, notes=[], path_t=t, drawn_path=bar, path_ok=ok, source="plate",
        px_per_m=PX_PER_M, scale_method="plate diameter 450 mm", kin=kin, reps=kin.reps,
        options=SimpleNamespace(lift=lift, plate_mm=450.0), video=SimpleNamespace(width=720, height=900, fps=FPS),
    )  # fmt: skip
    return analysis, m


def by_name(tech: dict) -> dict[str, dict]:
    return {m["name"]: m for m in tech["measures"]}


def _numbers_ok(c) -> None:
    text = render(c)
    assert unsupported_numbers(text, numbers_in_data(c.to_dict())) == [], text


def test_phases_are_where_the_physics_put_them():
    a, m = clip()
    tech = measure(a)
    ms = by_name(tech)
    frame = 1 / FPS
    pull = ms["pull_s"]
    assert abs(pull["extra"]["lift_off_t"] - m["lift_off"]) <= 2 * frame
    assert abs(pull["extra"]["peak_v_t"] - m["peak_v"]) <= 2 * frame
    assert abs(pull["extra"]["top_t"] - m["top"]) <= 2 * frame
    assert pull["extra"]["peak_v_m_s"] == pytest.approx(1.9, abs=0.15)
    turn = ms["turnover_s"]
    assert abs(turn["extra"]["catch_t"] - m["catch"]) <= 3 * frame
    v_fall = math.sqrt(2 * G * 0.12)  # 12 cm of free fall, then a 0.06 s stop at constant deceleration
    assert turn["extra"]["drop_cm"] == pytest.approx(100 * (0.12 + v_fall * 0.06 / 2), abs=3)
    # the knees are seen here: the first pull ends when the bar passes them, before the transition's slow-down
    first, second = ms["first_pull_s"], ms["second_pull_s"]
    assert first["extra"]["read_from"] == "the knee landmark"
    assert m["lift_off"] < first["t"] < m["peak_v"]
    assert first["value"] + second["value"] == pytest.approx(pull["value"], abs=2 * frame)


def test_a_close_bar_and_a_catch_behind_the_start_are_praised():
    a, _ = clip(toward=0.06, out=-0.02, catch=-0.05)
    tech = measure(a)
    ms = by_name(tech)
    assert ms["bar_loop"]["extra"]["toward_cm"] == pytest.approx(6, abs=1)
    assert ms["bar_loop"]["extra"]["past_start_cm"] < 0
    assert ms["catch_vs_start"]["value"] == pytest.approx(-5, abs=1)
    c = lift_critique(tech)
    keys = {f.key for f in c.work_on}
    assert not keys & {"bar_loop", "catch_vs_start", "arms_early", "full_extension"}, [f.evidence for f in c.work_on]
    assert any("stayed close" in w for w in c.went_well)
    _numbers_ok(c)


def test_a_bar_swinging_out_and_a_jump_forward_are_flagged():
    a, _ = clip(toward=0.03, out=0.10, catch=0.08)
    c = lift_critique(measure(a))
    keys = [f.key for f in c.work_on]
    assert "bar_loop" in keys and "catch_vs_start" in keys
    f = next(f for f in c.work_on if f.key == "bar_loop")
    assert f.t is not None and f.rep == 1 and "10 cm in front of where it started" in f.evidence
    _numbers_ok(c)


def test_the_lifter_facing_left_reads_the_same():
    """Mirror the whole clip: toward and away must follow the lifter, not the image."""
    a, _ = clip(toward=0.06, out=0.10, catch=0.08)
    a.drawn_path = a.drawn_path * np.array([-1, 1]) + np.array([720, 0])
    a.body.xy[..., 0] = 720 - a.body.xy[..., 0]
    a.kin = analyse_path(a.path_t, a.drawn_path[:, 0], a.drawn_path[:, 1], px_per_m=PX_PER_M, lift="snatch")
    a.reps = a.kin.reps
    ms = by_name(measure(a))
    assert ms["bar_loop"]["extra"]["past_start_cm"] == pytest.approx(10, abs=1)
    assert ms["catch_vs_start"]["value"] == pytest.approx(8, abs=1)


def test_arms_bending_before_the_extension_is_flagged_and_after_it_is_not():
    early = lift_critique(measure(clip(arms_bend_at="transition")[0]))
    assert early.work_on[0].key == "arms_early"
    _numbers_ok(early)
    ms = by_name(measure(clip()[0]))
    assert ms["full_extension"]["verdict"] == "full extension"
    assert ms.get("arms_early") is None or ms["arms_early"]["verdict"] == "extended first"


def test_a_pull_cut_short_is_not_full_extension():
    ms = by_name(measure(clip(extension=(10, 30, 15))[0]))  # hips at ~135 deg, knees at ~140 deg at the top
    assert ms["full_extension"]["verdict"] == "not fully extended"
    assert "full_extension" in {f.key for f in lift_critique({"lift": "snatch", "measures": list(ms.values())}).work_on}


def test_a_spectator_is_never_read_as_the_lifter():
    tech = measure(clip(spectator=True)[0])
    ms = by_name(tech)
    assert ms["full_extension"]["not_judged"] and ms["bar_hip_gap"]["not_judged"]
    assert ms["pull_s"]["value"] is not None  # the bar's own timing still stands


def test_from_the_front_the_horizontal_measures_are_not_judged():
    ms = by_name(measure(clip(front=True)[0]))
    assert "front" in ms["bar_loop"]["not_judged"] and "front" in ms["bar_hip_gap"]["not_judged"]
    c = lift_critique({"lift": "snatch", "view": "front", "measures": list(ms.values())})
    assert any("front" in s for s in c.cannot_judge)


def test_a_bar_lost_in_the_pull_is_not_timed():
    a, _ = clip(lost=(0.7, 1.0))
    ms = by_name(measure(a))
    assert ms["pull_s"]["value"] is None and "lost" in ms["pull_s"]["not_judged"]


def test_without_a_plate_nothing_is_guessed():
    a, _ = clip()
    a.source = "wrists"
    ms = by_name(measure(a))
    assert ms["pull_s"]["value"] is None and ms["bar_loop"]["value"] is None


def test_clean_gets_the_same_measures():
    tech = measure(clip(lift="clean")[0])
    assert {"pull_s", "turnover_s", "bar_loop", "catch_vs_start", "full_extension"} <= set(by_name(tech))


def test_the_bar_over_mid_foot_through_the_pull():
    close = by_name(measure(clip()[0]))["bar_midfoot_pull"]
    assert close["extra"]["lift_off_cm"] == pytest.approx(-1, abs=1)  # bar 5 cm ahead of the ankle, mid-foot at 6
    assert close["value"] == pytest.approx(-7, abs=1.5)  # ... then 6 cm toward the lifter by the transition
    a, _ = clip(stand_back=0.15)  # feet 15 cm further back: the bar starts out over the toes
    far = by_name(measure(a))["bar_midfoot_pull"]
    assert far["extra"]["lift_off_cm"] == pytest.approx(14, abs=1)
    c = lift_critique(measure(a))
    assert "bar_midfoot_pull" in {f.key for f in c.work_on}
    _numbers_ok(c)
