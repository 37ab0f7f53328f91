"""Estimated one-rep max from a set: Epley and Brzycki for ≤ 10 reps, the RPE chart for RPE ≥ 7.

Rep formulas assume the set went to (near) failure and lose accuracy beyond ~10 reps, so they are not
used there; an RPE tells how far from failure the set was, so a set with RPE ≥ 7 is estimated from the
chart (load / %1RM(reps, RPE)), which is the more honest number for sub-maximal sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from powerforge.units import Mass
from training import rpe as rpe_chart

MAX_FORMULA_REPS = 10
MIN_CHART_RPE = 7.0


def epley(load: Mass, reps: int) -> Mass:
    """Epley: w × (1 + reps / 30); a single is its own 1RM."""
    _check(reps)
    return load if reps == 1 else load * (1 + reps / 30)


def brzycki(load: Mass, reps: int) -> Mass:
    """Brzycki: w × 36 / (37 − reps)."""
    _check(reps)
    return load if reps == 1 else load * (36 / (37 - reps))


def from_rpe(load: Mass, reps: int, rpe: float) -> Mass:
    """Chart estimate: load ÷ %1RM(reps, RPE)."""
    if rpe < MIN_CHART_RPE:
        raise ValueError(f"RPE {rpe:g} is too far from failure for a chart estimate (needs ≥ {MIN_CHART_RPE:g}).")
    return load / (rpe_chart.percent_1rm(reps, rpe) / 100)


def _check(reps: int) -> None:
    if reps < 1:
        raise ValueError("A set needs at least one rep.")
    if reps > MAX_FORMULA_REPS:
        raise ValueError(f"Rep formulas are only used up to {MAX_FORMULA_REPS} reps.")


@dataclass(frozen=True)
class Estimate:
    """All estimates for one set; `best` is the one shown and tracked (None when no method applies)."""

    epley: Mass | None
    brzycki: Mass | None
    rpe_chart: Mass | None
    method: str  # rpe_chart | formula_mean | none

    @property
    def best(self) -> Mass | None:
        if self.rpe_chart is not None:
            return self.rpe_chart
        if self.epley is not None and self.brzycki is not None:
            return Mass((self.epley.si + self.brzycki.si) / 2)
        return None

    def as_dict(self) -> dict[str, float | str | None]:
        def kg(m: Mass | None) -> float | None:
            return None if m is None else round(m.kg, 2)

        best = self.best
        return {
            "epley_kg": kg(self.epley),
            "brzycki_kg": kg(self.brzycki),
            "rpe_chart_kg": kg(self.rpe_chart),
            "e1rm_kg": kg(best),
            "method": self.method,
        }


def estimate(load: Mass, reps: int, rpe: float | None = None) -> Estimate:
    """Every applicable estimate for `reps` at `load` (and `rpe` when known)."""
    if reps < 1 or load.kg <= 0:
        return Estimate(None, None, None, "none")
    ep = epley(load, reps) if reps <= MAX_FORMULA_REPS else None
    bz = brzycki(load, reps) if reps <= MAX_FORMULA_REPS else None
    chart_est = None
    if rpe is not None and rpe >= MIN_CHART_RPE and reps <= rpe_chart.MAX_REPS:
        chart_est = from_rpe(load, reps, rpe)
    method = "rpe_chart" if chart_est is not None else ("formula_mean" if ep is not None else "none")
    return Estimate(ep, bz, chart_est, method)


def e1rm_kg(load_kg: float, reps: int, rpe: float | None = None) -> float | None:
    """The tracked e1RM in kg for a stored set (what `training_sets.e1rm_kg` holds)."""
    best = estimate(Mass.kgs(load_kg), reps, rpe).best
    return None if best is None else round(best.kg, 2)
