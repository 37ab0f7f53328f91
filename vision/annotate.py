"""The annotated video: bar path, live bar speed and each finished rep's numbers, drawn on the clip.

Drawn on a smaller copy of the video (long side `OUT_SIDE`, at most about `MAX_FPS` frames a second),
which is what a chat shows anyway, and written with `vision.io.write_video` (H.264, plays in browsers).
The small copies normally come from the analysis's own decoding pass (`frames=`), so the clip is decoded
once; drawing runs in a thread while the encoder works on the frames already drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

from vision.io import Frame, iter_frames, prefetched, write_video
from vision.kinematics import Kinematics

OUT_SIDE = 720
MAX_FPS = 30.0  # a 60 fps clip's video keeps every 2nd frame: half the drawing and encoding, smooth on a phone
_UP = (80, 200, 60)  # BGR: concentric
_DOWN = (40, 150, 250)  # eccentric
_TEXT = (255, 255, 255)
_MARK = (60, 220, 255)  # BGR (amber): a flagged moment of the critique
MARK_S = 0.6


def frame_step(fps: float) -> int:
    """Keep every n-th frame so the video runs at about `MAX_FPS` or less (59.94 fps -> 2, 50 -> 1, 120 -> 4)."""
    return max(1, math.floor(fps / MAX_FPS + 0.05)) if math.isfinite(fps) and fps > 0 else 1


def _loss_colour(loss: float) -> tuple[int, int, int]:
    if loss < 10:
        return (80, 200, 60)
    if loss < 20:
        return (40, 200, 240)
    return (60, 60, 230)


def render(
    src: Path,
    dst: Path,
    kin: Kinematics,
    path_t: np.ndarray,
    path_xy: np.ndarray,
    *,
    fps: float,
    display_width: int,
    title: str,
    progress: Callable[[Frame], None] | None = None,
    frames: Iterable[Frame] | None = None,
    markers: list[tuple[float, str]] | None = None,
    step: int = 1,
) -> Path:
    """Draw on every frame of `src` and write `dst`; `path_xy` is in displayed full-size pixels.

    `frames` are the clip's frames already decoded with a `preview` (drawn on, in place); without
    them `src` is decoded again at `OUT_SIDE`. `markers` (clip time, text) flag the critique's moments: the
    text shows for 0.6 s either side of its time. The video keeps every `step`-th frame (by index), at
    `fps / step`; `frames` are taken as already thinned."""
    t0 = float(path_t[0]) if len(path_t) else 0.0
    rel = path_t - t0
    up = np.zeros(len(path_t), bool)  # segment k (from point k to k+1) is part of a concentric phase
    for r in kin.reps:
        up[:-1] |= (rel[1:] >= r.start_t) & (rel[:-1] <= r.end_t)

    if frames is not None:
        source = frames
    else:
        source = (f for f in prefetched(iter_frames(src, max_side=OUT_SIDE)) if f.index % step == 0)

    def drawn_frames() -> Iterator[np.ndarray]:
        layer: np.ndarray | None = None
        mask: np.ndarray | None = None
        drawn = 0  # points of the path already on the layer
        box = [10**9, 10**9, -1, -1]  # where the layer has been drawn on (x0, y0, x1, y1)
        for frame in source:
            img = frame.preview if frame.preview is not None else frame.image
            if layer is None:
                layer = np.zeros_like(img)
                mask = np.zeros(img.shape[:2], np.uint8)
                scale = img.shape[1] / max(1, display_width)
                pts = np.round(path_xy * scale * 16)
                thick = max(2, round(img.shape[1] / 240))
            # The path grows one segment at a time on a layer of its own: each frame costs one copy.
            while drawn + 1 < len(path_t) and path_t[drawn + 1] <= frame.t + 1e-6:
                a, b = pts[drawn], pts[drawn + 1]
                if not (np.isnan(a).any() or np.isnan(b).any()):
                    p, q = tuple(a.astype(np.int32)), tuple(b.astype(np.int32))
                    colour = _UP if up[drawn] else _DOWN
                    cv2.line(layer, p, q, colour, thick, cv2.LINE_AA, 4)
                    cv2.line(mask, p, q, 255, thick, cv2.LINE_AA, 4)
                    for v in (a, b):
                        x, y = v[0] / 16, v[1] / 16
                        box[0], box[1] = min(box[0], int(x) - 2 * thick), min(box[1], int(y) - 2 * thick)
                        box[2], box[3] = max(box[2], int(x) + 2 * thick + 1), max(box[3], int(y) + 2 * thick + 1)
                drawn += 1
            if box[2] > box[0]:  # copy the path only where it is (a full-frame masked copy costs ms)
                x0, y0 = max(0, box[0]), max(0, box[1])
                sub = (slice(y0, max(y0, box[3])), slice(x0, max(x0, box[2])))
                np.copyto(img[sub], layer[sub], where=mask[sub][..., None] > 0)
            if drawn < len(pts) and not np.isnan(pts[drawn]).any():
                cv2.circle(img, tuple(pts[drawn].astype(np.int32)), thick * 3 * 16, (255, 255, 255), thick,
                           cv2.LINE_AA, 4)  # fmt: skip
            _draw_text(img, frame.t - t0, kin, title)
            for when, text in markers or ():
                if abs(frame.t - when) <= MARK_S:
                    w = img.shape[1]
                    _label(img, f"! {text}", (int(0.04 * w), int(0.25 * img.shape[0])), 0.45 * w / 360, _MARK)
            if progress is not None:
                progress(frame)
            yield img

    return write_video(dst, prefetched(drawn_frames(), depth=8), fps / step)  # draw in a thread, encode here


def _draw_text(img: np.ndarray, rel_t: float, kin: Kinematics, title: str) -> None:
    h, w = img.shape[:2]
    font = 0.45 * w / 360
    if len(kin.t) and 0 <= rel_t <= kin.t[-1] and kin.measured_at(rel_t):  # live speed, only where measured
        v = float(np.interp(rel_t, kin.t, kin.velocity_m_s))
        arrow = "up" if v > 0.05 else ("down" if v < -0.05 else "")
        _label(img, f"{abs(v):.2f} m/s {arrow}", (int(0.04 * w), int(0.16 * h)), font * 1.4, _TEXT)
    _label(img, title, (int(0.04 * w), int(0.07 * h)), font, _TEXT)
    done = [r for r in kin.reps if r.end_t <= rel_t]
    step = int(28 * font * 1.6)
    y = h - int(0.03 * h) - step * (len(done) - 1)  # finished reps at the bottom, one line each
    for r in done:
        if r.mcv is None:  # a lost bar or an implausible number: said, never drawn as a result
            _label(img, f"#{r.number}  not measured", (int(0.04 * w), y), font, _TEXT)
            y += step
            continue
        line = f"#{r.number}  {r.mcv:.2f} m/s  peak {r.peak_v:.2f}  ROM {r.rom_m * 100:.0f} cm"
        if r.number > 1:
            line += f"  -{r.velocity_loss_pct:.0f}%"
        _label(img, line, (int(0.04 * w), y), font, _loss_colour(r.velocity_loss_pct))
        y += step


def _label(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int]) -> None:
    th = max(1, round(scale * 2))
    (tw, tht), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, th)
    x, y = org
    sub = img[max(0, y - tht - 6) : y + base + 4, max(0, x - 6) : x + tw + 6]
    sub[:] = (sub * 0.45).astype(np.uint8)  # a dark band keeps the text readable on any background
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, th, cv2.LINE_AA)
