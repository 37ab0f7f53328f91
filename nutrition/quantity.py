"""Amounts in free text -> typed quantities: "150g", "1½ cups", "half a", "2 tbsp", "0,5 l", "3 oz".

The model may hand over the words; the number and the unit always come from here. An amount is one
of four kinds: a mass or a volume (converted exactly through `powerforge.units`), a household
measure ("slice", "cup", "medium") that the food's own measure table turns into grams, or a bare
count ("2 eggs"). Numbers accept digits, comma decimals, fractions, unicode fractions, number words
and ranges ("2-3" is the midpoint, flagged approximate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from powerforge.units import Mass, Volume

Kind = Literal["mass", "volume", "measure", "count"]


# Spelling -> canonical unit, per kind. Volume units that are also USDA household measures (cup, tbsp,
# tsp, fl oz) stay volume here; the resolver prefers the food's own gram weight for them.
def _spellings(groups: dict[str, str]) -> dict[str, str]:
    """{'g': 'g|gr|gram'} -> {'g': 'g', 'gr': 'g', 'gram': 'g'} (kept compact and readable)."""
    return {spelling: canon for canon, spellings in groups.items() for spelling in spellings.split("|")}


MASS_UNITS = _spellings({
    "g": "g|gr|grs|gram|grams|gramme|grammes", "kg": "kg|kgs|kilo|kilos|kilogram|kilograms",
    "mg": "mg|milligram|milligrams", "oz": "oz|ounce|ounces", "lb": "lb|lbs|pound|pounds",
})  # fmt: skip
VOLUME_UNITS = _spellings({
    "ml": "ml|mls|millilitre|millilitres|milliliter|milliliters", "cl": "cl|centilitre|centiliter",
    "dl": "dl|decilitre|deciliter", "l": "l|ltr|litre|litres|liter|liters", "cup": "cup|cups|c",
    "tbsp": "tbsp|tbsps|tbs|tbl|tablespoon|tablespoons|tablespoonful|tablespoonfuls",
    "tsp": "tsp|tsps|teaspoon|teaspoons|teaspoonful|teaspoonfuls|spoon|spoons|spoonful|spoonfuls",
    "fl oz": "fl oz|fl. oz|fl.oz|floz|fluid ounce|fluid ounces", "pint": "pint|pints", "quart": "quart|quarts",
    "gallon": "gallon|gallons",
})  # fmt: skip
# Millilitres per volume unit (US customary for cup/spoons/pints, as USDA measures are).
VOLUME_ML = {
    "ml": 1.0, "cl": 10.0, "dl": 100.0, "l": 1000.0, "cup": Volume.of(1, "cup_us").ml,
    "tbsp": Volume.of(1, "tbsp").ml, "tsp": Volume.of(1, "tsp").ml, "fl oz": Volume.of(1, "fl oz").ml,
    "pint": 473.176473, "quart": 946.352946, "gallon": 3785.411784,
}  # fmt: skip

MEASURE_UNITS = _spellings({
    "slice": "slice|slices|rasher|rashers", "piece": "piece|pieces|pc|pcs|each|item|items|unit|units",
    "serving": "serving|servings|portion|portions", "can": "can|cans|tin|tins", "bottle": "bottle|bottles",
    "glass": "glass|glasses", "mug": "mug|mugs", "scoop": "scoop|scoops", "handful": "handful|handfuls",
    "splash": "splash", "dash": "dash", "bowl": "bowl|bowls", "bar": "bar|bars",
    "packet": "packet|packets|pack|packs|sachet", "stick": "stick|sticks", "strip": "strip|strips",
    "fillet": "fillet|fillets", "link": "link|links", "patty": "patty|patties", "clove": "clove|cloves",
    "leaf": "leaf|leaves", "stalk": "stalk|stalks", "pat": "pat|pats", "container": "container|pot|tub",
    "jar": "jar|jars", "box": "box|boxes", "bag": "bag|bags", "small": "small", "medium": "medium|med",
    "large": "large", "extra large": "extra large|xl", "jumbo": "jumbo",
})  # fmt: skip


NUMBER_WORDS = {
    "a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
    "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0, "eleven": 11.0, "twelve": 12.0, "fifteen": 15.0,
    "twenty": 20.0, "dozen": 12.0, "a dozen": 12.0, "half a dozen": 6.0, "half": 0.5, "a half": 0.5,
    "half a": 0.5, "half an": 0.5, "a quarter": 0.25, "a quarter of a": 0.25, "quarter of a": 0.25,
    "third": 1 / 3, "a third": 1 / 3, "a third of a": 1 / 3, "couple": 2.0, "a couple": 2.0,
    "a couple of": 2.0, "a few": 3.0, "few": 3.0, "one and a half": 1.5, "a pair of": 2.0,
}  # fmt: skip

APPROX_WORDS = {"a few", "few", "couple", "a couple", "a couple of"}
UNICODE_FRACTIONS = {
    "½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅛": 0.125, "⅜": 0.375, "⅝": 0.625, "⅞": 0.875,
    "⅕": 0.2, "⅖": 0.4, "⅗": 0.6, "⅘": 0.8, "⅙": 1 / 6, "⅚": 5 / 6,
}  # fmt: skip


class QuantityError(ValueError):
    """An amount we cannot read; the message says what we expected."""


@dataclass(frozen=True, slots=True)
class Amount:
    """How much: `value` of `unit`, of one `kind`. `explicit` is False when the text gave no amount."""

    value: float
    unit: str  # canonical: g/kg/oz/lb/mg, ml/l/cup/tbsp/..., a measure word, or "" for a count
    kind: Kind
    text: str = ""
    explicit: bool = True
    approx: bool = False

    @property
    def mass(self) -> Mass | None:
        return Mass.of(self.value, self.unit) if self.kind == "mass" else None

    @property
    def volume(self) -> Volume | None:
        return Volume.millilitres(self.value * VOLUME_ML[self.unit]) if self.kind == "volume" else None

    def describe(self) -> str:
        """Normalised text ("150 g", "1.5 cup", "2", "1 slice")."""
        v = f"{self.value:g}" if self.value >= 0.1 else f"{self.value:.2g}"
        return f"{v} {self.unit}".strip()


DEFAULT_AMOUNT = Amount(1.0, "serving", "measure", "", explicit=False)


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One food phrase with its amount, as written ("2 eggs" -> food 'eggs', amount 2 x count)."""

    food: str
    amount: Amount
    text: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def _unit_alternation(*tables: dict[str, str]) -> str:
    keys = sorted({k for t in tables for k in t}, key=len, reverse=True)
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys)


_UF = "".join(UNICODE_FRACTIONS)
_WORDS = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in NUMBER_WORDS), key=len, reverse=True))
# A number: "1 1/2", "1½", "1 ½", "1/2", "½", "1.5", "1,5", "1,500", ".5"
_NUM = rf"(?:\d+\s+\d+/\d+|\d+\s*[{_UF}]|\d+/\d+|[{_UF}]|\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d*[.,]\d+|\d+)"
_RANGE = rf"(?:{_NUM})\s*(?:-|–|to)\s*(?:{_NUM})"
_MASS_VOL = _unit_alternation(MASS_UNITS, VOLUME_UNITS)
_MEASURE = _unit_alternation(MEASURE_UNITS)

_LEAD_RE = re.compile(
    rf"""^\s*
    (?P<num>{_RANGE}|{_NUM}|(?:{_WORDS})(?=\s|$))
    (?:\s*(?:x|×)(?=\s))?                                    # "2 x eggs"
    \s*
    (?:(?P<unit>{_MASS_VOL})(?![a-z])\.?|(?P<measure>{_MEASURE})(?![a-z]))?
    (?:\s*\((?P<paren>[^)]*)\))?                                # "1 cup (240 ml)"
    \s*(?:of\s+(?:the\s+)?|-\s*)?
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
# "oats 150g", "coke (330 ml)", "chicken breast x2"
_TRAIL_RE = re.compile(
    rf"""^(?P<rest>.+?)[\s,]*\(?\s*
    (?:(?:x|×)\s*(?P<times>\d+)|(?P<bare>(?<=\s)\d{{1,2}})|(?P<num>{_RANGE}|{_NUM})\s*(?:(?P<unit>{_MASS_VOL})(?![a-z])\.?|(?P<measure>{_MEASURE})(?![a-z])))
    \s*\)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_number(text: str) -> tuple[float, bool]:
    """A number from text (digits, comma decimal, fraction, unicode fraction, word, range).

    Returns (value, approximate). Raises QuantityError when the text holds no number.
    """
    t = " ".join(text.strip().lower().split())
    if not t:
        raise QuantityError("No amount given.")
    range_m = re.fullmatch(rf"({_NUM})\s*(?:-|–|to)\s*({_NUM})", t)
    if range_m:
        lo, _ = parse_number(range_m.group(1))
        hi, _ = parse_number(range_m.group(2))
        return (lo + hi) / 2, True
    if t in NUMBER_WORDS:
        return NUMBER_WORDS[t], t in APPROX_WORDS
    m = re.fullmatch(r"(\d+)\s*([" + _UF + r"])", t)
    if m:
        return int(m.group(1)) + UNICODE_FRACTIONS[m.group(2)], False
    if t in UNICODE_FRACTIONS:
        return UNICODE_FRACTIONS[t], False
    m = re.fullmatch(r"(?:(\d+)\s+)?(\d+)/(\d+)", t)
    if m:
        if int(m.group(3)) == 0:
            raise QuantityError(f"'{text}' divides by zero.")
        whole = int(m.group(1)) if m.group(1) else 0
        return whole + int(m.group(2)) / int(m.group(3)), False
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", t):  # thousands separators: "1,500"
        return float(t.replace(",", "")), False
    if re.fullmatch(r"\d*[.,]\d+|\d+", t):
        return float(t.replace(",", ".")), False
    raise QuantityError(f"'{text}' is not a number I can read (try '150 g', '1.5 cups' or 'half a').")


def _canonical(unit: str | None, measure: str | None) -> tuple[str, Kind]:
    if unit:
        key = " ".join(unit.lower().rstrip(".").split())
        if key in MASS_UNITS:
            return MASS_UNITS[key], "mass"
        return VOLUME_UNITS[key], "volume"
    if measure:
        return MEASURE_UNITS[" ".join(measure.lower().split())], "measure"
    return "", "count"


def _amount(num: str, unit: str | None, measure: str | None, text: str) -> Amount:
    value, approx = parse_number(num)
    canon, kind = _canonical(unit, measure)
    if value < 0:
        raise QuantityError("Amounts can't be negative.")
    return Amount(value, canon, kind, " ".join(text.split()), True, approx)


def parse_amount(text: str) -> Amount:
    """An amount on its own ("150 g", "1 cup", "2", "half"); raises QuantityError otherwise."""
    m = _LEAD_RE.match(text)
    if not m or m.group("rest").strip():
        raise QuantityError(f"'{text}' is not an amount I can read (try '150 g', '250 ml', '1 cup' or '2').")
    return _amount(m.group("num"), m.group("unit"), m.group("measure"), text)


_BARE_UNIT = re.compile(rf"^(?:{_MASS_VOL}|{_MEASURE})\s+of\s", re.IGNORECASE)


def parse_item(text: str) -> ParsedItem:
    """Split one food phrase into (food words, amount); no amount -> 1 serving, marked not explicit."""
    raw = " ".join(text.strip().split())
    if not raw:
        raise QuantityError("Empty food item.")
    if _BARE_UNIT.match(raw):  # "pint of beer", "glass of milk": one of that unit
        item = parse_item("1 " + raw)
        return ParsedItem(item.food, replace(item.amount, text=item.amount.text[2:]), raw)
    m = _LEAD_RE.match(raw)
    glued = (
        m is not None and not (m.group("unit") or m.group("measure")) and raw[m.end("num") : m.end("num") + 1].isalpha()
    )
    if m and m.group("rest").strip() and not glued:  # "7up" is a name, not 7 x "up"
        food = m.group("rest").strip(" ,.-")
        num = m.group("num")
        amount_text = re.sub(r"(?:\s+|^)(?:of(?:\s+the)?|-)$", "", raw[: m.start("rest")].strip(), flags=re.I)
        # "a banana" is a count; "an" / "a" before a unit ("a cup of") is 1 of that unit.
        amount = _amount(num, m.group("unit"), m.group("measure"), amount_text)
        # "2 large eggs": the size word is the measure; "half a large banana" too.
        return ParsedItem(food=food, amount=amount, text=raw)
    t = _TRAIL_RE.match(raw)
    if t:
        food = t.group("rest").strip(" ,.-(")
        if t.group("times") or t.group("bare"):
            n = t.group("times") or t.group("bare")
            amount = Amount(float(n), "", "count", n)
        else:
            amount_text = raw[t.start("num") :].strip(" ()")
            amount = _amount(t.group("num"), t.group("unit"), t.group("measure"), amount_text)
        return ParsedItem(food=food, amount=amount, text=raw)
    return ParsedItem(food=raw.strip(" ,.-"), amount=DEFAULT_AMOUNT, text=raw)


__all__ = [
    "DEFAULT_AMOUNT",
    "MASS_UNITS",
    "MEASURE_UNITS",
    "VOLUME_ML",
    "VOLUME_UNITS",
    "Amount",
    "ParsedItem",
    "QuantityError",
    "parse_amount",
    "parse_item",
    "parse_number",
]
