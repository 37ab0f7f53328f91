"""Set-line parse throughput: lines per second for the chat's set parser, with exercise resolution.

Baseline, measured in the same run: pulling the numbers out of each line with one regex (the least any
reader must do), so the ratio says what understanding a line costs on top of reading it.

    uv run python bench/training_parse.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable

from training.library import library
from training.parse import parse_sets

LINES = [
    "squat 140x5 @8", "bench 3x5 at 100", "did 225 for 8 on deadlift", "3 sets of 5 at 140 squat",
    "bench 100x5, 5, 4", "bench 100x5 @7, 102.5x5 @8", "pull ups 10, 8, 7", "dips +20kg x 8", "bench 100x8+",
    "squat 140x5 @8 - felt heavy", "superset bench 80x10 + row 60x10", "rdl 100 for 3 sets of 10 @ 2 rir",
    "ohp 60kg 3 sets of 8", "squatted 315lbs for 3 reps", "leg press 200x12, 12, 10", "warmup squat 60x5",
]  # fmt: skip
_NUMS = re.compile(r"\d+(?:\.\d+)?")


def rate(fn: Callable[[str], object], seconds: float) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for line in LINES:
            fn(line)
        n += len(LINES)
    return n / (time.perf_counter() - t0)


def parse_and_resolve(line: str) -> object:
    return [library().resolve(e.exercise_text) for e in parse_sets(line)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    parse_and_resolve(LINES[0])  # load the library once
    base = rate(_NUMS.findall, args.seconds)
    rows = [("numbers only (baseline)", base), ("parse_sets", rate(parse_sets, args.seconds)),
            ("parse_sets + exercise resolution", rate(parse_and_resolve, args.seconds))]  # fmt: skip
    print(f"{len(LINES)} distinct set lines, {args.seconds:g} s per row, 1 thread\n")
    print("| reader | lines/s | µs/line | ratio to baseline |")
    print("|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r:,.0f} | {1e6 / r:.1f} | {base / r:.1f}× slower |")


if __name__ == "__main__":
    main()
