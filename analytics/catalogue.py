"""The metric catalogue: every number a question can ask for, in one place, with its unit and meaning.

A metric here is a definition, not code that runs: its key (what the typed query names), what it
means, its unit, which domain's data it reads, how it is grouped and drawn by default, and the words
people use for it (the fast path and the "did you mean" offer read these). The computations live in
`analytics.metrics`; the SQL in `storage.analytics`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

GroupBy = Literal[
    "day", "week", "month", "session", "exercise", "muscle", "meal", "food", "rpe", "type", "day_type", "none"
]
ChartKind = Literal["auto", "line", "bar", "scatter", "area", "table"]
Aggregate = Literal["sum", "mean", "max", "min", "count", "last"]
Domain = Literal["training", "nutrition", "lifts", "striking"]


@dataclass(frozen=True)
class Metric:
    """One answerable quantity."""

    key: str
    label: str
    unit: str  # shown on axes and in tables: kg, kcal, g, m/s, %, sets, punches, sessions
    description: str
    domain: Domain
    group_by: GroupBy  # the default grouping
    groups: tuple[GroupBy, ...]  # groupings that make sense
    period: str  # default period in words (analytics.periods reads it)
    chart: ChartKind  # default chart
    aggregate: Aggregate  # how values inside one group combine
    words: tuple[str, ...] = ()  # phrasings people use (fast path, suggestions)
    filters: tuple[str, ...] = ()  # filters this metric honours
    needs_exercise: bool = False  # per-lift metrics: the big three when none is named
    targets: bool = False  # can be compared with a daily target

    def describe(self) -> str:
        return f"{self.label} ({self.unit}): {self.description}"


_TIME: tuple[GroupBy, ...] = ("day", "week", "month")
# "day_type": training days against rest days (a day with at least one working set is a training day).

METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        # --- training -----------------------------------------------------------------------
        Metric(
            "e1rm", "Estimated 1RM", "kg",
            "Best estimated one-rep max per day (Epley/Brzycki ≤ 10 reps, RPE chart for RPE ≥ 7).",
            "training", "day", (*_TIME, "session", "exercise"), "last 6 months", "line", "max",
            words=("e1rm", "1rm", "one rep max", "one-rep max", "estimated max", "max", "strength"),
            filters=("exercise",), needs_exercise=True,
        ),
        Metric(
            "top_set", "Top set", "kg", "Heaviest working-set load per day.",
            "training", "day", (*_TIME, "session", "exercise"), "last 6 months", "line", "max",
            words=("top set", "top sets", "heaviest set", "heaviest", "best set", "heaviest weight"),
            filters=("exercise",), needs_exercise=True,
        ),
        Metric(
            "tonnage", "Tonnage", "kg", "Volume load: load × reps summed over working sets (warm-ups left out).",
            "training", "week", (*_TIME, "session", "exercise", "muscle"), "last 12 weeks", "bar", "sum",
            words=("tonnage", "volume", "volume load", "total weight lifted", "total load", "workload", "kg lifted"),
            filters=("exercise", "muscle"),
        ),
        Metric(
            "sets", "Working sets", "sets", "Number of working sets (warm-ups left out).",
            "training", "week", (*_TIME, "exercise", "muscle"), "last 12 weeks", "bar", "sum",
            words=("sets", "set count", "number of sets", "working sets"),
            filters=("exercise", "muscle"),
        ),
        Metric(
            "hard_sets", "Hard sets", "sets",
            "Working sets at RPE ≥ 7 (or no RPE logged): 1 per primary muscle, 0.5 per secondary muscle.",
            "training", "muscle", ("muscle", "week", "month", "exercise"), "last week", "bar", "sum",
            words=("hard sets", "hard set", "effective sets", "sets per muscle", "weekly sets per muscle"),
            filters=("exercise", "muscle"),
        ),
        Metric(
            "rpe_distribution", "RPE distribution", "sets", "How many working sets were logged at each RPE.",
            "training", "rpe", ("rpe", "day", "week", "month", "session"), "last 12 weeks", "bar", "count",
            words=("rpe distribution", "rpe", "effort", "how hard", "intensity distribution", "how hard my sets felt"),
            filters=("exercise",),
        ),
        Metric(
            "prs", "Personal records", "PRs", "Days that set a new best estimated 1RM for a lift.",
            "training", "month", ("week", "month", "exercise"), "this year", "table", "count",
            words=("prs", "pr", "personal records", "personal bests", "pbs", "pb", "records"),
            filters=("exercise",),
        ),
        Metric(
            "sessions", "Training sessions", "sessions", "Days with at least one working set logged.",
            "training", "week", ("week", "month"), "last 12 weeks", "bar", "count",
            words=("sessions", "workouts", "training days", "how often", "frequency", "times did i train"),
            filters=("exercise",),
        ),
        Metric(
            "plan_adherence", "Program adherence", "%",
            "Share of the program's planned workouts (dated up to today) that were done.",
            "training", "week", ("week", "month"), "last 12 weeks", "bar", "mean",
            words=("program adherence", "planned workouts completed", "missed sessions", "sticking to the plan",
                   "compliance"),
        ),
        # --- nutrition ----------------------------------------------------------------------
        Metric(
            "calories", "Calories", "kcal", "Energy eaten per day (sum of diary entries).",
            "nutrition", "day", (*_TIME, "meal", "food", "day_type"), "last 30 days", "line", "sum",
            words=("calories", "calorie", "kcal", "energy intake", "intake", "food intake", "eating"),
            filters=("food", "meal"), targets=True,
        ),
        Metric(
            "protein", "Protein", "g", "Protein eaten per day.",
            "nutrition", "day", (*_TIME, "meal", "food", "day_type"), "last 30 days", "line", "sum",
            words=("protein",), filters=("food", "meal"), targets=True,
        ),
        Metric(
            "carbs", "Carbohydrate", "g", "Carbohydrate eaten per day.",
            "nutrition", "day", (*_TIME, "meal", "food", "day_type"), "last 30 days", "line", "sum",
            words=("carbs", "carbohydrate", "carbohydrates", "carb"), filters=("food", "meal"), targets=True,
        ),
        Metric(
            "fat", "Fat", "g", "Fat eaten per day.",
            "nutrition", "day", (*_TIME, "meal", "food", "day_type"), "last 30 days", "line", "sum",
            words=("fat", "fats", "dietary fat"), filters=("food", "meal"), targets=True,
        ),
        Metric(
            "fibre", "Fibre", "g", "Fibre eaten per day.",
            "nutrition", "day", (*_TIME, "meal", "food", "day_type"), "last 30 days", "line", "sum",
            words=("fibre", "fiber"), filters=("food", "meal"), targets=True,
        ),
        Metric(
            "macros", "Macros", "g", "Protein, carbohydrate and fat per day, side by side.",
            "nutrition", "day", (*_TIME, "meal"), "last 14 days", "bar", "sum",
            words=("macros", "macronutrients", "macro split", "macro breakdown"), filters=("meal",), targets=True,
        ),
        Metric(
            "bodyweight", "Body weight", "kg", "Weigh-ins with the smoothed trend weight.",
            "nutrition", "day", _TIME, "this year", "line", "mean",
            words=("bodyweight", "body weight", "weight", "weigh-ins", "weigh ins", "scale weight", "trend weight"),
        ),
        Metric(
            "adherence", "Logging adherence", "%", "Share of days with food logged (and with a weigh-in).",
            "nutrition", "week", ("week", "month"), "last 12 weeks", "bar", "mean",
            words=("adherence", "logging adherence", "consistency", "days logged", "tracking consistency"),
        ),
        Metric(
            "expenditure", "Expenditure estimate", "kcal", "Daily energy expenditure from intake and trend weight.",
            "nutrition", "week", ("week", "month"), "last 6 months", "line", "mean",
            words=("expenditure", "tdee", "maintenance", "maintenance calories", "energy expenditure", "burn"),
        ),
        # --- lift video -----------------------------------------------------------------------
        Metric(
            "velocity", "Mean concentric velocity", "m/s",
            "Bar speed of each analysed set's fastest rep (mean concentric velocity), averaged per day.",
            "lifts", "day", ("day", "week", "month", "session"), "last 6 months", "line", "mean",
            words=("velocity", "bar speed", "speed", "mean velocity", "mcv", "bar velocity"),
            filters=("exercise", "load"), needs_exercise=True,
        ),
        Metric(
            "lv_profile", "Load-velocity profile", "m/s", "Mean velocity against load, with the fitted line and "
            "the e1RM it implies at the lift's minimum velocity threshold.",
            "lifts", "none", ("none",), "last 12 weeks", "scatter", "mean",
            words=("load velocity profile", "load-velocity profile", "lv profile", "load velocity", "l-v profile"),
            filters=("exercise",), needs_exercise=True,
        ),
        Metric(
            "velocity_loss", "Velocity loss", "%", "Drop from the fastest to the last rep of a set.",
            "lifts", "day", ("day", "week", "month", "session"), "last 12 weeks", "line", "mean",
            words=("velocity loss", "speed loss", "fatigue", "rep speed drop", "velocity drop-off"),
            filters=("exercise",),
        ),
        # --- striking -------------------------------------------------------------------------
        Metric(
            "punches_per_round", "Punches per round", "punches", "Punches thrown per round, per session.",
            "striking", "session", ("session", "week", "month"), "last 10 sessions", "bar", "mean",
            words=("punches per round", "punch count", "punches", "output", "work rate", "punch output"),
        ),
        Metric(
            "punch_mix", "Punch mix", "punches", "Punches by type (jab, cross, hooks, uppercuts).",
            "striking", "type", ("type", "session"), "last 10 sessions", "bar", "sum",
            words=("punch mix", "punch types", "punch breakdown", "jabs", "hooks", "uppercuts", "crosses"),
        ),
        Metric(
            "guard_drop", "Guard-drop rate", "%", "Share of the round with the hands below the chin line.",
            "striking", "session", ("session", "week", "month"), "last 10 sessions", "line", "mean",
            words=("guard drop", "guard drops", "guard-drop", "dropping my guard", "hands down", "guard"),
        ),
    )
}  # fmt: skip

METRIC_KEYS: tuple[str, ...] = tuple(METRICS)


class UnknownMetric(ValueError):
    """A question the catalogue can't answer; `nearest` holds metrics worth offering instead."""

    def __init__(self, asked: str, nearest: list[Metric]):
        self.asked = asked
        self.nearest = nearest
        offer = ", ".join(m.label.lower() for m in nearest[:4]) or ", ".join(METRIC_KEYS[:6])
        super().__init__(f"I can't chart '{asked}' from what's logged. Closest I can do: {offer}.")


def _tokens(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


POPULAR = ("e1rm", "tonnage", "calories", "bodyweight")


def nearest(text: str, limit: int = 4) -> list[Metric]:
    """Metrics whose words or description come closest to `text` (for 'did you mean'); the most asked
    ones when nothing is close."""
    words = _tokens(text)
    scored: list[tuple[float, str]] = []
    for m in METRICS.values():
        hay = _tokens(" ".join((m.key, m.label, m.description, *m.words)))
        overlap = len(words & hay)
        fuzzy = max(difflib.SequenceMatcher(None, text.lower(), w).ratio() for w in (m.label.lower(), *m.words))
        scored.append((overlap + fuzzy, m.key))
    scored.sort(reverse=True)
    close = [METRICS[k] for score, k in scored[:limit] if score >= 1.0]
    return close or [METRICS[k] for k in POPULAR[:limit]]


def get(key: str) -> Metric:
    if key not in METRICS:
        raise UnknownMetric(key, nearest(key.replace("_", " ")))
    return METRICS[key]


def auto_chart(metric: Metric, group_by: str | None, points: int, target: bool = False) -> str:
    """The chart drawn when none is asked for: a table for PRs, bars for totals per week or month and for
    a short run of days, a line for long daily series and for anything against a target line."""
    g = group_by or metric.group_by
    if metric.chart in ("table", "scatter"):
        return metric.chart
    if g in ("muscle", "exercise", "meal", "food", "rpe", "type", "day_type"):
        return "bar"
    if metric.chart == "bar":
        return "bar"
    if target:
        return "line"
    if g in ("week", "month") and metric.aggregate in ("sum", "count"):
        return "bar"
    if g == "day" and metric.domain == "nutrition" and metric.aggregate == "sum" and 0 < points <= 14:
        return "bar"
    return metric.chart


def catalogue_markdown() -> str:
    """The catalogue as a table (shown when someone asks what they can ask)."""
    rows = [f"| {m.label} | {m.unit} | {m.description} |" for m in METRICS.values()]
    return "| Metric | Unit | Meaning |\n|---|---|---|\n" + "\n".join(rows)


__all__ = [
    "METRICS",
    "METRIC_KEYS",
    "Aggregate",
    "ChartKind",
    "Domain",
    "GroupBy",
    "Metric",
    "UnknownMetric",
    "auto_chart",
    "catalogue_markdown",
    "get",
    "nearest",
]
