"""Nutrition application services: one function per user action, typed input and result.

Callers (chat tools, CLI, check-ins) parse their own input, call one service and render what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from storage import nutrition as repo


@dataclass(frozen=True)
class DayIntake:
    day: date
    kcal: float  # 0 when nothing was logged that day
    protein_g: float


@dataclass(frozen=True)
class WeekSummary:
    """Seven days of eating ending on `end`, with averages over the days that have a log."""

    start: date
    end: date
    days: list[DayIntake]
    target_kcal: float | None

    @property
    def logged(self) -> list[DayIntake]:
        return [d for d in self.days if d.kcal > 0]

    @property
    def avg_kcal(self) -> float:
        """Mean over logged days only: an unlogged day is unknown, not zero."""
        return sum(d.kcal for d in self.logged) / len(self.logged) if self.logged else 0.0

    @property
    def avg_protein_g(self) -> float:
        return sum(d.protein_g for d in self.logged) / len(self.logged) if self.logged else 0.0


def week_summary(account_id: int, end: date, engine: Engine | None = None) -> WeekSummary:
    start = end - timedelta(days=6)
    totals = repo.daily_totals(account_id, start, end, engine)
    days = []
    for i in range(7):
        d = start + timedelta(days=i)
        t = totals.get(d) or {}
        days.append(DayIntake(d, t.get("kcal") or 0.0, t.get("protein_g") or 0.0))
    target = repo.active_target(account_id, engine)
    return WeekSummary(start, end, days, target.kcal if target else None)
