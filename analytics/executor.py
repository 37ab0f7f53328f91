"""Run a typed query: validate → resolve names and period → SQL aggregates → frame → table, caption, chart.

This is the only path from a question to numbers. It never runs text from the model: the metric is a
catalogue key, exercise and muscle names are resolved against the library, and the period is parsed by
code. Empty data is an answer ("nothing logged yet"), not an empty chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from analytics import captions, charts
from analytics.catalogue import METRICS
from analytics.metrics import COMPUTE, MetricFrame, NothingLogged, QueryProblem, Resolved
from analytics.periods import EARLIEST, Anchors, Period, parse_period
from analytics.query import AnalyticsQuery
from storage import analytics as sql
from training.library import MUSCLES, library

MAX_TABLE_ROWS = 14
MUSCLE_WORDS = {
    "legs": ["quads", "hamstrings", "glutes", "calves", "adductors"],
    "leg": ["quads", "hamstrings", "glutes", "calves"],
    "back": ["lats", "upper_back", "lower_back", "traps"], "shoulders": ["front_delts", "side_delts", "rear_delts"],
    "shoulder": ["front_delts", "side_delts", "rear_delts"], "delts": ["front_delts", "side_delts", "rear_delts"],
    "arms": ["biceps", "triceps", "forearms"], "core": ["abs", "obliques"], "pecs": ["chest"], "chest": ["chest"],
    "quad": ["quads"], "hamstring": ["hamstrings"], "hammies": ["hamstrings"], "glute": ["glutes"],
    "bicep": ["biceps"], "tricep": ["triceps"], "lat": ["lats"], "trap": ["traps"], "calf": ["calves"],
    "upper back": ["upper_back"], "lower back": ["lower_back"], "abdominals": ["abs"],
}  # fmt: skip


@dataclass
class Answer:
    """Everything the tool, the CLI and the tests need from one query."""

    query: AnalyticsQuery
    period: Period
    frame: MetricFrame
    caption: str
    table: str
    chart: Path | None = None
    csv: Path | None = None
    notes: list[str] = field(default_factory=list)

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        df = self.frame.data
        if limit:
            df = df.tail(limit)
        return [
            {"x": _jsonable(x), "series": s, "value": None if pd.isna(v) else round(float(v), 3)}
            for x, s, v in zip(df["x"], df["series"], df["value"], strict=True)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.model_dump(mode="json", exclude_defaults=True) | {"metric": self.query.metric},
            "period": self.period.as_dict(),
            "metric": {"key": self.query.metric, "label": self.frame.label, "unit": self.frame.unit},
            "caption": self.caption,
            "data": self.rows(),
            "overlays": {k: [{"x": _jsonable(x), "value": round(float(v), 3)} for x, v in zip(o["x"], o["value"],
                                                                                           strict=True)]
                         for k, o in self.frame.overlays.items()},
            "chart": str(self.chart) if self.chart else None,
            "csv": str(self.csv) if self.csv else None,
        }  # fmt: skip


def _jsonable(x: object) -> object:
    if isinstance(x, (pd.Timestamp, datetime, date)):
        return pd.Timestamp(x).date().isoformat()
    return x.item() if hasattr(x, "item") else x


def resolve_exercises(names: list[str]) -> list[str]:
    """Library ids for lift names; an unknown or ambiguous name raises a QueryProblem with suggestions."""
    lib = library()
    ids: list[str] = []
    for name in names:
        r = lib.resolve(name)
        if r.exercise is None:
            hint = ", ".join(c.name for c in r.candidates[:3])
            raise QueryProblem(f"I don't know the lift '{name}'." + (f" Did you mean {hint}?" if hint else ""))
        ids.append(r.exercise.id)
    return list(dict.fromkeys(ids))


def resolve_muscles(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        key = name.strip().lower().replace("-", " ")
        if key.replace(" ", "_") in MUSCLES:
            out.append(key.replace(" ", "_"))
        elif key.rstrip("s").replace(" ", "_") + "s" in MUSCLES:
            out.append(key.rstrip("s").replace(" ", "_") + "s")
        elif key in MUSCLE_WORDS:
            out.extend(MUSCLE_WORDS[key])
        else:
            raise QueryProblem(f"I don't know the muscle group '{name}'. I track: {', '.join(MUSCLES)}.")
    return list(dict.fromkeys(out))


def resolve(
    query: AnalyticsQuery, account_id: int, *, today: date, tz: str = "UTC", engine: Engine | None = None
) -> Resolved:
    metric = METRICS[query.metric]
    # A question that names no period covers everything logged (never a silent window); the answer
    # states the dates. Striking metrics keep their "last 10 sessions", which the caption says too.
    period = parse_period(query.period, today, None, anchors=_anchors(account_id, query.period, engine))
    if query.filters.sessions and metric.domain in ("training", "lifts") and query.period is None:
        period = _last_sessions(account_id, query.filters.sessions, today, tz, engine)
    group_by = query.group_by or metric.group_by
    if group_by in ("week", "month") and period.label.startswith(("the last", "the past")):
        period = _align(period, group_by)
    return Resolved(
        query=query, metric=metric, period=period, account_id=account_id, tz=tz, today=today, engine=engine,
        group_by=group_by, exercise_ids=resolve_exercises(query.filters.exercise),
        muscles=resolve_muscles(query.filters.muscle),
        formula=_formula(account_id, engine) if query.metric in ("e1rm", "prs") else None,
    )  # fmt: skip


def _formula(account_id: int, engine: Engine | None) -> str | None:
    """The person's chosen e1RM formula (None: the default one the stored column holds)."""
    from storage.accounts import get_profile

    try:
        return get_profile(account_id, engine).e1rm_formula
    except SQLAlchemyError:  # a database without the profile column yet: the default formula
        return None


def _anchors(account_id: int, words: str | None, engine: Engine | None) -> Anchors:
    """The person's program start and block length, read only when the period needs them."""
    if not words or not any(
        w in words.lower() for w in ("block", "meso", "cycle", "phase", "program", "plan", "routine")
    ):
        return Anchors()
    try:
        start, weeks = sql.program_anchors(account_id, engine)
    except sql.SourceMissing:
        return Anchors()
    return Anchors(program=start, block_weeks=weeks)


def _last_sessions(account_id: int, n: int, today: date, tz: str, engine: Engine | None) -> Period:
    """'The last N sessions' of training: from the Nth-latest training day to today."""
    try:
        days = sql.training_days(account_id, today, tz, engine)
    except sql.SourceMissing:
        days = []
    if not days:
        return Period(EARLIEST, today, f"the last {n} sessions")
    start = days[min(n, len(days)) - 1]
    return Period(start, today, f"the last {min(n, len(days))} sessions")


def dates_said(period: Period, frame: MetricFrame | None = None) -> str:
    """The dates an answer used, in words ('all time' becomes the first to the last logged day)."""
    start = period.start
    if start == EARLIEST and frame is not None and frame.x_kind == "time" and not frame.data.empty:
        start = pd.Timestamp(frame.data["x"].min()).date()
    if start == EARLIEST:
        return f"everything logged up to {period.end:%d %b %Y}"
    return f"{start:%d %b %Y} – {period.end:%d %b %Y}"


def _align(period: Period, group_by: str) -> Period:
    """A rolling window grouped by week/month starts on the next Monday / 1st, so no bar is a partial one
    at the start ("the last 12 weeks" → 12 weekly bars, the current week included)."""
    s = period.start
    if group_by == "week" and s.weekday() != 0:
        s = s + timedelta(days=7 - s.weekday())
    elif group_by == "month" and s.day != 1:
        s = (s.replace(day=1) + timedelta(days=32)).replace(day=1)
    return Period(s, period.end, period.label) if s <= period.end else period


def compute(r: Resolved) -> MetricFrame:
    frame = COMPUTE[r.query.metric](r)
    if frame.empty:
        raise NothingLogged(_nothing(r))
    frame.data["series"] = frame.data["series"].replace("", frame.label).fillna(frame.label)
    frame.facts.setdefault("group", r.group_by if r.group_by in ("day", "week", "month") else "day")
    return frame


def _nothing(r: Resolved) -> str:
    what = {
        "training": "no sets", "nutrition": "no food or weigh-ins", "lifts": "no analysed lift videos",
        "striking": "no analysed boxing rounds",
    }[r.metric.domain]  # fmt: skip
    lifts = f" for {', '.join(r.names().values())}" if r.exercise_ids else ""
    span = dates_said(r.period)
    return f"Nothing logged yet for that: {what}{lifts} in {r.period.label} ({span})."


def run(
    query: AnalyticsQuery,
    account_id: int,
    *,
    today: date,
    tz: str = "UTC",
    engine: Engine | None = None,
    out_dir: Path | None = None,
    draw: bool = True,
) -> Answer:
    """Execute `query` for one account; raises PeriodError, QueryProblem, NothingLogged or SourceMissing."""
    r = resolve(query, account_id, today=today, tz=tz, engine=engine)
    frame = compute(r)
    second: MetricFrame | None = None
    if query.compare.metric:
        other = query.model_copy(update={"metric": query.compare.metric, "compare": type(query.compare)(),
                                         "group_by": None, "chart": "auto"})  # fmt: skip
        try:
            other_r = resolve(other, account_id, today=today, tz=tz, engine=engine)
            other_r.period = r.period
            second = compute(other_r)
        except (NothingLogged, sql.SourceMissing, QueryProblem):
            second = None
    if query.compare.previous and frame.x_kind == "time":
        frame.facts["previous"] = _previous_total(r)
    caption = captions.caption(r, frame, second)
    said = dates_said(r.period, frame)
    if query.period is None:
        caption += f" (No period named, so this covers {r.period.label}: {said}.)"
    elif said not in r.period.label:
        caption += f" (Dates: {said}.)"
    # the asked grouping names the table's first column; guessed from the dates it is "Day" for a single week
    asked = query.group_by if query.group_by in ("day", "week", "month") else None
    answer = Answer(query, r.period, frame, caption, table_markdown(frame, asked))
    if out_dir is not None:
        stem = f"{query.metric}-{datetime.now():%Y%m%d-%H%M%S-%f}"
        answer.csv = out_dir / f"{stem}.csv"
        frame.data.to_csv(answer.csv, index=False)
        if draw and (query.chart if query.chart != "auto" else r.metric.chart) != "table":
            answer.chart = charts.render(frame, r, out_dir / f"{stem}.png", second=second)
    return answer


def _previous_total(r: Resolved) -> float | None:
    prev = Resolved(**{**r.__dict__, "period": r.period.previous()})
    try:
        f = COMPUTE[r.query.metric](prev)
    except (NothingLogged, sql.SourceMissing):
        return None
    if f.empty:
        return None
    how = r.metric.aggregate
    return float(f.data["value"].sum() if how in ("sum", "count") else f.data["value"].mean())


def _fmt_x(x: object, kind: str, group_by: str = "day") -> str:
    if kind == "time":
        ts = pd.Timestamp(x)
        if group_by == "month":
            return f"{ts:%b %Y}"
        if group_by == "week":
            return f"wk of {ts:%d %b %Y}"
        return f"{ts:%a %d %b %Y}"
    return str(x)


def table_markdown(frame: MetricFrame, group_by: str | None = None) -> str:
    """The numbers behind the chart: one row per x, one column per series (latest rows when long)."""
    df = frame.data
    if df.empty:
        return ""
    wide = df.pivot_table(index="x", columns="series", values="value", aggfunc="first", sort=False)
    if frame.x_kind == "time":
        wide = wide.sort_index()
    for name, overlay in frame.overlays.items():
        if overlay.empty:
            continue
        extra = overlay.pivot_table(index="x", columns="series", values="value", aggfunc="first")
        extra.columns = [f"{c}" if c not in wide.columns else f"{c} ({name})" for c in extra.columns]
        wide = wide.join(extra, how="left")
    more = len(wide) - MAX_TABLE_ROWS
    if more > 0:  # a long time series shows its latest rows; a ranking shows its top
        wide = wide.tail(MAX_TABLE_ROWS) if frame.x_kind == "time" else wide.head(MAX_TABLE_ROWS)
    gb = group_by or _guess_grouping(wide.index, frame.x_kind)
    head = frame.x_label or {"day": "Day", "week": "Week", "month": "Month"}.get(gb, "")
    cols = [str(c) for c in wide.columns]
    unit = frame.unit
    lines = [f"| {head} | " + " | ".join(f"{c} ({unit})" if len(cols) == 1 or c not in ("Target",) else c
                                          for c in cols) + " |"]  # fmt: skip
    lines.append("|---|" + "---:|" * len(cols))
    for x, row in wide.iterrows():
        cells = ["—" if pd.isna(v) else frame.value_format.format(v) for v in row]
        lines.append(f"| {_fmt_x(x, frame.x_kind, gb)} | " + " | ".join(cells) + " |")
    if more > 0:
        lines.append(f"\n_{more} more rows in the CSV._")
    return "\n".join(lines)


def _guess_grouping(index: pd.Index, kind: str) -> str:
    if kind != "time" or len(index) < 2:
        return "day"
    gaps = pd.Series(pd.to_datetime(index)).sort_values().diff().dropna().dt.days
    if gaps.empty:
        return "day"
    if (pd.Series(pd.to_datetime(index)).dt.day == 1).all() and gaps.min() >= 28:
        return "month"
    if (gaps % 7 == 0).all() and (pd.Series(pd.to_datetime(index)).dt.weekday == 0).all():
        return "week"
    return "day"
