"""Synthetic shadow-boxing keypoints with known punches and guard drops (ground truth by design).

Tests, benchmarks and demos use these tracks so the analysis can be checked without any footage:
a boxer seen three-quarter from the side, swaying, throwing scripted punches along plausible 2D
paths, sometimes dropping a hand. Units: S = the boxer's shoulder width in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from models.pose.keypoints import K, Keypoints


@dataclass(frozen=True)
class ScriptedPunch:
    t: float  # when the fist lands
    side: str  # lead | rear
    shape: str = "straight"  # straight | hook | uppercut
    target: str = "head"  # head | body
    telegraph: bool = False  # pull the fist back before throwing
    drop_other: bool = False  # the other hand falls while this one is out


@dataclass(frozen=True)
class GuardDrop:
    t0: float
    t1: float
    hand: str  # left | right


@dataclass
class Script:
    duration_s: float = 6.0
    fps: float = 30.0
    stance: str = "orthodox"
    facing: str = "left"  # which image side the boxer faces
    punches: list[ScriptedPunch] = field(default_factory=list)
    drops: list[GuardDrop] = field(default_factory=list)
    scale: float = 100.0
    center: tuple[float, float] = (640.0, 260.0)
    noise_px: float = 0.8
    seed: int = 0

    @property
    def lead_hand(self) -> str:
        return "left" if self.stance == "orthodox" else "right"


RISE, HOLD, BACK = 0.12, 0.06, 0.22  # seconds: extension, stay out, retraction


def _ease(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return 0.5 - 0.5 * math.cos(math.pi * x)


def _punch_offset(p: ScriptedPunch, tau: float, guard: np.ndarray, f: float) -> tuple[np.ndarray, np.ndarray | None]:
    """(wrist offset from its shoulder, elbow offset or None for 'between') at time tau from landing."""
    lead = p.side == "lead"
    if p.shape == "straight":
        peak = np.array([(2.0 if lead else 2.6) * f, 0.55 if p.target == "body" else -0.45])
        elbow_peak = None
    elif p.shape == "hook":
        peak = np.array([(1.35 if lead else 1.75) * f, -0.5 if lead else -0.45])
        elbow_peak = np.array([(0.75 if lead else 1.1) * f, 0.15 if lead else 0.2])
    else:  # uppercut: dip, then drive up
        peak = np.array([0.95 * f if lead else 1.3 * f, -1.3])
        elbow_peak = np.array([0.65 * f if lead else 0.95 * f, -0.2])
    if tau < -RISE:
        a = 0.0
    elif tau <= 0:
        a = _ease((tau + RISE) / RISE)
    elif tau <= HOLD:
        a = 1.0
    else:
        a = 1.0 - _ease((tau - HOLD) / BACK)
    wrist = guard + a * (peak - guard)
    if p.shape == "uppercut" and -RISE - 0.12 <= tau <= -RISE * 0.3:
        dip = math.sin(math.pi * (tau + RISE + 0.12) / (0.12 + RISE * 0.7))
        wrist = wrist + dip * np.array([0.1 * f, 0.9])
    if p.telegraph and -RISE - 0.3 <= tau < -RISE:
        back = math.sin(math.pi * (tau + RISE + 0.3) / 0.3)
        u = (peak - guard) / np.linalg.norm(peak - guard)
        wrist = wrist - 0.45 * back * u
    elbow = None if elbow_peak is None or a < 0.5 else elbow_peak
    return wrist, elbow


def _elbow_between(shoulder: np.ndarray, wrist: np.ndarray, bone: float) -> np.ndarray:
    """The elbow of an arm whose upper arm and forearm are both `bone` long, bent downwards: a body's
    arm keeps its length (the 2D foreshortening test of the type step relies on it)."""
    d = wrist - shoulder
    n = float(np.linalg.norm(d))
    mid = shoulder + d / 2
    if n == 0 or n >= 2 * bone:
        return mid
    normal = np.array([-d[1], d[0]]) / n
    if normal[1] < 0:
        normal = -normal
    return mid + normal * math.sqrt(bone**2 - (n / 2) ** 2)


def generate(script: Script) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, xy (frames, 17, 2), conf (frames, 17)) for the scripted round."""
    rng = np.random.default_rng(script.seed)
    n = round(script.duration_s * script.fps)
    t = np.arange(n) / script.fps
    f = -1.0 if script.facing == "left" else 1.0
    S = script.scale
    lead, rear = script.lead_hand, ("right" if script.lead_hand == "left" else "left")
    guard = {lead: np.array([0.35 * f, -0.6]), rear: np.array([0.75 * f, -0.5])}
    # upper arm and forearm each half the hand's straight reach, so a straight punch ends with a straight arm
    bone = {lead: 1.03, rear: 1.32}
    xy = np.zeros((n, 17, 2), np.float32)
    for i, ti in enumerate(t):
        cx = script.center[0] + 0.2 * S * math.sin(2 * math.pi * 0.5 * ti)
        cy = script.center[1] + 0.05 * S * math.sin(2 * math.pi * 1.1 * ti)
        pts = {
            f"{lead}_shoulder": (cx + 0.5 * f * S, cy),
            f"{rear}_shoulder": (cx - 0.5 * f * S, cy + 0.05 * S),
            "nose": (cx + 0.35 * f * S, cy - 0.9 * S),
            f"{lead}_eye": (cx + 0.4 * f * S, cy - 1.0 * S),
            f"{rear}_eye": (cx + 0.22 * f * S, cy - 1.0 * S),
            f"{lead}_ear": (cx + 0.05 * f * S, cy - 0.95 * S),
            f"{rear}_ear": (cx - 0.15 * f * S, cy - 0.95 * S),
            f"{lead}_hip": (cx + 0.3 * f * S, cy + 2.2 * S),
            f"{rear}_hip": (cx - 0.3 * f * S, cy + 2.2 * S),
        }
        for side in (lead, rear):
            hx, hy = pts[f"{side}_hip"]
            pts[f"{side}_knee"] = (hx + 0.1 * f * S, hy + 1.1 * S)
            pts[f"{side}_ankle"] = (hx, hy + 2.2 * S)
        for hand in (lead, rear):
            sx, sy = pts[f"{hand}_shoulder"]
            off, elbow = guard[hand].copy(), None
            for p in script.punches:
                mine = (p.side == "lead") == (hand == lead)
                tau = ti - p.t
                if mine and -RISE - 0.35 <= tau <= HOLD + BACK:
                    off, elbow = _punch_offset(p, tau, guard[hand], f)
                elif not mine and p.drop_other and -RISE <= tau <= HOLD + BACK * 0.5:
                    off = off + np.array([0.0, 0.7 * math.sin(math.pi * (tau + RISE) / (RISE + HOLD + BACK * 0.5))])
            for d in script.drops:
                if d.hand == hand and d.t0 <= ti <= d.t1:
                    a = min(_ease((ti - d.t0) / 0.3), _ease((d.t1 - ti) / 0.3))
                    off = off + a * (np.array([0.3 * f, 1.2]) - off)
            wrist = np.array([sx, sy]) + off * S
            if elbow is None:
                elbow_pt = _elbow_between(np.array([sx, sy]), wrist, bone[hand] * S)
            else:
                elbow_pt = np.array([sx, sy]) + elbow * S
            pts[f"{hand}_wrist"] = tuple(wrist)
            pts[f"{hand}_elbow"] = tuple(elbow_pt)
        for name, (x, y) in pts.items():
            xy[i, K[name]] = (x, y)
    xy += rng.normal(0, script.noise_px * S / 100, xy.shape).astype(np.float32)
    conf = np.full((n, 17), 0.9, np.float32)
    return t, xy, conf


def keypoint_frames(script: Script, *, bystander: bool = False, absent: tuple[float, float] | None = None,
                    width: int = 1280, height: int = 720) -> list[Keypoints]:  # fmt: skip
    """Per-frame `Keypoints` as a pose backend would give them; optionally a second, smaller person
    standing still at the side (a coach) and a stretch where the athlete is out of frame."""
    t, xy, conf = generate(script)
    frames = []
    coach = (xy[0] - xy[0].mean(axis=0)) * 0.6 + np.array([width * 0.88, height * 0.5], np.float32)
    for i in range(len(t)):
        persons, confs = [], []
        if not (absent and absent[0] <= t[i] <= absent[1]):
            persons.append(xy[i])
            confs.append(conf[i])
        if bystander:
            persons.insert(0, coach)  # listed first: the tracker must not simply take person 0
            confs.insert(0, np.full(17, 0.9, np.float32))
        if persons:
            frames.append(Keypoints(np.stack(persons), np.stack(confs), t=float(t[i]), frame_index=i))
        else:
            frames.append(Keypoints.empty(float(t[i]), i))
    return frames
