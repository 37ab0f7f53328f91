"""Striking lab throughput on ONE core: decode + BlazePose + punch analysis, against decode-only.

Baseline (measured in the same run): decode-only at the clip's own 720p through PyAV without any
colour conversion, the fastest decoder the pipeline could use from Python. Then the pipeline at
several decode sizes (BlazePose resizes to 256x256 inside, so a smaller frame costs less to convert
and hand over, and should not change what it finds) and decoder thread counts.

This machine is shared (2 cores, several people's tests and servers), so wall-clock fps mostly says
how much of the core others took. Each row therefore also reports fps per CPU-second of this
process (all its threads; the process is pinned to one core): what a dedicated core would do. Rows
are the best of `--repeats` runs. The punches per loop check that the answer did not change.

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


class Clock:
    """Wall and CPU seconds since creation (CPU: every thread of this process)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def fps(self, frames: int) -> tuple[float, float]:
        return frames / (time.perf_counter() - self.wall), frames / (time.process_time() - self.cpu)


def decode_raw(loops: int) -> tuple[float, float]:
    """Decoding alone (no conversion, no copy), one thread: the physical floor of any pipeline."""
    import av

    clock, n = Clock(), 0
    for _ in range(loops):
        with av.open(str(CLIP)) as c:
            s = c.streams.video[0]
            s.codec_context.thread_count = 1
            for _f in c.decode(s):
                n += 1
    return clock.fps(n)


def decode_only(loops: int, max_side: int | None, threads: int) -> tuple[float, float]:
    from vision.io import iter_frames

    clock, n = Clock(), 0
    for _ in range(loops):
        for _f in iter_frames(CLIP, max_side=max_side, threads=threads):
            n += 1
    return clock.fps(n)


def pipeline(loops: int, max_side: int | None, threads: int, settings: object) -> tuple[float, float, int]:
    """(wall fps, fps per CPU-second, punches found) of decode + BlazePose + analysis."""
    from models.pose import get_backend
    from striking.analyse import analyse_track
    from striking.track import build_track
    from vision.io import iter_frames

    backend = get_backend("blazepose", settings)  # type: ignore[arg-type]
    kps, n, offset, size = [], 0, 0.0, (0, 0)
    clock = Clock()
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
    report = analyse_track(build_track(kps, *size))
    wall, cpu = clock.fps(n)
    backend.close()
    return wall, cpu, len(report.punches)


def best(repeats: int, fn: object, *args: object) -> tuple:
    """Per column, the best of `repeats` runs (the run others disturbed least)."""
    runs = [fn(*args) for _ in range(repeats)]  # type: ignore[operator]
    return tuple(max(col) for col in zip(*runs, strict=True))


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
    base_wall, base_cpu = best(a.repeats, decode_raw, a.loops)
    rows = []
    for max_side in SIZES:
        for threads in (1, 2):
            _dw, dec_cpu = best(a.repeats, decode_only, a.loops, max_side, threads)
            wall, cpu, punches = best(a.repeats, pipeline, a.loops, max_side, threads, settings)
            size = f"{max_side} px" if max_side else "1280 px (as stored)"
            rows.append((size, threads, dec_cpu, wall, cpu, punches / a.loops))
    print(f"clip: {CLIP.name} x{a.loops}, 1 core (pinned), best of {a.repeats}; load average at start {load:.1f} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    print(f"baseline, decode only at 720p (no conversion): {base_cpu:.1f} fps per CPU-second ({base_wall:.1f} wall)\n")
    print("| decode to | decoder threads | decode + BGR fps (CPU) | pipeline fps (wall) | pipeline fps (CPU) "
          "| pipeline / decode-only (CPU) | punches per loop |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for size, threads, dec_cpu, wall, cpu, per_loop in rows:
        print(f"| {size} | {threads} | {dec_cpu:.1f} | {wall:.1f} | {cpu:.1f} | {cpu / base_cpu:.3f} | {per_loop:g} |")
    size, threads, _d, wall, cpu, per_loop = max(rows, key=lambda r: r[4])
    print(f"\nfastest pipeline: decode to {size}, {threads} decoder thread(s): {cpu:.1f} fps on a dedicated core "
          f"({cpu / base_cpu:.3f} of decode-only), {wall:.1f} fps wall here; {per_loop:g} punch per loop "
          "(the clip has 1)")  # fmt: skip


if __name__ == "__main__":
    main()
