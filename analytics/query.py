"""The typed analytics query: the one form a model (or the fast path) fills to ask for a number.

Nothing here is executed as written: the metric is a closed set of catalogue keys, names (exercises,
muscles, foods) are resolved by code, the period is words that `analytics.periods` turns into dates,
and the executor builds the SQL. A model that gets a field wrong gets a validation message it can
correct, never a query that runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analytics.catalogue import METRIC_KEYS, METRICS, Aggregate, ChartKind, GroupBy

MetricName = Literal[METRIC_KEYS]  # type: ignore[valid-type]
Meal = Literal["breakfast", "lunch", "dinner", "snack"]


class Filters(BaseModel):
    """Narrow the data down; leave everything out that the person did not say."""

    model_config = ConfigDict(extra="forbid")

    exercise: list[str] = Field(default_factory=list, description="Lift names as said, e.g. ['squat', 'bench']")
    muscle: list[str] = Field(default_factory=list, description="Muscle groups, e.g. ['chest', 'quads']")
    food: str | None = Field(default=None, description="A food name, e.g. 'chicken'")
    meal: Meal | None = None
    load_kg: float | None = Field(default=None, gt=0, le=600, description="A bar load in kg, e.g. 140")
    sessions: int | None = Field(default=None, ge=1, le=500, description="Only the last N sessions")

    @field_validator("exercise", "muscle", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        if v is None:
            return []
        if isinstance(v, str):
            return [p.strip() for p in v.replace(" and ", ",").split(",") if p.strip()]
        return v


class Compare(BaseModel):
    """What to draw beside the metric."""

    model_config = ConfigDict(extra="forbid")

    target: bool = Field(default=False, description="Compare with the daily target (nutrition metrics)")
    metric: MetricName | None = Field(default=None, description="A second metric on the same chart")
    previous: bool = Field(default=False, description="Compare with the period just before")


class AnalyticsQuery(BaseModel):
    """A question about the athlete's own logged data, as a typed query."""

    model_config = ConfigDict(extra="forbid")

    metric: MetricName = Field(description="Which metric (see the catalogue)")
    filters: Filters = Field(default_factory=Filters)
    group_by: GroupBy | None = Field(default=None, description="day, week, month, session, exercise, muscle…")
    period: str | None = Field(default=None, description="The period in the athlete's words, e.g. 'last 12 weeks'")
    aggregate: Aggregate | None = Field(default=None, description="sum, mean, max, min, count or last")
    compare: Compare = Field(default_factory=Compare)
    chart: ChartKind = Field(default="auto", description="auto, line, bar, scatter, area or table")

    @model_validator(mode="after")
    def _fits_metric(self) -> AnalyticsQuery:
        m = METRICS[self.metric]
        if self.group_by is not None and self.group_by not in m.groups:
            allowed = ", ".join(m.groups)
            raise ValueError(f"{m.label} can be grouped by {allowed}, not by {self.group_by}")
        if self.compare.target and not m.targets:
            raise ValueError(f"{m.label} has no daily target to compare with")
        if self.compare.metric == self.metric:
            self.compare.metric = None
        return self

    def merged(self, change: AnalyticsQuery | dict) -> AnalyticsQuery:
        """This query with a follow-up's explicit fields laid over it ('only since March', 'as a bar chart')."""
        patch = change if isinstance(change, dict) else change.model_dump(exclude_unset=True)
        data = self.model_dump()
        for key, value in patch.items():
            if key == "filters" and isinstance(value, dict):
                for fk, fv in value.items():
                    if fk == "exercise" and fv and patch.get("_add_exercise"):
                        data["filters"]["exercise"] = list(dict.fromkeys([*data["filters"]["exercise"], *fv]))
                    else:
                        data["filters"][fk] = fv
            elif key == "compare" and isinstance(value, dict):
                data["compare"].update(value)
            elif not key.startswith("_"):
                data[key] = value
        if "metric" in patch and patch["metric"] != self.metric:  # a new metric keeps only what still fits
            if data.get("group_by") not in METRICS[data["metric"]].groups:
                data["group_by"] = None
            if not METRICS[data["metric"]].targets:
                data["compare"]["target"] = False
        return AnalyticsQuery.model_validate(data)
