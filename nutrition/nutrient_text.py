"""Nutrient numbers as athletes type them: a label's kcal and macros, and targets stated with their numbers.

Used by the chat tools' fast paths and by anything else that reads such a line (kJ converted to kcal).
"""

from __future__ import annotations

import re

from powerforge.units import KCAL_KJ

_KCAL_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(kcal|cal(?:ories)?|kj)\b", re.I)
_MACRO_RE = {
    "protein_g": re.compile(r"(\d+(?:[.,]\d+)?)\s*g?\s*(?:of\s+)?(?:protein|prot|p)\b", re.I),
    "carbs_g": re.compile(r"(\d+(?:[.,]\d+)?)\s*g?\s*(?:of\s+)?(?:carbs?|carbohydrates?|c)\b", re.I),
    "fat_g": re.compile(r"(\d+(?:[.,]\d+)?)\s*g?\s*(?:of\s+)?(?:fat|fats|f)\b", re.I),
    "fiber_g": re.compile(r"(\d+(?:[.,]\d+)?)\s*g?\s*(?:of\s+)?(?:fib(?:er|re))\b", re.I),
    "sugars_g": re.compile(r"(\d+(?:[.,]\d+)?)\s*g?\s*(?:of\s+)?sugars?\b", re.I),
    "sat_fat_g": re.compile(r"(\d+(?:[.,]\d+)?)\s*g?\s*(?:of\s+)?sat(?:urated)?[\s-]*fat\b", re.I),
    "sodium_mg": re.compile(r"(\d+(?:[.,]\d+)?)\s*mg\s*(?:of\s+)?sodium\b", re.I),
}


def parse_nutrient_text(text: str) -> dict[str, float]:
    """'450 kcal 30 g protein 40g carbs' -> {'kcal': 450, 'protein_g': 30, 'carbs_g': 40} (kJ converted)."""
    out: dict[str, float] = {}
    if m := _KCAL_RE.search(text):
        v = float(m.group(1).replace(",", "."))
        out["kcal"] = v / KCAL_KJ if m.group(2).lower() == "kj" else v
    scrubbed = re.sub(r"sat(?:urated)?[\s-]*fat", "SATFAT", text, flags=re.I)
    for field, pattern in _MACRO_RE.items():
        source = text if field == "sat_fat_g" else scrubbed
        if m := pattern.search(source):
            out[field] = float(m.group(1).replace(",", "."))
    return out


_NUTRIENT_WORDS = {"kcal": "kcal", "cal": "kcal", "calorie": "kcal", "calories": "kcal", "protein": "protein_g",
                   "carb": "carbs_g", "carbs": "carbs_g", "carbohydrate": "carbs_g", "carbohydrates": "carbs_g",
                   "fat": "fat_g", "fats": "fat_g", "fibre": "fiber_g", "fiber": "fiber_g"}  # fmt: skip
_NW = "|".join(sorted(_NUTRIENT_WORDS, key=len, reverse=True))
_STATED_A = re.compile(rf"\b({_NW})\s+(?:target|goal)s?\s*(?:to|is|of|at|=|:|should be)?\s*(\d{{2,5}}(?:[.,]\d)?)\s*"
                       r"(g|grams?|kcal|cals?|calories)?\b", re.I)  # fmt: skip
_STATED_B = re.compile(rf"\b(\d{{2,5}}(?:[.,]\d)?)\s*(g|grams?|kcal|cals?|calories)?\s+(?:of\s+)?({_NW})\b", re.I)


def parse_stated_targets(text: str) -> dict[str, float]:
    """Targets stated with their numbers: 'set my protein target to 180 g', 'goal 2500 kcal and 200 g carbs'."""
    if not re.search(r"\b(target|goal)s?\b", text, re.I):
        return {}
    out: dict[str, float] = {}
    for m in _STATED_A.finditer(text):
        out.setdefault(_NUTRIENT_WORDS[m.group(1).lower()], float(m.group(2).replace(",", ".")))
    for m in _STATED_B.finditer(text):
        energy_unit = (m.group(2) or "").lower().startswith(("kcal", "cal"))
        field = "kcal" if energy_unit else _NUTRIENT_WORDS[m.group(3).lower()]
        out.setdefault(field, float(m.group(1).replace(",", ".")))
    return out
