"""How much food an amount is: "1 cup" of cooked rice -> 158 g, "2 eggs" -> 2 x large (50 g).

Mass converts exactly. A volume uses the food's own measure of that name first (USDA weighed a cup of
cooked rice at 158 g), then a density derived from any of its volume measures, then 1 g/ml for
drinks; anything else asks for grams instead of guessing. Counts and household words ("slice",
"medium", "breast") pick the food's matching measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nutrition.foods import Food, Measure
from nutrition.nutrients import Nutrients
from nutrition.quantity import VOLUME_ML, Amount
from nutrition.text import singular, tokens, wordset

# Measure names are free text in SR24 ("tablespoon", "1 cup (8 fl oz)", "fl oz"); fold the spellings.
_SPELLINGS = [
    (re.compile(r"\btablespoons?\b|\btbs\b"), "tbsp"),
    (re.compile(r"\bteaspoons?\b"), "tsp"),
    (re.compile(r"\bfl\.?\s*oz\b|\bfluid ounces?\b|\blf oz\b"), "fl oz"),
    (re.compile(r"\bcups\b"), "cup"),
    (re.compile(r"\bnlea serving\b"), "serving"),
]
_VOLUME_HEAD = re.compile(r"^(cup|tbsp|tsp|fl oz|quart|pint|ml|liter|litre|l)\b")
_WEIGHT_HEAD = re.compile(r"^(oz|lb|g|kg|gram|ounce|pound)s?\b")
# A bare count picks the first measure whose first word is in this order of preference.
_COUNT_PREFERENCE = tuple(
    "medium|fruit|piece|each|unit|item|whole|egg|slice|large|small|serving|extra large|container|bar|link|"  # noqa: SIM905
    "patty|fillet|can|bottle".split("|")
)
# Containers without a measure of their own: typical sizes (ml), flagged as estimates.
_CONTAINER_ML = {
    "glass": 250.0,
    "can": 330.0,
    "bottle": 500.0,
    "mug": 350.0,
    "bowl": 350.0,
    "splash": 30.0,
    "dash": 5.0,
}
_HANDFUL_G = 30.0  # nuts, berries, crisps: a typical handful, flagged as an estimate
_LIQUID_WORDS = wordset(
    "milk juice drink beverage water soda cola coffee tea beer wine oil vinegar sauce soup syrup "
    "broth smoothie shake lemonade nectar spirits liquor kefir"
)
MAX_GRAMS = 2500.0  # one item above this asks for confirmation
MAX_ML = 4000.0
MAX_KCAL = 3000.0


class PortionError(ValueError):
    """An amount that cannot become grams for this food; the message asks for what is missing."""


@dataclass(frozen=True, slots=True)
class Portion:
    """An amount of one food in its basis unit (g or ml), with how it was worked out."""

    quantity: float  # grams (basis "g") or millilitres (basis "ml")
    basis: str
    how: str
    confidence: float = 1.0
    grams: float | None = None
    ml: float | None = None

    def nutrients(self, food: Food) -> Nutrients:
        return food.per100.scaled(self.quantity / 100.0)


def measure_key(name: str) -> str:
    key = name.lower().strip()
    for pattern, repl in _SPELLINGS:
        key = pattern.sub(repl, key)
    return key


def find_measure(food: Food, word: str, *, inside: bool = True) -> Measure | None:
    """The food's measure named `word` ("slice", "cup", "medium", "breast"): exact name first, then a name
    starting with it, then (with `inside`) one that has it as a later word ("potato medium")."""
    word = measure_key(word)
    plural = word + "s"
    names = rf"(?:{re.escape(word)}|{re.escape(plural)})\b(?!-)"
    prefix: Measure | None = None
    within: Measure | None = None
    for m in food.measures:
        key = measure_key(m.name)
        if key in (word, plural):
            return m
        if prefix is None and re.match(rf"^{names}", key):
            prefix = m
        # "potato medium" names a medium potato; "oz, 2 links" is two links, not one
        bare = re.sub(r"\([^)]*\)", " ", key)  # "cup (4.86 large eggs)" is a cup, not an egg
        if within is None and re.search(rf"(?<![\d/.])\s{names}", " " + bare) and not re.search(r"\d\s*" + names, bare):
            within = m
    return prefix or (within if inside else None)


_VOLUME_INSIDE = re.compile(r"(?:^|\s)(\d+(?:\.\d+)?(?:/\d+)?)\s*(cup|tbsp|tsp|fl oz)\b")


def _ml_of_measure(m: Measure) -> float | None:
    """Millilitres in one household measure named by a volume ("cup, chopped" -> 236.6 ml;
    "serving 1/2 cup" -> 118.3 ml)."""
    key = measure_key(m.name)
    head = _VOLUME_HEAD.match(key)
    if head:
        unit = {"liter": "l", "litre": "l"}.get(head.group(1), head.group(1))
        return VOLUME_ML[unit] * m.amount
    inside = _VOLUME_INSIDE.search(key)
    if inside and key.startswith(("serving", "container", "bottle", "can", "glass")):
        num, _, den = inside.group(1).partition("/")
        n = float(num) / float(den) if den else float(num)
        return VOLUME_ML[inside.group(2)] * n * m.amount
    return None


def density_g_ml(food: Food) -> float | None:
    """Grams per millilitre from the food's own volume measures (a plain 'cup' preferred)."""
    ranked = sorted(food.measures, key=lambda m: (measure_key(m.name) != "cup", len(m.name)))
    for m in ranked:
        ml = _ml_of_measure(m)
        if ml:
            return m.grams / ml
    return None


def is_liquid(food: Food) -> bool:
    words = set(tokens(food.name, drop_stopwords=False))
    return food.basis == "ml" or food.group == "Beverages" or bool(words & _LIQUID_WORDS)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.1f}".rstrip("0").rstrip(".")


def _from_volume(food: Food, ml: float, label: str, confidence: float = 1.0) -> Portion:
    if food.basis == "ml":
        return Portion(ml, "ml", f"{label} = {_fmt(ml)} ml", confidence, ml=ml)
    density = density_g_ml(food)
    if density is None:
        if not is_liquid(food):
            raise PortionError(
                f"I don't know what {label} of {food.name} weighs; tell me the grams (e.g. '30 g {food.name}')."
            )
        density, confidence = 1.0, min(confidence, 0.8)
    grams = ml * density
    return Portion(grams, "g", f"{label} = {_fmt(grams)} g", confidence, grams=grams, ml=ml)


def _from_measure(food: Food, m: Measure, n: float, confidence: float = 1.0) -> Portion:
    qty = n * m.grams_each
    label = f"{n:g} × {m.name}" if n != 1 else f"1 {m.name}"
    unit = "ml" if food.basis == "ml" else "g"
    return Portion(
        qty,
        food.basis,
        f"{label} = {_fmt(qty)} {unit}",
        confidence,
        grams=qty if unit == "g" else None,
        ml=qty if unit == "ml" else None,
    )


def _count_measure(food: Food, phrase: str, *, volume_default: bool = False) -> Measure | None:
    """The measure a count means: the food's usual one ("egg" -> large), a measure the phrase names
    ("chicken thigh" -> thigh), else the first of medium / fruit / piece / slice / serving …

    A usual measure that is a volume ("cup" of berries) is used for a count only as a last resort
    ("3 strawberries" are three berries), but it is what "some berries" with no amount means."""
    default = find_measure(food, food.default_measure) if food.default_measure else None
    if default is not None and (volume_default or not _VOLUME_HEAD.match(measure_key(default.name))):
        return default
    for word in reversed(tokens(phrase)):
        m = find_measure(food, word, inside=False)
        if m and not _WEIGHT_HEAD.match(measure_key(m.name)):
            return m
    for word in _COUNT_PREFERENCE:
        m = find_measure(food, word, inside=False)
        if m:
            return m
    return default


def portion(food: Food, amount: Amount, phrase: str = "") -> Portion:
    """Convert `amount` of `food` into grams (or ml); raises PortionError with a question otherwise."""
    if amount.value <= 0:
        raise PortionError("That amount is zero; how much did you have?")
    confidence = 0.85 if amount.approx else 1.0
    if amount.kind == "mass" and amount.mass is not None:
        grams = amount.mass.g
        if food.basis == "ml":
            return Portion(grams, "ml", f"{_fmt(grams)} g ≈ {_fmt(grams)} ml", min(confidence, 0.9), grams, grams)
        return Portion(grams, "g", f"{_fmt(grams)} g", confidence, grams=grams)
    if amount.kind == "volume" and amount.volume is not None:
        ml = amount.volume.ml
        own = find_measure(food, amount.unit) if amount.unit in ("cup", "tbsp", "tsp", "fl oz") else None
        if own is not None and food.basis == "g":
            return _from_measure(food, own, amount.value, confidence)
        return _from_volume(food, ml, amount.describe(), confidence)
    if amount.kind == "measure":
        unit = amount.unit
        m = find_measure(food, unit)
        if unit == "serving" and m is None:
            m = _count_measure(food, phrase, volume_default=not amount.explicit)
            if m is not None and not amount.explicit:
                confidence = min(confidence, 0.9)
        if m is not None:
            return _from_measure(food, m, amount.value, confidence)
        if unit == "bowl" and (cup := find_measure(food, "cup")) is not None and food.basis == "g":
            return _from_measure(food, cup, amount.value, min(confidence, 0.7))
        if unit == "handful":
            grams = _HANDFUL_G * amount.value
            return Portion(grams, "g", f"{amount.value:g} handful ≈ {_fmt(grams)} g", min(confidence, 0.6), grams=grams)
        if unit in _CONTAINER_ML:
            default = food.default_measure and find_measure(food, food.default_measure)
            if default and not _VOLUME_HEAD.match(measure_key(default.name)):
                return _from_measure(food, default, amount.value, min(confidence, 0.8))
            ml = _CONTAINER_ML[unit] * amount.value
            return _from_volume(food, ml, f"{amount.value:g} {unit} (~{_fmt(ml)} ml)", min(confidence, 0.7))
        if unit in ("small", "medium", "large", "extra large", "jumbo") or food.default_measure:
            # no measure of that name: the food's usual unit ("a slice of pizza" -> one serving)
            m = _count_measure(food, phrase)
            if m is not None and not _VOLUME_HEAD.match(measure_key(m.name)):
                return _from_measure(food, m, amount.value, min(confidence, 0.7))
        if not amount.explicit:
            raise PortionError(f"How much {food.name} did you have? (e.g. '150 g', '1 cup' or '2 pieces')")
        raise PortionError(f"I don't have a '{unit}' size for {food.name}; tell me grams or ml instead (e.g. '100 g').")
    # a bare count: "2 eggs", "half a chicken breast"
    m = _count_measure(food, phrase)
    if m is None:
        raise PortionError(f"How much is one {singular(phrase) or food.name}? Tell me grams (e.g. '120 g').")
    return _from_measure(food, m, amount.value, confidence)


def absurd_reason(p: Portion, n: Nutrients) -> str | None:
    """Why an amount looks like a typo ('5000 kg of rice'), or None when it is believable."""
    if p.grams is not None and p.grams > MAX_GRAMS:
        return f"{p.grams / 1000:,.1f} kg in one sitting"
    if p.ml is not None and p.ml > MAX_ML:
        return f"{p.ml / 1000:,.1f} litres in one sitting"
    if n.kcal is not None and n.kcal > MAX_KCAL:
        return f"{n.kcal:,.0f} kcal from one item"
    return None
