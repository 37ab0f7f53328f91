"""Striking lab throughput on one core: decode-only vs decode + BlazePose + analysis, 720p.

Baseline: decode-only fps through vision.io (PyAV, frame threading) measured in the same run.
Clip: ../shared/data/media/boxing/jab_clearBG.mp4 (1280x720, 30 fps), looped to ~10 s of frames.
Needs the BlazePose bundle (`powerforge models pull blazepose-full`, or POWERFORGE_BLAZEPOSE_TASK).

    uv run python bench/striking_pose.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIP = ROOT.parent / "shared/data/media/boxing/jab_clearBG.mp4"
BUNDLE = Path(os.environ.get("POWERFORGE_BLAZEPOSE_TASK", Path.home() / ".cache/powerforge/blazepose-full.task"))
LOOPS = 5


def main() -> None:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    from models.pose.blazepose import BlazePoseBackend
    from striking.analyse import MAX_SIDE, analyse_track
    from striking.track import build_track
    from vision.io import iter_frames

    if not CLIP.is_file() or not BUNDLE.is_file():
        sys.exit(f"needs {CLIP} and {BUNDLE}")
    rows = []
    for label, max_side in (("decode only, 720p", None), (f"decode to {MAX_SIDE} px", MAX_SIDE)):
        t0, n = time.perf_counter(), 0
        for _ in range(LOOPS):
            for _f in iter_frames(CLIP, max_side=max_side, threads=1):
                n += 1
        rows.append((label, n / (time.perf_counter() - t0)))
    backend = BlazePoseBackend(BUNDLE)
    t0, n, kps = time.perf_counter(), 0, []
    offset = 0.0
    for _ in range(LOOPS):
        last = 0.0
        for f in iter_frames(CLIP, max_side=MAX_SIDE, threads=1):
            kp = backend(f.image, offset + f.t, n)
            kp.t = offset + f.t
            kps.append(kp)
            n += 1
            last = f.t
        offset += last + 1 / 30
    pose_fps = n / (time.perf_counter() - t0)
    t1 = time.perf_counter()
    h, w = 405, 720  # frame size at MAX_SIDE (only used for athlete prominence)
    report = analyse_track(build_track(kps, w, h))
    analysis_s = time.perf_counter() - t1
    backend.close()
    total_fps = n / (n / pose_fps + analysis_s)
    rows += [("decode + BlazePose (VIDEO mode)", pose_fps), ("decode + pose + analysis", total_fps)]
    base = rows[0][1]
    print(f"clip: {CLIP.name} x{LOOPS} ({n} frames), 1 core, analysis found {len(report.punches)} punches")
    print("| pipeline | fps | ratio to decode-only 720p |")
    print("|---|---|---|")
    for name, fps in rows:
        print(f"| {name} | {fps:.1f} | {fps / base:.2f} |")


if __name__ == "__main__":
    main()
