"""Striking lab throughput on ONE core: decode + BlazePose + punch analysis, against decode-only.

Baseline (measured in the same run): decode-only at the clip's own 720p through PyAV without any
colour conversion, the fastest decoder the pipeline could use from Python. Then the pipeline at
several decode sizes (BlazePose resizes to 256x256 inside, so a smaller frame costs less to convert
and hand over, and should not change what it finds) and decoder thread counts. Each row is the best
of `--repeats` runs, because this machine is shared (other processes steal the core; the best run is
the one closest to the code's own cost). The punch count per row checks the answer did not change.

Clip: ../shared/data/media/boxing/jab_clearBG.mp4 (1280x720, 30 fps, one jab), looped `--loops` times.
Needs `powerforge models pull blazepose-full` (found through the model manifest, as the app finds it).

    uv run python bench/striking_pose.py [--loops 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIP = ROOT.parent / "shared/data/media/boxing/jab_clearBG.mp4"
SIZES = (None, 960, 720, 640, 480)  # longest side to decode to (None: as stored, 1280)


def decode_raw(loops: int, threads: int) -> float:
    """fps of decoding alone (no conversion, no copy): the physical floor of any pipeline."""
    import av

    t0, n = time.perf_counter(), 0
    for _ in range(loops):
        with av.open(str(CLIP)) as c:
            s = c.streams.video[0]
            s.thread_type = "AUTO"
            s.codec_context.thread_count = threads
            for _f in c.decode(s):
                n += 1
    return n / (time.perf_counter() - t0)


def decode_only(loops: int, max_side: int | None, threads: int) -> float:
    from vision.io import iter_frames

    t0, n = time.perf_counter(), 0
    for _ in range(loops):
        for _f in iter_frames(CLIP, max_side=max_side, threads=threads):
            n += 1
    return n / (time.perf_counter() - t0)


def pipeline(loops: int, max_side: int | None, threads: int, settings: object) -> tuple[float, float, int]:
    """(pose fps, pipeline fps incl. analysis, punches found) for the looped clip."""
    from models.pose import get_backend
    from striking.analyse import analyse_track
    from striking.track import build_track
    from vision.io import iter_frames

    backend = get_backend("blazepose", settings)  # type: ignore[arg-type]
    kps, n, offset, size = [], 0, 0.0, (0, 0)
    t0 = time.perf_counter()
    for _ in range(loops):
        last = 0.0
        for f in iter_frames(CLIP, max_side=max_side, threads=threads):
            kp = backend(f.image, offset + f.t, n)
            kp.t = offset + f.t
            kps.append(kp)
            size = f.image.shape[1], f.image.shape[0]
            n += 1
            last = f.t
        offset += last + 1 / 30
    pose_s = time.perf_counter() - t0
    report = analyse_track(build_track(kps, *size))
    total_s = time.perf_counter() - t0
    backend.close()
    return n / pose_s, n / total_s, len(report.punches)


def best(fn: object, repeats: int, *args: object) -> object:
    runs = [fn(*args) for _ in range(repeats)]  # type: ignore[operator]
    return max(runs, key=lambda r: r[1] if isinstance(r, tuple) else r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loops", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    from models.manifest import ModelMissing, model_path
    from powerforge.config import Settings

    settings = Settings()
    try:
        model_path("blazepose-full", settings)
    except ModelMissing as e:
        sys.exit(str(e))
    if not CLIP.is_file():
        sys.exit(f"needs {CLIP} (../shared/data)")
    load = os.getloadavg()[0]
    base = best(decode_raw, a.repeats, a.loops, 1)
    rows = []
    for max_side in SIZES:
        for threads in (1, 2):
            dec = best(decode_only, a.repeats, a.loops, max_side, threads)
            pose_fps, fps, punches = best(pipeline, a.repeats, a.loops, max_side, threads, settings)  # type: ignore[misc]
            rows.append((f"{max_side or 1280} px{' (as stored)' if not max_side else ''}", threads, dec, pose_fps, fps,
                         punches / a.loops))  # fmt: skip
    print(f"clip: {CLIP.name} x{a.loops}, 1 core (pinned), best of {a.repeats}; load average at start {load:.1f} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    print(f"baseline: decode only at 720p, no conversion: {base:.1f} fps\n")
    print("| decode to | decoder threads | decode + BGR fps | + BlazePose fps | + analysis (pipeline) fps "
          "| pipeline / decode-only | punches per loop |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for size, threads, dec, pose_fps, fps, per_loop in rows:
        print(f"| {size} | {threads} | {dec:.1f} | {pose_fps:.1f} | {fps:.1f} | {fps / base:.3f} | {per_loop:g} |")
    size, threads, _dec, _pose, fps, per_loop = max(rows, key=lambda r: r[4])
    print(
        f"\nfastest pipeline: decode to {size}, {threads} decoder thread(s): {fps:.1f} fps "
        f"({fps / base:.3f} of decode-only), {per_loop:g} punch per loop (the clip has 1)"
    )


if __name__ == "__main__":
    main()
