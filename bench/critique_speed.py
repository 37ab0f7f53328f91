"""Cost of the pose pass in the lift analysis (issue 16): decode-only fps vs the whole analysis with and without
the lifter's body followed in the same pass, on the shared lift clips.

Three timings per clip, all in the same run and on the same machine: decoding alone (grey, the tracker's size,
read ahead in a thread as the analysis does), the analysis as before (bar track only, `body=False`), and the
analysis with the pose pass (`body=True`: 5 pose reads a second, read in a worker thread beside the bar
tracker, plus each rep's bottom and top and every frame of an Olympic pull). The goal is with-pose fps >= 0.5 x
decode-only. The pose model's calls are counted and timed, and the table gives the ratio's ceiling they set: the
best ratio possible with those reads if everything else were free. Clips without a plate fall back to following
the hands, which is a second decode with pose on every frame in both analysis columns; the table says which clips
those are.

    uv run python bench/critique_speed.py [--repeat 2] [--clips small-squat risevbt-sample2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.pose import get_backend
from vision.analyse import TRACK_SIDE, LiftOptions, analyse_video
from vision.io import iter_frames, prefetched

SHARED = ROOT.parent / "shared" / "data" / "media" / "lifts"
LIFTS = {"small-squat": "squat", "risevbt-sample2": "squat", "snatch-competition": "snatch",
         "emptybar-squat": "squat", "emptybar-bench": "bench", "emptybar-deadlift": "deadlift"}  # fmt: skip


def decode_only(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    n = sum(1 for _ in prefetched(iter_frames(path, gray=True, max_side=TRACK_SIDE)))
    return n, time.perf_counter() - started


class _Timed:
    """The pose backend with its calls counted and timed (wall clock per call, whichever thread calls it)."""

    def __init__(self, backend: Any, tally: dict[str, float]) -> None:
        self.backend, self.tally, self.name = backend, tally, backend.name

    def __call__(self, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.backend(*args)
        finally:
            self.tally["calls"] += 1
            self.tally["s"] += time.perf_counter() - started

    def close(self) -> None:
        self.backend.close()


def analysis(path: Path, lift: str, body: bool) -> tuple[float, str, int, dict[str, float]]:
    tally = {"calls": 0.0, "s": 0.0}
    started = time.perf_counter()
    a = analyse_video(path, LiftOptions(lift=lift, body=body), pose_factory=lambda: _Timed(get_backend(), tally))
    return time.perf_counter() - started, a.source, 0 if a.body is None else len(a.body), tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=2, help="runs per clip and mode; the median is reported")
    ap.add_argument("--clips", nargs="*", default=list(LIFTS))
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"shared clips not found at {SHARED}")
    rows = []
    for clip in args.clips:
        path = SHARED / f"{clip}.mp4"
        dec, bar, pose, calls, model_s = [], [], [], [], []
        frames, source, reads = 0, "", 0
        for _ in range(args.repeat):
            frames, s = decode_only(path)
            dec.append(s)
            s, source, _, _ = analysis(path, LIFTS[clip], False)
            bar.append(s)
            s, source, reads, tally = analysis(path, LIFTS[clip], True)
            pose.append(s)
            calls.append(tally["calls"])
            model_s.append(tally["s"])
        d, b, p = (frames / statistics.median(x) for x in (dec, bar, pose))
        ms = 1000 * statistics.median(model_s) / max(1.0, statistics.median(calls))
        ceiling = statistics.median(dec) / max(1e-9, statistics.median(model_s))
        rows.append((clip, source, frames, reads, int(statistics.median(calls)), ms, ceiling, d, b, p))
    print("| clip | bar source | frames | pose frames kept | pose calls | ms/call | ceiling | decode-only fps | "
          "analysis fps (bar only) | ratio | analysis fps (bar + pose) | ratio | goal >= 0.5 |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for clip, source, frames, reads, n, ms, ceiling, d, b, p in rows:
        print(f"| {clip} | {source} | {frames} | {reads} | {n} | {ms:.0f} | {ceiling:.2f} | {d:.0f} | {b:.0f} | "
              f"{b / d:.2f} | {p:.0f} | {p / d:.2f} | {'met' if p / d >= 0.5 else 'NOT met'} |")  # fmt: skip
    print("\nratio = analysis fps / decode-only fps of the same clip in this run (median of --repeat runs).")
    print(
        "pose calls: every read of the pose model in the with-pose analysis (sampled frames, re-reads at the reps'"
        " bottoms and tops or an Olympic pull, their warm-up frames; the hands' path when no plate is seen)."
    )
    print(
        "ceiling = decode-only seconds / seconds inside the pose model: the best ratio possible with these pose"
        " reads even if decoding, the bar tracker and the video cost nothing."
    )
    print(f"load average at the end (other work on this machine slows every column): {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
