"""Foods and the generic-food table (USDA SR24): records, household measures, fast ranked search.

Every food the diary can log — generic, Open Food Facts product, custom food, recipe — is one `Food`:
nutrients per 100 g (or per 100 ml), household measures in grams, and where the values came from.

The generic table ships as two TSV files in `nutrition/data/` (built by
`scripts/build_food_table.py`). It is indexed once per process in an in-memory SQLite FTS5 table
over folded, singularised tokens; candidates are then re-ranked so a common whole food wins over
its processed cousins ("banana" -> "Bananas, raw" before "Banana chips" or baby food).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from nutrition.nutrients import FIELDS, Nutrients
from nutrition.text import key, tokens, wordset

DATA = Path(__file__).parent / "data"

# SR24 food groups (first two digits of the NDB number).
GROUPS = {
    "01": "Dairy and egg",
    "02": "Spices and herbs",
    "03": "Baby foods",
    "04": "Fats and oils",
    "05": "Poultry",
    "06": "Soups and sauces",
    "07": "Sausages and luncheon meats",
    "08": "Breakfast cereals",
    "09": "Fruits",
    "10": "Pork",
    "11": "Vegetables",
    "12": "Nuts and seeds",
    "13": "Beef",
    "14": "Beverages",
    "15": "Fish and shellfish",
    "16": "Legumes",
    "17": "Lamb, veal and game",
    "18": "Baked products",
    "19": "Sweets",
    "20": "Cereal grains and pasta",
    "21": "Fast foods",
    "22": "Meals and side dishes",
    "25": "Snacks",
    "35": "American Indian/Alaska Native foods",
    "36": "Restaurant foods",
}
# Ranking penalties: groups a plain phrase rarely means.
_GROUP_PENALTY = {"03": 3.0, "35": 2.0, "36": 1.0, "21": 0.8, "22": 0.6, "25": 0.3, "07": 0.2}
# Words that mark a processed or unusual variant; a small penalty each unless the query says them.
_VARIANT_WORDS = wordset(
    "dehydrated dried powder canned frozen imitation babyfood infant formula industrial commercial "
    "commercially prepared mix concentrate unprepared reconstituted substitute fortified enriched "
    "unenriched sweetened unsweetened low reduced fat free nonfat lowfat lite light diet salt sodium "
    "added without with vitamin ready ready-to-eat ready-to-serve stabilized solid pack heavy syrup "
    "juice liquid flavored imported domestic toddler junior strained prepared"
)
_RAW_WORDS = frozenset({"raw"})
_COOK_WORDS = wordset(
    "cooked boiled roasted baked fried grilled broiled steamed braised stewed poached scrambled "
    "toasted microwaved sauteed"
)


@dataclass(frozen=True, slots=True)
class Measure:
    """A household measure of one food: `amount` x `name` weighs `grams` ("0.5 breast = 86 g")."""

    name: str
    grams: float
    amount: float = 1.0

    @property
    def grams_each(self) -> float:
        return self.grams / self.amount if self.amount else self.grams


@dataclass(frozen=True, slots=True)
class Food:
    """Something that can be logged; nutrients are per 100 g, or per 100 ml when `basis` is 'ml'."""

    ref: str  # "usda:09040", "off:3029330003533", "custom:12", "recipe:5"
    name: str
    per100: Nutrients
    basis: Literal["g", "ml"] = "g"
    measures: tuple[Measure, ...] = ()
    brand: str = ""
    source: str = "usda"
    group: str = ""
    default_measure: str | None = None  # measure used for a bare count ("2 eggs" -> "large")
    serving_text: str = ""
    confidence: float = 1.0
    flags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.brand})" if self.brand else self.name

    def with_default(self, measure: str | None) -> Food:
        return replace(self, default_measure=measure) if measure else self


@dataclass(frozen=True, slots=True)
class Alias:
    """A common phrase mapped to SR24 foods: one id = sure, several = ask the user to choose."""

    phrase: str
    ids: tuple[str, ...]
    measure: str | None = None
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class FoodHit:
    food: Food
    score: float
    via: str = "search"  # alias | search | custom


@dataclass
class GenericFoods:
    """The SR24 table in memory with an FTS5 index; thread-safe, built once per process."""

    foods: dict[str, Food]
    aliases: dict[str, Alias]
    _db: sqlite3.Connection = field(repr=False, default=None)  # type: ignore[assignment]
    _lock: threading.Lock = field(repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute("CREATE VIRTUAL TABLE idx USING fts5(uid UNINDEXED, words, tokenize='unicode61')")
        db.executemany(
            "INSERT INTO idx(uid, words) VALUES (?, ?)",
            ((uid, " ".join(tokens(f.name, drop_stopwords=False))) for uid, f in self.foods.items()),
        )
        self._db = db
        self._tokens = {uid: tokens(f.name, drop_stopwords=False) for uid, f in self.foods.items()}
        self._head = {uid: set(tokens(f.name.split(",")[0], drop_stopwords=False)) for uid, f in self.foods.items()}

    def __len__(self) -> int:
        return len(self.foods)

    def get(self, uid: str) -> Food | None:
        return self.foods.get(uid.removeprefix("usda:"))

    def alias(self, phrase: str) -> Alias | None:
        return self.aliases.get(key(phrase))

    def _candidates(self, words: list[str], limit: int) -> list[str]:
        def run(expr: str) -> list[str]:
            with self._lock:
                rows = self._db.execute(
                    "SELECT uid FROM idx WHERE idx MATCH ? ORDER BY bm25(idx) LIMIT ?", (expr, limit)
                ).fetchall()
            return [r[0] for r in rows]

        quoted = [f'"{w}"' for w in words]
        found = run(" AND ".join(quoted))
        if not found:  # "chick pea" / a half-typed last word: prefix on every token
            found = run(" AND ".join(f"{q}*" for q in quoted))
        if not found and len(words) > 1:
            found = run(" OR ".join(quoted))
        return found

    def score(self, words: list[str], uid: str) -> float:
        """How well SR24 food `uid` answers the query tokens `words` (higher is better)."""
        q = set(words)
        name = self._tokens[uid]
        ns = set(name)
        head = self._head[uid]
        covered = sum(1 for w in q if w in ns or any(n.startswith(w) for n in ns)) / max(1, len(q))
        head_explained = len(head & q) / max(1, len(head))
        extra = ns - q
        s = 4.0 * covered + 2.0 * head_explained - 0.18 * len(extra)
        if head <= q:
            s += 1.0
        if name and name[0] in q:
            s += 0.5
        s -= _GROUP_PENALTY.get(uid[:2], 0.0)
        s -= 0.25 * len(extra & _VARIANT_WORDS)
        if "raw" in ns and not (q & _COOK_WORDS):
            s += 0.35
        return s

    def search(self, query: str, limit: int = 8) -> list[FoodHit]:
        """Foods for a phrase, best first; an alias puts its foods on top."""
        words = tokens(query)
        if not words:
            return []
        hits: list[FoodHit] = []
        seen: set[str] = set()
        alias = self.aliases.get(" ".join(words))
        if alias:
            for rank, uid in enumerate(alias.ids):
                if uid in self.foods and uid not in seen:
                    seen.add(uid)
                    hits.append(FoodHit(self.foods[uid].with_default(alias.measure), 100.0 - rank, "alias"))
        ranked = sorted(
            ((self.score(words, uid), uid) for uid in self._candidates(words, 400) if uid not in seen),
            key=lambda t: (-t[0], len(self.foods[t[1]].name)),
        )
        hits += [FoodHit(self.foods[uid], s) for s, uid in ranked[: max(0, limit - len(hits))]]
        return hits[:limit]


def _num(cell: str) -> float | None:
    return float(cell) if cell else None


def _read_tsv(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines[1:] if line]


def load_generic(data_dir: Path = DATA) -> GenericFoods:
    """Read the committed SR24 table and aliases (about 0.2 s, once per process via `generic_foods`)."""
    measures: dict[str, list[Measure]] = {}
    for food_id, amount, name, grams in _read_tsv(data_dir / "measures.tsv"):
        if float(grams) > 0:
            measures.setdefault(food_id, []).append(Measure(name, float(grams), float(amount) or 1.0))
    foods: dict[str, Food] = {}
    for row in _read_tsv(data_dir / "foods.tsv"):
        uid, name, group, *values = row
        per100 = Nutrients(**{f: _num(v) for f, v in zip(FIELDS, values, strict=True)})
        foods[uid] = Food(
            ref=f"usda:{uid}",
            name=name,
            per100=per100,
            measures=tuple(measures.get(uid, ())),
            source="usda",
            group=GROUPS.get(group, group),
        )
    aliases: dict[str, Alias] = {}
    alias_file = data_dir / "aliases.tsv"
    if alias_file.exists():
        for row in _read_tsv(alias_file):
            phrase, ids, measure = ([*row, "", ""])[:3]
            ambiguous = ids.startswith("?")
            id_list = tuple(i.strip() for i in ids.lstrip("?").split(",") if i.strip())
            missing = [i for i in id_list if i not in foods]
            if missing:
                raise ValueError(f"aliases.tsv: '{phrase}' names unknown SR24 ids {missing}")
            aliases[key(phrase)] = Alias(phrase, id_list, measure or None, ambiguous)
    return GenericFoods(foods, aliases)


@lru_cache(maxsize=1)
def generic_foods() -> GenericFoods:
    """The process-wide generic table (read-only after construction)."""
    return load_generic()
