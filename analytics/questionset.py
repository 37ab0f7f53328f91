"""The question set (analytics/data/questions.jsonl) and how an answer to it is scored.

A prediction counts as right when it would draw the same chart: same metric, same lifts (by library
id), muscles, meal/food/load/session filters, the same effective grouping and the same dates (periods
are compared after parsing, so "past 30 days" and "last 30 days" agree), and the same comparison.
A question the fast path declines is not wrong, it is "not taken": the model gets it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analytics import periods
from analytics.catalogue import METRICS, auto_chart
from analytics.executor import resolve_exercises, resolve_muscles
from analytics.periods import PeriodError, parse_period
from analytics.query import AnalyticsQuery

QUESTIONS = Path(__file__).parent / "data" / "questions.jsonl"
TODAY = date(2026, 11, 24)  # the set's periods are scored against a fixed day


@dataclass(frozen=True)
class Item:
    question: str
    expect: AnalyticsQuery


def load(path: Path = QUESTIONS) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(Item(row["q"], AnalyticsQuery.model_validate(row["expect"])))
    return items


def _key(q: AnalyticsQuery, today: date) -> dict[str, Any]:
    m = METRICS[q.metric]
    try:
        p = parse_period(q.period, today, None, anchors=periods.scoring_anchors(today))
        period: object = (p.start, p.end)
    except PeriodError:
        period = ("invalid", q.period)
    try:
        ex = sorted(resolve_exercises(q.filters.exercise))
    except ValueError:
        ex = ["?"]
    try:
        mus = sorted(resolve_muscles(q.filters.muscle))
    except ValueError:
        mus = ["?"]
    group = q.group_by or m.group_by
    return {
        "metric": q.metric, "exercise": ex, "muscle": mus, "meal": q.filters.meal,
        "food": (q.filters.food or "").lower() or None, "load": q.filters.load_kg, "sessions": q.filters.sessions,
        "group": group, "period": period, "target": q.compare.target, "second": q.compare.metric,
        "chart": q.chart if q.chart != "auto" else m.chart,
    }  # fmt: skip


def differences(expect: AnalyticsQuery, got: AnalyticsQuery, today: date = TODAY) -> list[str]:
    """Fields where `got` would draw a different chart than `expect` (empty: right)."""
    a, b = _key(expect, today), _key(got, today)
    return [f"{k}: expected {a[k]!r}, got {b[k]!r}" for k in a if a[k] != b[k]]


@dataclass
class Score:
    total: int
    taken: int
    right: int
    misses: list[tuple[str, list[str]]]

    @property
    def precision(self) -> float:
        return self.right / self.taken if self.taken else 0.0

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def score(items: list[Item], predict: Any, today: date = TODAY) -> Score:
    """Run `predict(question) -> AnalyticsQuery | None` over the items."""
    taken = right = 0
    misses: list[tuple[str, list[str]]] = []
    for it in items:
        got = predict(it.question)
        if got is None:
            continue
        taken += 1
        diff = differences(it.expect, got, today)
        if diff:
            misses.append((it.question, diff))
        else:
            right += 1
    return Score(len(items), taken, right, misses)


# --- the shared development set (../shared/eval/analytics_questions.jsonl): its own vocabulary --------------
SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "analytics_questions.jsonl"
FIELDS = ("metric", "exercise", "muscle", "group_by", "period", "compare", "chart")
_SHARED_METRIC = {"volume": "tonnage", "rpe": "rpe_distribution", "punches": "punches_per_round"}
# The set's "adherence" covers both logging and plan adherence; either of ours answers it.
_SAME_METRIC = {"adherence": {"adherence", "plan_adherence"}}


@dataclass(frozen=True)
class SharedItem:
    question: str
    row: dict[str, Any]


def load_shared(path: Path = SHARED) -> list[SharedItem]:
    """The set as written (each row: q, metric, optional exercise/muscle/group_by/chart/compare, period)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [SharedItem(r["q"], r) for r in rows]


def _shared_metric(m: object) -> set[str]:
    if isinstance(m, list):
        return {"macros"} if set(m) <= {"protein", "carbs", "fat"} else {"?"}
    key = _SHARED_METRIC.get(str(m), str(m))
    return _SAME_METRIC.get(key, {key})


def _names(v: object, resolve: Any) -> list[str]:
    names = [v] if isinstance(v, str) else list(v) if isinstance(v, list | tuple | set) else []
    try:
        return sorted(resolve(names))
    except ValueError:
        return ["?"]


def _dates(text: str | None, metric: str, today: date, sessions: int | None) -> object:
    sessions_in = periods.sessions_in
    anchors = periods.scoring_anchors(today)
    if text is not None and (n := sessions_in(text)):
        return ("sessions", n)
    if sessions:
        return ("sessions", sessions)
    try:
        p = parse_period(text, today, None, anchors=anchors)
    except PeriodError:
        return ("invalid", text)
    return (p.start, p.end)


def shared_fields(row: dict[str, Any], got: AnalyticsQuery | None, today: date = TODAY) -> dict[str, bool]:
    """Field by field: is `got` what the row asks for? Fields the row leaves out (group_by, chart) are
    scored only when written; exercise, muscle and compare absent mean "none"."""
    if got is None:
        return dict.fromkeys(FIELDS, False)
    out: dict[str, bool] = {}
    metrics = _shared_metric(row["metric"])
    out["metric"] = got.metric in metrics
    out["exercise"] = _names(row.get("exercise"), resolve_exercises) == _names(got.filters.exercise, resolve_exercises)
    out["muscle"] = _names(row.get("muscle"), resolve_muscles) == _names(got.filters.muscle, resolve_muscles)
    if "group_by" in row:
        out["group_by"] = (got.group_by or METRICS[got.metric].group_by) == row["group_by"]
    exp_metric = next(iter(metrics))
    out["period"] = _dates(row.get("period"), exp_metric, today, None) == _dates(
        got.period, got.metric, today, got.filters.sessions
    )
    cmp = row.get("compare")
    want: dict[str, Any] = {"target": False, "metric": set(), "previous": False}
    if cmp == "target":
        want["target"] = True
    elif cmp:
        if cmp.replace("_", " ") in METRICS or cmp in _SHARED_METRIC or cmp in _SAME_METRIC:
            want["metric"] = _shared_metric(cmp)
        else:  # a period ("last month", "last block"): the period just before
            want["previous"] = True
    have_metric = {got.compare.metric} if got.compare.metric else set()
    same_metric = bool(have_metric & want["metric"]) if want["metric"] else not have_metric
    out["compare"] = got.compare.target == want["target"] and got.compare.previous == want["previous"] and same_metric
    if "chart" in row:
        chart: str = got.chart
        if chart == "auto":
            try:
                days = parse_period(got.period, today, None, anchors=periods.scoring_anchors(today)).days
            except PeriodError:
                days = 0
            chart = auto_chart(METRICS[got.metric], got.group_by, days, got.compare.target)
        wanted = row["chart"]
        if wanted == "histogram":
            out["chart"] = got.metric == "rpe_distribution"
        else:
            out["chart"] = chart == wanted
    return out
