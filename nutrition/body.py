"""Body weight, targets and adaptive expenditure for one person (storage + `energy` maths).

Targets are never changed silently: computing them (from the profile or from the adaptive estimate)
stores a 'proposed' row, and only `decide()` — an explicit approval — makes it the active target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from nutrition import energy
from nutrition.energy import EnergyError, Expenditure, Targets
from powerforge.units import Mass
from storage import nutrition as repo
from storage.accounts import get_profile
from storage.tables.nutrition import NutritionTarget

WINDOW_DAYS = 28
MIN_CHANGE_KCAL = 50  # smaller differences are noise: no proposal


def log_weight(account_id: int, weight: Mass, day: date, source: str = "chat", engine: Engine | None = None) -> float:
    kg = weight.kg
    if not 25 <= kg <= 400:
        raise EnergyError(f"{kg:.1f} kg doesn't look like a body weight; please check the number and unit.")
    repo.upsert_weight(account_id, day, round(kg, 3), source, engine)
    return kg


@dataclass
class WeightReport:
    weights: list[tuple[date, float]]
    trend: list[tuple[date, float]]

    @property
    def latest(self) -> tuple[date, float] | None:
        return self.weights[-1] if self.weights else None

    @property
    def latest_trend(self) -> float | None:
        return self.trend[-1][1] if self.trend else None

    def change(self, days: int) -> float | None:
        """Trend change over the last `days` days (None without a trend point that old)."""
        if len(self.trend) < 2:
            return None
        end_day, end = self.trend[-1]
        past = [t for d, t in self.trend if d <= end_day - timedelta(days=days)]
        return end - past[-1] if past else None


def weight_report(account_id: int, since: date | None = None, engine: Engine | None = None) -> WeightReport:
    rows = repo.list_weights(account_id, engine=engine)
    weights = [(r.day, r.weight_kg) for r in rows]
    trend = energy.trend_weights(weights)
    if since:
        weights = [w for w in weights if w[0] >= since]
        trend = [t for t in trend if t[0] >= since]
    return WeightReport(weights, trend)


def intake_by_day(account_id: int, start: date, end: date, engine: Engine | None = None) -> dict[date, float]:
    totals = repo.daily_totals(account_id, start, end, engine)
    return {d: kcal for d, v in totals.items() if (kcal := v.get("kcal"))}


def expenditure(account_id: int, today: date, engine: Engine | None = None) -> Expenditure:
    """Adaptive expenditure over the last 28 days (or since the first data, once 14 days exist)."""
    start = today - timedelta(days=WINDOW_DAYS - 1)
    weights = [(r.day, r.weight_kg) for r in repo.list_weights(account_id, start, today, engine)]
    intake = intake_by_day(account_id, start, today, engine)
    return energy.expenditure_at(intake, weights, today, WINDOW_DAYS)


def _current_weight(account_id: int, engine: Engine | None) -> float:
    report = weight_report(account_id, engine=engine)
    if report.latest_trend is None:
        raise EnergyError("Log your body weight first (e.g. 'weighed 82.4 kg this morning').")
    return report.latest_trend


def profile_targets(account_id: int, today: date, engine: Engine | None = None) -> tuple[Targets, dict]:
    """Targets from Mifflin–St Jeor x activity and the goal in the profile; says what is missing."""
    p = get_profile(account_id, engine)
    missing = [
        label
        for label, value in (
            ("sex", p.sex),
            ("birth year", p.birth_year),
            ("height", p.height_cm),
            ("activity level", p.activity_level),
        )
        if not value
    ]
    weight = _current_weight(account_id, engine) if not missing else None
    if missing:
        raise EnergyError(
            "To set targets I need your "
            + ", ".join(missing)
            + " (e.g. 'I'm a 34 year old male, 180 cm, moderately active')."
        )
    assert weight is not None and p.birth_year and p.height_cm and p.sex and p.activity_level
    age = energy.age_from_birth_year(p.birth_year, today)
    bmr = energy.mifflin_st_jeor(weight, p.height_cm, age, p.sex)
    tdee = bmr * energy.ACTIVITY[p.activity_level]
    goal = p.goal or "maintain"
    why = {
        "method": "Mifflin–St Jeor × activity",
        "weight_kg": round(weight, 1),
        "height_cm": p.height_cm,
        "age": age,
        "sex": p.sex,
        "activity": p.activity_level,
        "activity_factor": energy.ACTIVITY[p.activity_level],
        "bmr_kcal": round(bmr),
        "tdee_kcal": round(tdee),
        "goal": goal,
    }
    return energy.targets_from_expenditure(tdee, weight, goal), why


def adaptive_targets(account_id: int, today: date, engine: Engine | None = None) -> tuple[Targets, dict, Expenditure]:
    est = expenditure(account_id, today, engine)
    weight = _current_weight(account_id, engine)
    goal = get_profile(account_id, engine).goal or "maintain"
    why = {
        "method": "adaptive (intake − change in stored energy)",
        "expenditure_kcal": round(est.kcal),
        "interval_95": [round(est.low), round(est.high)],
        "mean_intake_kcal": round(est.mean_intake),
        "trend_kg_per_week": round(est.weight_change_kg_per_week, 2),
        "days": est.days,
        "weigh_ins": est.weigh_ins,
        "logged_days": est.logged_days,
        "goal": goal,
        "weight_kg": round(weight, 1),
    }
    return energy.targets_from_expenditure(est.kcal, weight, goal), why, est


def propose(account_id: int, targets: Targets, source: str, why: dict, engine: Engine | None = None) -> NutritionTarget:
    fields = {
        "status": "proposed",
        "source": source,
        "kcal": targets.kcal,
        "protein_g": targets.protein_g,
        "carbs_g": targets.carbs_g,
        "fat_g": targets.fat_g,
        "fiber_g": targets.fiber_g,
        "expenditure_kcal": targets.expenditure_kcal,
        "rationale": why,
    }
    return repo.add_target(account_id, fields, engine)


def worth_proposing(current: NutritionTarget | None, new: Targets) -> bool:
    return current is None or current.kcal is None or abs(current.kcal - new.kcal) >= MIN_CHANGE_KCAL


STATED_FIELDS = ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g")


def set_stated(account_id: int, stated: dict[str, float], engine: Engine | None = None) -> NutritionTarget:
    """Targets the person states are set as stated, at once (no profile, no approval: nothing is computed).

    Fields not stated keep their current value; with no current target they stay empty (a protein target
    alone is a valid target).
    """
    unknown = set(stated) - set(STATED_FIELDS)
    if unknown or not stated:
        raise EnergyError("State a target as kcal, protein, carbs, fat or fibre, e.g. 'protein 180 g'.")
    current = repo.active_target(account_id, engine)
    fields: dict = {f: getattr(current, f) for f in STATED_FIELDS} if current else {}
    fields |= stated
    rationale = {"method": "stated by you", "stated": stated}
    return repo.add_target(
        account_id, {**fields, "status": "active", "source": "stated", "rationale": rationale}, engine
    )


def decide(account_id: int, target_id: int, approve: bool, engine: Engine | None = None) -> NutritionTarget:
    try:
        return repo.decide_target(account_id, target_id, approve, engine)
    except LookupError as e:
        raise EnergyError(str(e)) from e
