"""The computations behind each catalogue metric: aggregates from `storage.analytics` → a tidy frame.

Every metric returns a `MetricFrame`: rows of (x, series, value) plus optional overlays (trend,
target, fitted line) and `facts` (numbers the caption quotes). The maths a domain owns is called, not
copied: e1RM from `training.e1rm`, hard-set rules from `training.summary`, muscles from the exercise
library. Days without a food log are missing, not zero, so averages are over logged days only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from analytics.catalogue import Metric
from analytics.periods import Period
from analytics.query import AnalyticsQuery
from nutrition.energy import EnergyError, adaptive_expenditure, trend_weights
from storage import analytics as sql
from training.e1rm import DEFAULT_FORMULA, e1rm_kg, formula_rule
from training.library import Library, library
from training.summary import HARD_RPE, SECONDARY_WEIGHT

XKind = Literal["time", "category", "numeric"]
BIG_THREE = ("back_squat", "bench_press", "deadlift")
TREND_ALPHA = 0.1  # exponential smoothing of weigh-ins (10 % of each new reading), as the nutrition domain shows it


class NothingLogged(LookupError):
    """The question is fine; there is simply no data for it in the period."""


class QueryProblem(ValueError):
    """The query names something that doesn't exist (an exercise, a muscle): a sentence for the person."""


@dataclass
class Resolved:
    """A validated query with its names resolved and its period in dates."""

    query: AnalyticsQuery
    metric: Metric
    period: Period
    account_id: int
    tz: str
    today: date
    engine: Engine | None
    group_by: str
    exercise_ids: list[str] = field(default_factory=list)
    muscles: list[str] = field(default_factory=list)
    formula: str | None = None  # the person's e1RM formula (None: the default, as stored)

    @property
    def lib(self) -> Library:
        return library()

    def names(self) -> dict[str, str]:
        return {i: self.lib.by_id[i].name for i in self.exercise_ids if i in self.lib.by_id}


@dataclass
class MetricFrame:
    """What a metric computed: tidy rows and everything a chart, table and caption need."""

    data: pd.DataFrame  # columns: x, series, value
    x_kind: XKind
    x_label: str
    unit: str
    label: str
    overlays: dict[str, pd.DataFrame] = field(default_factory=dict)  # name → frame(x, series, value)
    facts: dict[str, Any] = field(default_factory=dict)
    value_format: str = "{:,.1f}"

    @property
    def empty(self) -> bool:
        return self.data.empty or self.data["value"].isna().all()


def _tidy(df: pd.DataFrame, x: str, value: str, series: str | None = None, label: str = "") -> pd.DataFrame:
    out = pd.DataFrame({"x": df[x], "series": df[series] if series else label, "value": df[value].astype(float)})
    return out.dropna(subset=["value"]).reset_index(drop=True)


# --------------------------------------------------------------------------- time grouping
def bucket(days: pd.Series, group_by: str) -> pd.Series:
    """Local day → the start of its week (Monday) or month; days stay days."""
    d = pd.to_datetime(days)
    if group_by == "week":
        return (d - pd.to_timedelta(d.dt.weekday, unit="D")).dt.normalize()
    if group_by == "month":
        return d.dt.to_period("M").dt.start_time
    return d.dt.normalize()


def _time_group(r: Resolved) -> str:
    return r.group_by if r.group_by in ("day", "week", "month") else "day"


def _agg(r: Resolved, default: str) -> str:
    return r.query.aggregate or default


def _group_time(df: pd.DataFrame, r: Resolved, value: str, how: str, series: str | None = None) -> pd.DataFrame:
    g = _time_group(r)
    df = df.assign(x=bucket(df["day"], g))
    keys = ["x", series] if series else ["x"]
    how = {"last": "last", "count": "count"}.get(how, how)
    out = df.groupby(keys, as_index=False)[value].agg(how)
    return _tidy(out, "x", value, series, r.metric.label)


# --------------------------------------------------------------------------- training
def _exercise_label(r: Resolved, frame: pd.DataFrame) -> pd.DataFrame:
    names = {e.id: e.name for e in r.lib.exercises}
    return frame.assign(exercise=frame["exercise_id"].map(lambda i: names.get(i, i)))


def _lift_ids(r: Resolved) -> list[str]:
    return r.exercise_ids or list(BIG_THREE)


def _daily_e1rm(r: Resolved, start: date, end: date, ids: list[str]) -> pd.DataFrame:
    """Best e1RM per day × lift: the stored column when the table has one, else `training.e1rm` per set."""
    default = r.formula in (None, DEFAULT_FORMULA)
    daily = sql.training_daily(r.account_id, start, end, r.tz, ids, r.engine)
    if default and (daily.empty or daily["e1rm_kg"].notna().any()):
        return daily.dropna(subset=["e1rm_kg"])[["day", "exercise_id", "e1rm_kg"]]
    sets = sql.training_sets(r.account_id, start, end, r.tz, ids, r.engine)
    if sets.empty:
        return sets.assign(e1rm_kg=[])[["day", "exercise_id", "e1rm_kg"]]
    est = [
        e1rm_kg(float(load), int(reps), None if pd.isna(rpe) else float(rpe), r.formula)
        for load, reps, rpe in zip(sets["load_kg"], sets["reps"], sets["rpe"], strict=True)
    ]
    sets = sets.assign(e1rm_kg=pd.to_numeric(pd.Series(est, index=sets.index), errors="coerce"))
    return sets.dropna(subset=["e1rm_kg"]).groupby(["day", "exercise_id"], as_index=False)["e1rm_kg"].max()


def m_e1rm(r: Resolved) -> MetricFrame:
    ids = _lift_ids(r)
    df = _exercise_label(r, _daily_e1rm(r, r.period.start, r.period.end, ids))
    if r.group_by == "exercise":
        out = df.groupby("exercise", as_index=False)["e1rm_kg"].max()
        return MetricFrame(_tidy(out, "exercise", "e1rm_kg"), "category", "Lift", "kg", r.metric.label)
    return MetricFrame(_group_time(df, r, "e1rm_kg", _agg(r, "max"), "exercise"), "time", "", "kg", r.metric.label,
                       facts={"method": formula_rule(r.formula)})  # fmt: skip


def m_top_set(r: Resolved) -> MetricFrame:
    daily = _exercise_label(
        r, sql.training_daily(r.account_id, r.period.start, r.period.end, r.tz, _lift_ids(r), r.engine)
    )
    if r.group_by == "exercise":
        out = daily.groupby("exercise", as_index=False)["top_kg"].max()
        return MetricFrame(_tidy(out, "exercise", "top_kg"), "category", "Lift", "kg", r.metric.label)
    data = _group_time(daily, r, "top_kg", _agg(r, "max"), "exercise")
    return MetricFrame(data, "time", "", "kg", r.metric.label)


def _muscle_weights(r: Resolved) -> pd.DataFrame:
    """exercise_id → muscle with weight 1 (primary) or SECONDARY_WEIGHT (secondary)."""
    rows = [(e.id, m, 1.0) for e in r.lib.exercises for m in e.primary]
    rows += [(e.id, m, SECONDARY_WEIGHT) for e in r.lib.exercises for m in e.secondary]
    return pd.DataFrame(rows, columns=["exercise_id", "muscle", "weight"])


def _training_by(r: Resolved, value: str, *, hard_only: bool = False) -> MetricFrame:
    """Tonnage, sets or hard sets grouped by time, exercise or muscle (muscles weighted 1 / 0.5)."""
    daily = sql.training_daily(r.account_id, r.period.start, r.period.end, r.tz, r.exercise_ids or None, r.engine)
    unit = r.metric.unit
    if r.muscles or r.group_by == "muscle":
        daily = daily.merge(_muscle_weights(r), on="exercise_id")
        if r.muscles:
            daily = daily[daily["muscle"].isin(r.muscles)]
        daily = daily.assign(**{value: daily[value] * daily["weight"]})
    if r.group_by == "muscle":
        out = daily.groupby("muscle", as_index=False)[value].sum().sort_values(value, ascending=False)
        out["muscle"] = out["muscle"].str.replace("_", " ")
        return MetricFrame(_tidy(out, "muscle", value), "category", "Muscle group", unit, r.metric.label,
                           facts={"weeks": r.period.days / 7})  # fmt: skip
    if r.group_by == "exercise":
        out = _exercise_label(r, daily).groupby("exercise", as_index=False)[value].sum()
        out = out.sort_values(value, ascending=False)
        return MetricFrame(_tidy(out, "exercise", value), "category", "Exercise", unit, r.metric.label)
    if r.group_by == "session":
        out = daily.groupby("day", as_index=False)[value].sum()
        return MetricFrame(_tidy(out, "day", value, label=r.metric.label), "time", "", unit, r.metric.label)
    series = "muscle" if r.muscles and len(r.muscles) > 1 else None
    data = _group_time(daily.drop(columns=[c for c in ("x",) if c in daily]), r, value, _agg(r, "sum"), series)
    return MetricFrame(data, "time", "", unit, r.metric.label)


def m_tonnage(r: Resolved) -> MetricFrame:
    out = _training_by(r, "tonnage_kg")
    out.value_format = "{:,.0f}"
    return out


def m_sets(r: Resolved) -> MetricFrame:
    out = _training_by(r, "sets")
    out.value_format = "{:,.0f}"
    return out


def m_hard_sets(r: Resolved) -> MetricFrame:
    out = _training_by(r, "hard_sets")
    out.facts["rule"] = f"RPE ≥ {HARD_RPE:g} or no RPE; secondary muscles count {SECONDARY_WEIGHT:g}"
    out.value_format = "{:,.1f}"
    return out


def m_rpe_distribution(r: Resolved) -> MetricFrame:
    """Sets per RPE (half points), or, grouped by day/week/month/session, the mean logged RPE over time."""
    if r.group_by in ("day", "week", "month", "session"):
        sets = sql.training_sets(r.account_id, r.period.start, r.period.end, r.tz, r.exercise_ids or None, r.engine)
        sets = sets.dropna(subset=["rpe"])
        if r.group_by == "session":
            per = sets.groupby("day", as_index=False)["rpe"].mean()
            data = _tidy(per, "day", "rpe", label="Mean RPE")
        else:
            data = _group_time(sets, r, "rpe", "mean")
            data["series"] = "Mean RPE"
        return MetricFrame(data, "time", "", "RPE", "Mean RPE", facts={"sets": len(sets)}, value_format="{:.1f}")
    df = sql.rpe_counts(r.account_id, r.period.start, r.period.end, r.tz, r.exercise_ids or None, r.engine)
    if len(df):  # one bin per half point from the lowest to the highest RPE, empty bins shown as 0
        steps = np.arange(float(df["rpe"].min()), float(df["rpe"].max()) + 0.25, 0.5)
        df = pd.DataFrame({"rpe": steps}).merge(df.assign(rpe=df["rpe"].astype(float)), on="rpe", how="left")
        df["sets"] = df["sets"].fillna(0)
    df["rpe"] = df["rpe"].map(lambda v: f"{v:g}")
    return MetricFrame(_tidy(df, "rpe", "sets"), "category", "RPE", "sets", r.metric.label, value_format="{:,.0f}")


def m_plan_adherence(r: Resolved) -> MetricFrame:
    """Planned workouts done, per week or month, as a share of those planned up to today (yesterday's
    unlogged workout counts as missed; today's is left out until the day is over)."""
    end = min(r.period.end, r.today - timedelta(days=1))
    plan = sql.planned_sessions(r.account_id, r.period.start, end, r.engine)
    if plan.empty:
        return MetricFrame(pd.DataFrame(columns=["x", "series", "value"]), "time", "", "%", r.metric.label)
    plan = plan[plan["status"] != "replaced"]
    plan = plan.assign(done=(plan["status"] == "done").astype(float) * 100)
    g = r.group_by if r.group_by in ("week", "month") else "week"
    out = plan.assign(x=bucket(plan["day"], g)).groupby("x", as_index=False)["done"].mean()
    facts = {"planned": len(plan), "done": int((plan["done"] > 0).sum()), "missed": int((plan["done"] == 0).sum())}
    return MetricFrame(_tidy(out, "x", "done", label="Planned workouts done"), "time", "", "%", r.metric.label,
                       facts=facts, value_format="{:,.0f}")  # fmt: skip


def pr_days(daily: pd.DataFrame) -> pd.DataFrame:
    """Days whose best e1RM beat every earlier day of the same lift (the first day of a lift is no PR)."""
    daily = daily.sort_values(["exercise_id", "day"])
    prev_best = daily.groupby("exercise_id")["e1rm_kg"].transform(lambda s: s.cummax().shift(1))
    prs = daily[(daily["e1rm_kg"] > prev_best) & prev_best.notna()].copy()
    prs["gain_kg"] = prs["e1rm_kg"] - prev_best[prs.index]
    return prs


def m_prs(r: Resolved) -> MetricFrame:
    ids = r.exercise_ids or list(BIG_THREE)
    history = _daily_e1rm(r, date(1970, 1, 1), r.period.end, ids)
    prs = _exercise_label(r, pr_days(history))
    prs = prs[(prs["day"] >= pd.Timestamp(r.period.start)) & (prs["day"] <= pd.Timestamp(r.period.end))]
    listing = prs.sort_values("day")[["day", "exercise", "e1rm_kg", "gain_kg"]]
    if r.group_by == "exercise":
        out = prs.groupby("exercise", as_index=False).size().rename(columns={"size": "prs"})
        data = _tidy(out, "exercise", "prs")
        kind: XKind = "category"
    else:
        data = _group_time(prs.assign(prs=1), r, "prs", "sum", "exercise")
        kind = "time"
    return MetricFrame(data, kind, "", "PRs", r.metric.label, facts={"prs": listing}, value_format="{:,.0f}")


def m_sessions(r: Resolved) -> MetricFrame:
    daily = sql.training_daily(r.account_id, r.period.start, r.period.end, r.tz, r.exercise_ids or None, r.engine)
    days = daily.drop_duplicates("day").assign(sessions=1)
    g = r.group_by if r.group_by in ("week", "month") else "week"
    out = days.assign(x=bucket(days["day"], g)).groupby("x", as_index=False)["sessions"].sum()
    return MetricFrame(_tidy(out, "x", "sessions", label=r.metric.label), "time", "", "sessions", r.metric.label,
                       value_format="{:,.0f}")  # fmt: skip


# --------------------------------------------------------------------------- nutrition
NUTRIENT_OF = {"calories": "kcal", "protein": "protein", "carbs": "carbs", "fat": "fat", "fibre": "fibre"}


def target_series(r: Resolved, days: pd.Series, nutrient: str) -> pd.Series:
    """The target in force on each day (NaN before the first target or where it has no such field)."""
    tg = sql.targets(r.account_id, r.engine)
    if tg.empty or nutrient not in tg:
        return pd.Series(np.nan, index=days.index)
    tg = tg.dropna(subset=[nutrient]).sort_values("since")
    if tg.empty:
        return pd.Series(np.nan, index=days.index)
    left = pd.DataFrame({"day": pd.to_datetime(days).astype("datetime64[ns]").values, "i": days.index})
    right = tg[["since", nutrient]].assign(since=tg["since"].astype("datetime64[ns]"))
    joined = pd.merge_asof(left.sort_values("day"), right, left_on="day", right_on="since", direction="backward")
    return pd.Series(joined[nutrient].values, index=joined["i"].values).reindex(days.index)


def _nutrient(r: Resolved, nutrient: str, label: str) -> MetricFrame:
    f = r.query.filters
    by = r.group_by if r.group_by in ("meal", "food") else None
    df = sql.nutrition_daily(r.account_id, r.period.start, r.period.end, by=by, meal=f.meal, food=f.food,
                             engine=r.engine)  # fmt: skip
    unit = r.metric.unit
    if r.group_by == "day_type":
        return _by_day_type(r, df, nutrient, label, unit)
    if by:
        totals = df.groupby(by, as_index=False)[nutrient].sum().sort_values(nutrient, ascending=False).head(15)
        n_days = max(df["day"].nunique(), 1)
        totals[nutrient] = totals[nutrient] / n_days
        return MetricFrame(_tidy(totals, by, nutrient), "category", by.title(), f"{unit}/day", label,
                           facts={"days": n_days})  # fmt: skip
    data = _group_time(df, r, nutrient, _agg(r, "mean" if _time_group(r) != "day" else "sum"))
    out = MetricFrame(data, "time", "", unit if _time_group(r) == "day" else f"{unit}/day", label)
    out.facts["logged_days"] = int(df["day"].nunique())
    out.facts["period_days"] = r.period.days
    if r.query.compare.target and not df.empty:
        tgt = target_series(r, df["day"], nutrient)
        tdf = df.assign(target=tgt.values)
        out.facts["daily"] = tdf[["day", nutrient, "target"]].rename(columns={nutrient: "value"})
        tline = _group_time(tdf.dropna(subset=["target"]), r, "target", "mean")
        if not tline.empty:
            out.overlays["target"] = tline.assign(series="Target")
        else:
            out.facts["no_target"] = True
    return out


def _by_day_type(r: Resolved, df: pd.DataFrame, nutrient: str, label: str, unit: str) -> MetricFrame:
    """Mean per logged day on training days (a working set logged that day) against rest days."""
    trained = sql.training_daily(r.account_id, r.period.start, r.period.end, r.tz, None, r.engine)
    train_days = set(pd.to_datetime(trained["day"]).dt.normalize()) if len(trained) else set()
    daily = df.groupby("day", as_index=False)[nutrient].sum()
    daily["kind"] = [
        "Training days" if pd.Timestamp(d).normalize() in train_days else "Rest days" for d in daily["day"]
    ]
    out = daily.groupby("kind", as_index=False).agg(value=(nutrient, "mean"), days=("day", "count"))
    out = out.sort_values("kind", ascending=False)
    counts = dict(zip(out["kind"], out["days"], strict=True))
    return MetricFrame(_tidy(out, "kind", "value", label=label), "category", "Day", f"{unit}/day", label,
                       facts={"day_counts": counts}, value_format="{:,.0f}")  # fmt: skip


def m_calories(r: Resolved) -> MetricFrame:
    out = _nutrient(r, "kcal", "Calories")
    out.value_format = "{:,.0f}"
    return out


def m_protein(r: Resolved) -> MetricFrame:
    return _nutrient(r, "protein", "Protein")


def m_carbs(r: Resolved) -> MetricFrame:
    return _nutrient(r, "carbs", "Carbohydrate")


def m_fat(r: Resolved) -> MetricFrame:
    return _nutrient(r, "fat", "Fat")


def m_fibre(r: Resolved) -> MetricFrame:
    return _nutrient(r, "fibre", "Fibre")


def m_macros(r: Resolved) -> MetricFrame:
    f = r.query.filters
    df = sql.nutrition_daily(r.account_id, r.period.start, r.period.end, meal=f.meal, engine=r.engine)
    long = df.melt(id_vars=["day"], value_vars=["protein", "carbs", "fat"], var_name="macro", value_name="g")
    long["macro"] = long["macro"].map({"protein": "Protein", "carbs": "Carbohydrate", "fat": "Fat"})
    how = _agg(r, "mean" if _time_group(r) != "day" else "sum")
    return MetricFrame(_group_time(long, r, "g", how, "macro"), "time", "", "g", "Macros")


def trend_weight(weights: pd.Series) -> pd.Series:
    """The trend weight per weigh-in day, from the nutrition domain's smoothing (`nutrition.energy`)."""
    pairs = [(pd.Timestamp(d).date(), float(w)) for d, w in weights.items()]
    trend = trend_weights(pairs, TREND_ALPHA)
    return pd.Series([t for _, t in trend], index=pd.to_datetime([d for d, _ in trend]))


def _trend_from_history(r: Resolved, start: date, end: date) -> tuple[pd.DataFrame, pd.Series]:
    """Weigh-ins of the period and the trend, warmed up on the 60 days before so it starts settled."""
    w = sql.weights(r.account_id, start - timedelta(days=60), end, r.engine)
    if w.empty:
        return w, pd.Series(dtype=float)
    trend = trend_weight(w.set_index("day")["weight_kg"])
    trend = trend[(trend.index >= pd.Timestamp(start)) & (trend.index <= pd.Timestamp(end))]
    return w[w["day"] >= pd.Timestamp(start)], trend


def m_bodyweight(r: Resolved) -> MetricFrame:
    w, trend = _trend_from_history(r, r.period.start, r.period.end)
    if w.empty:
        return MetricFrame(pd.DataFrame(columns=["x", "series", "value"]), "time", "", "kg", "Body weight")
    tdf = pd.DataFrame({"day": trend.index, "value": trend.values})
    if _time_group(r) == "day":
        data = _tidy(w, "day", "weight_kg", label="Weigh-in")
        overlay = _tidy(tdf, "day", "value", label="Trend")
    else:
        data = _group_time(w, r, "weight_kg", _agg(r, "mean")).assign(series="Weigh-ins (mean)")
        overlay = _group_time(tdf, r, "value", "last").assign(series="Trend")
    weeks = max((trend.index[-1] - trend.index[0]).days / 7, 1e-9) if len(trend) > 1 else None
    facts = {
        "trend_start": float(trend.iloc[0]), "trend_end": float(trend.iloc[-1]),
        "rate_kg_week": (float(trend.iloc[-1] - trend.iloc[0]) / weeks) if weeks else None,
        "last_day": w["day"].iloc[-1], "last_kg": float(w["weight_kg"].iloc[-1]), "weigh_ins": len(w),
    }  # fmt: skip
    return MetricFrame(data, "time", "", "kg", "Body weight", overlays={"trend": overlay}, facts=facts)


def _first_logged(start: date, *frames: pd.DataFrame) -> date | None:
    """The period's start, or the first logged day when the period begins before anything was logged
    ('all time' must not count decades of empty days)."""
    if start > date(1970, 1, 1):
        return start
    days = [pd.Timestamp(f["day"].min()).date() for f in frames if len(f)]
    return min(days) if days else None


def m_adherence(r: Resolved) -> MetricFrame:
    food = sql.nutrition_daily(r.account_id, r.period.start, r.period.end, engine=r.engine)
    w = sql.weights(r.account_id, r.period.start, r.period.end, r.engine)
    g = r.group_by if r.group_by in ("week", "month") else "week"
    start = _first_logged(r.period.start, food, w)
    if start is None:
        return MetricFrame(pd.DataFrame(columns=["x", "series", "value"]), "time", "", "%", "Logging adherence")
    days = pd.DataFrame({"day": pd.date_range(start, r.period.end, freq="D")})
    days["food"] = days["day"].isin(food["day"]).astype(float) * 100
    days["weight"] = days["day"].isin(w["day"]).astype(float) * 100
    days["x"] = bucket(days["day"], g)
    out = days.groupby("x", as_index=False)[["food", "weight"]].mean()
    long = out.melt(id_vars="x", value_vars=["food", "weight"], var_name="series", value_name="value")
    long["series"] = long["series"].map({"food": "Food logged", "weight": "Weighed in"})
    facts = {"food_days": int(days["food"].gt(0).sum()), "weigh_days": int(days["weight"].gt(0).sum()),
             "days": len(days)}  # fmt: skip
    return MetricFrame(long[["x", "series", "value"]], "time", "", "%", "Logging adherence", facts=facts,
                       value_format="{:,.0f}")  # fmt: skip


EXPENDITURE_WINDOW = 28  # days of intake and weigh-ins behind each weekly estimate


def expenditure_by_week(intake: pd.DataFrame, weights: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """One adaptive estimate per week (`nutrition.energy.adaptive_expenditure` over the 28 days ending that
    Sunday, or today), with its 95 % interval; weeks without enough data are left out, not guessed."""
    kcal = {pd.Timestamp(d).date(): float(v) for d, v in zip(intake["day"], intake["kcal"], strict=True)}
    pairs = [(pd.Timestamp(d).date(), float(w)) for d, w in zip(weights["day"], weights["weight_kg"], strict=True)]
    rows = []
    week = start - timedelta(days=start.weekday())
    while week <= end:
        stop = min(week + timedelta(days=6), end)
        try:
            e = adaptive_expenditure(kcal, pairs, stop - timedelta(days=EXPENDITURE_WINDOW - 1), stop)
        except EnergyError:
            week += timedelta(days=7)
            continue
        rows.append((pd.Timestamp(week), e.kcal, e.low, e.high, e.mean_intake))
        week += timedelta(days=7)
    return pd.DataFrame(rows, columns=["week", "expenditure", "low", "high", "intake"])


def m_expenditure(r: Resolved) -> MetricFrame:
    lead = timedelta(days=EXPENDITURE_WINDOW)
    intake = sql.nutrition_daily(r.account_id, r.period.start - lead, r.period.end, engine=r.engine)
    weights = sql.weights(r.account_id, r.period.start - lead, r.period.end, r.engine)
    first = _first_logged(r.period.start, intake, weights)
    weekly = expenditure_by_week(intake, weights, max(first or r.period.end, r.period.start), r.period.end)
    data = _tidy(weekly, "week", "expenditure", label="Expenditure")
    overlay = _tidy(weekly, "week", "intake", label="Intake")
    if r.group_by == "month" and not data.empty:
        data = data.assign(x=bucket(data["x"], "month")).groupby(["x", "series"], as_index=False)["value"].mean()
        overlay = (
            overlay.assign(x=bucket(overlay["x"], "month")).groupby(["x", "series"], as_index=False)["value"].mean()
        )
    facts: dict[str, float] = {"weeks": len(weekly), "window_days": EXPENDITURE_WINDOW}
    if not weekly.empty:
        facts["last_low"], facts["last_high"] = float(weekly["low"].iloc[-1]), float(weekly["high"].iloc[-1])
    return MetricFrame(data, "time", "", "kcal/day", "Expenditure estimate", overlays={"intake": overlay},
                       facts=facts, value_format="{:,.0f}")  # fmt: skip


# --------------------------------------------------------------------------- lift video
LOAD_TOLERANCE = 0.025  # "velocity at 140 kg" takes sets within ±2.5 % of that load


def _lift_sets(r: Resolved) -> pd.DataFrame:
    df = sql.lift_sets(r.account_id, r.period.start, r.period.end, r.tz, _lift_ids(r), r.engine)
    load = r.query.filters.load_kg
    if load is not None and not df.empty:
        at = df[(df["load_kg"] - load).abs() <= LOAD_TOLERANCE * load]
        if at.empty:  # videos exist, just not at that load: say which loads there are
            loads = sorted({round(float(v), 1) for v in df["load_kg"].dropna()})
            shown = ", ".join(f"{v:g}" for v in loads[:12]) + (" …" if len(loads) > 12 else "")
            raise NothingLogged(
                f"No analysed sets at {load:g} kg in {r.period.label}; the analysed sets there are at {shown} kg. "
                "Ask for one of those loads, or leave the load out."
            )
        df = at
    return _exercise_label(r, df)


def m_velocity(r: Resolved) -> MetricFrame:
    """Best-rep mean concentric velocity of each analysed set, averaged per day (or week, month)."""
    df = _lift_sets(r).dropna(subset=["best_mcv_m_s"])
    label = r.metric.label + (f" at {r.query.filters.load_kg:g} kg" if r.query.filters.load_kg else "")
    if r.group_by == "session":
        df = df.assign(x=df["day"])
        data = _tidy(df, "x", "best_mcv_m_s", "exercise")
    else:
        data = _group_time(df, r, "best_mcv_m_s", _agg(r, "mean"), "exercise")
    return MetricFrame(data, "time", "", "m/s", label, value_format="{:.2f}")


def m_lv_profile(r: Resolved) -> MetricFrame:
    """Load vs best-rep velocity with the line `vision.profile.fit_profile` fits and the e1RM at the MVT."""
    from vision.profile import LoadVelocityPoint, ProfileError, default_mvt, fit_profile

    df = _lift_sets(r).dropna(subset=["best_mcv_m_s", "load_kg"])
    data = _tidy(df, "load_kg", "best_mcv_m_s", "exercise")
    out = MetricFrame(data, "numeric", "Load (kg)", "m/s", r.metric.label, value_format="{:.2f}")
    if df.empty:
        return out
    lift = str(df["lift"].mode().iloc[0])
    lift_df = df[df["lift"] == lift]
    mvt = sql.lift_mvt(r.account_id, lift, r.engine) or default_mvt(lift)
    points = [
        LoadVelocityPoint(float(a), float(b)) for a, b in zip(lift_df["load_kg"], lift_df["best_mcv_m_s"], strict=True)
    ]
    out.facts.update({"lift": str(lift_df["exercise"].iloc[0]), "points": len(points), "mvt": mvt})
    try:
        prof = fit_profile(points, lift, mvt)
    except ProfileError as e:
        out.facts["why"] = str(e)
        return out
    xs = np.linspace(prof.load_min_kg * 0.9, max(prof.e1rm_kg, prof.load_max_kg), 30)
    out.overlays["fit"] = pd.DataFrame({"x": xs, "series": "Fit", "value": [prof.velocity_at(float(x)) for x in xs]})
    out.facts.update({"slope": prof.slope, "intercept": prof.intercept, "r2": prof.r2, "e1rm_kg": prof.e1rm_kg,
                      "e1rm_sd_kg": prof.e1rm_sd_kg})  # fmt: skip
    return out


def m_velocity_loss(r: Resolved) -> MetricFrame:
    df = _lift_sets(r).dropna(subset=["velocity_loss_pct"])
    if r.group_by == "session":
        data = _tidy(df, "day", "velocity_loss_pct", "exercise")
    else:
        data = _group_time(df, r, "velocity_loss_pct", _agg(r, "mean"), "exercise")
    return MetricFrame(data, "time", "", "%", r.metric.label, value_format="{:.0f}")


# --------------------------------------------------------------------------- striking
def _rounds(r: Resolved) -> pd.DataFrame:
    limit = r.query.filters.sessions
    if limit is None and r.query.period is None and r.metric.period.endswith("sessions"):
        limit = int(r.metric.period.split()[1])
    rounds = sql.strike_rounds(r.account_id, r.period.start, r.period.end, r.tz, limit, r.engine)
    if limit and r.query.period is None:
        r.period = Period(r.period.start, r.period.end, f"the last {limit} sessions")
    if rounds.empty:
        return rounds.assign(label=pd.Series(dtype=str))  # the columns every caller reads, no rows
    rounds["label"] = [f"{d:%d %b}" for d in rounds["day"]]
    dup = rounds["label"].duplicated(keep=False)
    rounds.loc[dup, "label"] = (
        rounds.loc[dup, "label"] + " #" + (rounds[dup].groupby("label").cumcount() + 1).astype(str)
    )
    return rounds


MAX_SESSION_BARS = 40  # beyond this, one bar per round is unreadable: rounds are averaged per week or month


def _per_session(r: Resolved, rounds: pd.DataFrame, value: str, unit: str, label: str) -> MetricFrame:
    if r.group_by == "session" and len(rounds) > MAX_SESSION_BARS:
        span = (rounds["day"].max() - rounds["day"].min()).days if len(rounds) else 0
        r.group_by = "week" if span <= 730 else "month"
    if r.group_by in ("week", "month", "day"):
        out = MetricFrame(_group_time(rounds, r, value, "mean"), "time", "", f"{unit}", label)
        out.facts["group"] = r.group_by
        return out
    return MetricFrame(_tidy(rounds, "label", value, label=label), "category", "Session", unit, label,
                       facts={"sessions": len(rounds)})  # fmt: skip


def m_punches_per_round(r: Resolved) -> MetricFrame:
    rounds = _rounds(r)
    out = _per_session(r, rounds, "punches", "punches", r.metric.label)
    out.value_format = "{:,.0f}"
    return out


def m_guard_drop(r: Resolved) -> MetricFrame:
    rounds = _rounds(r)
    rounds = rounds.assign(guard_pct=rounds["guard_down_share"].astype(float) * 100)
    return _per_session(r, rounds, "guard_pct", "%", r.metric.label)


def m_punch_mix(r: Resolved) -> MetricFrame:
    rounds = _rounds(r)
    span = None
    if r.query.filters.sessions is None and not rounds.empty:
        span = sql.utc_bounds(r.period.start, r.period.end, r.tz)
    kinds = sql.strike_punch_kinds(r.account_id, list(rounds["session_id"]), r.engine, between=span)
    kinds["kind"] = kinds["kind"].str.replace("_", " ")
    if r.group_by == "session" and len(rounds) <= MAX_SESSION_BARS:
        kinds = kinds.merge(rounds[["session_id", "label"]], on="session_id")
        return MetricFrame(_tidy(kinds, "label", "punches", "kind"), "category", "Session", "punches",
                           r.metric.label, value_format="{:,.0f}")  # fmt: skip
    out = kinds.groupby("kind", as_index=False)["punches"].sum().sort_values("punches", ascending=False)
    return MetricFrame(_tidy(out, "kind", "punches"), "category", "Punch", "punches", r.metric.label,
                       facts={"sessions": len(rounds)}, value_format="{:,.0f}")  # fmt: skip


COMPUTE: dict[str, Callable[[Resolved], MetricFrame]] = {
    "e1rm": m_e1rm, "top_set": m_top_set, "tonnage": m_tonnage, "sets": m_sets, "hard_sets": m_hard_sets,
    "rpe_distribution": m_rpe_distribution, "prs": m_prs, "sessions": m_sessions, "plan_adherence": m_plan_adherence,
    "calories": m_calories, "protein": m_protein, "carbs": m_carbs, "fat": m_fat, "fibre": m_fibre,
    "macros": m_macros, "bodyweight": m_bodyweight, "adherence": m_adherence, "expenditure": m_expenditure,
    "velocity": m_velocity, "lv_profile": m_lv_profile, "velocity_loss": m_velocity_loss,
    "punches_per_round": m_punches_per_round, "punch_mix": m_punch_mix, "guard_drop": m_guard_drop,
}  # fmt: skip
