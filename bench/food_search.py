"""Generic-food search latency over the whole SR24 table (p50/p95), and how often a food's own name finds it.

Queries: for every one of the 7,907 foods, its name's first two comma parts in lower case ("bananas
raw", "rice white"), plus the full name. Baseline measured in the same run: a plain Python scan that
keeps every food containing all query words and sorts by name length (no index), on a sample of the
same queries (a full scan per query is too slow to run all of them).

    uv run python bench/food_search.py [--baseline-sample 400]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from nutrition.foods import generic_foods, load_generic
from nutrition.text import tokens


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def timed(fn, queries: list[str]) -> tuple[list[float], list]:
    out, times = [], []
    for q in queries:
        t = time.perf_counter()
        out.append(fn(q))
        times.append((time.perf_counter() - t) * 1000)
    return times, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-sample", type=int, default=400)
    args = ap.parse_args()

    t0 = time.perf_counter()
    load_generic()  # a cold build, for the table: read TSVs + build the FTS index
    cold_ms = (time.perf_counter() - t0) * 1000
    table = generic_foods()
    foods = list(table.foods.values())
    short = [" ".join(f.name.lower().split(",")[:2]).strip() for f in foods]
    full = [f.name for f in foods]

    search = lambda q: table.search(q, 8)  # noqa: E731
    t_short, _r_short = timed(search, short)
    t_full, r_full = timed(search, full)
    top1 = sum(1 for f, hits in zip(foods, r_full, strict=True) if hits and hits[0].food.ref == f.ref) / len(foods)
    top5 = sum(1 for f, hits in zip(foods, r_full, strict=True) if any(h.food.ref == f.ref for h in hits[:5])) / len(
        foods
    )

    names = [(f, set(tokens(f.name, drop_stopwords=False))) for f in foods]

    def scan(q: str) -> list:
        words = set(tokens(q))
        found = [f for f, ws in names if words <= ws]
        return sorted(found, key=lambda f: len(f.name))[:8]

    sample = random.Random(1).sample(short, min(args.baseline_sample, len(short)))
    t_scan, _ = timed(scan, sample)
    t_ours_sample, _ = timed(search, sample)

    rows = [
        ("ranked FTS5 search, short names", len(short), t_short),
        ("ranked FTS5 search, full names", len(full), t_full),
        (f"ranked FTS5 search, sample of {len(sample)}", len(sample), t_ours_sample),
        (f"baseline: linear scan, same {len(sample)}", len(sample), t_scan),
    ]
    base_p50 = statistics.median(t_scan)
    print(f"SR24 table: {len(foods)} foods; cold load + index build {cold_ms:.0f} ms (once per process)\n")
    print(f"| {'search':40} | queries | p50 ms | p95 ms | max ms | p50 vs scan |")
    print(f"|{'-' * 42}|---------|--------|--------|--------|-------------|")
    for name, n, times in rows:
        ratio = base_p50 / statistics.median(times)
        print(
            f"| {name:40} | {n:7} | {statistics.median(times):6.2f} | {pct(times, 0.95):6.2f} | {max(times):6.1f} |"
            f" {ratio:10.1f}x |"
        )
    print(f"\nA food's full name finds it first in {top1:.1%} of cases, in the top 5 in {top5:.1%}.")


if __name__ == "__main__":
    main()
