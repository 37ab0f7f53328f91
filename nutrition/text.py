"""Food words -> comparable tokens: lower case, no accents or punctuation, plurals folded.

The search index, the alias table and custom-food names all go through `tokens()`, so "Eggs",
"egg" and "EGG'S" meet on one spelling without a stemming library.
"""

from __future__ import annotations

import re
import unicodedata


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one string (keeps long vocabularies readable)."""
    return frozenset(text.split())


# Words that carry no food identity in a meal line ("some", "fresh", "my").
STOPWORDS = wordset("a an the of some my fresh plain regular homemade home made organic little bit piece pieces")
_KEEP_S = wordset("hummus couscous asparagus citrus molasses swiss bass grass octopus grits brussels")
_IRREGULAR = {
    "leaves": "leaf",
    "loaves": "loaf",
    "halves": "half",
    "knives": "knife",
    "potatoes": "potato",
    "tomatoes": "tomato",
    "mangoes": "mango",
    "avocados": "avocado",
    "oats": "oat",
    "chips": "chip",
    "children": "child",
    "geese": "goose",
    "mice": "mouse",
    "teeth": "tooth",
    "feet": "foot",
    "anchovies": "anchovy",
    "cookies": "cookie",
    "brownies": "brownie",
    "smoothies": "smoothie",
    "pies": "pie",
    "fries": "fry",
    "movies": "movie",
}
# British spellings folded onto the ones the food tables use ("greek yoghurt" finds "Yogurt, Greek")
_SPELLING = {"yoghurt": "yogurt", "yoghourt": "yogurt", "yogourt": "yogurt"}
_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """Lower case without accents ("Crème brûlée" -> "creme brulee")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def singular(word: str) -> str:
    """A light English singular ("berries" -> "berry", "eggs" -> "egg", "glass" stays)."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) <= 3 or w in _KEEP_S or w.endswith(("ss", "us", "is", "ous")):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "xes", "zes", "sses")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    return w


def tokens(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Comparable tokens of a food phrase, in order."""
    words = [m.group(0).split("'")[0] for m in _WORD_RE.finditer(fold(text))]
    out = [_SPELLING.get(w, w) for w in (singular(w) for w in words if w)]
    if drop_stopwords:
        out = [w for w in out if w not in STOPWORDS] or out
    return out


def key(text: str) -> str:
    """One canonical string for exact lookups (aliases, custom foods)."""
    return " ".join(tokens(text))
