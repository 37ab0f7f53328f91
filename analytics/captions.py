"""One-line captions whose every number comes from the computed frame (never from the model).

A caption says what changed, by how much and when the best was, in the metric's unit, over the period
in words. The model may add a sentence of coaching around it, but the figures are these.
"""

from __future__ import annotations

import pandas as pd

from analytics.metrics import MetricFrame, Resolved

TARGET_BAND = 0.10  # a day is "on target" within ±10 %


def _n(v: float, fmt: str = "{:,.1f}") -> str:
    s = fmt.format(v)
    return s[:-2] if s.endswith(".0") else s


def _signed(v: float, fmt: str = "{:,.1f}") -> str:
    return ("+" if v > 0 else "−" if v < 0 else "±") + _n(abs(v), fmt)


def _date(x: object) -> str:
    return f"{pd.Timestamp(x):%d %b %Y}"


def caption(r: Resolved, f: MetricFrame, second: MetricFrame | None = None) -> str:
    key = r.query.metric
    when = r.period.label
    if key == "bodyweight":
        text = _bodyweight(f, when)
    elif key == "prs":
        text = _prs(f, when)
    elif key == "adherence":
        fd, wd, n = f.facts["food_days"], f.facts["weigh_days"], f.facts["days"]
        text = f"Food logged on {fd} of {n} days ({fd / n:.0%}) and weighed in on {wd} ({wd / n:.0%}) in {when}."
    elif "daily" in f.facts:
        text = _vs_target(f, when)
    elif key == "expenditure" and "last_low" in f.facts:
        low, high = _n(f.facts["last_low"], "{:,.0f}"), _n(f.facts["last_high"], "{:,.0f}")
        text = _series(f, when).rstrip(".") + (
            f"; latest 95 % interval {low}–{high} kcal/day ({f.facts['window_days']}-day windows)."
        )
    elif key == "lv_profile":
        text = _profile(f, when)
    elif f.x_kind != "time":
        text = _categories(f, when)
    else:
        text = _series(f, when)
    if f.facts.get("method"):
        text = text.rstrip() + f" e1RM method: {f.facts['method']}."
    if second is not None and not second.empty:
        mean = second.data["value"].mean()
        text += f" {second.label} averaged {_n(mean, second.value_format)} {second.unit} over the same period."
    prev = f.facts.get("previous")
    if prev:
        now = f.data["value"].sum() if r.metric.aggregate in ("sum", "count") else f.data["value"].mean()
        text += (
            f" Previous period: {_n(prev, f.value_format)} {f.unit} ({_signed((now - prev) / prev * 100, '{:.0f}')} %)."
        )
    return text


def _series(f: MetricFrame, when: str) -> str:
    parts = []
    for name, g in list(f.data.groupby("series", sort=False))[:3]:
        g = g.sort_values("x")
        first, last = g["value"].iloc[0], g["value"].iloc[-1]
        best = g.loc[g["value"].idxmax()]
        label = _series_label(str(name), f.label)
        if len(g) == 1:
            parts.append(f"{label}: {_n(last, f.value_format)} {f.unit} ({_date(g['x'].iloc[0])})")
            continue
        if f.label in ("Tonnage", "Working sets", "Hard sets", "Training sessions", "Personal records"):
            total = g["value"].sum()
            per = f.facts.get("group", "day")
            avg_fmt = "{:,.1f}" if g["value"].mean() < 100 else f.value_format
            parts.append(
                f"{label}: {_n(total, f.value_format)} {f.unit} in total over {len(g)} {per}s, "
                f"averaging {_n(g['value'].mean(), avg_fmt)} per {per}; "
                f"highest {_n(best['value'], f.value_format)} "
                f"({_date(best['x'])})"
            )
            continue
        change = last - first
        pct = f", {_signed(change / first * 100, '{:.1f}')} %" if first else ""
        parts.append(
            f"{label}: {_n(first, f.value_format)} → {_n(last, f.value_format)} {f.unit} "
            f"({_signed(change, f.value_format)} {f.unit}{pct}); "
            f"highest {_n(best['value'], f.value_format)} {f.unit} on {_date(best['x'])}"
        )
    return "; ".join(parts) + f" — {when}."


def _series_label(name: str, label: str) -> str:
    """'Back Squat estimated 1RM' for a lift's series; the series name alone when it says enough."""
    if name == label or name.lower() in label.lower() or label.lower() in name.lower():
        return name
    if label in ("Estimated 1RM", "Top set", "Tonnage", "Working sets", "Hard sets", "Personal records"):
        return f"{name} {label.lower()}" if label != "Estimated 1RM" else f"{name} e1RM"
    return name


def _categories(f: MetricFrame, when: str) -> str:
    df = f.data.groupby("x", sort=False)["value"].sum().sort_values(ascending=False)
    total = df.sum()
    top = ", ".join(f"{x} {_n(v, f.value_format)}" for x, v in df.head(3).items())
    low = df.index[-1]
    tail = f"; least: {low} {_n(df.iloc[-1], f.value_format)}" if len(df) > 3 else ""
    if f.x_label == "Session":
        return (f"{f.label}, {len(df)} sessions in {when}: mean {_n(df.mean(), f.value_format)} {f.unit}, "
                f"highest {df.index[0]} {_n(df.iloc[0], f.value_format)}, "
                f"lowest {low} {_n(df.iloc[-1], f.value_format)}.")  # fmt: skip
    return f"{f.label}, {when}: {_n(total, f.value_format)} {f.unit} in total; most: {top}{tail}."


def _vs_target(f: MetricFrame, when: str) -> str:
    d = f.facts["daily"]
    mean = d["value"].mean()
    unit = f.unit.replace("/day", "")
    have = d.dropna(subset=["target"])
    logged = f"{len(d)} logged days"
    if have.empty:
        return f"{f.label} averaged {_n(mean, f.value_format)} {unit}/day over {logged} in {when}; no target was set."
    tmean = have["target"].mean()
    within = ((have["value"] - have["target"]).abs() <= TARGET_BAND * have["target"]).sum()
    return (
        f"{f.label} averaged {_n(mean, f.value_format)} {unit}/day vs a {_n(tmean, f.value_format)} {unit} target "
        f"({_signed(mean - tmean, f.value_format)} {unit}, {mean / tmean:.0%}) over {logged} in {when}; "
        f"{within} of {len(have)} days within ±{TARGET_BAND:.0%}."
    )


def _bodyweight(f: MetricFrame, when: str) -> str:
    k = f.facts
    rate = k.get("rate_kg_week")
    rate_s = f", {_signed(rate, '{:.2f}')} kg/week" if rate is not None else ""
    return (
        f"Trend weight {_n(k['trend_start'], '{:.1f}')} → {_n(k['trend_end'], '{:.1f}')} kg in {when} "
        f"({_signed(k['trend_end'] - k['trend_start'], '{:.1f}')} kg{rate_s}); last weigh-in "
        f"{_n(k['last_kg'], '{:.1f}')} kg on {_date(k['last_day'])}, {k['weigh_ins']} weigh-ins."
    )


def _prs(f: MetricFrame, when: str) -> str:
    prs = f.facts["prs"]
    if prs.empty:
        return f"No new e1RM records in {when}."
    last = prs.iloc[-1]
    by_lift = prs.groupby("exercise").size().sort_values(ascending=False)
    lifts = ", ".join(f"{k} {v}" for k, v in by_lift.items())
    return (
        f"{len(prs)} e1RM PR{'s' if len(prs) != 1 else ''} in {when} ({lifts}); "
        f"latest {last['exercise']} {_n(last['e1rm_kg'])} kg "
        f"({_signed(last['gain_kg'])} kg) on {_date(last['day'])}."
    )


def _profile(f: MetricFrame, when: str) -> str:
    k = f.facts
    if "slope" not in k:
        why = k.get("why", "too few distinct loads for a profile")
        return f"{len(f.data)} analysed sets in {when}: {why}"
    e1 = (f" → e1RM ≈ {_n(k['e1rm_kg'])} ± {_n(k['e1rm_sd_kg'])} kg at {k['mvt']:.2f} m/s"
          if k.get("e1rm_kg") else "")  # fmt: skip
    return (
        f"{k['lift']}: v = {k['intercept']:.2f} − {abs(k['slope']):.4f} × load (r² {k['r2']:.2f}, "
        f"{k['points']} sets){e1} — {when}."
    )
