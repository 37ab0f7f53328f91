"""Open Food Facts product JSON -> a `Food` with clean numbers, plus plausibility flags.

Real OFF data is messy: energy only in kJ, numbers as strings with comma decimals, values given per
serving instead of per 100 g, liquids per 100 ml, `serving_size` as free text ("1 can (330 ml)",
"Un biscuit (12,5 g)"), sugars above carbohydrates, kcal fields that hold kJ, or no nutrition at all
(and newer dumps carry a `nutrition` object instead of `nutriments`). We normalise what can be
trusted, and FLAG the rest with a confidence instead of dropping the product: the person still sees
it, with a warning, and decides.
"""

from __future__ import annotations

import re
from typing import Any

from nutrition.foods import Food, Measure
from nutrition.nutrients import FIELDS, Nutrients
from powerforge.units import KCAL_KJ

# Our field -> OFF nutriment key (values in g unless noted).
OFF_KEYS = {
    "protein_g": "proteins",
    "carbs_g": "carbohydrates",
    "fat_g": "fat",
    "fiber_g": "fiber",
    "sugars_g": "sugars",
    "sat_fat_g": "saturated-fat",
}
SALT_PER_SODIUM = 2.5  # OFF derives salt = 2.5 x sodium
FIELDS_WANTED = [
    "code",
    "product_name",
    "product_name_en",
    "generic_name",
    "brands",
    "quantity",
    "product_quantity",
    "product_quantity_unit",
    "serving_size",
    "serving_quantity",
    "serving_quantity_unit",
    "nutrition_data_per",
    "nutriments",
    "nutrition",
    "no_nutrition_data",
    "lang",
]

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_AMOUNT_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(kg|g|gr|mg|ml|cl|dl|l|oz|fl\.?\s*oz)\b", re.I)
_TO_BASE = {"kg": 1000.0, "g": 1.0, "gr": 1.0, "mg": 0.001, "ml": 1.0, "cl": 10.0, "dl": 100.0, "l": 1000.0}


def number(value: Any) -> float | None:
    """OFF numbers come as floats, ints, '0.22', '12,5', '<0.5', '' or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = _NUMBER.search(str(value))
    return float(m.group(0).replace(",", ".")) if m else None


def amount_in_text(text: str | None) -> tuple[float, str] | None:
    """The last 'N unit' in a label text, in g or ml: '1 can (330 ml)' -> (330, 'ml'); '21,67 g' -> (21.67, 'g')."""
    if not text:
        return None
    found = _AMOUNT_UNIT.findall(str(text))
    if not found:
        return None
    value, unit = found[-1]
    unit = unit.lower().replace(" ", "").replace(".", "")
    v = float(value.replace(",", "."))
    if unit in ("oz",):
        return v * 28.349523125, "g"
    if unit == "floz":
        return v * 29.5735295625, "ml"
    return v * _TO_BASE[unit], ("ml" if unit in ("ml", "cl", "dl", "l") else "g")


_MULTIPACK = re.compile(r"(\d+)\s*[x×*]\s*(\d+(?:[.,]\d+)?)\s*(kg|g|gr|mg|ml|cl|dl|l|oz|fl\.?\s*oz)\b", re.I)


def _to_base(value: float, unit: str) -> tuple[float, str]:
    unit = unit.lower().replace(" ", "").replace(".", "")
    if unit == "oz":
        return value * 28.349523125, "g"
    if unit == "floz":
        return value * 29.5735295625, "ml"
    return value * _TO_BASE[unit], ("ml" if unit in ("ml", "cl", "dl", "l") else "g")


def package_amount(product: dict[str, Any]) -> tuple[float, str] | None:
    """The net content of the whole package, in g or ml.

    OFF's `product_quantity` (with `product_quantity_unit`) is the stated net quantity when present.
    Otherwise the `quantity` text is read for its largest amount, a multipack "3 x 60 g" counting as
    180 g: labels put the total first and the parts after it ("180g (3x60g)", "240 g (8 x 30 g)"),
    so the last amount in the text is a part, never the package.
    """
    stated = number(product.get("product_quantity"))
    unit = str(product.get("product_quantity_unit") or "").strip().lower()
    text = str(product.get("quantity") or "")
    if stated is not None and stated > 0:
        if unit in _TO_BASE or unit in ("oz", "fl oz", "floz"):
            return _to_base(stated, unit)
        in_text = amount_in_text(text)  # OFF stores product_quantity in g or ml; the text says which
        return stated, in_text[1] if in_text else "g"
    candidates: list[tuple[float, str]] = []
    for count, value, u in _MULTIPACK.findall(text):
        amount, base = _to_base(float(value.replace(",", ".")), u)
        candidates.append((amount * int(count), base))
    for value, u in _AMOUNT_UNIT.findall(text):
        candidates.append(_to_base(float(value.replace(",", ".")), u))
    if not candidates:
        return None
    first = _AMOUNT_UNIT.search(text)
    base = _to_base(1.0, first.group(2))[1] if first else candidates[0][1]  # "500 ml (510 g)": the first unit rules
    return max((c for c in candidates if c[1] == base), key=lambda c: c[0])


def _from_nutrition_schema(product: dict[str, Any]) -> dict[str, Any]:
    """Newer products (schema 1003) carry `nutrition.aggregated_set`; map it to `nutriments` keys."""
    agg = (product.get("nutrition") or {}).get("aggregated_set") or {}
    per = str(agg.get("per") or "100g")
    out: dict[str, Any] = {}
    suffix = "_100g" if per.startswith("100") else "_serving"
    for name, entry in (agg.get("nutrients") or {}).items():
        if not isinstance(entry, dict):
            continue
        value, unit = number(entry.get("value")), str(entry.get("unit") or "g").lower()
        if value is None:
            continue
        if unit == "mg":
            value /= 1000
        elif unit in ("µg", "mcg", "ug"):
            value /= 1e6
        if name == "energy-kcal" or (name == "energy" and unit == "kcal"):
            out["energy-kcal" + suffix] = value
        elif name in ("energy-kj", "energy"):
            out["energy-kj" + suffix] = value
        else:
            out[name + suffix] = value
    if per == "serving":
        out["_per"] = "serving"
    return out


def _basis(product: dict[str, Any]) -> str:
    """'ml' for drinks (quantity or serving in ml/l), else 'g'."""
    unit = str(product.get("product_quantity_unit") or "").lower()
    if unit in ("ml", "l", "cl"):
        return "ml"
    if unit == "g":
        return "g"
    for text in (product.get("quantity"), product.get("serving_size")):
        found = amount_in_text(text)
        if found:
            return found[1]
    return "g"


def normalise_product(product: dict[str, Any], code: str) -> Food:
    """One OFF product -> a Food (per 100 g or 100 ml) with flags and a confidence in [0, 1]."""
    flags: list[str] = []
    nutriments = dict(product.get("nutriments") or {})
    if not nutriments and product.get("nutrition"):
        nutriments = _from_nutrition_schema(product)
    basis = _basis(product)
    serving = amount_in_text(product.get("serving_size"))
    serving_qty = number(product.get("serving_quantity"))
    if serving_qty is None and serving is not None:
        serving_qty = serving[0]
    per_serving_only = str(product.get("nutrition_data_per") or nutriments.get("_per") or "100g") == "serving"

    def per100(key: str) -> float | None:
        v = number(nutriments.get(f"{key}_100g"))
        if v is None and serving_qty:
            s = number(nutriments.get(f"{key}_serving"))
            if s is not None:
                v = s * 100.0 / serving_qty
                if "per_serving_converted" not in flags:
                    flags.append("per_serving_converted")
        if v is None and not per_serving_only:
            v = number(nutriments.get(key))  # some old records only have the bare value (per 100 g)
        return v

    values: dict[str, float | None] = {f: per100(k) for f, k in OFF_KEYS.items()}
    sodium = per100("sodium")
    if sodium is None:
        salt = per100("salt")
        sodium = None if salt is None else salt / SALT_PER_SODIUM
    values["sodium_mg"] = None if sodium is None else sodium * 1000.0

    kcal = per100("energy-kcal")
    kj = per100("energy-kj")
    if kj is None:
        # `energy_100g` is kJ in OFF; `energy_unit` tells what the producer typed, not this field's unit
        kj = per100("energy")
    macros = Nutrients(kcal=None, **{k: v for k, v in values.items() if k != "sodium_mg"})
    atwater = macros.atwater_kcal()
    # 2019-2020 records sometimes copied kJ into energy-kcal: equal numbers, and kJ/4.184 fits the macros better
    copied = kcal is not None and kj is not None and kcal > 0 and abs(kcal - kj) < 0.5 and kj > 20
    if (
        copied
        and kcal is not None
        and kj is not None
        and (atwater is None or abs(kj / KCAL_KJ - atwater) < abs(kcal - atwater))
    ):
        kcal = kj / KCAL_KJ
        flags.append("kcal_held_kj")
    if kcal is None and kj is not None:
        kcal = kj / KCAL_KJ
        flags.append("kcal_from_kj")
    values["kcal"] = kcal

    per100_nutrients = Nutrients(**{f: values.get(f) for f in FIELDS})
    flags += plausibility_flags(per100_nutrients, basis)
    confidence = confidence_from(flags)
    name = str(product.get("product_name_en") or product.get("product_name") or product.get("generic_name") or "")
    brand = str(product.get("brands") or "").split(",")[0].strip()
    measures: list[Measure] = []
    if serving_qty and serving_qty > 0:
        label = str(product.get("serving_size") or "serving").strip()
        measures.append(Measure(f"serving ({label})" if label != "serving" else "serving", serving_qty))
    package = package_amount(product)
    part = _MULTIPACK.search(str(product.get("quantity") or ""))
    if part and package and int(part.group(1)) > 1:  # "24 x 330 ml": one item of the pack is a measure too
        each = _to_base(float(part.group(2).replace(",", ".")), part.group(3))
        if each[1] == basis and 0 < each[0] < package[0]:
            measures.append(Measure(f"item ({part.group(2)} {part.group(3)}, 1 of {part.group(1)})", each[0]))
    if package and package[1] == basis and package[0] > 0:
        measures.append(Measure(f"package ({product.get('quantity')})", package[0]))
    return Food(
        ref=f"off:{code}",
        name=name.strip() or f"Product {code}",
        per100=per100_nutrients,
        basis="ml" if basis == "ml" else "g",
        measures=tuple(measures),
        brand=brand,
        source="off",
        default_measure="serving" if measures and measures[0].name.startswith("serving") else None,
        serving_text=str(product.get("serving_size") or ""),
        confidence=confidence,
        flags=tuple(flags),
    )


def plausibility_flags(n: Nutrients, basis: str = "g") -> list[str]:
    """wger's checks, as flags: impossible macros, parts above wholes, energy that disagrees with macros."""
    flags: list[str] = []
    if all(v is None for _, v in n.items()):
        return ["no_nutrition_data"]
    if n.kcal is None:
        flags.append("energy_missing")
    for f in ("protein_g", "carbs_g", "fat_g", "fiber_g", "sugars_g", "sat_fat_g"):
        v = getattr(n, f)
        if v is not None and (v < 0 or v > 100):
            flags.append(f"{f}_out_of_range")
    if n.sat_fat_g is not None and n.fat_g is not None and n.sat_fat_g > n.fat_g + 0.1:
        flags.append("sat_fat_above_fat")
    if n.sugars_g is not None and n.carbs_g is not None and n.sugars_g > n.carbs_g + 0.1:
        flags.append("sugars_above_carbs")
    macros = [v for v in (n.protein_g, n.carbs_g, n.fat_g) if v is not None]
    if macros and sum(macros) > 105:
        flags.append("macros_above_100g")
    atwater = n.atwater_kcal()
    if n.kcal is not None and atwater is not None and abs(n.kcal - atwater) > 0.3 * max(n.kcal, atwater) + 5:
        flags.append("energy_mismatch")
    if n.kcal is not None and n.kcal > 900:
        flags.append("energy_above_900kcal")
    return flags


_PENALTY = {
    "no_nutrition_data": 1.0,
    "energy_missing": 0.5,
    "sugars_above_carbs": 0.25,
    "sat_fat_above_fat": 0.25,
    "macros_above_100g": 0.4,
    "energy_mismatch": 0.3,
    "energy_above_900kcal": 0.4,
    "kcal_from_kj": 0.05,
    "kcal_held_kj": 0.15,
    "per_serving_converted": 0.05,
}
FLAG_TEXT = {
    "no_nutrition_data": "no nutrition facts on Open Food Facts",
    "energy_missing": "no energy value",
    "sugars_above_carbs": "sugars exceed carbohydrates",
    "sat_fat_above_fat": "saturated fat exceeds fat",
    "macros_above_100g": "protein + carbs + fat exceed 100 g per 100 g",
    "energy_mismatch": "energy disagrees with the macros by more than 30 %",
    "energy_above_900kcal": "more than 900 kcal per 100 g",
    "kcal_from_kj": "kcal computed from kJ",
    "kcal_held_kj": "the kcal field held kJ; corrected",
    "per_serving_converted": "values converted from per serving to per 100",
}


def confidence_from(flags: list[str]) -> float:
    penalty = sum(_PENALTY.get(f, 0.3 if f.endswith("_out_of_range") else 0.0) for f in flags)
    return round(max(0.0, 1.0 - penalty), 2)


def describe_flags(flags: tuple[str, ...] | list[str]) -> list[str]:
    return [FLAG_TEXT.get(f, f.replace("_", " ")) for f in flags]
