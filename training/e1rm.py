"""Estimated one-rep max from a set: Epley and Brzycki for ≤ 10 reps, the RPE chart for RPE ≥ 7.

Rep formulas assume the set went to (near) failure and lose accuracy beyond ~10 reps, so they are not
used there; an RPE tells how far from failure the set was, so a set with RPE ≥ 7 is estimated from the
chart (load / %1RM(reps, RPE)), which is the more honest number for sub-maximal sets.

Other apps pick one formula (Strong and Hevy each show a single rep formula), so the same set gives a
different figure there. A person may choose the formula in their profile (`FORMULAS`); every figure
says which method produced it (`method_label`).
"""

from __future__ import annotations

from dataclasses import dataclass

from powerforge.units import Mass
from training import rpe as rpe_chart

MAX_FORMULA_REPS = 10
MIN_CHART_RPE = 7.0
# rpe_table: the RPE chart when RPE ≥ 7, else the mean of Epley and Brzycki (the default);
# mean: always the mean of Epley and Brzycki; epley / brzycki: that formula alone.
FORMULAS = ("rpe_table", "mean", "epley", "brzycki")
DEFAULT_FORMULA = "rpe_table"
METHOD_LABELS = {
    "rpe_chart": "RPE table", "formula_mean": "mean of Epley and Brzycki", "epley": "Epley", "brzycki": "Brzycki",
    "none": "no method applies",
}  # fmt: skip


def method_label(method: str, rpe: float | None = None) -> str:
    """Words for the method that produced a figure ('RPE table at RPE 8', 'mean of Epley and Brzycki')."""
    label = METHOD_LABELS.get(method, method)
    return f"{label} at RPE {rpe:g}" if method == "rpe_chart" and rpe is not None else label


def formula_rule(formula: str | None) -> str:
    """The rule a formula setting follows, in words (shown beside e1RM histories)."""
    f = formula or DEFAULT_FORMULA
    if f == "rpe_table":
        return f"RPE table for sets at RPE ≥ {MIN_CHART_RPE:g}, else the mean of Epley and Brzycki"
    return {"mean": "mean of Epley and Brzycki", "epley": "Epley", "brzycki": "Brzycki"}[f] + " (your setting)"


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

    def pick(self, formula: str | None = None) -> tuple[Mass | None, str]:
        """The figure a formula setting gives for this set, with the method that produced it."""
        f = formula or DEFAULT_FORMULA
        if f not in FORMULAS:
            raise ValueError(f"Unknown e1RM formula '{f}'; choose one of {', '.join(FORMULAS)}.")
        if f == "rpe_table":
            return self.best, self.method
        if self.epley is None or self.brzycki is None:  # over 10 reps: no rep formula applies
            return None, "none"
        if f == "mean":
            return Mass((self.epley.si + self.brzycki.si) / 2), "formula_mean"
        return (self.epley, "epley") if f == "epley" else (self.brzycki, "brzycki")

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


def e1rm_kg(load_kg: float, reps: int, rpe: float | None = None, formula: str | None = None) -> float | None:
    """The e1RM in kg for a set; with the default formula, what `training_sets.e1rm_kg` holds."""
    best, _ = estimate(Mass.kgs(load_kg), reps, rpe).pick(formula)
    return None if best is None else round(best.kg, 2)
