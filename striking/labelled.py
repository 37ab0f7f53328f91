"""Readers for the team's labelled striking data, as keypoint tracks with their punch truth.

Used by `bench/striking_accuracy.py` and by tests that build punches from real poses (never from the
detector's own rules). Every reader returns `Labelled` items: a keypoint sequence (t, COCO-17 xy in
pixels with NaN where unseen, conf) and the truth the source gives: punch events with times, shape
and hand where known, or a clip-level expectation ("this clip holds hooks").

Sources (see ../shared/data/SOURCES.md; the data is never copied into the project):
- cs229 broadcast windows: 6 frames every 2nd frame, stride 3 samples, a label per window and person;
  consecutive windows share 3 frames exactly, so one person's windows are chained back into a track
  and runs of punch-labelled windows become events;
- shadow-boxer hooks: one CSV per clip, COCO-17 pixels per frame; every clip holds one or more hooks
  (no per-punch times);
- boxing-action stills: a boxer filmed face-on with a phone, one still per pose; a punch sequence is
  made by moving every keypoint from one of his own guard stills to the punch still and back.
  The stills' "left/right" is the COCO side (checked on the uppercuts, whose punching fist ends at
  chin height over its elbow, and the hooks, whose punching elbow is out wide). Face-on, a straight
  punch at the lens barely moves the wrist in the picture, and the other hand often drops further
  than the punching one moves: the hardest source for 2D keypoints.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

LEFT_RIGHT_COCO = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]  # COCO-17 index of the mirror point
CS229_SHAPES = {1: "straight", 2: "hook", 3: "uppercut"}
CS229_STEP_S = 2 / 30
HOOKS_FPS = 30.0  # the shadow-boxer CSVs carry no times; their source videos are 30 fps
STILL_PUNCHES = {  # action code -> (shape, COCO hand)
    "05_punch_jab_left": ("straight", "left"), "06_punch_jab_right": ("straight", "right"),
    "07_punch_hook_left": ("hook", "left"), "08_punch_hook_right": ("hook", "right"),
    "09_punch_upper_left": ("uppercut", "left"), "10_punch_upper_right": ("uppercut", "right"),
}  # fmt: skip
GUARD_CODE = "01_stance_guard"


@dataclass
class Event:
    t0: float  # the punch happens within [t0, t1] seconds
    t1: float
    shape: str | None = None  # straight | hook | uppercut
    hand: str | None = None  # COCO side of the punching arm


@dataclass
class Labelled:
    source: str
    item: str  # clip / video / still id
    t: np.ndarray
    xy: np.ndarray  # (frames, 17, 2) px, NaN unseen
    conf: np.ndarray  # (frames, 17)
    events: list[Event] = field(default_factory=list)
    clip_shape: str | None = None  # whole-clip label (hooks): events unknown, at least one of this shape
    width: int = 0
    height: int = 0
    group: str = ""  # what the dev/held-out split is decided on (video name, clip, still)


def _nan0(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    seen = (xy != 0).any(axis=-1) & np.isfinite(xy).all(axis=-1)
    xy = np.where(seen[..., None], xy, np.nan).astype(np.float32)
    return xy, np.where(seen, 0.9, 0.0).astype(np.float32)


def read_cs229(folder: Path, min_frames: int = 15) -> tuple[list[Labelled], int]:
    """One track per chained person; returns (tracks, punch windows left out in chains too short)."""
    rows: dict[str, dict[int, list[tuple[np.ndarray, int]]]] = {}
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(newline="") as f:
            for r in csv.reader(f):
                if len(r) < 7 + 6 * 98:
                    continue
                try:
                    wid, label = int(float(r[1])), int(float(r[6]))
                    v = np.asarray(r[7 : 7 + 6 * 98], np.float64).reshape(6, 98)[:, :34].reshape(6, 17, 2)
                except ValueError:
                    continue
                rows.setdefault(r[0], {}).setdefault(wid, []).append((v, label))
    out: list[Labelled] = []
    dropped = 0
    for video, windows in rows.items():
        chains: list[dict] = []  # {"last": wid, "frames": [..], "labels": [(sample0, label)]}
        for wid in sorted(windows):
            for v, label in windows[wid]:
                best, best_d = None, 3.0
                for ch in chains:
                    if ch["last"] != wid - 1:
                        continue
                    a, b = ch["tail"], v[:3]
                    both = (a != 0).all(-1) & (b != 0).all(-1)
                    if both.sum() < 6:
                        continue
                    d = float(np.abs(a[both] - b[both]).mean())
                    if d < best_d:
                        best, best_d = ch, d
                if best is None:
                    chains.append({"last": wid, "tail": v[3:], "frames": list(v), "labels": [(0, label)]})
                else:
                    best["labels"].append((len(best["frames"]) - 3, label))
                    best["frames"].extend(v[3:])
                    best["last"], best["tail"] = wid, v[3:]
        for k, ch in enumerate(chains):
            frames = np.asarray(ch["frames"])
            t = np.arange(len(frames)) * CS229_STEP_S
            events: list[Event] = []
            run: list[tuple[int, int]] = []
            for s0, label in [*ch["labels"], (None, 0)]:
                if run and (label != run[-1][1]):
                    a, b = run[0][0], run[-1][0] + 5
                    events.append(Event(float(t[a]), float(t[min(b, len(t) - 1)]), CS229_SHAPES[run[0][1]]))
                    run = []
                if label and s0 is not None:
                    run.append((s0, label))
            if len(frames) < min_frames:
                dropped += len(events)
                continue
            xy, conf = _nan0(frames)
            out.append(Labelled("cs229", f"{video}#{k}", t, xy, conf, events, group=video))
    return out, dropped


def read_hook_clip(path: Path) -> Labelled:
    with Path(path).open(newline="") as f:
        r = csv.reader(f)
        header = next(r)
        data = np.asarray([[float(x) for x in row] for row in r if row], np.float64)
    xy = data[:, :34].reshape(-1, 17, 2)
    xy, conf = _nan0(xy)
    if "pose_score" in header:
        conf = np.where(np.isfinite(xy[..., 0]), np.clip(data[:, [header.index("pose_score")]], 0.31, 1.0), 0.0)
    t = np.arange(len(xy)) / HOOKS_FPS
    w = int(np.nanmax(xy[..., 0]) + 1) if np.isfinite(xy).any() else 0
    h = int(np.nanmax(xy[..., 1]) + 1) if np.isfinite(xy).any() else 0
    return Labelled("hooks", Path(path).stem, t, xy, conf.astype(np.float32), clip_shape="hook", width=w, height=h,
                    group=Path(path).stem)  # fmt: skip


def read_hooks(folder: Path) -> list[Labelled]:
    files = sorted(Path(folder).glob("hook*.csv"), key=lambda p: int("".join(c for c in p.stem if c.isdigit()) or 0))
    return [read_hook_clip(p) for p in files]


def read_stills(path: Path) -> dict[str, list[np.ndarray]]:
    """Action code -> list of (17, 3) [x, y, conf] stills, in file order."""
    out: dict[str, list[np.ndarray]] = {}
    for s in json.loads(Path(path).read_text()):
        out.setdefault(s["action_code"], []).append(np.asarray(s["keypoints"], np.float64))
    return out


def _ease(x: np.ndarray) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0, 1))


def pose_sequence(guard: np.ndarray, punch: np.ndarray | None, *, fps: float = 30.0, before_s: float = 1.5,
                  rise_s: float = 0.15, hold_s: float = 0.1, back_s: float = 0.25, after_s: float = 1.2,
                  noise: float = 0.006, seed: int = 0,
                  downscale: float = 4.0) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(t, xy) of a body in `guard` that throws to `punch` (both (17, 2+) stills) and comes back.

    Noise is a share of the torso length per point and frame (detector jitter); `punch=None` gives a
    boxer standing in guard for the whole time (with the same noise and a slow sway)."""
    rng = np.random.default_rng(seed)
    g = guard[:, :2] / downscale
    p = g if punch is None else punch[:, :2] / downscale

    # the punch still is scaled to the guard's torso length and placed so its hips sit where the
    # guard's hips are (the stills were shot from varying distances; the boxer does not step)
    def torso(k: np.ndarray) -> float:
        return float(np.linalg.norm(k[[5, 6]].mean(0) - k[[11, 12]].mean(0)))

    hips_p, hips_g = p[[11, 12]].mean(0), g[[11, 12]].mean(0)
    p = (p - hips_p) * (torso(g) / max(torso(p), 1e-6)) + hips_g
    n = round((before_s + rise_s + hold_s + back_s + after_s) * fps)
    t = np.arange(n) / fps
    tau = t - before_s
    a = np.where(tau < rise_s, _ease(tau / rise_s), 1.0 - _ease((tau - rise_s - hold_s) / back_s))
    a = np.where(tau < 0, 0.0, a)
    xy = g[None] + a[:, None, None] * (p - g)[None]
    torso = float(np.linalg.norm(g[[5, 6]].mean(0) - g[[11, 12]].mean(0)))
    sway = 0.04 * torso * np.sin(2 * math.pi * 0.4 * t)
    xy[..., 0] += sway[:, None]
    xy += rng.normal(0, noise * torso, xy.shape)
    return t, xy.astype(np.float32)


def read_still_punches(path: Path, **kw) -> list[Labelled]:
    """One sequence per punch still: from one of the boxer's guard stills to the still and back."""
    stills = read_stills(path)
    guards = stills[GUARD_CODE]
    out = []
    k = 0
    for code, (shape, hand) in STILL_PUNCHES.items():
        for i, s in enumerate(stills.get(code, [])):
            g = guards[k % len(guards)]
            t, xy = pose_sequence(g, s, seed=k, **kw)
            conf = np.full(xy.shape[:2], 0.9, np.float32)
            t_land = kw.get("before_s", 1.5) + kw.get("rise_s", 0.15)
            ev = Event(t_land - 0.2, t_land + 0.25, shape, hand)
            out.append(
                Labelled("stills", f"{code}[{i}]", t, xy, conf, [ev], width=1080, height=960, group=f"{code}[{i}]")
            )
            k += 1
    return out


def guard_only(path: Path, seconds: float = 10.0, seed: int = 0, noise: float = 0.01) -> Labelled:
    """A boxer standing in guard (his guard stills in turn, blended slowly, with detector noise): no punch."""
    guards = read_stills(path)[GUARD_CODE]
    fps = 30.0
    parts = []
    per = seconds / len(guards)
    for i, g in enumerate(guards):
        nxt = guards[(i + 1) % len(guards)]
        _, xy = pose_sequence(g, nxt, fps=fps, before_s=per * 0.4, rise_s=per * 0.4, hold_s=per * 0.2, back_s=0.01,
                              after_s=0.0, noise=noise, seed=seed + i)  # fmt: skip
        xy = xy[: round(per * fps)]
        parts.append(xy)
    xy = np.concatenate(parts)
    t = np.arange(len(xy)) / fps
    return Labelled("guard-only", "stills guard", t, xy, np.full(xy.shape[:2], 0.9, np.float32), [], width=1080,
                    height=960, group="guard")  # fmt: skip


# ---- variants made on the keypoint sequences -------------------------------------------------------------------


def mirror(item: Labelled) -> Labelled:
    """Flip the picture left-right: x -> width - x, COCO left/right swapped, the punching hand too."""
    w = item.width or (float(np.nanmax(item.xy[..., 0])) + 1 if np.isfinite(item.xy).any() else 1.0)
    xy = item.xy[:, LEFT_RIGHT_COCO].copy()
    xy[..., 0] = w - xy[..., 0]
    swap = {"left": "right", "right": "left", None: None}
    ev = [Event(e.t0, e.t1, e.shape, swap[e.hand]) for e in item.events]
    return Labelled(item.source, item.item, item.t, xy, item.conf[:, LEFT_RIGHT_COCO], ev, item.clip_shape,
                    item.width, item.height, item.group)  # fmt: skip


def faster(item: Labelled, k: float = 2.0) -> Labelled:
    """The same frames played k times faster (a faster boxer, same camera rate): times / k."""
    ev = [Event(e.t0 / k, e.t1 / k, e.shape, e.hand) for e in item.events]
    return Labelled(item.source, item.item, item.t / k, item.xy, item.conf, ev, item.clip_shape, item.width,
                    item.height, item.group)  # fmt: skip


def lower_rate(item: Labelled, step: int = 2) -> Labelled:
    """Every `step`-th frame only (a 15 fps camera instead of 30)."""
    return Labelled(item.source, item.item, item.t[::step], item.xy[::step], item.conf[::step], item.events,
                    item.clip_shape, item.width, item.height, item.group)  # fmt: skip


def held_out(index: int, count: int) -> bool:
    """The fixed split rule: every 3rd item (index 2, 5, 8, …) is held out; with fewer than 3 items the last."""
    return index == count - 1 if count < 3 else index % 3 == 2
