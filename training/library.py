"""The exercise library: ~170 exercises written as data (`data/exercises.toml`), resolved by name.

People type "RDL", "bench", "DB row"; Strong and Hevy export "Bench Press (Dumbbell)". Resolution is
exact alias first, then the "Name (Equipment)" export form, then a fuzzy match that only counts as
sure when one candidate clearly wins; otherwise the caller asks the person which one they meant.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "exercises.toml"

MUSCLES = (
    "chest",
    "lats",
    "upper_back",
    "traps",
    "front_delts",
    "side_delts",
    "rear_delts",
    "biceps",
    "triceps",
    "forearms",
    "abs",
    "obliques",
    "lower_back",
    "glutes",
    "quads",
    "hamstrings",
    "adductors",
    "abductors",
    "calves",
    "neck",
    "hip_flexors",
)
EQUIPMENT = (
    "barbell",
    "dumbbell",
    "kettlebell",
    "machine",
    "cable",
    "bodyweight",
    "ez_bar",
    "trap_bar",
    "smith",
    "band",
    "sled",
    "cardio",
    "other",
)
CATEGORIES = (
    "squat",
    "hinge",
    "lunge",
    "push_h",
    "push_v",
    "pull_h",
    "pull_v",
    "isolation_upper",
    "isolation_lower",
    "core",
    "olympic",
    "carry",
    "conditioning",
)
LOWER_CATEGORIES = frozenset({"squat", "hinge", "lunge", "isolation_lower"})
# Heaviest plausible load per equipment (kg), a little above the world records: beyond it a logged
# number is a typo or a kg/lb mix-up, never a set.
MAX_LOAD_KG = {
    "barbell": 510.0,
    "trap_bar": 520.0,
    "ez_bar": 200.0,
    "smith": 500.0,
    "machine": 1200.0,
    "sled": 700.0,
    "dumbbell": 120.0,
    "kettlebell": 100.0,
    "cable": 300.0,
    "bodyweight": 250.0,
    "band": 150.0,
    "cardio": 0.0,
    "other": 200.0,
}


@dataclass(frozen=True)
class Exercise:
    """One library entry; `id` is what logged sets store, `primary`/`secondary` drive hard-set counts."""

    id: str
    name: str
    aliases: tuple[str, ...]
    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    equipment: str
    barbell: bool
    category: str
    base: str | None = None  # parent lift whose max approximates this variation's
    ratio: float = 1.0

    @property
    def lower_body(self) -> bool:
        """Lower-body lifts take bigger jumps (5 kg vs 2.5 kg in most progressions)."""
        return self.category in LOWER_CATEGORIES or self.id in ("power_clean", "clean_pull", "snatch_pull")

    @property
    def max_load_kg(self) -> float:
        return MAX_LOAD_KG.get(self.equipment, 500.0)

    @property
    def loadable(self) -> bool:
        """False for cardio, where a set is time or distance, not kg × reps."""
        return self.equipment != "cardio"


class ExerciseNotFound(ValueError):
    """No exercise matches; `candidates` holds the closest names to offer the person."""

    def __init__(self, query: str, candidates: list[Exercise]):
        self.query = query
        self.candidates = candidates
        hint = f" Did you mean {', '.join(c.name for c in candidates[:3])}?" if candidates else ""
        super().__init__(f"I don't know the exercise '{query}'.{hint}")


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a typed name: a sure match, or candidates to ask about."""

    query: str
    exercise: Exercise | None
    candidates: tuple[Exercise, ...] = field(default_factory=tuple)
    how: str = "exact"  # exact | export | fuzzy | none

    @property
    def sure(self) -> bool:
        return self.exercise is not None


_PUNCT = re.compile(r"[^a-z0-9&+ ]+")


def normalise(name: str) -> str:
    """Lower case, hyphens/underscores as spaces, punctuation dropped, single spaces."""
    s = name.lower().replace("’", "'").replace("'", "")
    s = s.replace("-", " ").replace("_", " ").replace("/", " ")
    s = _PUNCT.sub(" ", s)
    return " ".join(s.split())


class Library:
    """All exercises with an alias index; built once from the data file."""

    def __init__(self, exercises: list[Exercise]):
        self.exercises = exercises
        self.by_id = {e.id: e for e in exercises}
        self.index: dict[str, Exercise] = {}
        for e in exercises:
            for key in (e.id, e.name, *e.aliases):
                k = normalise(key)
                other = self.index.get(k)
                if other is not None and other.id != e.id:
                    raise ValueError(f"alias '{key}' names both {other.id} and {e.id}")
                self.index[k] = e
        self._keys = sorted(self.index)

    def __len__(self) -> int:
        return len(self.exercises)

    def get(self, exercise_id: str) -> Exercise:
        try:
            return self.by_id[exercise_id]
        except KeyError:
            raise ExerciseNotFound(exercise_id, []) from None

    def lookup(self, name: str) -> Exercise | None:
        """Exact match on id, name or alias (after normalising); plural 's' tolerated."""
        k = normalise(name)
        if k in self.index:
            return self.index[k]
        if k.endswith("s") and k[:-1] in self.index:
            return self.index[k[:-1]]
        return None

    def resolve(self, name: str) -> Resolution:
        """Exact → 'Name (Equipment)' export form → fuzzy; a fuzzy match is sure only when it clearly wins."""
        query = name.strip()
        if not normalise(query):
            return Resolution(query, None, (), "none")
        if found := self.lookup(query):
            return Resolution(query, found, (found,), "exact")
        if found := self._export_form(query):
            return Resolution(query, found, (found,), "export")
        return self._fuzzy(query)

    def require(self, name: str) -> Exercise:
        """The exercise for `name` or ExerciseNotFound with suggestions."""
        r = self.resolve(name)
        if r.exercise is None:
            raise ExerciseNotFound(name, list(r.candidates))
        return r.exercise

    def _export_form(self, name: str) -> Exercise | None:
        """'Bench Press (Dumbbell)', 'Seated Cable Row - V Grip (Cable)' → the library's entry."""
        m = re.match(r"^\s*(?P<base>[^()]+?)\s*(?:\((?P<equip>[^)]*)\))?\s*$", name)
        if not m:
            return None
        base = m["base"].split(" - ")[0].strip()
        full = normalise((m["equip"] or "").split(" - ")[0])
        first = (
            {"db": "dumbbell", "bb": "barbell", "kb": "kettlebell"}.get(full.split(" ")[0], full.split(" ")[0])
            if full
            else ""
        )
        tries = [f"{e} {base}" for e in dict.fromkeys((full, first)) if e] + [f"{base} {full}"] if full else []
        tries.append(base)
        for t in tries:
            if found := self.lookup(t):
                return found
        return None

    def _fuzzy(self, query: str) -> Resolution:
        k = normalise(re.sub(r"\([^)]*\)", " ", query))
        close = difflib.get_close_matches(k, self._keys, n=8, cutoff=0.6)
        seen: dict[str, tuple[Exercise, float]] = {}
        for key in close:
            ex = self.index[key]
            score = difflib.SequenceMatcher(None, k, key).ratio()
            if ex.id not in seen or seen[ex.id][1] < score:
                seen[ex.id] = (ex, score)
        ranked = sorted(seen.values(), key=lambda t: -t[1])
        candidates = tuple(e for e, _ in ranked[:5])
        if ranked and ranked[0][1] >= 0.86 and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= 0.06):
            return Resolution(query, ranked[0][0], candidates, "fuzzy")
        return Resolution(query, None, candidates, "none")

    def search(self, text: str, limit: int = 10) -> list[Exercise]:
        """Exercises whose name/alias contains every word of `text` (for 'list leg exercises')."""
        words = normalise(text).split()
        out: list[Exercise] = []
        for e in self.exercises:
            hay = " ".join(normalise(x) for x in (e.name, *e.aliases, *e.primary, e.equipment))
            if all(w in hay for w in words):
                out.append(e)
        return out[:limit]


def _load(path: Path) -> list[Exercise]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["exercises"]
    out = []
    for r in raw:
        ex = Exercise(
            id=r["id"],
            name=r["name"],
            aliases=tuple(r.get("aliases", ())),
            primary=tuple(r["primary"]),
            secondary=tuple(r.get("secondary", ())),
            equipment=r["equipment"],
            barbell=bool(r["barbell"]),
            category=r["category"],
            base=r.get("base"),
            ratio=float(r.get("ratio", 1.0)),
        )
        bad = [m for m in (*ex.primary, *ex.secondary) if m not in MUSCLES]
        if bad or ex.equipment not in EQUIPMENT or ex.category not in CATEGORIES:
            raise ValueError(f"exercise {ex.id}: unknown muscle/equipment/category {bad or ex.equipment}")
        out.append(ex)
    return out


@lru_cache(maxsize=1)
def library() -> Library:
    """The built-in library (parsed once per process)."""
    return Library(_load(DATA))
