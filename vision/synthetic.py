"""Synthetic lift videos with known motion, so tracking and velocity accuracy are measured, not assumed.

A plate (with hub, sleeve end and printed marks) on a bar moves over a textured background along a
velocity profile we choose: several reps, varied speeds, pauses, sticking points, a J-shaped bar
path. Options make it harder the way phones do: sensor noise, motion blur (sub-frame rendering over
the shutter time), H.264 compression, a camera not quite side-on (perspective), a rotation flag in
the container, any frame rate from 24 to 240 and variable frame rate. The ground truth (positions
in metres, per-rep mean concentric / peak / mean propulsive velocity) comes back with the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

G = 9.81
_TB = Fraction(1, 90000)


@dataclass(frozen=True)
class RepSpec:
    """One rep: eccentric, bottom pause, concentric (with an optional sticking point), top pause."""

    con_s: float = 0.8  # concentric duration
    ecc_s: float = 1.2
    rom_m: float = 0.5
    bottom_pause_s: float = 0.0
    top_pause_s: float = 0.6
    sticking: float = 0.0  # 0..0.8: depth of the velocity dip at ~55 % of the concentric


@dataclass(frozen=True)
class SceneSpec:
    """How the clip looks and is recorded."""

    width: int = 360  # as displayed
    height: int = 640
    fps: float = 30.0
    plate_mm: float = 450.0
    plate_px: float = 170.0  # plate diameter on screen
    noise: float = 2.0  # sensor noise, grey levels (sigma)
    blur: float = 0.5  # shutter time as a fraction of the frame interval (0: no motion blur)
    crf: int = 23  # H.264 quality (lower is better)
    tilt_deg: float = 0.0  # camera yaw away from side-on (plate becomes an ellipse)
    pitch_deg: float = 0.0
    rotation: int = 0  # rotation flag written in the container (clockwise degrees to display)
    vfr: bool = False  # jittered frame intervals with occasional drops
    distractors: int = 2  # static plates on a rack in the background
    show_plate: bool = True  # False: a clip with no bar at all
    lead_s: float = 0.8  # rest before the first rep
    tail_s: float = 0.6
    seed: int = 0


@dataclass(frozen=True)
class RepTruth:
    start_t: float  # concentric start (bar leaves the bottom)
    end_t: float  # concentric end (bar reaches the top)
    rom_m: float
    mcv: float
    peak_v: float
    mpv: float
    horizontal_dev_m: float


@dataclass
class SyntheticClip:
    path: Path
    scene: SceneSpec
    times: np.ndarray  # frame timestamps as encoded (s)
    y_m: np.ndarray  # bar height above the lowest point, per frame (m, up positive)
    x_m: np.ndarray  # horizontal bar position (m)
    centre_px: np.ndarray  # (n, 2) plate centre in displayed pixels
    reps: list[RepTruth] = field(default_factory=list)
    lift: str = "squat"

    @property
    def mcv(self) -> np.ndarray:
        return np.array([r.mcv for r in self.reps])


class _Motion:
    """Bar height and speed as functions of time, integrated finely from per-phase velocity shapes."""

    def __init__(self, reps: list[RepSpec], lead_s: float, tail_s: float, concentric_first: bool, hx_m: float):
        self.hx_m = hx_m
        dt = 1e-4
        ts: list[np.ndarray] = []
        vs: list[np.ndarray] = []
        self.truth_windows: list[tuple[float, float, RepSpec]] = []
        t0 = 0.0

        def phase(duration: float, v: np.ndarray) -> None:
            nonlocal t0
            n = len(v)
            ts.append(t0 + np.arange(n) * duration / n)
            vs.append(v)
            t0 += duration

        def rest(duration: float) -> None:
            if duration > 0:
                n = max(2, int(duration / dt))
                phase(duration, np.zeros(n))

        def move(duration: float, rom: float, sticking: float, sign: float) -> None:
            n = max(10, int(duration / dt))
            u = (np.arange(n) + 0.5) / n
            shape = np.sin(np.pi * u) * (1 - sticking * np.exp(-(((u - 0.55) / 0.09) ** 2)))
            v = shape * rom / (duration * shape.mean())
            phase(duration, sign * v)

        rest(lead_s)
        for rep in reps:
            if concentric_first:
                start = t0
                move(rep.con_s, rep.rom_m, rep.sticking, +1)
                self.truth_windows.append((start, t0, rep))
                rest(rep.top_pause_s)
                move(rep.ecc_s, rep.rom_m, 0.0, -1)
                rest(rep.bottom_pause_s)
            else:
                move(rep.ecc_s, rep.rom_m, 0.0, -1)
                rest(rep.bottom_pause_s)
                start = t0
                move(rep.con_s, rep.rom_m, rep.sticking, +1)
                self.truth_windows.append((start, t0, rep))
                rest(rep.top_pause_s)
        rest(tail_s)
        self.t = np.concatenate(ts)
        self.v = np.concatenate(vs)
        steps = np.diff(np.append(self.t, t0))
        self.y = np.concatenate([[0.0], np.cumsum(self.v * steps)])[:-1]
        self.y -= self.y.min()
        self.duration = t0
        self.rom_max = max(r.rom_m for r in reps) if reps else 0.5
        self.top = self.y.max()

    def y_at(self, t: np.ndarray) -> np.ndarray:
        return np.interp(t, self.t, self.y)

    def x_at(self, t: np.ndarray) -> np.ndarray:
        """A J-shaped path: the bar drifts forward at mid-depth and comes back at the top."""
        depth = np.clip((self.top - self.y_at(t)) / max(self.rom_max, 1e-6), 0, 1)
        return self.hx_m * np.sin(np.pi * depth)

    def truth(self) -> list[RepTruth]:
        out = []
        for start, end, rep in self.truth_windows:
            m = (self.t >= start) & (self.t < end)
            v = self.v[m]
            a = np.gradient(v, self.t[m])
            peak = int(np.argmax(v))
            # Propulsive phase: until the bar decelerates faster than gravity (Sánchez-Medina 2010).
            after = np.nonzero(a[peak:] < -G)[0]
            stop = peak + int(after[0]) if len(after) else len(v)
            tt = np.linspace(start, end, 2001)
            xx = self.x_at(tt)
            out.append(
                RepTruth(
                    start_t=start, end_t=end, rom_m=rep.rom_m, mcv=rep.rom_m / (end - start),
                    peak_v=float(v.max()), mpv=float(v[:stop].mean()),
                    horizontal_dev_m=float(xx.max() - xx.min()),
                )
            )  # fmt: skip
        return out


def default_reps(n: int = 5, seed: int = 0, *, fatigue: float = 0.06) -> list[RepSpec]:
    """A set that slows down rep by rep, with varied pauses and a sticking point late in the set."""
    rng = np.random.default_rng(seed)
    reps = []
    con = 0.55 + rng.uniform(0, 0.15)
    for i in range(n):
        reps.append(
            RepSpec(
                con_s=con * (1 + fatigue) ** (i * 1.6),
                ecc_s=float(rng.uniform(0.9, 1.6)),
                rom_m=float(rng.uniform(0.42, 0.58)),
                bottom_pause_s=float(rng.choice([0.0, 0.0, 0.3, 0.8])),
                top_pause_s=float(rng.uniform(0.3, 1.0)),
                sticking=0.5 if i >= n - 2 else 0.0,
            )
        )
    return reps


# --- rendering ------------------------------------------------------------------------------------


def _background(w: int, h: int, rng: np.random.Generator, distractors: int, plate_px: float) -> np.ndarray:
    """A gym-ish wall: smooth noise, racks and lines, a few static plates that must not be tracked."""
    low = rng.normal(0, 1, (h // 16 + 2, w // 16 + 2, 3)).astype(np.float32)
    img = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC) * 25 + 110
    fine = cv2.GaussianBlur(rng.normal(0, 10, (h, w)).astype(np.float32), (0, 0), 1.5)
    img += fine[..., None]
    for _ in range(6):  # rack uprights and shelves
        c = rng.uniform(40, 200, 3).tolist()
        if rng.random() < 0.5:
            x = int(rng.integers(0, w))
            cv2.rectangle(img, (x, 0), (x + int(rng.integers(6, 18)), h), c, -1)
        else:
            y = int(rng.integers(0, h))
            cv2.rectangle(img, (0, y), (w, y + int(rng.integers(4, 10))), c, -1)
    for _ in range(distractors):  # plates stored on a rack: circles that do not move
        r = int(plate_px * rng.uniform(0.25, 0.45))
        cx, cy = int(rng.integers(r, w - r)), int(rng.integers(h // 2, h - r))
        cv2.circle(img, (cx, cy), r, rng.uniform(20, 80, 3).tolist(), -1, cv2.LINE_AA)
        cv2.circle(img, (cx, cy), r // 4, (150, 150, 150), -1, cv2.LINE_AA)
    return np.clip(img, 0, 255)


def _plate_sprite(d_px: float, rng: np.random.Generator, ss: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The plate drawn once at `ss`x resolution: colour (float32 HxWx3) and alpha (HxW)."""
    r = d_px * ss / 2
    size = math.ceil(2 * r + 8 * ss) | 1
    c = size // 2
    col = np.zeros((size, size, 3), np.uint8)
    alpha = np.zeros((size, size), np.uint8)
    colour = rng.uniform(30, 220, 3)
    cv2.circle(col, (c, c), int(r), colour.tolist(), -1, cv2.LINE_AA)
    cv2.circle(alpha, (c, c), int(r), 255, -1, cv2.LINE_AA)
    cv2.circle(col, (c, c), int(r * 0.97), (colour * 0.6).tolist(), max(1, int(r * 0.05)), cv2.LINE_AA)
    cv2.circle(col, (c, c), int(r * 0.45), (colour * 0.8).tolist(), max(1, int(r * 0.02)), cv2.LINE_AA)
    for k in range(10):  # printed marks that optical flow can hold on to
        ang = 2 * math.pi * k / 10 + rng.uniform(-0.2, 0.2)
        rr = r * rng.uniform(0.55, 0.85)
        p = (int(c + rr * math.cos(ang)), int(c + rr * math.sin(ang)))
        cv2.putText(col, str(int(rng.integers(0, 99))), p, cv2.FONT_HERSHEY_SIMPLEX, r / 90, (240, 240, 240),
                    max(1, int(r / 45)), cv2.LINE_AA)  # fmt: skip
    cv2.circle(col, (c, c), int(r * 0.2), (90, 90, 95), -1, cv2.LINE_AA)  # hub
    cv2.circle(col, (c, c), int(r * 0.11), (200, 200, 205), -1, cv2.LINE_AA)  # sleeve end
    cv2.circle(col, (c, c), int(r * 0.05), (60, 60, 60), -1, cv2.LINE_AA)
    col = cv2.GaussianBlur(col.astype(np.float32), (0, 0), 0.5 * ss)
    alpha = cv2.GaussianBlur(alpha.astype(np.float32) / 255, (0, 0), 0.5 * ss)
    return col, alpha


def _homography(w: int, h: int, yaw_deg: float, pitch_deg: float) -> np.ndarray | None:
    if not yaw_deg and not pitch_deg:
        return None
    f = 1.1 * max(w, h)
    k = np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1]])
    ay, ap = math.radians(yaw_deg), math.radians(pitch_deg)
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rx = np.array([[1, 0, 0], [0, math.cos(ap), -math.sin(ap)], [0, math.sin(ap), math.cos(ap)]])
    hom = k @ ry @ rx @ np.linalg.inv(k)
    c = hom @ np.array([w / 2, h / 2, 1.0])
    shift = np.array([[1, 0, w / 2 - c[0] / c[2]], [0, 1, h / 2 - c[1] / c[2]], [0, 0, 1]])
    return shift @ hom  # keep the picture centred: the camera turned, the lifter stayed in frame


def _frame_times(duration: float, fps: float, vfr: bool, rng: np.random.Generator) -> np.ndarray:
    if not vfr:
        n = int(duration * fps)
        return np.arange(n) / fps
    times, t = [], 0.0
    while t < duration:
        times.append(t)
        step = 1 / fps * rng.uniform(0.7, 1.3)
        if rng.random() < 0.05:
            step += 1 / fps  # a dropped frame
        t += step
    return np.round(np.array(times) / float(_TB)) * float(_TB)


def render(
    path: Path,
    reps: list[RepSpec] | None = None,
    scene: SceneSpec | None = None,
    *,
    lift: str = "squat",
    hx_m: float = 0.03,
) -> SyntheticClip:
    """Write a synthetic lift clip to `path` (MP4, H.264) and return it with its ground truth."""
    scene = scene or SceneSpec()
    reps = default_reps(seed=scene.seed) if reps is None else reps
    rng = np.random.default_rng(scene.seed)
    motion = _Motion(reps, scene.lead_s, scene.tail_s, lift == "deadlift", hx_m)
    w, h = scene.width, scene.height
    px_per_m = scene.plate_px / (scene.plate_mm / 1000)
    bg = _background(w, h, rng, scene.distractors, scene.plate_px)
    ss = 2
    sprite, alpha = _plate_sprite(scene.plate_px, rng, ss)
    body_colour = rng.uniform(40, 160, 3).tolist()
    x0_px = w * 0.45
    top_px = h * 0.5 - (motion.top * px_per_m) / 2  # centre the travel vertically
    hom = _homography(w, h, scene.tilt_deg, scene.pitch_deg)
    times = _frame_times(motion.duration, scene.fps, scene.vfr, rng)
    shutter = scene.blur / scene.fps

    def centre(t: np.ndarray) -> np.ndarray:
        cx = x0_px + motion.x_at(t) * px_per_m
        cy = top_px + (motion.top - motion.y_at(t)) * px_per_m
        return np.stack([cx, cy], axis=-1)

    p = scene.plate_px
    noise_bank = [rng.normal(0, scene.noise, (h, w, 3)).astype(np.float32) for _ in range(6)] if scene.noise else []
    sc = sprite.shape[0] // 2

    def layer(roi: tuple[int, int, int, int], ts: float) -> np.ndarray:
        """The moving part (torso and plate) at time `ts`, composited over the background's ROI."""
        x0r, y0r, x1r, y1r = roi
        img = bg[y0r:y1r, x0r:x1r].copy()
        cx, cy = centre(np.array([ts]))[0]
        torso = (int(cx + p * 0.25) - x0r, int(cy + p * 0.9) - y0r)
        cv2.ellipse(img, torso, (int(p * 0.35), int(p * 0.9)), 0, 0, 360, body_colour, -1, cv2.LINE_AA)
        if scene.show_plate:
            ang = 4.0 * math.sin(ts * 1.3)  # plates turn a little on the sleeve
            m = cv2.getRotationMatrix2D((sc, sc), ang, 1.0 / ss)
            m[:, 2] += [cx - sc - x0r, cy - sc - y0r]  # sprite centre -> plate centre (pixel-centred)
            size = (x1r - x0r, y1r - y0r)
            col = cv2.warpAffine(sprite, m, size, flags=cv2.INTER_LINEAR)
            a = cv2.warpAffine(alpha, m, size, flags=cv2.INTER_LINEAR)[..., None]
            img = img * (1 - a) + col * a
        return img

    def draw(i: int, t: float) -> np.ndarray:
        """One frame: background, the lifter's torso, the plate (motion-blurred over the shutter)."""
        span = centre(np.array([t - shutter / 2, t + shutter / 2]))
        subs = max(1, min(8, math.ceil(float(np.abs(span[1] - span[0]).max())))) if shutter else 1
        lo, hi = span.min(axis=0), span.max(axis=0)
        roi = (
            max(0, int(lo[0] - 0.6 * p) - 2), max(0, int(lo[1] - 0.6 * p) - 2),
            min(w, int(hi[0] + 0.7 * p) + 3), min(h, int(hi[1] + 1.9 * p) + 3),
        )  # fmt: skip
        img = bg.copy()
        if roi[2] > roi[0] and roi[3] > roi[1]:
            acc = sum(layer(roi, t + shutter * ((k + 0.5) / subs - 0.5)) for k in range(subs))
            img[roi[1] : roi[3], roi[0] : roi[2]] = acc / subs
        if hom is not None:
            img = cv2.warpPerspective(img, hom, (w, h), borderMode=cv2.BORDER_REFLECT101)
        if noise_bank:
            img += noise_bank[i % len(noise_bank)]
        return np.clip(img, 0, 255).astype(np.uint8)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _encode(path, (draw(i, t) for i, t in enumerate(times)), times, scene)
    pts = centre(times)
    if hom is not None:
        ph = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ hom.T
        pts = ph[:, :2] / ph[:, 2:]
    return SyntheticClip(
        path=path, scene=scene, times=times, y_m=motion.y_at(times), x_m=motion.x_at(times),
        centre_px=pts, reps=motion.truth(), lift=lift,
    )  # fmt: skip


def _encode(path: Path, frames: object, times: np.ndarray, scene: SceneSpec) -> None:
    """H.264 with the frames' own timestamps; stored turned so the rotation flag turns them back."""
    rate = Fraction(scene.fps).limit_denominator(1001)
    rot = scene.rotation % 360
    w, h = (scene.height, scene.width) if rot in (90, 270) else (scene.width, scene.height)
    container = av.open(str(path), mode="w", format="mp4")
    try:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        stream.time_base = _TB
        stream.codec_context.time_base = _TB
        stream.options = {"crf": str(scene.crf), "preset": "veryfast"}
        if rot:
            stream.set_display_rotation(-rot)  # PyAV takes counter-clockwise degrees
        for img, t in zip(frames, times, strict=True):
            if rot:
                img = np.rot90(img, k=rot // 90)  # stored counter-clockwise; displayed clockwise
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="bgr24")
            frame.pts = round(t / float(_TB))
            frame.time_base = _TB
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    finally:
        container.close()


def write_audio_only(path: Path, seconds: float = 2.0) -> Path:
    """An AAC file with no video stream (a bad-input case)."""
    container = av.open(str(path), mode="w", format="mp4")
    try:
        stream = container.add_stream("aac", rate=44100)
        stream.layout = "mono"
        n = 1024
        t = 0
        total = int(seconds * 44100)
        while t < total:
            samples = (0.2 * np.sin(2 * np.pi * 440 * (np.arange(n) + t) / 44100)).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(samples[None, :], format="fltp", layout="mono")
            frame.sample_rate = 44100
            frame.pts = t
            for packet in stream.encode(frame):
                container.mux(packet)
            t += n
        for packet in stream.encode():
            container.mux(packet)
    finally:
        container.close()
    return path


def write_blank(path: Path, seconds: float, *, fps: float = 2.0, size: tuple[int, int] = (64, 48)) -> Path:
    """A tiny plain clip of any length (e.g. a 20-minute file for the duration limit), cheap to make."""
    w, h = size
    container = av.open(str(path), mode="w", format="mp4")
    try:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast"}
        img = np.full((h, w, 3), 90, np.uint8)
        for _ in range(int(seconds * fps)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    finally:
        container.close()
    return path
