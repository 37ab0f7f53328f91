"""Lift video lab throughput: whole-analysis frames per second against decode-only in the same run.

    uv run python bench/lift_video.py [--repeat 3] [--clip PATH ...]

Clips: the 1080x1920 60 fps HDR squat from ../shared/data (when present) and a 1280x720 clip the
project generates (synthetic squat set), plus any --clip given. For each clip, each mode runs in a
fresh process (so its peak memory is its own), `--repeat` times; the best run is reported:

- decode (baseline): PyAV with frame threading, frames decoded and not converted (the fastest
  decoder reachable from Python; FINDINGS.md: OpenCV's reader is ~13x slower on the HDR clip),
- analysis: the whole pipeline (probe, grey decode, plate detection and tracking, kinematics),
- analysis + video: the same plus the annotated MP4 (a second decode pass and an H.264 encode).

Ratios are fps / decode fps (goal: >= 0.5). `cpu s` is the CPU time the mode used (all its threads) and
`x cpu` that over decode's: on a machine shared with other work the fps swing with the load, the CPU time
much less. Peak memory is the process's max RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = (
    Path(os.environ.get("POWERFORGE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    / "media"
    / "lifts"
    / "small-squat.mp4"
)


def _one(mode: str, path: Path) -> dict[str, float]:
    """Run one measurement in this process and report fps and peak RSS."""
    sys.path.insert(0, str(ROOT))
    import av

    if mode != "decode":
        from vision.analyse import LiftOptions, analyse_video  # imported before the clock starts
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    if mode == "decode":
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            s.thread_type = "AUTO"
            frames = sum(1 for _ in c.decode(s))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "a.mp4" if mode == "analysis+video" else None
            a = analyse_video(path, LiftOptions(pose=None, out_video=out))
            frames = a.frames
    elapsed = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    rss_mb = cpu1.ru_maxrss / 1024
    return {"fps": frames / elapsed, "frames": frames, "seconds": elapsed, "cpu_s": cpu, "rss_mb": rss_mb}


def _measure(mode: str, path: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--one", mode, str(path)], capture_output=True, text=True,
                             check=True, cwd=ROOT)  # fmt: skip
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = max(runs, key=lambda r: r["fps"])
    best["rss_mb"] = max(r["rss_mb"] for r in runs)
    best["cpu_s"] = min(r["cpu_s"] for r in runs)
    return best


def _synthetic_720p(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from vision.synthetic import SceneSpec, default_reps, render

    path = folder / "synthetic-720p-30fps.mp4"
    if not path.exists():
        render(path, default_reps(3, seed=7), SceneSpec(width=1280, height=720, plate_px=300, fps=30, seed=7))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clip", type=Path, action="append", default=[])
    ap.add_argument("--one", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], Path(args.one[1]))))
        return
    cache = Path(tempfile.gettempdir()) / "powerforge-bench"
    cache.mkdir(exist_ok=True)
    clips = ([SHARED] if SHARED.exists() else []) + [_synthetic_720p(cache)] + args.clip
    sys.path.insert(0, str(ROOT))
    from vision.io import probe

    rows = []
    for clip in clips:
        info = probe(clip)
        base = _measure("decode", clip, args.repeat)
        for mode in ("decode", "analysis", "analysis+video"):
            r = base if mode == "decode" else _measure(mode, clip, args.repeat)
            name = f"{clip.name} ({info.width}x{info.height} {info.fps:.0f} fps, {r['frames']} fr)"
            ratios = (r["fps"] / base["fps"], r["cpu_s"], r["cpu_s"] / base["cpu_s"])
            rows.append((name, mode, r["fps"], *ratios, r["rss_mb"]))
    w = max(len(r[0]) for r in rows)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"best of {args.repeat} runs, each in its own process; load average at the end {load}, {os.cpu_count()} CPUs")
    print("cpu s: the least CPU time (all threads) of the runs; on a shared machine it moves less than fps")
    print(f"{'clip':<{w}}  {'mode':<15} {'fps':>8} {'ratio':>6} {'cpu s':>7} {'x cpu':>6} {'peak MB':>8}")
    for name, mode, fps, ratio, cpu, cpu_ratio, rss in rows:
        print(f"{name:<{w}}  {mode:<15} {fps:8.1f} {ratio:6.2f} {cpu:7.2f} {cpu_ratio:6.2f} {rss:8.0f}")


if __name__ == "__main__":
    main()
