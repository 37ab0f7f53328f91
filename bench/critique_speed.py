"""Cost of the pose pass in the lift analysis (issue 16): decode-only fps vs the whole analysis with and without
the lifter's body followed in the same pass, on the shared lift clips.

Three timings per clip, all in the same run and on the same machine: decoding alone (grey, the tracker's size,
read ahead in a thread as the analysis does), the analysis as before (bar track only, `body=False`), and the
analysis with the pose pass (`body=True`: ~10 pose reads a second plus each rep's bottom and top). The goal is
with-pose fps >= 0.5 x decode-only. Clips without a plate fall back to following the hands, which is a second
decode with pose on every frame in both analysis columns; the table says which clips those are.

    uv run python bench/critique_speed.py [--repeat 2] [--clips small-squat risevbt-sample2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision.analyse import TRACK_SIDE, LiftOptions, analyse_video
from vision.io import iter_frames, prefetched

SHARED = ROOT.parent / "shared" / "data" / "media" / "lifts"
LIFTS = {"small-squat": "squat", "risevbt-sample2": "squat", "snatch-competition": "snatch",
         "emptybar-squat": "squat", "emptybar-bench": "bench", "emptybar-deadlift": "deadlift"}  # fmt: skip


def decode_only(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    n = sum(1 for _ in prefetched(iter_frames(path, gray=True, max_side=TRACK_SIDE)))
    return n, time.perf_counter() - started


def analysis(path: Path, lift: str, body: bool) -> tuple[float, str, int]:
    started = time.perf_counter()
    a = analyse_video(path, LiftOptions(lift=lift, body=body))
    return time.perf_counter() - started, a.source, 0 if a.body is None else len(a.body)


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
        dec, bar, pose = [], [], []
        frames, source, reads = 0, "", 0
        for _ in range(args.repeat):
            frames, s = decode_only(path)
            dec.append(s)
            s, source, _ = analysis(path, LIFTS[clip], False)
            bar.append(s)
            s, source, reads = analysis(path, LIFTS[clip], True)
            pose.append(s)
        d, b, p = (frames / statistics.median(x) for x in (dec, bar, pose))
        rows.append((clip, source, frames, reads, d, b, p))
    print("| clip | bar source | frames | pose reads | decode-only fps | analysis fps (bar only) | ratio | "
          "analysis fps (bar + pose) | ratio | goal >= 0.5 |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for clip, source, frames, reads, d, b, p in rows:
        print(f"| {clip} | {source} | {frames} | {reads} | {d:.0f} | {b:.0f} | {b / d:.2f} | {p:.0f} | {p / d:.2f} | "
              f"{'met' if p / d >= 0.5 else 'NOT met'} |")  # fmt: skip
    print("\nratio = analysis fps / decode-only fps of the same clip in this run (median of --repeat runs).")


if __name__ == "__main__":
    main()
