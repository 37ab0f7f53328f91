"""Typed physical quantities, so a kg can never be added to a lb by accident.

Each quantity stores one canonical SI value and converts only through named constructors and
properties. Domain code passes `Mass`, `Volume`, `Energy`, `Length`, `Velocity` around; floats without
a unit stop at the edges (parsers, storage columns whose names carry the unit, e.g. `mass_kg`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Self

LB_KG = 0.45359237
OZ_G = 28.349523125
KCAL_KJ = 4.184
INCH_M = 0.0254
FLOZ_ML = 29.5735295625


@dataclass(frozen=True, order=True, slots=True)
class _Quantity:
    """A non-negative-or-signed amount in the canonical unit of its dimension."""

    si: float
    canonical: ClassVar[str] = ""
    factors: ClassVar[dict[str, float]] = {}

    @classmethod
    def of(cls, value: float, unit: str) -> Self:
        """Build from a value in any unit this dimension knows (case-insensitive aliases)."""
        key = unit.strip().lower()
        if key not in cls.factors:
            raise UnitError(f"'{unit}' is not a unit of {cls.__name__.lower()} ({', '.join(cls.units())})")
        return cls(float(value) * cls.factors[key])

    def to(self, unit: str) -> float:
        key = unit.strip().lower()
        if key not in self.factors:
            raise UnitError(f"'{unit}' is not a unit of {type(self).__name__.lower()}")
        return self.si / self.factors[key]

    @classmethod
    def units(cls) -> list[str]:
        return sorted(cls.factors)

    def __add__(self, other: Self) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return type(self)(self.si + other.si)

    def __sub__(self, other: Self) -> Self:
        if type(other) is not type(self):
            return NotImplemented
        return type(self)(self.si - other.si)

    def __mul__(self, k: float) -> Self:
        if isinstance(k, _Quantity):
            return NotImplemented
        return type(self)(self.si * float(k))

    __rmul__ = __mul__

    def __truediv__(self, k: float) -> Self:
        if isinstance(k, _Quantity):
            return NotImplemented
        return type(self)(self.si / float(k))


class UnitError(ValueError):
    """A unit that does not exist or belongs to another dimension."""


@dataclass(frozen=True, order=True, slots=True)
class Mass(_Quantity):
    """Mass; canonical unit kilogram."""

    canonical: ClassVar[str] = "kg"
    factors: ClassVar[dict[str, float]] = {
        "kg": 1.0, "kgs": 1.0, "kilo": 1.0, "kilos": 1.0, "kilogram": 1.0, "kilograms": 1.0,
        "g": 1e-3, "gram": 1e-3, "grams": 1e-3, "gr": 1e-3, "mg": 1e-6,
        "lb": LB_KG, "lbs": LB_KG, "pound": LB_KG, "pounds": LB_KG,
        "oz": OZ_G / 1000, "ounce": OZ_G / 1000, "ounces": OZ_G / 1000,
        "st": 14 * LB_KG, "stone": 14 * LB_KG,
    }  # fmt: skip

    @property
    def kg(self) -> float:
        return self.si

    @property
    def g(self) -> float:
        return self.si * 1000

    @property
    def lb(self) -> float:
        return self.si / LB_KG

    @classmethod
    def kgs(cls, v: float) -> Mass:
        return cls(float(v))

    @classmethod
    def grams(cls, v: float) -> Mass:
        return cls(float(v) / 1000)

    @classmethod
    def pounds(cls, v: float) -> Mass:
        return cls(float(v) * LB_KG)


@dataclass(frozen=True, order=True, slots=True)
class Volume(_Quantity):
    """Volume; canonical unit millilitre (food labels speak ml, not m³)."""

    canonical: ClassVar[str] = "ml"
    factors: ClassVar[dict[str, float]] = {
        "ml": 1.0, "millilitre": 1.0, "milliliter": 1.0, "millilitres": 1.0, "milliliters": 1.0,
        "cl": 10.0, "dl": 100.0, "l": 1000.0, "litre": 1000.0, "liter": 1000.0, "litres": 1000.0,
        "liters": 1000.0, "fl oz": FLOZ_ML, "floz": FLOZ_ML, "cup_us": 236.5882365,
        "tbsp": 14.78676478125, "tsp": 4.92892159375,
    }  # fmt: skip

    @property
    def ml(self) -> float:
        return self.si

    @classmethod
    def millilitres(cls, v: float) -> Volume:
        return cls(float(v))


@dataclass(frozen=True, order=True, slots=True)
class Energy(_Quantity):
    """Food energy; canonical unit kilocalorie."""

    canonical: ClassVar[str] = "kcal"
    factors: ClassVar[dict[str, float]] = {
        "kcal": 1.0, "cal": 1.0, "calorie": 1.0, "calories": 1.0, "kilocalorie": 1.0, "kilocalories": 1.0,
        "kj": 1 / KCAL_KJ, "kilojoule": 1 / KCAL_KJ, "kilojoules": 1 / KCAL_KJ,
    }  # fmt: skip

    @property
    def kcal(self) -> float:
        return self.si

    @property
    def kj(self) -> float:
        return self.si * KCAL_KJ

    @classmethod
    def kcals(cls, v: float) -> Energy:
        return cls(float(v))

    @classmethod
    def kilojoules(cls, v: float) -> Energy:
        return cls(float(v) / KCAL_KJ)


@dataclass(frozen=True, order=True, slots=True)
class Length(_Quantity):
    """Length; canonical unit metre."""

    canonical: ClassVar[str] = "m"
    factors: ClassVar[dict[str, float]] = {
        "m": 1.0, "metre": 1.0, "meter": 1.0, "metres": 1.0, "meters": 1.0,
        "cm": 0.01, "mm": 0.001, "km": 1000.0,
        "in": INCH_M, "inch": INCH_M, "inches": INCH_M, "ft": 12 * INCH_M, "foot": 12 * INCH_M,
        "feet": 12 * INCH_M, "mi": 1609.344, "mile": 1609.344, "miles": 1609.344,
    }  # fmt: skip

    @property
    def m(self) -> float:
        return self.si

    @property
    def mm(self) -> float:
        return self.si * 1000


@dataclass(frozen=True, order=True, slots=True)
class Velocity(_Quantity):
    """Speed; canonical unit metre per second (bar speed)."""

    canonical: ClassVar[str] = "m/s"
    factors: ClassVar[dict[str, float]] = {
        "m/s": 1.0, "mps": 1.0, "cm/s": 0.01, "km/h": 1 / 3.6, "kph": 1 / 3.6, "mph": 0.44704,
        "ft/s": 12 * INCH_M,
    }  # fmt: skip

    @property
    def m_s(self) -> float:
        return self.si


DIMENSIONS: tuple[type[_Quantity], ...] = (Mass, Volume, Energy, Length, Velocity)

# Temperature is affine, not a scale factor: handled on its own.
_TEMP = {"c": "c", "°c": "c", "celsius": "c", "f": "f", "°f": "f", "fahrenheit": "f", "k": "k", "kelvin": "k"}


def dimension_of(unit: str) -> type[_Quantity] | None:
    """The quantity class that knows `unit`, or None."""
    key = unit.strip().lower()
    for dim in DIMENSIONS:
        if key in dim.factors:
            return dim
    return None


@dataclass(frozen=True, slots=True)
class Conversion:
    """The result of converting one value between two units of the same dimension."""

    value: float
    from_unit: str
    result: float
    to_unit: str
    dimension: str


def convert(value: float, from_unit: str, to_unit: str) -> Conversion:
    """Convert `value` between units; raises UnitError on unknown or mismatched units."""
    f, t = from_unit.strip().lower(), to_unit.strip().lower()
    if f in _TEMP and t in _TEMP:
        return Conversion(value, from_unit, _convert_temperature(value, _TEMP[f], _TEMP[t]), to_unit, "temperature")
    src, dst = dimension_of(f), dimension_of(t)
    if src is None:
        raise UnitError(f"I don't know the unit '{from_unit}'.")
    if dst is None:
        raise UnitError(f"I don't know the unit '{to_unit}'.")
    if src is not dst:
        raise UnitError(f"Can't convert {src.__name__.lower()} ({from_unit}) to {dst.__name__.lower()} ({to_unit}).")
    return Conversion(value, from_unit, src.of(value, f).to(t), to_unit, src.__name__.lower())


def _convert_temperature(v: float, f: str, t: str) -> float:
    kelvin = {"c": v + 273.15, "f": (v - 32) * 5 / 9 + 273.15, "k": v}[f]
    return {"c": kelvin - 273.15, "f": (kelvin - 273.15) * 9 / 5 + 32, "k": kelvin}[t]


_UNIT_ALT = "|".join(
    sorted(
        {re.escape(u) for dim in DIMENSIONS for u in dim.factors if " " not in u} | set(map(re.escape, _TEMP)),
        key=len,
        reverse=True,
    )
)
_CONVERT_RE = re.compile(
    rf"(?P<value>-?\d+(?:[.,]\d+)?)\s*(?P<from>{_UNIT_ALT})\b\s*(?:to|in|into|as|=|->)\s*(?P<to>{_UNIT_ALT})\b",
    re.IGNORECASE,
)


def parse_conversion(text: str) -> tuple[float, str, str] | None:
    """Find 'N unit to unit' in free text (e.g. 'how much is 225 lb in kg?')."""
    m = _CONVERT_RE.search(text)
    if not m:
        return None
    return float(m["value"].replace(",", ".")), m["from"], m["to"]
