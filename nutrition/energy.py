"""Energy maths: Mifflin–St Jeor, trend weight, adaptive expenditure with its uncertainty, targets.

Adaptive expenditure follows the energy balance MacroFactor popularised:

    expenditure = mean daily intake − (daily change in body mass × energy per kg of tissue)

The change in mass comes from the smoothed weight trend, not from two noisy weigh-ins: a straight
line fitted by least squares to the window's daily weights (water swings of ±1 kg average out), whose
slope's standard error gives the uncertainty. The intake side adds the standard error of the mean
intake. We report a 95 % interval and only call the estimate usable after 14 days with at least 10
weigh-ins and 10 logged days.

The trend weight shown to the person is an exponentially smoothed average (10 % per day, as in The
Hacker's Diet), which handles gaps between weigh-ins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

KCAL_PER_KG = 7700.0  # energy in a kg of body-mass change (mixed fat and lean tissue)
ACTIVITY = {"sedentary": 1.2, "light": 1.375, "moderate": 1.55, "active": 1.725, "very_active": 1.9}
GOAL_FACTOR = {"lose": 0.80, "maintain": 1.0, "gain": 1.10}
MIN_DAYS = 14
MIN_WEIGH_INS = 10
MIN_LOGGED_DAYS = 10
WATER_SHIFT_KG = 0.5  # one standard deviation of water-weight shift across a window (see adaptive_expenditure)


class EnergyError(ValueError):
    """Not enough (or impossible) data for an estimate; the message says what is missing."""


def mifflin_st_jeor(weight_kg: float, height_cm: float, age_years: float, sex: str) -> float:
    """Resting energy expenditure (kcal/day), Mifflin et al. 1990."""
    if sex not in ("male", "female"):
        raise EnergyError("Mifflin–St Jeor needs sex (male or female) in your profile.")
    base = 10.0 * weight_kg + 6.25 * height_cm - 5.0 * age_years
    return base + (5.0 if sex == "male" else -161.0)


def estimated_tdee(weight_kg: float, height_cm: float, age_years: float, sex: str, activity: str) -> float:
    """Maintenance energy from the profile: BMR x activity factor."""
    if activity not in ACTIVITY:
        raise EnergyError(f"Activity level must be one of: {', '.join(ACTIVITY)}.")
    return mifflin_st_jeor(weight_kg, height_cm, age_years, sex) * ACTIVITY[activity]


@dataclass(frozen=True)
class Targets:
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fiber_g: float
    expenditure_kcal: float
    goal: str


def targets_from_expenditure(expenditure: float, weight_kg: float, goal: str = "maintain") -> Targets:
    """Daily targets: kcal for the goal; protein 2.0 g/kg when cutting else 1.8; fat 25 % (≥ 0.6 g/kg);
    carbs the rest; fibre 14 g per 1000 kcal. Rounded the way people read labels."""
    if goal not in GOAL_FACTOR:
        raise EnergyError(f"Goal must be one of: {', '.join(GOAL_FACTOR)}.")
    kcal = round(expenditure * GOAL_FACTOR[goal] / 10) * 10
    protein = round((2.0 if goal == "lose" else 1.8) * weight_kg)
    fat = round(max(0.25 * kcal / 9, 0.6 * weight_kg))
    carbs = max(0, round((kcal - 4 * protein - 9 * fat) / 4))
    fiber = round(14 * kcal / 1000)
    return Targets(float(kcal), float(protein), float(carbs), float(fat), float(fiber), round(expenditure), goal)


def trend_weights(weights: Sequence[tuple[date, float]], alpha: float = 0.1) -> list[tuple[date, float]]:
    """Exponentially smoothed weight per weigh-in day; a gap of n days counts as n smoothing steps."""
    out: list[tuple[date, float]] = []
    trend: float | None = None
    prev: date | None = None
    for day, w in sorted(weights):
        if trend is None or prev is None:
            trend = w
        else:
            gap = max(1, (day - prev).days)
            trend += (1 - (1 - alpha) ** gap) * (w - trend)
        out.append((day, trend))
        prev = day
    return out


@dataclass(frozen=True)
class Slope:
    per_day: float  # kg/day
    stderr: float  # kg/day
    n: int


def weight_slope(weights: Sequence[tuple[date, float]]) -> Slope:
    """Least-squares slope of weight against day, with its standard error."""
    if len(weights) < 3:
        raise EnergyError("I need at least 3 weigh-ins to fit a trend.")
    t0 = min(d for d, _ in weights)
    xs = [float((d - t0).days) for d, _ in weights]
    ys = [w for _, w in weights]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        raise EnergyError("All weigh-ins are on the same day.")
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    resid = [y - (my + slope * (x - mx)) for x, y in zip(xs, ys, strict=True)]
    s2 = sum(r * r for r in resid) / (n - 2) if n > 2 else 0.0
    # Water weight drifts for days (it is not fresh noise each morning): residuals that follow each other
    # carry less information, so the standard error grows by √((1 + r) / (1 − r)), r = lag-1 autocorrelation.
    ss = sum(r * r for r in resid)
    r1 = sum(a * b for a, b in pairwise(resid)) / ss if ss > 0 else 0.0
    r1 = min(max(r1, 0.0), 0.9)
    return Slope(slope, math.sqrt(s2 / sxx) * math.sqrt((1 + r1) / (1 - r1)), n)


@dataclass(frozen=True)
class Expenditure:
    """Adaptive maintenance estimate over a window, with a 95 % interval."""

    kcal: float
    low: float
    high: float
    mean_intake: float
    weight_change_kg_per_week: float
    days: int
    weigh_ins: int
    logged_days: int
    start: date
    end: date

    @property
    def plus_minus(self) -> float:
        return (self.high - self.low) / 2


def adaptive_expenditure(
    intake: dict[date, float],
    weights: Sequence[tuple[date, float]],
    start: date,
    end: date,
    weights_from: date | None = None,
) -> Expenditure:
    """Expenditure from logged intake (kcal per day) and weigh-ins between `start` and `end` inclusive.

    Days without a food log are left out of the mean (not counted as zero); days with a log are
    assumed complete. Raises EnergyError while the data is too thin to say anything useful.
    """
    days = (end - start).days + 1
    w = [(d, kg) for d, kg in weights if max(start, weights_from or start) <= d <= end]
    logged = {d: kcal for d, kcal in intake.items() if start <= d <= end and kcal is not None and kcal > 0}
    missing = []
    if days < MIN_DAYS:
        missing.append(f"{MIN_DAYS} days of data (have {days})")
    if len(w) < MIN_WEIGH_INS:
        missing.append(f"{MIN_WEIGH_INS} weigh-ins (have {len(w)})")
    if len(logged) < MIN_LOGGED_DAYS:
        missing.append(f"{MIN_LOGGED_DAYS} days of food logs (have {len(logged)})")
    if missing:
        raise EnergyError("Not enough data yet for an adaptive estimate: I need " + ", ".join(missing) + ".")
    slope = weight_slope(w)
    values = list(logged.values())
    n = len(values)
    mean_intake = sum(values) / n
    sd = math.sqrt(sum((v - mean_intake) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    se_intake = sd / math.sqrt(n)
    stored = slope.per_day * KCAL_PER_KG
    kcal = mean_intake - stored
    # Water can shift by ~0.5 kg between the start and the end of any window (salt, carbs, stress, cycle)
    # without any change in tissue; the fit can't tell that apart, so it bounds how sure the estimate is.
    span = max((max(d for d, _ in w) - min(d for d, _ in w)).days, 1)
    se_water = WATER_SHIFT_KG / span * KCAL_PER_KG
    se = math.sqrt((slope.stderr * KCAL_PER_KG) ** 2 + se_intake**2 + se_water**2)
    return Expenditure(
        kcal=kcal,
        low=kcal - 1.96 * se,
        high=kcal + 1.96 * se,
        mean_intake=mean_intake,
        weight_change_kg_per_week=slope.per_day * 7,
        days=days,
        weigh_ins=len(w),
        logged_days=n,
        start=start,
        end=end,
    )


WINDOW_DAYS = 28  # the adaptive estimate looks back four weeks (or to the first data, once 14 days exist)


SETTLE_DAYS = 6  # a cold start leaves out the first days' weigh-ins: water and glycogen move when eating changes


def expenditure_at(
    intake: dict[date, float], weights: Sequence[tuple[date, float]], today: date, window: int = WINDOW_DAYS
) -> Expenditure:
    """The estimate the app shows on `today`: the last `window` days, or since the first data when that is
    later (the rule `nutrition.body.expenditure` applies; the backtest calls this same function).

    Cold start: when the window begins at the first data, the first `SETTLE_DAYS` of weigh-ins are left out of
    the weight trend. A new diet moves water and glycogen first (often 1 kg or more in a few days); read as
    tissue, that drop over-states expenditure by hundreds of kcal a day in the first weeks.
    """
    start = today - timedelta(days=window - 1)
    firsts = [d for d, _ in weights if d <= today] + [d for d in intake if d <= today]
    settle = None
    if firsts and min(firsts) >= start:
        start = min(firsts)
        settle = start + timedelta(days=SETTLE_DAYS)
    return adaptive_expenditure(intake, weights, start, today, weights_from=settle)


def age_from_birth_year(birth_year: int, today: date) -> int:
    """Whole years this calendar year (the profile stores only the birth year)."""
    age = today.year - birth_year
    if not 10 <= age <= 110:
        raise EnergyError(f"A birth year of {birth_year} gives an age of {age}; please check your profile.")
    return age
