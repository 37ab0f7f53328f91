"""Analytics and memory tools: ask (charts), recall (notes + stats), remember/forget notes, weekly review.

Thin adapters over `analytics`: the fast path or the model fills a typed query, code runs it, and the
tool returns the chart, the numbers behind it and a caption computed from them. The last query of each
thread is kept in the database, so "only since March" or "add deadlift" refine the chart just shown.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator

from agent import prompts
from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from analytics import executor, fastpath
from analytics.catalogue import METRICS, Aggregate, ChartKind, GroupBy, UnknownMetric, nearest
from analytics.memory import Memory, quote_notes
from analytics.metrics import NothingLogged, QueryProblem
from analytics.periods import PeriodError, find_period, parse_period
from analytics.query import AnalyticsQuery, Compare, Filters, MetricName
from analytics.review import weekly_review
from storage import analytics as sql

UNSUPPORTED = fastpath.UNSUPPORTED
HINTS = {
    "tonnage": "volume", "hard_sets": "per muscle", "sessions": "how often trained",
    "adherence": "logging consistency", "expenditure": "TDEE, maintenance", "velocity": "bar speed",
    "lv_profile": "load-velocity profile", "e1rm": "estimated max, strength", "prs": "personal records",
}  # fmt: skip
# The model sees a short list (small CPU models read every token of the tool schema on each call).
CATALOGUE_LINES = ", ".join(f"{k} ({HINTS[k]})" if k in HINTS else k for k in METRICS)


def _today(ctx: ToolContext) -> tuple[date, str]:
    tz = sql.account_timezone(ctx.account_id, ctx.engine)
    now = ctx.now or datetime.now(UTC)
    try:
        return now.astimezone(ZoneInfo(tz)).date(), tz
    except (KeyError, ValueError):
        return now.date(), "UTC"


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
    yields_to=("lift_profile", "lift_result"),  # one clip ("that clip", "rep 4") or its profile, not a trend
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
    today, tz = _today(ctx)
    thread = ctx.thread_id or "cli"
    last = sql.last_query(ctx.account_id, thread, ctx.engine)
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
            query = fastpath.apply_followup(AnalyticsQuery.model_validate(last), _followup_patch(args))
        elif args.metric is None:
            if UNSUPPORTED.search(ctx.text or ""):
                return _offer(ctx.text, UNSUPPORTED.search(ctx.text).group(0))  # type: ignore[union-attr]
            return _offer(ctx.text or "that")
        else:
            # Fields the words don't support are dropped (the fast path's own queries pass unchanged).
            fields = fastpath.ground(args.query_fields(), ctx.text) if ctx.text else args.query_fields()
            query = AnalyticsQuery.model_validate(fields)
        answer = executor.run(query, ctx.account_id, today=today, tz=tz, engine=ctx.engine, out_dir=ctx.output_dir)
    except NothingLogged as e:
        sql.save_last_query(ctx.account_id, thread, query.model_dump(mode="json"), ctx.engine)
        return ToolOutput(summary=str(e), markdown=str(e), data={"query": query.model_dump(mode="json"), "empty": True},
                          final=True)  # fmt: skip
    except (PeriodError, QueryProblem, sql.SourceMissing) as e:
        raise ToolError(str(e)) from e
    except ValueError as e:  # a follow-up that doesn't fit the last chart
        raise ToolError(f"I can't change the chart that way: {e}.") from e
    sql.save_last_query(ctx.account_id, thread, query.model_dump(mode="json"), ctx.engine)
    return ToolOutput(
        summary=f"{answer.caption} ({'Chart and table' if answer.chart else 'Table'} shown.)",
        markdown=f"{answer.caption}\n\n{answer.table}",
        data=answer.as_dict(),
        images=[str(answer.chart)] if answer.chart else [],
        files=[str(answer.csv)] if answer.csv else [],
    )


# --------------------------------------------------------------------------- recall
class RecallArgs(BaseModel):
    """Answer an open question about the athlete's past from their own notes and logged stats, with dates."""

    question: str = Field(description="The question, as asked")
    period: str | None = Field(default=None, description="The period in the athlete's words, if any")
    exercise: str | None = Field(default=None, description="A lift the question is about, if any")


RECALL = re.compile(
    r"\b(how (did|was|were|have)\b.*\b(feel|felt|go|going|been)|when did (my|i)\b|what did i (say|note|write|log)|"
    r"did i (mention|note|say|write)|last time (i|my)|remind me (what|how|when)|have i (had|mentioned|noted)|"
    r"why did|what happened|how has my \w+ been|any notes|my notes|what do you remember)\b",
    re.I,
)


def _match_recall(text: str, _att: list[Attachment]) -> RecallArgs | None:
    if _att or not RECALL.search(text) or fastpath.LOGGING.search(text):
        return None
    ex = fastpath.find_exercises(text)
    return RecallArgs(question=text.strip(), period=find_period(text), exercise=ex[0] if ex else None)


def _lift_stats(ctx: ToolContext, exercise: str, start: date, end: date, tz: str) -> tuple[str, str]:
    try:
        ids = executor.resolve_exercises([exercise])
        daily = sql.training_daily(ctx.account_id, start, end, tz, ids, ctx.engine)
    except (QueryProblem, sql.SourceMissing):
        return "", ""
    if daily.empty:
        return "", f"No {exercise} sets logged between {start:%d %b %Y} and {end:%d %b %Y}."
    rows = ["| Day | Top set (kg) | Working sets | Best e1RM (kg) |", "|---|---:|---:|---:|"]
    for r in daily.sort_values("day").tail(12).itertuples():
        e1 = "—" if r.e1rm_kg is None or r.e1rm_kg != r.e1rm_kg else f"{r.e1rm_kg:.1f}"
        rows.append(f"| {r.day:%a %d %b %Y} | {r.top_kg:g} | {r.sets} | {e1} |")
    best = daily["e1rm_kg"].max()
    summary = (f"{exercise}: {daily['day'].nunique()} sessions from {start:%d %b %Y} to {end:%d %b %Y}, "
               f"top set {daily['top_kg'].max():g} kg, best e1RM {best:.1f} kg.")  # fmt: skip
    return "\n".join(rows), summary


@tool(
    name="recall",
    yields_to=("weekly_review",),  # "how did this week go" is the review
    description=RecallArgs.__doc__ or "",
    args=RecallArgs,
    domain="analytics",
    examples=["how did my bench sessions feel in October?", "when did my knee start hurting?"],
    intents=[r"\b(remember|recall|notes?)\b.*\?", r"\bwhen did\b"],
    match=_match_recall,
)
def recall(ctx: ToolContext, args: RecallArgs) -> ToolOutput:
    today, tz = _today(ctx)
    start = end = None
    if args.period:
        try:
            p = parse_period(args.period, today)
            start, end = p.start, p.end
        except PeriodError as e:
            raise ToolError(str(e)) from e
    memory = Memory(ctx.settings.data_dir, ctx.account_id, ctx.engine)
    memory.sync_sources()
    query = (
        args.question
        if not args.exercise or args.exercise.lower() in args.question.lower()
        else f"{args.exercise} {args.question}"
    )
    hits = memory.search(query, start=start, end=end, k=8, min_similarity=0.35)
    if args.exercise and hits:  # prefer notes that name the lift; keep the rest only if none does
        words = {w for w in args.exercise.lower().split() if len(w) > 3 and w not in ("press", "barbell")}
        named = [h for h in hits if any(w.rstrip("s") in h.note.text.lower() for w in words)]
        hits = named or hits
    first_mention = bool(re.search(r"\bwhen did\b.*\b(start|begin|first)\b|\bfirst time\b", args.question, re.I))
    parts: list[str] = []
    facts: list[str] = []
    if hits:
        ordered = sorted(hits, key=lambda h: h.note.day)
        if first_mention:
            first = ordered[0]
            facts.append(f"Earliest matching note: {first.note.day:%d %b %Y}.")
            parts.append(f"**First mention: {first.note.day:%A %d %B %Y}**")
        parts.append("**From your notes**")
        parts += [f"- {h.note.day:%d %b %Y} ({h.note.kind}): “{h.note.text}”" for h in ordered]
    else:
        where = f" between {start:%d %b %Y} and {end:%d %b %Y}" if start else ""
        parts.append(f"I found no notes about that{where}.")
        facts.append(f"No matching notes{where}.")
    if args.exercise:
        s = start or (today - timedelta(days=90))
        table, line = _lift_stats(ctx, args.exercise, s, end or today, tz)
        if line:
            facts.append(line)
        if table:
            parts += ["", "**What the log shows**", table]
    notes_block = quote_notes(hits) if hits else ""
    summary = " ".join(facts)
    if notes_block:
        summary += f"\n{prompts.load('analytics_notes')}\n<<<notes\n{notes_block}\nnotes>>>"
    return ToolOutput(
        summary=summary,
        markdown="\n".join(parts),
        data={
            "notes": [
                {
                    "id": h.note.id,
                    "day": h.note.day.isoformat(),
                    "text": h.note.text,
                    "similarity": round(h.similarity, 3),
                }
                for h in hits
            ]
        },
    )


# --------------------------------------------------------------------------- notes
class NoteArgs(BaseModel):
    """Remember a note about training, food, health or how a session felt (searchable later)."""

    text: str = Field(min_length=2, max_length=2000, description="The note, in the athlete's words")
    day: str | None = Field(default=None, description="'today', 'yesterday' or a date; default today")


_NOTE_RE = re.compile(
    r"^\s*(?:please\s+)?(?:note|remember|journal|diary|log a note|(?:make|take|add|jot down) a note|write down|"
    r"jot down)(?:\s+that)?\s*[:\-,]?\s+(.{2,})$",
    re.I | re.S,
)


def _match_note(text: str, _att: list[Attachment]) -> NoteArgs | None:
    m = _NOTE_RE.match(text or "")
    if not m:
        return None
    body = m.group(1).strip()
    day = "yesterday" if re.search(r"\byesterday\b", body, re.I) else None
    return NoteArgs(text=body, day=day)


@tool(
    name="remember_note",
    description=NoteArgs.__doc__ or "",
    args=NoteArgs,
    domain="analytics",
    examples=["note: left knee sore after squats", "remember that bench felt fast today"],
    match=_match_note,
    kind="write",
)
def remember_note(ctx: ToolContext, args: NoteArgs) -> ToolOutput:
    today, _tz = _today(ctx)
    day = today
    if args.day:
        try:
            day = parse_period(args.day, today).start
        except PeriodError as e:
            raise ToolError(str(e)) from e
    try:
        note = Memory(ctx.settings.data_dir, ctx.account_id, ctx.engine).remember(args.text, day)
    except ValueError as e:
        raise ToolError(str(e)) from e
    msg = f"Noted for {day:%a %d %b %Y}: “{note.text}”"
    return ToolOutput(
        summary=f"Saved a note dated {day.isoformat()}.", markdown=msg, data={"id": note.id, "day": day.isoformat()},
        actions=[Action(label="Forget this note", tool="forget_note", args={"note_id": note.id})], final=True,
    )  # fmt: skip


class ForgetArgs(BaseModel):
    """Delete a remembered note (from the notes and from the search index)."""

    note_id: str | None = Field(default=None, description="The note's id; leave out for the most recent note")


@tool(
    name="forget_note",
    description=ForgetArgs.__doc__ or "",
    args=ForgetArgs,
    domain="analytics",
    examples=["forget that note", "delete my last note"],
    match=lambda t, _a: (
        ForgetArgs() if re.search(r"\b(forget|delete|remove) (that|the last|my last) note\b", t, re.I) else None
    ),
    kind="write",
)
def forget_note(ctx: ToolContext, args: ForgetArgs) -> ToolOutput:
    note_id = args.note_id
    if note_id is None:
        recent = [
            n for n in sql.list_notes(ctx.account_id, limit=20, engine=ctx.engine) if n.source_ref.startswith("note:")
        ]
        if not recent:
            raise ToolError("You have no notes of your own to forget.")
        note_id = max(recent, key=lambda n: n.created_at).id
    if not Memory(ctx.settings.data_dir, ctx.account_id, ctx.engine).forget(note_id):
        raise ToolError("That note no longer exists.")
    return ToolOutput(summary="Note deleted.", markdown="Deleted that note; it won't come up again.", final=True)


# --------------------------------------------------------------------------- weekly review
class ReviewArgs(BaseModel):
    """A weekly review of training, food, weight, bar speed and boxing, from computed figures."""

    week: str | None = Field(default=None, description="'this week' or 'last week'; leave out for the default")


_REVIEW_RE = re.compile(
    r"\b(weekly (review|summary|report|recap|check[- ]?in)|week in review|review (of )?(my|the|this|last) week|"
    r"how (was|did) my week( go)?|recap (of )?my week|summari[sz]e my week|"
    r"how (was|did) (this|last|the) week( go)?|(recap|summary|rundown) of (this|last|the|my) week)\b",
    re.I,
)


# "run the weekly review every friday at 7pm", "move the weekly review to monday": the check-in, not the review now
_SCHEDULING = re.compile(
    r"\b(at\s+\d|\d\s*(am|pm)|on\s+\w+days\b|every\b|each\b|(to|on)\s+(monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)|remind|schedule|move|reschedule|cancel|stop|turn off)",
    re.I,
)


def _match_review(text: str, _att: list[Attachment]) -> ReviewArgs | None:
    if not _REVIEW_RE.search(text) or _SCHEDULING.search(text):
        return None
    which = (
        "this week"
        if re.search(r"\bthis week\b", text, re.I)
        else "last week"
        if re.search(r"\blast week\b", text, re.I)
        else None
    )
    return ReviewArgs(week=which)


@tool(
    name="weekly_review",
    description=ReviewArgs.__doc__ or "",
    args=ReviewArgs,
    domain="analytics",
    examples=["weekly review", "how was my week?", "review last week"],
    match=_match_review,
)
def review(ctx: ToolContext, args: ReviewArgs) -> ToolOutput:
    today, tz = _today(ctx)
    rv = weekly_review(ctx.account_id, today, which=args.week, tz=tz, engine=ctx.engine)
    # The review's figures become a coach summary in memory ("what did my review say in March?").
    sql.upsert_notes(ctx.account_id, [{"source_ref": f"review:{rv.start.isoformat()}", "day": rv.end, "kind": "coach",
                                       "text": f"Weekly review {rv.start:%d %b}–{rv.end:%d %b %Y}: {rv.summary()}"}],
                     ctx.engine)  # fmt: skip
    return ToolOutput(
        summary=f"Weekly review {rv.start:%d %b}–{rv.end:%d %b}: {rv.summary()}",
        markdown=rv.markdown(),
        data={"start": rv.start.isoformat(), "end": rv.end.isoformat(), "sections": rv.sections, "figures": rv.figures},
    )


# --------------------------------------------------------------------------- model path (CLI, benchmark)
async def fill_with_model(question: str, settings: Any, model: Any = None, retries: int = 1) -> AskArgs:
    """The typed query from the model with the `ask` tool forced, as the chat graph does it (one retry
    with the validation error). Used by `powerforge ask` and the accuracy benchmark."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from pydantic import ValidationError

    from agent.llm import chat_model
    from agent.tools.base import get_tool

    t = get_tool("ask")
    llm = (model or chat_model(settings)).bind_tools([t.schema()], tool_choice="ask")
    msgs: list[Any] = [
        SystemMessage(prompts.load("system")),
        HumanMessage(f"{question}\n\n({prompts.render('tool_args', tool='ask')})"),
    ]
    problem = ""
    for _ in range(retries + 1):
        if problem:
            msgs.append(HumanMessage(f"Your previous arguments were rejected: {problem}. Call `ask` again."))
        msg = await llm.ainvoke(msgs)
        calls = [c for c in getattr(msg, "tool_calls", []) if c["name"] == "ask"]
        if not calls:
            problem = "no tool call was made"
            continue
        try:
            return AskArgs.model_validate(calls[0]["args"])
        except ValidationError as e:
            problem = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()[:3])
    raise ValueError(f"the model gave no valid query ({problem})")
