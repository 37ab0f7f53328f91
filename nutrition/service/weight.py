"""Body weight: log a weigh-in and show the smoothed trend, in the athlete's units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import Engine

from nutrition import body
from nutrition.body import WeightReport
from powerforge.units import Mass
from storage.accounts import AccountContext

MassUnit = Literal["kg", "lb"]


@dataclass(frozen=True)
class _Shown:
    unit: MassUnit  # how the athlete reads weights

    def shown(self, kg: float) -> float:
        """A weight (or a change of weight) in kg, in the unit shown."""
        return Mass.kgs(kg).lb if self.unit == "lb" else kg


@dataclass(frozen=True)
class WeightInput:
    weight: float
    unit: MassUnit | None = None  # None: the athlete's unit system
    day: date | None = None  # None: today


@dataclass(frozen=True)
class WeightLogged(_Shown):
    day: date
    kg: float
    trend_kg: float | None  # the smoothed weight after this weigh-in
    change_7d_kg: float | None  # the trend's change over 7 days
    weigh_ins: int

    @property
    def has_trend(self) -> bool:
        """A trend needs more than this one weigh-in."""
        return self.trend_kg is not None and self.weigh_ins > 1


def log_weight(who: AccountContext, inp: WeightInput, engine: Engine | None = None) -> WeightLogged:
    """Save a weigh-in (one per day: a second replaces it). Raises EnergyError for a number that is no body
    weight, UnitError for an unknown unit. Shown in lb when the athlete uses imperial or said lb."""
    unit = inp.unit or who.mass_unit
    day = inp.day or who.today
    kg = body.log_weight(who.account_id, Mass.of(inp.weight, unit), day, engine=engine)
    report = body.weight_report(who.account_id, engine=engine)
    shown: MassUnit = "lb" if who.mass_unit == "lb" or unit == "lb" else "kg"
    return WeightLogged(shown, day, kg, report.latest_trend, report.change(7), len(report.weights))


@dataclass(frozen=True)
class WeightTrend(_Shown):
    report: WeightReport  # weigh-ins and trend since `since`, in kg (what the chart draws)
    since: date

    @property
    def latest(self) -> tuple[date, float] | None:
        return self.report.latest

    @property
    def trend_kg(self) -> float | None:
        """The latest trend value, or the latest weigh-in while there is no trend yet."""
        last = self.report.latest
        return self.report.latest_trend or (last[1] if last else None)

    def change_kg(self, days: int) -> float | None:
        return self.report.change(days)


def weight_trend(who: AccountContext, days: int = 90, engine: Engine | None = None) -> WeightTrend:
    """The last `days` days of weigh-ins with the smoothed trend."""
    since = who.today - timedelta(days=days)
    return WeightTrend(who.mass_unit, body.weight_report(who.account_id, since=since, engine=engine), since)
