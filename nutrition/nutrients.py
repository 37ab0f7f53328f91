"""Nutrient values and their arithmetic: scaling per-100 values to an amount, summing a day.

A missing value (None) stays missing through scaling and is skipped in sums, so "sugars unknown"
never turns into a confident "0 g sugars" on one entry; a sum is None only when every part is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from powerforge.units import Energy

FIELDS = ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g", "sugars_g", "sat_fat_g", "sodium_mg")
LABELS = {
    "kcal": "kcal",
    "protein_g": "Protein",
    "carbs_g": "Carbs",
    "fat_g": "Fat",
    "fiber_g": "Fibre",
    "sugars_g": "Sugars",
    "sat_fat_g": "Sat fat",
    "sodium_mg": "Sodium",
}
UNITS = {"kcal": "kcal", "sodium_mg": "mg"} | {f: "g" for f in FIELDS if f.endswith("_g")}


@dataclass(frozen=True, slots=True)
class Nutrients:
    """Energy (kcal), macros and fibre/sugars/saturated fat (g), sodium (mg) for some amount of food."""

    kcal: float | None = None
    protein_g: float | None = None
    carbs_g: float | None = None
    fat_g: float | None = None
    fiber_g: float | None = None
    sugars_g: float | None = None
    sat_fat_g: float | None = None
    sodium_mg: float | None = None

    @property
    def energy(self) -> Energy:
        return Energy.kcals(self.kcal or 0.0)

    def scaled(self, factor: float) -> Nutrients:
        """These values times `factor` (per-100 g values x grams/100)."""
        return Nutrients(**{f: (None if v is None else v * factor) for f, v in self.items()})

    def __add__(self, other: Nutrients) -> Nutrients:
        if not isinstance(other, Nutrients):
            return NotImplemented
        out: dict[str, float | None] = {}
        for f in FIELDS:
            a, b = getattr(self, f), getattr(other, f)
            out[f] = None if a is None and b is None else (a or 0.0) + (b or 0.0)
        return Nutrients(**out)

    def __sub__(self, other: Nutrients) -> Nutrients:
        if not isinstance(other, Nutrients):
            return NotImplemented
        out: dict[str, float | None] = {}
        for f in FIELDS:
            a, b = getattr(self, f), getattr(other, f)
            out[f] = None if a is None else a - (b or 0.0)
        return Nutrients(**out)

    def items(self) -> list[tuple[str, float | None]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def rounded(self, ndigits: int = 1) -> Nutrients:
        return Nutrients(**{f: (None if v is None else round(v, ndigits)) for f, v in self.items()})

    def as_dict(self) -> dict[str, float | None]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> Nutrients:
        """From a dict with our field names (extra keys ignored, non-numbers become None)."""
        data = data or {}
        out: dict[str, float | None] = {}
        for f in FIELDS:
            v = data.get(f)
            try:
                out[f] = None if v is None or v == "" else float(v)
            except (TypeError, ValueError):
                out[f] = None
        return cls(**out)

    def atwater_kcal(self) -> float | None:
        """Energy implied by the macros (4P + 4C + 9F + 2 fibre), for plausibility checks."""
        if self.protein_g is None or self.carbs_g is None or self.fat_g is None:
            return None
        return 4 * self.protein_g + 4 * self.carbs_g + 9 * self.fat_g + 2 * (self.fiber_g or 0.0)


ZERO = Nutrients(*(0.0 for _ in FIELDS))


def total(values: list[Nutrients]) -> Nutrients:
    """The sum of a list (an empty list sums to all-None)."""
    out = Nutrients()
    for v in values:
        out = out + v
    return out


def fmt(value: float | None, field: str = "kcal") -> str:
    """A value as the user reads it: kcal and mg whole, grams to one decimal, '—' when unknown."""
    if value is None:
        return "—"
    if field in ("kcal", "sodium_mg"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"
