"""ask: a typed query (fast path or model) run by code into a chart, its numbers and a caption.

Follow-ups ("only since March", "add deadlift") refine the thread's last chart.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, model_validator

from agent import prompts
from agent.tools.analytics.common import CATALOGUE_LINES, UNSUPPORTED
from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from analytics import fastpath, service
from analytics.catalogue import Aggregate, ChartKind, GroupBy, UnknownMetric, nearest
from analytics.metrics import NothingLogged, QueryProblem
from analytics.periods import PeriodError
from analytics.query import AnalyticsQuery, Compare, Filters, MetricName


# --------------------------------------------------------------------------- ask
class AskArgs(BaseModel):
    """Chart a metric from the athlete's own logged data (training, food, weight, bar speed, boxing)."""

    metric: MetricName | None = Field(default=None, description="Catalogue key; leave out when none fits")
    filters: Filters | None = None
    group_by: GroupBy | None = Field(default=None, description="How to group, when the athlete says so")
    period: str | None = Field(default=None, description="The athlete's words, e.g. 'last 12 weeks', 'since March'")
    aggregate: Aggregate | None = Field(default=None, description="Only when said: 'average' → mean, 'total' → sum")
    compare: Compare | None = None
    chart: ChartKind | None = Field(default=None, description="Only when said, e.g. 'as a bar chart' → bar")
    refine: bool = Field(default=False, description="True when this changes the chart shown just before")
    add_exercise: list[str] = Field(default_factory=list, description="Lifts to add to the previous chart")
    remove_exercise: list[str] = Field(default_factory=list, description="Lifts to take off the previous chart")
    unsupported: str | None = Field(default=None, description="What was asked when no metric can answer it")

    @model_validator(mode="after")
    def _query_fits(self) -> AskArgs:
        """A new chart's query must be valid as a whole (the model is told what to fix, e.g. a grouping the
        metric doesn't have); a refinement is checked against the last chart when it is applied."""
        if self.metric is not None and not self.refine:
            AnalyticsQuery.model_validate(self.query_fields())
        return self

    def query_fields(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"refine", "add_exercise", "remove_exercise", "unsupported"})


def _match_ask(text: str, _att: list[Attachment]) -> AskArgs | None:
    if _att:
        return None
    q = fastpath.parse_question(text)
    if q is not None:
        return AskArgs(**q.model_dump(exclude_defaults=True))
    patch = fastpath.parse_followup(text)
    if patch is not None:
        return _patch_to_args(patch)
    m = UNSUPPORTED.search(text)
    if (
        m
        and fastpath.CUE.search(text)
        and re.search(r"\b(my|i|me)\b", text, re.I)
        and not fastpath.LOGGING.search(text)
    ):
        return AskArgs(unsupported=m.group(0))
    return None


def _patch_to_args(patch: dict[str, Any]) -> AskArgs:
    args: dict[str, Any] = {"refine": True}
    filters = dict(patch.get("filters") or {})
    if patch.get("_add_exercise"):
        args["add_exercise"] = filters.pop("exercise", [])
    if patch.get("_remove_exercise"):
        args["remove_exercise"] = patch["_remove_exercise"]
    if filters:
        args["filters"] = filters
    for key in ("metric", "period", "group_by", "chart", "aggregate", "compare"):
        if key in patch:
            args[key] = patch[key]
    return AskArgs.model_validate(args)


def _followup_patch(args: AskArgs) -> dict[str, Any]:
    data = args.model_dump(exclude_unset=True, exclude={"refine", "add_exercise", "remove_exercise", "unsupported"})
    patch: dict[str, Any] = {k: v for k, v in data.items() if v is not None}
    if "filters" in patch:
        patch["filters"] = {k: v for k, v in patch["filters"].items() if v not in (None, [])}
    if args.add_exercise:
        patch.setdefault("filters", {})["exercise"] = list(args.add_exercise)
        patch["_add_exercise"] = True
    if args.remove_exercise:
        patch["_remove_exercise"] = list(args.remove_exercise)
    return patch


def _program_edit(ctx: ToolContext) -> ToolOutput | None:
    """Hand "add deadlift" to the training domain's program edit when this thread shows no chart."""
    from agent.tools.base import load_tools

    edit = load_tools().get("program_edit")
    if edit is None or edit.match is None:
        return None
    args = edit.match(ctx.text, [])
    return None if args is None else edit.run(ctx, args)


def _offer(text: str, asked: str | None = None) -> ToolOutput:
    err = UnknownMetric(asked or text, nearest(text))
    buttons = [Action(label=m.label, tool="ask", args={"metric": m.key}) for m in err.nearest[:3]]
    return ToolOutput(ok=False, summary=str(err), markdown=str(err), actions=buttons, final=True,
                      data={"unsupported": asked or text, "nearest": [m.key for m in err.nearest]})  # fmt: skip


@tool(
    name="ask",
    # one clip ("that clip", "rep 4") or its profile, not a trend; a rep max ("my best triple") is one logged set
    yields_to=("lift_profile", "lift_result", "train_rep_max"),
    outranks=("strike_followup",),  # "guard drop rate over my last 10 sessions" is a trend over sessions
    description=prompts.render("analytics_ask", catalogue=CATALOGUE_LINES),
    args=AskArgs,
    domain="analytics",
    grounds_itself=True,  # fastpath.ground keeps only what the words support, field by field
    examples=[
        "show my squat e1RM over the last 6 months",
        "weekly tonnage for the last 12 weeks",
        "hard sets per muscle group last week",
        "calories vs target for the past 30 days",
        "bodyweight and trend this year",
        "velocity at 140 kg squat over time",
        "punches per round over my last 10 sessions",
        "how is my strength coming along lately",
        "am I getting stronger on bench?",
        "how much protein have I been eating recently",
        "is my weight going down",
        "how often did I train this month",
        "how consistent is my food logging",
        "only since March",
        "as a bar chart",
        "add deadlift",
    ],
    intents=[
        r"\b(chart|graph|plot|visuali[sz]e)\b",
        r"\b(trend|progress|history)\b.*\b(my|of)\b",
        r"\bhow (much|many|often)\b.*\b(last|past|this|since|per|in (january|february|march|april|may|june|july|"
        r"august|september|october|november|december))\b",
        r"\b(weekly|monthly|per week|per month)\b",
    ],
    match=_match_ask,
    # Above the domains' own "what's my e1RM / my targets / this week's food" tools: the fast path only
    # takes questions with a period, a grouping, a comparison or a chart word, and leaves the rest to them.
)
def ask(ctx: ToolContext, args: AskArgs) -> ToolOutput:
    if args.unsupported:
        return _offer(ctx.text, args.unsupported)
    thread = ctx.thread_id or "cli"
    last = service.last_chart(ctx.account_id, thread, ctx.engine)
    try:
        if args.refine or (args.metric is None and (args.add_exercise or args.remove_exercise)):
            if last is None and (args.add_exercise or args.remove_exercise):
                delegated = _program_edit(ctx)  # "add deadlift" with no chart shown: a program edit
                if delegated is not None:
                    return delegated
            if last is None:
                raise ToolError(
                    "There's no chart in this conversation yet to change. Ask for one first, "
                    "e.g. 'show my squat e1RM over the last 6 months'."
                )
            query = fastpath.apply_followup(last, _followup_patch(args))
        elif args.metric is None:
            if UNSUPPORTED.search(ctx.text or ""):
                return _offer(ctx.text, UNSUPPORTED.search(ctx.text).group(0))  # type: ignore[union-attr]
            return _offer(ctx.text or "that")
        else:
            # Fields the words don't support are dropped (the fast path's own queries pass unchanged).
            fields = fastpath.ground(args.query_fields(), ctx.text) if ctx.text else args.query_fields()
            query = AnalyticsQuery.model_validate(fields)
        # one service call: runs the query on the person's day and keeps it as this conversation's last chart
        answer = service.chart(ctx.account_id, query, thread, now=ctx.now, out_dir=ctx.output_dir, engine=ctx.engine)
    except NothingLogged as e:
        return ToolOutput(summary=str(e), markdown=str(e), data={"query": query.model_dump(mode="json"), "empty": True},
                          final=True)  # fmt: skip
    except (PeriodError, QueryProblem, service.SourceMissing) as e:
        raise ToolError(str(e)) from e
    except ValueError as e:  # a follow-up that doesn't fit the last chart
        raise ToolError(f"I can't change the chart that way: {e}.") from e
    return ToolOutput(
        summary=f"{answer.caption} ({'Chart and table' if answer.chart else 'Table'} shown.)",
        markdown=f"{answer.caption}\n\n{answer.table}",
        data=answer.as_dict(),
        images=[str(answer.chart)] if answer.chart else [],
        files=[str(answer.csv)] if answer.csv else [],
    )


# --------------------------------------------------------------------------- model path (CLI, benchmark)
async def fill_with_model(question: str, settings: Any, model: Any = None, retries: int = 1) -> AskArgs:
    """The typed query from the model with the `ask` tool forced, as the chat graph does it (one retry
    with the validation error). Used by `powerforge ask` and the accuracy benchmark."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.llm import chat_model
    from agent.structured import StructuredCallFailed, structured_call
    from agent.tools.base import get_tool

    msgs: list[Any] = [
        SystemMessage(prompts.load("system")),
        HumanMessage(f"{question}\n\n({prompts.render('tool_args', tool='ask')})"),
    ]
    try:
        return await structured_call(
            model or chat_model(settings), get_tool("ask").schema(), msgs, AskArgs.model_validate, retries=retries
        )
    except StructuredCallFailed as e:
        raise ValueError(f"the model gave no valid query ({e.problem})") from e
