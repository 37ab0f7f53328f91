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

from analytics.catalogue import METRICS
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
        default = None if m.period.endswith("sessions") else m.period
        p = parse_period(q.period, today, default)
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
