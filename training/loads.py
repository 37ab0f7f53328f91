"""From a load spec to kilograms on the bar: %1RM, %training max, RPE/RIR through the chart, absolute.

Maxes are the person's (stated, tested or estimated); a training max defaults to the program's
percentage of the 1RM (90 % in 5/3/1). Every computed load is rounded to what their plates can make.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from powerforge.units import Mass, UnitError
from training import rpe as rpe_chart
from training.library import Exercise
from training.model import LoadKind, LoadSpec
from training.plates import Equipment, round_load


class LoadSpecError(ValueError):
    """Text that does not describe a load."""


_PCT = re.compile(r"^(?P<v>\d+(?:[.,]\d+)?)\s*%\s*(?P<of>1\s*rm|tm|training max|of (?:1rm|max|tm|training max))?$")
_RPE = re.compile(r"^(?:@\s*|rpe\s*@?\s*)(?P<v>\d+(?:[.,]5)?)$|^(?P<v2>\d+(?:[.,]5)?)\s*rpe$")
_RIR = re.compile(r"^(?:rir\s*(?P<v>\d+(?:[.,]5)?)|(?P<v2>\d+(?:[.,]5)?)\s*rir)$")
_VEL = re.compile(r"^(?P<v>\d*[.,]?\d+)\s*(?:m/s|mps|ms)$")
_MASS = re.compile(r"^(?P<v>\d+(?:[.,]\d+)?)\s*(?P<u>kg|kgs|kilos?|lb|lbs|pounds?)?$")
_BW = re.compile(r"^(?:bw|body\s*weight|bodyweight)(?:\s*\+\s*(?P<v>\d+(?:[.,]\d+)?)\s*(?P<u>kg|kgs|lb|lbs)?)?$")


def _f(s: str) -> float:
    return float(s.replace(",", "."))


def parse_load_spec(text: str, default_unit: str = "kg") -> LoadSpec:
    """'75%', '70% TM', 'RPE 8', '@8', '2 RIR', '100 kg', '225 lb', '0.8 m/s', 'BW', 'BW+20kg' → LoadSpec."""
    t = " ".join(text.strip().lower().split())
    if m := _PCT.match(t):
        of = (m["of"] or "").replace(" ", "")
        kind: LoadKind = "pct_tm" if "tm" in of or "training" in of else "pct_1rm"
        return LoadSpec(kind=kind, value=_f(m["v"]))
    if m := _RPE.match(t):
        return LoadSpec(kind="rpe", value=_f(m["v"] or m["v2"]))
    if m := _RIR.match(t):
        return LoadSpec(kind="rir", value=_f(m["v"] or m["v2"]))
    if m := _VEL.match(t):
        return LoadSpec(kind="velocity", value=_f(m["v"]))
    if m := _BW.match(t):
        extra = Mass.of(_f(m["v"]), m["u"] or default_unit).kg if m["v"] else 0.0
        return LoadSpec(kind="bodyweight", value=round(extra, 3))
    if m := _MASS.match(t):
        try:
            return LoadSpec.absolute(Mass.of(_f(m["v"]), m["u"] or default_unit))
        except UnitError as e:  # pragma: no cover - the regex only lets known units through
            raise LoadSpecError(str(e)) from e
    raise LoadSpecError(f"'{text}' is not a load I understand (try 75%, 70% TM, RPE 8, 2 RIR, 100 kg, BW).")


@dataclass(frozen=True)
class Max:
    """What is known about one lift: a 1RM and/or a training max, both in kg."""

    one_rm_kg: float | None = None
    training_max_kg: float | None = None

    def one_rm(self, tm_pct: float) -> float | None:
        if self.one_rm_kg:
            return self.one_rm_kg
        return self.training_max_kg / (tm_pct / 100) if self.training_max_kg else None

    def training_max(self, tm_pct: float) -> float | None:
        if self.training_max_kg:
            return self.training_max_kg
        return self.one_rm_kg * tm_pct / 100 if self.one_rm_kg else None


@dataclass(frozen=True)
class ComputedLoad:
    """A load to put on the bar (None when code cannot know it) and a note saying why or how."""

    mass: Mass | None
    note: str = ""
    exact_kg: float | None = None  # before rounding to plates

    def label(self, unit: str) -> str:
        if self.mass is None:
            return self.note or "—"
        if self.note in ("bodyweight", "added to bodyweight"):
            v = self.mass.to(unit)
            return "BW" if v <= 0 else f"BW + {v:.2f}".rstrip("0").rstrip(".") + f" {unit}"
        v = self.mass.to(unit)
        return f"{v:.2f}".rstrip("0").rstrip(".") + f" {unit}"


def target_kg(spec: LoadSpec, reps: int, max_: Max | None, tm_pct: float = 90.0) -> tuple[float | None, str]:
    """The unrounded load in kg for `reps` under `spec`, or None with the reason."""
    m = max_ or Max()
    match spec.kind:
        case "kg":
            return spec.value, ""
        case "bodyweight":
            return spec.value, "bodyweight" if not spec.value else "added to bodyweight"
        case "velocity":
            return None, f"a load that moves at {spec.value:g} m/s"
        case "pct_1rm":
            one = m.one_rm(tm_pct)
            return (one * spec.value / 100, "") if one else (None, f"{spec.value:g}% 1RM (needs your max)")
        case "pct_tm":
            tm = m.training_max(tm_pct)
            return (tm * spec.value / 100, "") if tm else (None, f"{spec.value:g}% TM (needs your max)")
        case "rpe" | "rir":
            target_rpe = spec.value if spec.kind == "rpe" else rpe_chart.rir_to_rpe(spec.value)
            one = m.one_rm(tm_pct)
            label = f"RPE {spec.value:g}" if spec.kind == "rpe" else f"{spec.value:g} RIR"
            if reps > rpe_chart.MAX_REPS or not one:
                return None, label
            pct = rpe_chart.percent_1rm(reps, target_rpe, extrapolate=True)
            return one * pct / 100, ""
    return None, ""  # pragma: no cover


def compute_load(
    spec: LoadSpec,
    reps: int,
    exercise: Exercise,
    max_: Max | None,
    equipment: Equipment,
    tm_pct: float = 90.0,
) -> ComputedLoad:
    """The load for one prescription, rounded to the person's plates (bar) or dumbbell/machine steps."""
    kg, note = target_kg(spec, reps, max_, tm_pct)
    if kg is None:
        return ComputedLoad(None, note)
    if spec.kind == "bodyweight":
        return ComputedLoad(Mass.kgs(kg), note, kg)
    if kg <= 0:
        return ComputedLoad(Mass(0.0), note, kg)
    rounded = round_load(Mass.kgs(kg), equipment, barbell=exercise.barbell, equipment=exercise.equipment)
    return ComputedLoad(rounded, note, round(kg, 2))
