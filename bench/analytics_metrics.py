"""Every catalogue metric + its chart on 10 years of generated data in SQLite: p50/p95 latency.

Data (cached in bench/out/analytics_10y.db, built once): one athlete with a realistic 10-year history
(training, ~50 k food entries, ~3.6 k weigh-ins, boxing rounds, notes) plus a "stress" account that
holds ~1 M logged sets (23 training histories on the same days). Each metric is timed with its
default period and over all ten years, end to end: SQL aggregate → frame → caption → table → PNG.

Baseline, measured in the same run: the naive way, every set row of the period loaded into pandas and
aggregated there (what you would write without pushing the GROUP BY into SQL). The ratio column is
naive ÷ ours for the training metrics that the naive way can compute.

    uv run python bench/analytics_metrics.py [--reps 7] [--rebuild]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd
from sqlalchemy import text

from analytics import executor
from analytics.catalogue import METRICS
from analytics.generator import Spec, generate
from analytics.metrics import NothingLogged
from analytics.query import AnalyticsQuery
from storage import analytics as sql
from storage.accounts import create_account, get_account_by_name
from storage.engine import make_engine
from storage.migrate import upgrade

OUT = ROOT / "bench" / "out"
DB = OUT / "analytics_10y.db"
END = date(2026, 11, 24)
STRESS_HISTORIES = 23


def build(rebuild: bool) -> None:
    if DB.exists() and not rebuild:
        return
    OUT.mkdir(parents=True, exist_ok=True)
    DB.unlink(missing_ok=True)
    eng = make_engine(f"sqlite:///{DB}")
    upgrade(engine=eng)
    t0 = time.perf_counter()
    athlete = create_account("athlete", "bench-password-1", engine=eng)
    counts = generate(athlete.id, Spec(years=10, end=END, seed=1, entries_per_day=16.0), eng)
    print(f"athlete: {counts}")
    stress = create_account("stress", "bench-password-1", engine=eng)
    total = 0
    for i in range(STRESS_HISTORIES):
        c = generate(stress.id, Spec(years=10, end=END, seed=100 + i, nutrition=False, boxing=False, notes=False), eng)
        total += c["training_sets"]
    print(f"stress: {total:,} sets; built in {time.perf_counter() - t0:.0f} s")
    with eng.begin() as conn:
        conn.execute(text("ANALYZE"))
    eng.dispose()


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def timed(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def naive_tonnage(eng, account_id: int, start: date, end: date) -> pd.DataFrame:
    """Baseline: every working set of the period into pandas, aggregated there."""
    q = text("SELECT performed_at, exercise_id, load_kg, reps FROM training_sets WHERE account_id = :a AND warmup = 0 "
             "AND performed_at >= :s AND performed_at < :e")  # fmt: skip
    with eng.connect() as conn:
        df = pd.DataFrame(conn.execute(q, {"a": account_id, "s": str(start), "e": str(end) + " 99"}).all(),
                          columns=["performed_at", "exercise_id", "load_kg", "reps"])  # fmt: skip
    df["week"] = pd.to_datetime(df["performed_at"], format="mixed").dt.to_period("W").dt.start_time
    return (df.assign(t=df["load_kg"] * df["reps"])).groupby("week")["t"].sum().reset_index()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--rebuild", action="store_true")
    ns = ap.parse_args()
    build(ns.rebuild)
    eng = make_engine(f"sqlite:///{DB}")
    with eng.connect() as conn:
        n_sets = conn.execute(text("SELECT COUNT(*) FROM training_sets")).scalar()
        n_food = conn.execute(text("SELECT COUNT(*) FROM nutrition_entries")).scalar()
        n_w = conn.execute(text("SELECT COUNT(*) FROM nutrition_weights")).scalar()
    print(
        f"\nDatabase: {n_sets:,} sets, {n_food:,} food entries, {n_w:,} weigh-ins ({DB.stat().st_size / 1e6:.0f} MB)\n"
    )
    out_dir = Path(tempfile.mkdtemp(prefix="pf-bench-charts-"))
    print(f"load average at start: {load_average()} (2 cores shared: latencies scale with it)")
    rows = []
    print(f"{'account':<8} {'metric':<18} {'period':<9} {'p50 s':>7} {'p95 s':>7} {'p95 no chart':>13}  note")
    for who in ("athlete", "stress"):
        acc = get_account_by_name(who, eng)
        for key, m in METRICS.items():
            if who == "stress" and m.domain != "training":
                continue
            for label, period in (("default", None), ("10 years", "since 2016-11-25")):
                if m.period.endswith("sessions") and period is None:
                    q = AnalyticsQuery(metric=key)
                else:
                    q = AnalyticsQuery(metric=key, period=period)

                def once(q=q, acc=acc) -> None:
                    executor.run(q, acc.id, today=END, engine=eng, out_dir=out_dir)

                try:
                    once()
                except (NothingLogged, sql.SourceMissing) as e:
                    rows.append((who, key, label, None, None, None, type(e).__name__))
                    print(f"{who:<8} {key:<18} {label:<9} {'—':>7} {'—':>7} {'—':>13}  {type(e).__name__}", flush=True)
                    continue
                ts = timed(once, ns.reps)
                compute = timed(lambda q=q, acc=acc: executor.run(q, acc.id, today=END, engine=eng), ns.reps)
                rows.append((who, key, label, statistics.median(ts), p95(ts), p95(compute), ""))
                flag = "" if p95(ts) <= 1.0 else "  OVER 1 s"
                print(f"{who:<8} {key:<18} {label:<9} {statistics.median(ts):7.3f} {p95(ts):7.3f} {p95(compute):13.3f}"
                      f"{flag}", flush=True)  # fmt: skip
    print(f"load average at end: {load_average()}")
    timed_rows = [r for r in rows if r[3] is not None]
    print(
        f"\nworst p95 with chart: {max(r[4] for r in timed_rows):.3f} s over {len(timed_rows)} "
        "metric × period × account"
    )

    print("\nBaseline (same run): weekly tonnage, naive pandas vs SQL GROUP BY (no chart)")
    print(f"{'account':<8} {'period':<9} {'naive p95 s':>12} {'ours p95 s':>11} {'ratio':>7}")
    for who in ("athlete", "stress"):
        acc = get_account_by_name(who, eng)
        for label, start in (("12 weeks", date(2026, 9, 1)), ("10 years", date(2016, 11, 25))):
            q = AnalyticsQuery(metric="tonnage", period=f"since {start.isoformat()}")
            naive = p95(timed(lambda acc=acc, start=start: naive_tonnage(eng, acc.id, start, END), ns.reps))
            ours = p95(timed(lambda q=q, acc=acc: executor.run(q, acc.id, today=END, engine=eng), ns.reps))
            print(f"{who:<8} {label:<9} {naive:12.3f} {ours:11.3f} {naive / ours:6.1f}×")


if __name__ == "__main__":
    main()
