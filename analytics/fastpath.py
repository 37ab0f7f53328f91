"""The code fast path: common analytics phrasings → a typed query, with no model involved.

It answers only when it is sure: a metric word from the catalogue plus a cue that the person wants
numbers over time ("show", "over the last…", "per week", "vs target", a period). Lines that log
something ("squat 140x5", "my weight is 82 kg", "had 2 eggs"), questions for other tools ("how much
protein do I have left today?") and follow-ups it can't place are left to the router and the model.
Follow-ups ("only since March", "as a bar chart", "add deadlift") become a patch that the tool lays
over the thread's last query.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from analytics.catalogue import METRICS
from analytics.periods import _NUM_WORDS, MONTHS, PERIOD_RE, clean_text, find_period, sessions_in
from analytics.query import AnalyticsQuery
from training.library import MUSCLES, library, normalise

# (metric, pattern): the first that matches wins, so specific phrasings come before general ones.
METRIC_PATTERNS: list[tuple[str, str]] = [
    ("lv_profile", r"load[- ]velocity|\blv profile|\bl-v\b|velocity profile"),
    ("velocity_loss", r"velocity loss|speed loss|velocity (drop|decline|fall)(-?off)?|(speed|velocity|bar|reps?) "
                      r"(drop|drops|dropped|dropping|fall|falls|slow|slows|slowed|slowing) ?(-?off|down)?|"
                      r"rep speed (drop|loss)|drop-?off|slow(ed|s)? down (within|during|across|over) (a|the|my|each) "
                      r"sets?|fatigue within (a |the |my )?sets?"),
    ("velocity", r"\bvelocit(y|ies)\b|bar speed|\bmcv\b|\bm/s\b|how fast (was|is|did|were|are) (my|the) (bar|reps?)|"
                 r"\brep speeds?\b|\bspeed of (the|my) (bar|reps?)"),
    ("punch_mix", r"punch (mix|types?|breakdown)|types? of punch|which punches|jabs? (vs|versus|and) (crosses|hooks)|"
                  r"mix of punches"),
    ("punches_per_round", r"punch(es)? per round|punch (count|output|volume)|how many punches|punch(es)? thrown|"
                          r"\bwork ?rate\b|punches per (session|minute)|\bpunches\b|\bpunch output\b|\bsparring\b|"
                          r"boxing output|\bshots?\b( per round| thrown)?|\b(bag( ?work)?|pad( ?work)?|"
                          r"shadow ?boxing|boxing|heavy bag|mitt( ?work)?) (output|volume|count|work rate)|"
                          r"\bstrikes? (thrown|per round|count)"),
    ("guard_drop", r"\bguard\b|hands? (down|drop)"),
    ("hard_sets", r"hard sets?|effective sets?|sets per muscle|hard-sets?|which muscles? did i (train|hit|work)"),
    ("plan_adherence", r"(program|programme|plan|training|workout|session) (adherence|compliance)|"
                       r"(consisten(t|cy)|adheren(t|ce)|complian(t|ce)|stuck|on track) ([a-z']+ ){0,3}?(with|to) "
                       r"(my |the )?"
                       r"(program(me)?|plan|training plan|schedule)|"
                       r"planned (workouts?|ses+ions?|training|days?)|(workouts?|ses+ions?) (i )?(missed|skipped|"
                       r"completed|planned)|(stick|stuck|sticking|stay|stayed) (to|with) (my |the )?"
                       r"(program(me)?|plan)|"
                       r"(miss|missed|skip|skipped|complete|completed) (any |my |the )?(planned |scheduled )?"
                       r"(workouts?|sessions?|training days)|scheduled (workouts?|sessions?)"),
    ("rpe_distribution", r"\brpes?\b|\brir\b|\beffort\b|perceived exertion|"
                         r"how hard (were|was|are|have|has|did|do|does) (been )?(my |the )?([a-z]+ )?"
                         r"(sets?|sessions?|training|"
                         r"workouts?|lifts?|reps?)( (feel|felt|been|were|was))?|how (hard|tough|difficult|heavy) "
                         r"(my |the )?([a-z]+ ){0,2}(sets?|sessions?|training|workouts?|lifts?|reps?) "
                         r"(have |had |has )?"
                         r"(felt|feel|feels|were|was|been)"),
    ("prs", r"\bp\.?r\.?s?\b|personal (records?|bests?)|\bpbs?\b|\brecords?\b"),
    ("e1rm", r"\be1rm\b|\be1rms\b|\b1 ?rm\b|one[- ]rep max|estimated max|\bmax(es)?\b|\bstrength\b|\bstronger\b"),
    ("top_set", r"top sets?|\btop \w+ sets?\b|heaviest (set|weight|lift|load)s?|best sets?|\bheaviest\b"),
    ("tonnage", r"\btonnage\b|\bvolume\b|total (weight|load|kg) (lifted|moved)|\bworkload\b|kg lifted|"
                r"how much (weight )?did i (lift|move)"),
    ("sessions", r"\bsessions\b|\bworkouts\b|training days|"
                 r"how (often|many times) did i (train|lift|work ?out|go to the gym)|"
                 r"times did i (train|lift|hit the gym|go to the gym)|training frequency|\bfrequency\b"),
    ("sets", r"\bsets\b|set count"),
    ("expenditure", r"\bexpend[ai]t?ure\b|\bexpenditure\b|\btdee\b|maintenance( calories)?|"
                    r"calories? (burn(ed|t)?|out)|energy out"),
    ("macros", r"\bmacros?\b|macronutrients?|macro (split|breakdown)"),
    ("calories", r"\bcalor(ie|y|ies)\b|\bkcals?\b|energy intake|(?<!fat )(?<!fats )(?<!carb )(?<!carbs )(?<!protein )"
                 r"(?<!fibre )(?<!fiber )\bintake\b|how much (did )?i (eat|ate)"),
    ("protein", r"\bprot[ie]{1,2}ns?\b"),
    ("carbs", r"\bcarb(s|ohydrates?)?\b"),
    ("fibre", r"\bfib(re|er)\b"),
    ("fat", r"\bfats?\b(?! ?loss)|dietary fat"),
    ("adherence", r"\badherence\b|\bconsisten(cy|t)\b|days (i )?logged|"
                   r"how often did i (log|track|weigh)|logging streak|days (did |have )?i (log|track)(ged|ed)?\b"),
    ("bodyweight", r"body ?weight|\bbw\b|(trend|scale) weight|weigh[- ]?ins?|\bmy weight\b|\bweight\b(?! ?lifted)|"
                   r"how heavy am i|\bweigh\b|"
                   # the change of the scale said alone: "what's the change since the 1st of March"
                   r"how much (have i|did i|i'?ve) (lost|lose|gained|gain|put on|dropped|drop)(?! (on|in) )"),
]  # fmt: skip
_METRIC_RES = [(k, re.compile(p, re.I)) for k, p in METRIC_PATTERNS]

CUE = re.compile(
    r"\b(show|chart|plot|graph|draw|visuali[sz]e|trend|trends|trending|trended|over time|"
    r"progress(ion)?|history|how (much|many|often|"
    r"has|have|did|does|do|is|are|was|were)|what('s| is| was| were| are)?|per (day|week|month|session|muscle|"
    r"exercise|lift|meal)|weekly|monthly|daily|by (day|week|month|muscle|exercise|lift|meal|food|session)|vs\.?|"
    r"versus|compare[ds]?|against|average|avg|mean|total|breakdown|distribution|count|last|past|since|this "
    r"(week|month|year)|so far|ever|all[- ]time|overall|over|during|in (january|february|march|april|may|june|july|"
    r"august|september|october|november|december|\d{4})|summary|stats?|statistics|numbers|give me|let me see|"
    r"can i see|track(ing)?|changed?|improv(e|ed|ing)|going|getting|profile|stronger|which|table|"
    r"(each|every) (day|week|month|session|workout|round)|histogram|spread)\b",
    re.I,
)
LOGGING = re.compile(
    r"^\s*(log|logged|add|had|ate|eaten|drank|did(?! i\b)|remind|set (a|my|up)|schedule|plan|build|make|create|"
    r"swap|change|"
    r"delete|remove|undo|i (had|ate|did|drank|weigh|weighed|hit|got|benched|squatted|pulled)|just (did|had|ate)|"
    r"note|remember)\b",
    re.I,
)
AMOUNT = re.compile(r"\d+(?:[.,]\d+)?\s*(?:kg|kgs|kilos?|lbs?|pounds?|g|grams?|kcal|ml|x\s*\d)\b", re.I)
STRONG_CUE = re.compile(r"\b(show|chart|plot|graph|trend|trends|trending|trended|"
                        r"over time|progress(ion)?|history|per (day|week|month|"
                        r"session|muscle|exercise|lift|meal)|weekly|monthly|daily|since|last \d+|past \d+|vs\.?|versus|"
                        r"compared?|breakdown|distribution|profile|by (week|month|muscle|exercise|meal|food)|changed?|"
                        r"going up|going down|improv(e|ed|ing)|over the|(each|every) (day|week|month|session|workout)|"
                        r"table|histogram|spread|"
                        r"which (exercises|lifts|movements))\b", re.I)  # fmt: skip
MEMORY = re.compile(r"\b(feel|felt|feeling|hurt|hurting|hurts|pain|painful|sore|injur\w*|mood|notes?|said|mention\w*|"
                    r"remember|why did|what happened)\b", re.I)  # fmt: skip
# Things people track that this app does not log: a question about them is answered with "I can't chart that".
UNSUPPORTED = re.compile(
    r"\b(sleep|slept|steps?|heart ?rate|hrv|resting hr|bpm|water|hydration|blood pressure|body ?fat|bf ?%|waist|"
    r"vo2|pace|distance|miles?|cycling|swim\w*|mood|stress|caffeine|alcohol|beer|wine|menstrua\w*|cycle length|"
    r"hours? (of )?sleep|screen time|calories burned running|grip strength|vertical jump|flexibility|mobility|"
    r"reaction time|vo2 ?max|heart)\b",
    re.I,
)
NOT_MINE = re.compile(r"\b(left|remaining|to go|still need|should i|how do i|what is a|what's a|explain|why)\b", re.I)

GROUPS: list[tuple[str, str]] = [
    (
        "muscle",
        r"(per|by|each|for each|across) muscle( group)?s?|muscle groups?|per bodypart|by body ?part|"
        r"which muscles?",
    ),
    (
        "exercise",
        r"(per|by|each|for each) (exercise|lift|movement)s?|which (exercises|lifts|movements)|"
        r"(exercises|lifts|movements) (made|make|makes) up|(split|broken down|breakdown) (by|per|across) "
        r"(exercise|lift|movement)s?",
    ),
    ("session", r"(per|by|each|every) (session|workout|round)\b(?! ?count)"),
    (
        "day_type",
        r"training days? (vs\.?|versus|and|or|compared (to|with)) (rest|off|non-training)( days?)?|"
        r"(rest|off|non-training) days? (vs\.?|versus|and|or|compared (to|with)) training( days?)?|"
        r"(on|between) training (and|vs\.?|versus) (rest|off) days|(by|per) (training|rest) day",
    ),
    ("meal", r"(per|by|each) meal|meal by meal"),
    ("food", r"(per|by) food|top foods|which foods|biggest sources?|most \w+ (come )?from\b|(eat|eating|ate) the most"),
    ("week", r"\bweekly\b|(per|by|each|a) week\b|week by week|week over week|every week"),
    ("month", r"\bmonthly\b|(per|by|each|a) month\b|month by month|every month"),
    ("day", r"\bdaily\b|(per|by|each|a) day\b|day by day|every day"),
]
_GROUP_RES = [(g, re.compile(p, re.I)) for g, p in GROUPS]
CHARTS = [("bar", r"bar ?(chart|graph)s?|\bas (a )?bars?\b|\bin bars\b|column chart"),
          ("line", r"line ?(chart|graph)|\bas a line\b"),
          ("scatter", r"\bscatter"), ("area", r"\barea (chart|graph)"), ("table", r"\b(as a|in a|just the) table\b|"
          r"\btable only\b|numbers only")]  # fmt: skip
_CHART_RES = [(c, re.compile(p, re.I)) for c, p in CHARTS]
TARGET = re.compile(r"\b(vs\.?|versus|against|compared? (to|with)|relative to|and|with)\s+(my\s+|the\s+)?(daily\s+)?"
                    r"(target|goal|budget|plan)s?\b|\bon target\b|\btargets?\b|"
                    r"\b(hit|hitting|made|make|reach(ed)?|met|meet) (my |the )?([a-z]+ )?(target|goal)s?\b|"
                    r"\b(calorie|protein|carb|fat|fibre|fiber|macro|kcal)s? (goal|budget)s?\b|"
                    r"\b(over|under) my \w* ?(goal|budget)|"
                    r"\b(eat|eating|ate|get|getting|got|hit|hitting) enough\b", re.I)  # fmt: skip
PREVIOUS = re.compile(
    r"\b(vs\.?|versus|compared? (to|with)|than|compare\b.{1,40}?\b(to|with)) (the )?(previous|last|prior) "
    r"(week|month|year|period|block|"
    r"meso(cycle)?|cycle|phase|quarter|fortnight)\b",
    re.I,
)
SESSIONS = re.compile(r"\b(?:last|past|previous|recent)\s+(\d{1,3}|" + "|".join(_NUM_WORDS) + r")\s+"
                      r"(?:sessions?|rounds?|workouts?|classes)\b", re.I)  # fmt: skip
LOAD = re.compile(r"\b(?:at|with|using|@)\s*(\d{2,3}(?:[.,]\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds?)?\b", re.I)
FOOD = re.compile(r"\b(?:from|of|in)\s+(?!my\b|the\b|last\b|this\b|past\b|all\b|each\b|every\b)([a-z][a-z ]{2,30}?)"
                  r"(?=\s+(?:over|in|during|this|last|since|per|by|for|vs|versus|the|each|every|a|on|at|across)\b|"
                  r"[?.!]?$)", re.I)  # fmt: skip
MEAL = re.compile(r"\b(breakfast|lunch|dinner|snacks?)\b", re.I)
_GRAMS_OF = re.compile(r"\b(?:grams?|g)\s+of\b", re.I)
_QUESTION_WORDS = re.compile(r"\b(?:i|i'?ve|have|had|did|do|does|am|was|were|should)\b", re.I)
AGG = [("mean", r"\b(average|avg|mean)\b"), ("sum", r"\btotal\b"), ("max", r"\b(highest|maximum|peak)\b"),
       ("min", r"\b(lowest|minimum)\b")]  # fmt: skip
SKIP_KEYS = {"run", "jog", "erg", "row"}  # library aliases too common in questions to mean a lift
_MUSCLE_WORDS = {
    "chest", "pecs", "back", "lats", "lat", "upper back", "lower back", "traps", "shoulders", "shoulder", "delts",
    "front delts", "side delts", "rear delts", "biceps", "bicep", "triceps", "tricep", "forearms", "abs", "core",
    "obliques", "glutes", "glute", "quads", "quad", "hamstrings", "hamstring", "hammies", "adductors", "abductors",
    "calves", "calf", "neck", "legs", "arms", "hip flexors",
}  # fmt: skip
_MUSCLE_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _MUSCLE_WORDS), key=len, reverse=True)) + r")\b", re.I)
LIFT_METRICS = {"e1rm", "top_set", "tonnage", "sets", "hard_sets", "rpe_distribution", "prs", "sessions", "velocity",
                "lv_profile", "velocity_loss"}  # fmt: skip
STRIKING = {"punches_per_round", "punch_mix", "guard_drop"}
NUTRITION = {"calories", "protein", "carbs", "fat", "fibre", "macros", "expenditure", "adherence", "bodyweight"}


def find_metrics(text: str) -> list[str]:
    """Catalogue metrics the text names, in order of appearance (no duplicates)."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for key, rx in _METRIC_RES:
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), key))
            break
    found.sort()
    return list(dict.fromkeys(k for _, k in found))


def find_exercises(text: str) -> list[str]:
    """Lift names in the text (library aliases, longest first, no overlaps), as the library's names."""
    lib = library()
    words = [_fix_lift_word(w) for w in normalise(text).split()]
    out: list[tuple[int, str]] = []
    used = [False] * len(words)
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            if any(used[i : i + n]):
                continue
            phrase = " ".join(words[i : i + n])
            if len(phrase) <= 2 or phrase in SKIP_KEYS:
                continue
            ex = lib.lookup(phrase)
            if ex is not None:
                out.append((i, ex.name))
                for j in range(i, i + n):
                    used[j] = True
    return list(dict.fromkeys(name for _, name in sorted(out)))


_LIFT_WORDS = ("squat", "deadlift", "bench", "press", "overhead", "romanian", "hip thrust", "pullup", "chinup", "row",
               "snatch", "clean", "front", "sumo", "squats", "deadlifts")  # fmt: skip


def _fix_lift_word(word: str) -> str:
    """A misspelt main-lift word ('sqaut', 'dedlift', 'deadlfit') read as the lift; other words unchanged."""
    if len(word) < 5 or library().lookup(word) or word in _MUSCLE_WORDS:
        return word
    close = difflib.get_close_matches(word, [w for w in _LIFT_WORDS if len(w) >= 5], n=1, cutoff=0.8)
    return close[0] if close else word


def find_muscles(text: str) -> list[str]:
    """Muscle words in the text; a misspelt one ('hamstings') is read when it is clearly that word."""
    found = [m.group(1).lower() for m in _MUSCLE_RE.finditer(text)]
    for w in re.findall(r"[a-z]{6,}", text.lower()):
        if w not in _MUSCLE_WORDS and (close := difflib.get_close_matches(w, _LONG_MUSCLES, n=1, cutoff=0.85)):
            found.append(close[0])
    return list(dict.fromkeys(found))


_LONG_MUSCLES = sorted(w for w in _MUSCLE_WORDS if len(w) >= 6 and " " not in w)


def _is_time_words(words: str) -> bool:
    """Words that name a time, not a food: a month, a weekday, a season, a year or a period phrase."""
    toks = words.split()
    times = {*MONTHS, "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week", "month",
             "year", "summer", "winter", "spring", "autumn", "fall", "quarter", "block", "program"}  # fmt: skip
    return bool(find_period(words) or find_period(f"in {words}") or any(t in times or t.isdigit() for t in toks))


def _first(pairs: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    for key, rx in pairs:
        if rx.search(text):
            return key
    return None


def _sessions(text: str) -> int | None:
    return sessions_in(text)


def _load_kg(text: str) -> float | None:
    m = LOAD.search(text)
    if not m:
        return None
    v = float(m.group(1).replace(",", "."))
    unit = (m.group(2) or "kg").lower()
    return round(v * 0.45359237, 1) if unit.startswith(("lb", "pound")) else v


def _details(text: str, metric: str | None) -> dict[str, Any]:
    """Everything but the metric: filters, grouping, period, aggregate, comparison, chart kind."""
    out: dict[str, Any] = {}
    filters: dict[str, Any] = {}
    if metric is None or metric in LIFT_METRICS:
        ex = find_exercises(text)
        if ex:
            filters["exercise"] = ex
    if metric in ("tonnage", "sets", "hard_sets") or metric is None:
        mus = find_muscles(text)
        if mus:
            filters["muscle"] = mus
    if metric in ("velocity", "velocity_loss") and (load := _load_kg(text)):
        filters["load_kg"] = load
    if n := _sessions(text):
        filters["sessions"] = n
    if metric in NUTRITION - {"bodyweight", "adherence", "expenditure"}:
        if m := MEAL.search(text):
            meal = m.group(1).lower().rstrip("s")
            if not re.search(r"(per|by|each) meal", text, re.I):
                filters["meal"] = meal
        # The period's words are not a food: "protein per day in march" is March, not a food called march.
        rest = " ".join(PERIOD_RE.sub(" ", clean_text(text)).split())
        rest = _GRAMS_OF.sub(" ", rest)  # "grams of carbs" names the nutrient, not a food called carbs
        if (m := FOOD.search(rest)) and not MEAL.fullmatch(m.group(1).strip()):
            food = m.group(1).strip().lower()
            if (
                not _is_time_words(food)
                and food not in ("food", "foods", "meals", "the week", "the month")
                and not _QUESTION_WORDS.search(food)
            ):  # "of carbs have i eaten" is the question, not a food
                filters["food"] = food
    if filters:
        out["filters"] = filters
    if (g := _first(_GROUP_RES, text)) and (metric is None or g in METRICS[metric].groups):
        out["group_by"] = g
    period = find_period(text)
    if period and not sessions_in(text):
        out["period"] = period
    if a := _first([(k, re.compile(p, re.I)) for k, p in AGG], text):
        out["aggregate"] = a
    compare: dict[str, Any] = {}
    if TARGET.search(text) and (metric is None or METRICS[metric].targets):
        compare["target"] = True
    if PREVIOUS.search(text):
        compare["previous"] = True
    if compare:
        out["compare"] = compare
    if c := _first(_CHART_RES, text):
        out["chart"] = c
    return out


def parse_question(text: str) -> AnalyticsQuery | None:
    """A typed query when the text is clearly a question about logged numbers; otherwise None."""
    t = " ".join(text.strip().split())
    if not t or len(t) > 300 or LOGGING.search(t):
        return None
    metrics = find_metrics(t)
    if not metrics:
        return None
    felt = metrics[0] == "rpe_distribution"  # "how hard my sets felt" asks for RPE, not for notes
    if not (CUE.search(t) or find_period(t)) or (MEMORY.search(t) and not felt) or UNSUPPORTED.search(t):
        return None  # "how did my bench sessions feel in October?" is for memory, not a chart
    metric = metrics[0]
    if metric == "e1rm" and re.search(r"\b(formula|method|epley|brzycki)\b", t, re.I):
        return None  # "e1rm method: rpe table" chooses the formula (profile), it asks for no chart
    if metric in ("bodyweight", "calories", "protein", "carbs", "fat", "fibre") and NOT_MINE.search(t):
        return None
    if AMOUNT.search(t) and metric not in ("velocity", "velocity_loss") and not STRONG_CUE.search(t):
        return None  # "my weight is 82 kg", "bench 100 kg for 5": a log line, not a question
    if metric in STRIKING and not re.search(
        r"\b(sessions?|rounds|weeks?|months?|over time|trend|history|chart|graph|plot|show|per round|since|lately|"
        r"last|past|this (week|month|year)|ever|average|mix|breakdown|types?|count|how many)\b", t, re.I
    ):  # fmt: skip
        return None  # "am I dropping my guard?" is about the last round: the striking tool answers it
    if metric == "e1rm" and re.search(r"\bmax(es)?\b", t, re.I) and not find_exercises(t) and not STRONG_CUE.search(t):
        return None  # "max heart rate", "max out": not a lift's e1RM
    if metric in ("sets", "tonnage") and re.search(r"(?<!how )hard|rpe ?[7-9]", t, re.I):
        metric = "hard_sets"
    data: dict[str, Any] = {"metric": metric, **_details(t, metric)}
    if not (STRONG_CUE.search(t) or set(data) - {"metric", "filters"} or data.get("filters", {}).get("sessions")):
        return None  # "what's my squat e1RM?" wants today's number: the training tool answers that
    second = [m for m in metrics[1:] if m != metric and not (m == "bodyweight" and metric == "velocity")]
    joined = re.search(r"\b(vs\.?|versus|against|and|with|compared)\b", t, re.I)
    if second and joined and not (second[0] in ("sets", "sessions") and metric in LIFT_METRICS):
        data.setdefault("compare", {})["metric"] = second[0]
    try:
        return AnalyticsQuery.model_validate(data)
    except ValueError:
        data.pop("group_by", None)
        data.get("compare", {}).pop("target", None)
        try:
            return AnalyticsQuery.model_validate(data)
        except ValueError:
            return None


FOLLOW_START = re.compile(
    r"^\s*(now |ok,? |okay,? |and |but |can you |could you |please )*(only|just|show( it| that| me)?|make it|"
    r"switch to|change (it )?to|as|add|also|include|plus|with|without|remove|drop|exclude|same (for|but)|"
    r"what about|how about|and|instead|for|since|over|in|from|by|per|weekly|monthly|daily|vs|versus|compare)\b",
    re.I,
)


PROGRAM_WORDS = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|day \d|week \d|program(me)?|workout|routine|plan|"
    r"\d+ ?x ?\d+|sets? of|reps?|warm[- ]?up|superset)\b",
    re.I,
)


def parse_followup(text: str) -> dict[str, Any] | None:
    """A patch for the last chart ('only since March', 'as a bar chart', 'add deadlift'), or None."""
    t = " ".join(text.strip().split()).rstrip("?.! ")
    if PROGRAM_WORDS.search(t) or re.search(r"\b(review|summary|report|recap|remind|note)\b", t, re.I):
        return None  # "add deadlift to Monday": a program edit; "weekly review": the review
    if not t or len(t.split()) > 9 or (LOGGING.search(t) and not re.match(r"^\s*(add|remove)\b", t, re.I)):
        return None
    if not FOLLOW_START.search(t) and not re.search(r"\b(instead|too|as well)\s*$", t, re.I):
        return None
    if find_metrics(t) and parse_question(t) is not None and not re.match(r"^\s*(add|also|and|plus|with)\b", t, re.I):
        return None  # a full new question: the question path handles it
    patch: dict[str, Any] = {}
    exercises = find_exercises(t)
    if exercises:
        if re.search(r"\b(without|remove|drop|exclude|minus)\b", t, re.I):
            patch["_remove_exercise"] = exercises
        elif re.search(r"^\s*(and |now )?(add|also|include|plus|with|and)\b|\b(too|as well)\b", t, re.I):
            patch["filters"] = {"exercise": exercises}
            patch["_add_exercise"] = True
        else:
            patch["filters"] = {"exercise": exercises}
    metrics = find_metrics(t)
    if metrics and re.search(r"^\s*(and |now )?(add|also|with|plus|vs|versus|compare)\b", t, re.I):
        if metrics[0] not in ("e1rm",) or not exercises:
            patch["compare"] = {"metric": metrics[0]}
    elif metrics and re.search(r"\b(instead|what about|how about|same for|switch to)\b", t, re.I):
        patch["metric"] = metrics[0]
    details = _details(t, None)
    for key in ("period", "group_by", "chart", "aggregate"):
        if key in details:
            patch[key] = details[key]
    if details.get("compare", {}).get("target"):
        patch.setdefault("compare", {})["target"] = True
    if details.get("compare", {}).get("previous"):
        patch.setdefault("compare", {})["previous"] = True
    if (s := details.get("filters", {}).get("sessions")) is not None:
        patch.setdefault("filters", {})["sessions"] = s
    if m := MEAL.search(t):
        patch.setdefault("filters", {})["meal"] = m.group(1).lower().rstrip("s")
    if re.search(r"\ball (lifts|exercises)\b", t, re.I):
        patch.setdefault("filters", {})["exercise"] = []
    return patch or None


def apply_followup(last: AnalyticsQuery, patch: dict[str, Any]) -> AnalyticsQuery:
    """The last query with a follow-up's patch applied (removals included)."""
    patch = dict(patch)
    removed = patch.pop("_remove_exercise", None)
    if removed:
        keep = [e for e in _names_of(last.filters.exercise) if e not in set(removed)]
        if not keep and last.metric in ("e1rm", "top_set", "velocity", "lv_profile"):
            keep = [n for n in ("Back Squat", "Bench Press", "Deadlift") if n not in set(removed)]
        patch.setdefault("filters", {})["exercise"] = keep
    if patch.get("_add_exercise") and not last.filters.exercise and last.metric in ("e1rm", "top_set"):
        patch["filters"]["exercise"] = ["Back Squat", "Bench Press", "Deadlift", *patch["filters"]["exercise"]]
    return last.merged(patch)


def _names_of(names: list[str]) -> list[str]:
    lib = library()
    out = []
    for n in names:
        ex = lib.lookup(n) or lib.resolve(n).exercise
        out.append(ex.name if ex else n)
    return out


__all__ = [
    "MUSCLES",
    "apply_followup",
    "find_exercises",
    "find_metrics",
    "find_muscles",
    "parse_followup",
    "parse_question",
]


def ground(args: dict[str, Any], text: str) -> dict[str, Any]:
    """Keep only what the text supports in a model-filled query (small models fill optional fields with
    guesses: a muscle nobody named, '48 sessions', a bar chart nobody asked for).

    The metric stays the model's unless the text names other catalogue metrics (then the first of those);
    a period, grouping, chart, aggregate, comparison or filter survives only when the words are there.
    """
    t = " ".join(text.split())
    out = dict(args)
    named = find_metrics(t)
    if out.get("metric") and named and out["metric"] not in named:
        out["metric"] = named[0]
    filters = dict(out.get("filters") or {})
    said = find_exercises(t)
    if filters.get("exercise"):
        filters["exercise"] = [e for e in filters["exercise"] if _lift_name(e) in set(said)]
    if not filters.get("exercise") and said and out.get("metric") in LIFT_METRICS:
        filters["exercise"] = said  # the lifts the athlete named, when the model left them out
    if filters.get("muscle"):
        said_m = set(find_muscles(t))
        filters["muscle"] = [m for m in filters["muscle"] if m.lower().replace("_", " ") in said_m]
    if filters.get("sessions") is not None and _sessions(t) is None:
        filters.pop("sessions")
    if filters.get("load_kg") is not None and not re.search(rf"\b{int(filters['load_kg'])}\b", t):
        filters.pop("load_kg")
    if filters.get("meal") and not MEAL.search(t):
        filters.pop("meal")
    if filters.get("food") and str(filters["food"]).lower() not in t.lower():
        filters.pop("food")
    out["filters"] = {k: v for k, v in filters.items() if v not in (None, [], "")}
    if not out["filters"]:
        out.pop("filters")
    period = find_period(t)
    if period is not None or out.get("period"):
        out["period"] = period  # the words are parsed by code; a period the athlete never said is dropped
    if out.get("group_by") and _first(_GROUP_RES, t) != out["group_by"]:
        out.pop("group_by")
    if out.get("chart") and _first(_CHART_RES, t) != out["chart"]:
        out.pop("chart")
    if out.get("aggregate") and not any(re.search(p, t, re.I) for _, p in AGG):
        out.pop("aggregate")
    compare = dict(out.get("compare") or {})
    if compare.get("target") and not TARGET.search(t):
        compare.pop("target")
    if compare.get("metric") and compare["metric"] not in named:
        compare.pop("metric")
    if compare.get("previous") and not PREVIOUS.search(t):
        compare.pop("previous")
    out["compare"] = {k: v for k, v in compare.items() if v}
    if not out["compare"]:
        out.pop("compare")
    return {k: v for k, v in out.items() if v is not None}


def _lift_name(name: str) -> str:
    lib = library()
    ex = lib.lookup(name) or lib.resolve(name).exercise
    return ex.name if ex else name
