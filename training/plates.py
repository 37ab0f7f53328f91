"""Plate maths with the lifter's own bar and plates: what to load, and which loads are possible.

A program's 83.7 % of 140 kg is 117.2 kg, which no bar can hold; loads are rounded to what the
person's plates can make. Plates are counted in pairs (one per side) and worked in hundredths of the
setup's own unit, so a 45 lb setup never goes through kg and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from powerforge.units import Mass

METRIC_PLATES = ((25.0, 8), (20.0, 2), (15.0, 2), (10.0, 2), (5.0, 2), (2.5, 2), (1.25, 2))
IMPERIAL_PLATES = ((45.0, 8), (35.0, 2), (25.0, 2), (10.0, 2), (5.0, 2), (2.5, 2))


class PlateError(ValueError):
    """A load the bar and plates cannot make, or a setup that makes no sense."""


@dataclass(frozen=True)
class Equipment:
    """A lifter's bar, plates (weight, pairs) and the steps of their dumbbells and machines."""

    unit: str = "kg"  # kg | lb: the unit the plates are stamped in
    bar: float = 20.0
    plates: tuple[tuple[float, int], ...] = METRIC_PLATES
    collars: float = 0.0  # both collars together
    dumbbell_step: float = 2.0
    machine_step: float = 2.5

    def __post_init__(self) -> None:
        if self.unit not in ("kg", "lb"):
            raise PlateError("Plates are in kg or lb.")
        if not 0 <= self.bar <= 60 * (2.2 if self.unit == "lb" else 1):
            raise PlateError(f"A bar of {self.bar:g} {self.unit} is not a real bar.")
        for w, n in self.plates:
            if w <= 0 or n < 0 or w > 60 * (2.3 if self.unit == "lb" else 1):
                raise PlateError(f"A {w:g} {self.unit} plate (×{n} pairs) is not a real plate.")
        if self.dumbbell_step <= 0 or self.machine_step <= 0:
            raise PlateError("Dumbbell and machine steps must be positive.")

    @classmethod
    def default(cls, unit: str = "kg") -> Equipment:
        if unit == "lb":
            return cls(unit="lb", bar=45.0, plates=IMPERIAL_PLATES, dumbbell_step=5.0, machine_step=5.0)
        return cls()

    def mass(self, value: float) -> Mass:
        return Mass.of(value, self.unit)

    def value(self, mass: Mass) -> float:
        return mass.to(self.unit)

    def as_dict(self) -> dict:
        return {
            "unit": self.unit,
            "bar": self.bar,
            "plates": [list(p) for p in self.plates],
            "collars": self.collars,
            "dumbbell_step": self.dumbbell_step,
            "machine_step": self.machine_step,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Equipment:
        return cls(
            unit=d.get("unit", "kg"),
            bar=float(d.get("bar", 20.0)),
            plates=tuple((float(w), int(n)) for w, n in d.get("plates", METRIC_PLATES)),
            collars=float(d.get("collars", 0.0)),
            dumbbell_step=float(d.get("dumbbell_step", 2.0)),
            machine_step=float(d.get("machine_step", 2.5)),
        )


@dataclass(frozen=True)
class BarLoad:
    """The result of loading a bar: the plates per side and the total they make."""

    target: float  # in `unit`
    total: float  # achieved, in `unit`
    per_side: tuple[float, ...]
    unit: str
    bar: float
    collars: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return abs(self.total - self.target) < 1e-6

    @property
    def mass(self) -> Mass:
        return Mass.of(self.total, self.unit)

    def describe(self) -> str:
        """'61.25 per side: 25 + 25 + 10 + 1.25 (bar 20 kg)' or 'just the bar'."""
        if not self.per_side:
            return f"just the bar ({_n(self.bar)} {self.unit})"
        parts: list[str] = []
        for p in dict.fromkeys(self.per_side):
            n = self.per_side.count(p)
            parts.append(f"{n}×{_n(p)}" if n > 1 else _n(p))
        return f"{' + '.join(parts)} per side (bar {_n(self.bar)} {self.unit})"

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "total": self.total,
            "unit": self.unit,
            "bar": self.bar,
            "per_side": list(self.per_side),
            "exact": self.exact,
            "notes": self.notes,
        }


def _n(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _h(x: float) -> int:
    return round(x * 100)


@lru_cache(maxsize=64)
def _reachable(plates: tuple[tuple[float, int], ...]) -> dict[int, tuple[int, ...]]:
    """Every per-side sum (hundredths) the plates can make → the fewest-plates way to make it."""
    best: dict[int, tuple[int, ...]] = {0: ()}
    for w, pairs in sorted(plates, reverse=True):
        wh = _h(w)
        for _ in range(pairs):
            for total, combo in list(best.items()):
                new = total + wh
                cand = (*combo, wh)
                old = best.get(new)
                # fewest plates; on a tie the heavier plates (25 + 25 + 10 beats 25 + 20 + 15)
                if old is None or (len(cand), sorted(old, reverse=True)) < (len(old), sorted(cand, reverse=True)):
                    best[new] = cand
    return best


def load_bar(target: Mass, eq: Equipment, *, mode: str = "nearest") -> BarLoad:
    """Plates per side for `target` on `eq`'s bar; `mode` nearest|down picks an achievable total."""
    want = eq.value(target)
    base = eq.bar + eq.collars
    if want < base - 1e-6:
        raise PlateError(f"{_n(want)} {eq.unit} is less than the empty bar ({_n(base)} {eq.unit}).")
    side_h = _h((want - base) / 2)
    reach = _reachable(eq.plates)
    if side_h in reach:
        chosen = side_h
    else:
        below = max((s for s in reach if s <= side_h), default=0)
        above = min((s for s in reach if s > side_h), default=None)
        chosen = below if mode == "down" or above is None or side_h - below <= above - side_h else above
    combo = tuple(sorted((c / 100 for c in reach[chosen]), reverse=True))
    total = round(base + 2 * chosen / 100, 4)
    out = BarLoad(round(want, 4), total, combo, eq.unit, eq.bar, eq.collars)
    if not out.exact:
        top = max(reach)
        if side_h > top:
            out.notes.append(f"your plates top out at {_n(base + 2 * top / 100)} {eq.unit}")
        else:
            out.notes.append(f"{_n(want)} {eq.unit} can't be made exactly; closest is {_n(total)} {eq.unit}")
    return out


def round_load(target: Mass, eq: Equipment, *, barbell: bool, equipment: str = "barbell") -> Mass:
    """A load the person can actually set up: plate-exact on a bar, the nearest step elsewhere."""
    if target.kg <= 0:
        return Mass(0.0)
    if barbell:
        if eq.value(target) < eq.bar + eq.collars:
            return eq.mass(eq.bar + eq.collars)
        return load_bar(target, eq).mass
    step = eq.dumbbell_step if equipment in ("dumbbell", "kettlebell") else eq.machine_step
    v = eq.value(target)
    return eq.mass(max(step, round(v / step) * step))
