"""Backtest of the adaptive expenditure (TDEE): does the number an athlete steers by predict what happens next?

On generated histories (intake + weigh-ins with logging gaps, weigh-in gaps, day-to-day water noise and the
water drop at the start of a cut) the estimate the app shows on a day (`nutrition.energy.expenditure_at`, the
function `nutrition.body.expenditure` calls) predicts the next fortnight's trend-weight change:

    predicted change = (intake eaten in the next 14 days − 14 × estimate) / 7700 kcal per kg

Error in kcal/day = (predicted − actual change) × 7700 / 14, so a positive error means the estimate was too
low and a negative one too high. "Actual" is the change in true tissue mass (known in generated data); the
error against the app's smoothed trend weight (what a person sees) is shown too. The first 4 weeks (the
cold start: estimates on days 14 and 28) are reported apart from the rest. The baseline, computed in the
same run on the same histories, is a moving-average start-up (two-point change of a 7-day moving average
of the scale weight over the same window), the approach an open-source peer uses.

    uv run python bench/expenditure_backtest.py [--people 40] [--days 168] [--seed 1]

No imported histories with both intake and weigh-ins are in ../shared/data, so only generated ones run.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nutrition.energy import KCAL_PER_KG, EnergyError, expenditure_at, trend_weights

HORIZON = 14
START = date(2026, 1, 5)


@dataclass
class History:
    intake: dict[date, float]  # logged days only (a missing day was not logged)
    eaten: dict[date, float]  # every day, logged or not (the truth)
    weights: list[tuple[date, float]]  # scale weigh-ins
    tissue: dict[date, float]  # true tissue mass (no water)
    tdee: dict[date, float]  # true expenditure


def generate(rng: random.Random, days: int) -> History:
    """One person: a 6-10 week cut from a cold start, then maintenance, then a slow bulk."""
    w0 = rng.uniform(62, 105)
    base = rng.uniform(27, 36) * w0  # maintenance kcal at the start
    cut = rng.uniform(350, 750)
    cut_days = rng.randint(42, 70)
    bulk = rng.uniform(150, 400)
    log_rate = rng.uniform(0.7, 0.98)
    weigh_rate = rng.uniform(0.45, 0.95)
    tissue = w0
    water = 0.0
    glycogen = 0.0
    out = History({}, {}, [], {}, {})
    holiday = rng.randint(40, days - 20)
    for i in range(days):
        d = START + timedelta(days=i)
        # expenditure follows body mass and adapts a little (≈ 5 %) during a sustained deficit
        adapt = 1 - 0.05 * min(1.0, i / 60) if i < cut_days else 1 - 0.05 * max(0.0, 1 - (i - cut_days) / 30)
        tdee = (base + 22 * (tissue - w0)) * adapt
        target = tdee - cut if i < cut_days else tdee if i < cut_days + 35 else tdee + bulk
        eaten = max(900.0, rng.gauss(target, 280))
        # water: day-to-day noise (AR(1)) plus the glycogen/water loss at the start of a cut and its return
        water = 0.6 * water + rng.gauss(0, 0.45)
        glycogen_target = -1.2 if i < cut_days else 0.0
        glycogen += (glycogen_target - glycogen) * 0.3
        tissue += (eaten - tdee) / KCAL_PER_KG
        out.eaten[d], out.tdee[d], out.tissue[d] = eaten, tdee, tissue
        away = holiday <= i < holiday + 7
        if not away and rng.random() < log_rate:
            out.intake[d] = eaten
        if not away and rng.random() < weigh_rate:
            out.weights.append((d, round(tissue + glycogen + water + rng.gauss(0, 0.2), 1)))
    return out


def moving_average_baseline(h: History, today: date, window: int = 28) -> float:
    """Mean logged intake − change of a 7-day moving average of the scale over the window × 7700 / days."""
    start = max(today - timedelta(days=window - 1), START)
    w = [(d, kg) for d, kg in h.weights if start <= d <= today]
    logged = [v for d, v in h.intake.items() if start <= d <= today]
    if len(w) < 6 or len(logged) < 5 or (today - start).days < 13:
        raise EnergyError("too little data")

    def ma(until: date) -> float:
        vals = [kg for d, kg in w if until - timedelta(days=6) <= d <= until]
        if not vals:
            raise EnergyError("no weigh-ins in the week")
        return sum(vals) / len(vals)

    first_end = min(d for d, _ in w) + timedelta(days=6)
    span = (today - first_end).days
    if span < 7:
        raise EnergyError("too little data")
    return sum(logged) / len(logged) - (ma(today) - ma(first_end)) * KCAL_PER_KG / span


@dataclass
class Row:
    day: int
    err_true: float  # kcal/day, against the change in tissue mass
    err_trend: float  # kcal/day, against the app's trend weight
    base_err: float | None
    covered: bool  # the 95 % interval holds the true mean expenditure of its window
    rel: float  # (estimate − true mean expenditure of the window) / true


def backtest(h: History, days: int) -> tuple[list[Row], int]:
    rows: list[Row] = []
    refused = 0
    trend = dict(trend_weights(h.weights))
    trend_days = sorted(trend)

    def trend_on(d: date) -> float | None:
        before = [t for t in trend_days if t <= d]
        return trend[before[-1]] if before else None

    for day in range(HORIZON - 1, days - HORIZON, HORIZON):
        today = START + timedelta(days=day)
        try:
            est = expenditure_at(h.intake, h.weights, today)
        except EnergyError:
            refused += 1
            continue
        nxt = [today + timedelta(days=k) for k in range(1, HORIZON + 1)]
        logged_next = [h.intake[d] for d in nxt if d in h.intake]
        mean_next = sum(logged_next) / len(logged_next) if logged_next else est.mean_intake
        eaten_next = sum(h.intake.get(d, mean_next) for d in nxt)  # unlogged days at the logged mean
        predicted = (eaten_next - HORIZON * est.kcal) / KCAL_PER_KG
        actual = h.tissue[nxt[-1]] - h.tissue[today]
        t0, t1 = trend_on(today), trend_on(nxt[-1])
        seen = (t1 - t0) if t0 is not None and t1 is not None else actual
        to_kcal = KCAL_PER_KG / HORIZON
        window = [d for d in h.tdee if est.start <= d <= est.end]
        true_mean = statistics.fmean(h.tdee[d] for d in window)
        try:
            base = moving_average_baseline(h, today)
            base_pred = (eaten_next - HORIZON * base) / KCAL_PER_KG
            base_err = (base_pred - actual) * to_kcal
        except EnergyError:
            base_err = None
        rows.append(Row(day + 1, (predicted - actual) * to_kcal, (predicted - seen) * to_kcal, base_err,
                        est.low <= true_mean <= est.high, (est.kcal - true_mean) / true_mean))  # fmt: skip
    return rows, refused


def summary(name: str, rows: list[Row]) -> str:
    if not rows:
        return f"{name:<22} {'—':>5}"
    e = [r.err_true for r in rows]
    t = [r.err_trend for r in rows]
    b = [r.base_err for r in rows if r.base_err is not None]
    mae = statistics.fmean(abs(x) for x in e)
    bmae = statistics.fmean(abs(x) for x in b) if b else math.nan
    tmae = statistics.fmean(abs(x) for x in t)
    return (
        f"{name:<22} {len(rows):>5} {statistics.fmean(e):>+9.0f} {mae:>8.0f} {tmae:>10.0f} "
        f"{statistics.fmean(r.rel for r in rows):>+9.1%} {sum(r.covered for r in rows) / len(rows):>8.0%} "
        f"{statistics.fmean(b) if b else math.nan:>+10.0f} {bmae:>9.0f} {mae / bmae if b else math.nan:>8.2f}×"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=40)
    ap.add_argument("--days", type=int, default=168)
    ap.add_argument("--seed", type=int, default=1)
    ns = ap.parse_args()
    rng = random.Random(ns.seed)
    cold: list[Row] = []
    later: list[Row] = []
    refused = 0
    for _ in range(ns.people):
        rows, r = backtest(generate(rng, ns.days), ns.days)
        refused += r
        cold += [x for x in rows if x.day <= 28]
        later += [x for x in rows if x.day > 28]
    print(f"Generated histories: {ns.people} people × {ns.days} days (seed {ns.seed}); next-fortnight prediction\n")
    print("error = predicted − actual trend change, in kcal/day (negative: the estimate was too HIGH)")
    print(f"{'estimates':<22} {'n':>5} {'bias':>9} {'MAE':>8} {'MAE trend':>10} {'est bias':>9} {'95% cov':>8} "
          f"{'base bias':>10} {'base MAE':>9} {'vs base':>9}")  # fmt: skip
    print(summary("first 4 weeks (cold)", cold))
    print(summary("after 4 weeks", later))
    print(summary("all", cold + later))
    print(f"\nFortnights with too little data to estimate (the app says so): {refused}")
    print("est bias: (estimate − true mean expenditure over its window) / true; 95% cov: share of intervals that "
          "hold it.")  # fmt: skip
    print("base: 7-day moving-average start-up over the same window; 'vs base' = MAE / baseline MAE.")


if __name__ == "__main__":
    main()
