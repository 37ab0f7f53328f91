"""The weekly review: training, food, weight, bar speed and boxing for one week, every figure computed.

Each section runs the same catalogue metrics a chart would (so a review and a chart never disagree),
compares with the week before where that means something, and says plainly when a domain has nothing
logged. The model only writes the short narrative around these figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from analytics.executor import Answer, run
from analytics.metrics import NothingLogged, pr_days
from analytics.query import AnalyticsQuery
from storage import analytics as sql


@dataclass
class Review:
    start: date
    end: date
    sections: dict[str, list[str]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    def markdown(self) -> str:
        out = [f"### Week of {self.start:%d %b} – {self.end:%d %b %Y}"]
        for title, lines in self.sections.items():
            out.append(f"**{title}**")
            out += [f"- {line}" for line in lines]
        return "\n".join(out)

    def summary(self) -> str:
        return " ".join(f"{t}: {'; '.join(lines)}." for t, lines in self.sections.items())


def week_bounds(today: date, which: str | None = None) -> tuple[date, date]:
    """'last week' = the previous Monday–Sunday; 'this week' = Monday to today; default: this week
    from Friday on (the week is mostly done), otherwise last week."""
    monday = today - timedelta(days=today.weekday())
    w = (which or "").lower()
    if "this" in w or (not w and today.weekday() >= 4):
        return monday, today
    return monday - timedelta(days=7), monday - timedelta(days=1)


def _q(metric: str, start: date, end: date, **kw: Any) -> AnalyticsQuery:
    return AnalyticsQuery.model_validate({"metric": metric, "period": f"between {start} and {end}", **kw})


def _try(q: AnalyticsQuery, account_id: int, today: date, tz: str, engine: Engine | None) -> Answer | None:
    try:
        return run(q, account_id, today=today, tz=tz, engine=engine, draw=False)
    except (NothingLogged, sql.SourceMissing):
        return None


def _pct(now: float, before: float | None) -> str:
    if not before:
        return ""
    return f" ({(now - before) / before * 100:+.0f} % vs the week before)"


def weekly_review(
    account_id: int, today: date, *, which: str | None = None, tz: str = "UTC", engine: Engine | None = None
) -> Review:
    start, end = week_bounds(today, which)
    prev = (start - timedelta(days=7), start - timedelta(days=1))
    rv = Review(start, end)

    def get(metric: str, a: date = start, b: date = end, **kw: Any) -> Answer | None:
        return _try(_q(metric, a, b, **kw), account_id, today, tz, engine)

    # --- training
    lines: list[str] = []
    sessions = get("sessions")
    if sessions is None:
        lines.append("no sets logged")
    else:
        n_sessions = int(sessions.frame.data["value"].sum())
        tonnage = get("tonnage", group_by="day")
        tonnage_prev = get("tonnage", *prev, group_by="day")
        t_now = float(tonnage.frame.data["value"].sum()) if tonnage else 0.0
        t_prev = float(tonnage_prev.frame.data["value"].sum()) if tonnage_prev else None
        hard = get("hard_sets", group_by="muscle")
        lines.append(f"{n_sessions} sessions, {t_now:,.0f} kg tonnage{_pct(t_now, t_prev)}")
        if hard is not None:
            top = hard.frame.data.sort_values("value", ascending=False).head(3)
            lines.append(
                "most hard sets: " + ", ".join(f"{x} {v:g}" for x, v in zip(top["x"], top["value"], strict=True))
            )
        e1 = get("e1rm", group_by="exercise")
        if e1 is not None:
            lines.append(
                "best e1RM: "
                + ", ".join(f"{x} {v:.1f} kg" for x, v in zip(e1.frame.data["x"], e1.frame.data["value"], strict=True))
            )
        prs = get("prs")
        p = prs.frame.facts["prs"] if prs else None
        n_prs = len(p) if p is not None else 0
        if p is not None and n_prs:
            lines.append(f"{n_prs} PR{'s' if n_prs > 1 else ''}: " + ", ".join(
                f"{r.exercise} {r.e1rm_kg:.1f} kg ({r.day:%a})" for r in p.itertuples()))  # fmt: skip
        rv.figures["training"] = {"sessions": n_sessions, "tonnage_kg": round(t_now, 1), "prs": n_prs}
    rv.sections["Training"] = lines
    _ = pr_days

    # --- food
    lines = []
    kcal = get("calories", compare={"target": True})
    if kcal is None:
        lines.append("no food logged")
    else:
        d = kcal.frame.facts["daily"]
        mean = float(d["value"].mean())
        tgt = d["target"].dropna()
        line = f"logged {len(d)} of {(end - start).days + 1} days, {mean:,.0f} kcal/day"
        if not tgt.empty:
            line += f" vs {tgt.mean():,.0f} target ({mean / tgt.mean():.0%})"
        lines.append(line)
        protein = get("protein", compare={"target": True})
        if protein is not None:
            pd_ = protein.frame.facts["daily"]
            pt = pd_["target"].dropna()
            lines.append(
                f"protein {pd_['value'].mean():.0f} g/day" + (f" vs {pt.mean():.0f} g target" if not pt.empty else "")
            )
        rv.figures["food"] = {
            "logged_days": len(d),
            "kcal_per_day": round(mean),
            "target": None if tgt.empty else round(float(tgt.mean())),
        }
    rv.sections["Food"] = lines

    # --- weight
    lines = []
    bw = get("bodyweight")
    if bw is None:
        lines.append("no weigh-ins")
    else:
        k = bw.frame.facts
        change = k["trend_end"] - k["trend_start"]
        lines.append(
            f"trend {k['trend_start']:.1f} → {k['trend_end']:.1f} kg ({change:+.1f} kg), {k['weigh_ins']} weigh-ins"
        )
        rv.figures["weight"] = {"trend_start": round(k["trend_start"], 2), "trend_end": round(k["trend_end"], 2)}
    rv.sections["Weight"] = lines

    # --- bar speed
    lines = []
    vel = get("velocity")
    if vel is None:
        lines.append("no analysed lift videos")
    else:
        lines.append(
            f"mean concentric velocity {vel.frame.data['value'].mean():.2f} m/s over {len(vel.frame.data)} sets"
        )
    rv.sections["Bar speed"] = lines

    # --- boxing
    lines = []
    ppr = get("punches_per_round")
    if ppr is None:
        lines.append("no analysed boxing rounds")
    else:
        rounds = ppr.frame.data
        guard = get("guard_drop")
        line = f"{len(rounds)} rounds, {rounds['value'].mean():.0f} punches per round"
        if guard is not None:
            line += f", guard down {guard.frame.data['value'].mean():.0f} % of the time"
        lines.append(line)
        rv.figures["boxing"] = {"rounds": len(rounds), "punches_per_round": round(float(rounds["value"].mean()), 1)}
    rv.sections["Boxing"] = lines
    return rv
