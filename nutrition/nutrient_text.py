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


SET_MACROS = r"\b(?:set|new|change|update)\s+(?:my\s+)?(?:daily\s+)?macros(?:\s+to)?\b"  # 'set my macros 200p 250c 70f'


def parse_stated_targets(text: str) -> dict[str, float]:
    """Targets stated with their numbers: 'set my protein target to 180 g', 'goal 2500 kcal and 200 g carbs'."""
    if not re.search(r"\b(target|goal)s?\b|" + SET_MACROS, text, re.I):
        return {}
    out: dict[str, float] = {}
    for m in _STATED_A.finditer(text):
        out.setdefault(_NUTRIENT_WORDS[m.group(1).lower()], float(m.group(2).replace(",", ".")))
    for m in _STATED_B.finditer(text):
        energy_unit = (m.group(2) or "").lower().startswith(("kcal", "cal"))
        field = "kcal" if energy_unit else _NUTRIENT_WORDS[m.group(3).lower()]
        out.setdefault(field, float(m.group(1).replace(",", ".")))
    for m in _STATED_PCF.finditer(text):
        out.setdefault(_PCF[m.group(2).lower()], float(m.group(1)))
    return out


_STATED_PCF = re.compile(r"(?<![\w.])(\d{2,4})\s*([pcf])\b", re.I)  # '190p 250c 70f' (protein, carbs, fat)
_PCF = {"p": "protein_g", "c": "carbs_g", "f": "fat_g"}
# a target changed by a verb, no word "target" needed: 'bump my protein up to 200g', 'drop my daily calories to 2100'
_CHANGE = re.compile(
    rf"\b(?:set|raise|lower|bump|drop|change|increase|reduce|put|move)\s+(?:my\s+)?(?:daily\s+)?({_NW})"
    r"(?:\s+(?:target|goal|intake|limit))?\s+(?:up\s+|down\s+|back\s+)?to\s+(\d{2,5}(?:[.,]\d)?)\s*"
    r"(g|grams?|kcal|cals?|calories)?(?:\s*(?:a|per|each)\s+day)?\s*[.!]*\s*$",
    re.I,
)
# calories a day the person means to eat: 'I'd like to be eating 2300 a day', 'want to eat 1900 kcal per day'
_EAT_A_DAY = re.compile(
    r"^\s*(?:i\s*(?:'d|would)\s+like|i\s+(?:want|wanna|plan|need|mean)|i'?m\s+(?:going|aiming|planning))"
    r"\s+(?:to\s+)?(?:eat|be\s+eating|have|hit|stick\s+to|stay\s+(?:at|on)|aim\s+for|consume)\s+"
    r"(?:about\s+|around\s+|roughly\s+)?(\d{3,5})\s*(?:kcal|cals?|calories)?\s*(?:a|per|each|every)\s+day\b[^?]*$",
    re.I,
)


def parse_target_change(text: str) -> dict[str, float]:
    """A daily target the person sets in their own words, without the word 'target'.

    'increase carbs to 300 grams' → {'carbs_g': 300}; 'I plan to stick to 2300 kcal a day' → {'kcal': 2300}.
    Only whole statements count (a question or a food line is not a target).
    """
    if m := _CHANGE.search(text.strip()):
        unit = (m.group(3) or "").lower()
        word = _NUTRIENT_WORDS[m.group(1).lower()]
        if word == "kcal" and unit.startswith("g"):
            return {}
        return {word: float(m.group(2).replace(",", "."))}
    if m := _EAT_A_DAY.search(text):
        return {"kcal": float(m.group(1))}
    return {}
