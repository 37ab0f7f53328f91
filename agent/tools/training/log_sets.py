"""Logging sets by chat (through training.service.log_sets), undo, and training summaries."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.training.common import DOMAIN, _now
from agent.tools.training.program_edit import _edits_a_program_day
from training import e1rm as e1rm_mod
from training.builder import looks_like_program_request
from training.chart import e1rm_chart
from training.library import Exercise, library
from training.parse import (
    ParsedEntry,
    ParsedSet,
    SetLineError,
    has_explicit_unit,
    looks_like_logged_set,
    looks_like_set_line,
    parse_sets,
)
from training.render import mass, num, sets_table, summary_md
from training.service import (
    LogbookError,
    LoggedSets,
    NeedsExercise,
    NeedsUnit,
    SetInput,
    SetLogError,
    log_sets,
    session_summary,
    undo_sets,
)  # fmt: skip


# --------------------------------------------------------------------------- logging sets
class SetEntryArgs(BaseModel):
    exercise: str
    sets: int = Field(default=1, ge=1, le=20)
    reps: int = Field(ge=1, le=100)
    load: float | None = Field(default=None, ge=0)
    unit: Literal["kg", "lb"] | None = None
    rpe: float | None = Field(default=None, ge=1, le=10)
    warmup: bool = False
    amrap: bool = False
    notes: str = ""
    superset: str | None = None


class LogSetsArgs(BaseModel):
    """Log sets the athlete performed, e.g. 'squat 140x5 @8', 'bench 3x5 at 100', 'did 225 for 8 on deadlift'."""

    text: str | None = Field(default=None, description="the set line as the athlete typed it")
    entries: list[SetEntryArgs] = Field(default_factory=list)
    unit: Literal["kg", "lb"] | None = Field(default=None, description="unit when the athlete said which")
    exercise_id: str | None = Field(default=None, description="exercise chosen for an unclear name ('new' = add it)")
    unit_answer: Literal["kg", "lb"] | None = Field(default=None, description="only from the kg-or-lb question")


# A max worked out from a set ("e1rm squat 140x5", "what's my 1rm if i did 100 for 8") asks, it logs nothing.
_MAX_FROM_A_SET = re.compile(
    r"^\W*(?:e1rm|1rm|est(?:imated?)?\s+(?:1rm|max))\b"
    r"|\b(?:e1rm|1rm|one[- ]rep max|max)\b.{0,40}\b(?:if|from|off|based on)\b"
    r"|\b(?:what(?:'?s| is| would)|whats|calc(?:ulate)?|estimate|work out)\b.{0,30}\b(?:e1rm|1rm|one[- ]rep max)\b",
    re.I,
)


# "should I do 5x5 or 3x5?", "is 3x5 at 100 too heavy?" ask; "can you log bench 100x5" still logs.
_ASKS = re.compile(r"^\W*(?:should|shall|could|would|can|will|is|are|am|what|which|how|why|when|where|do|does)\b", re.I)
_LOG_VERB = re.compile(r"\b(?:log|add|record|enter|save|track|put)\b", re.I)


def _match_log(text: str, _a: list[Attachment]) -> LogSetsArgs | None:
    if not looks_like_logged_set(text) or looks_like_program_request(text) or _edits_a_program_day(text):
        return None
    if _MAX_FROM_A_SET.search(text) or (_ASKS.match(text) and not _LOG_VERB.search(text)):
        return None
    try:
        entries = parse_sets(text)
    except SetLineError:
        return None
    # A sure exercise, or at least close candidates to ask about ("zercher carry" → which one?).
    if not any(e.exercise_text and library().resolve(e.exercise_text).candidates for e in entries):
        return None
    # a bare duration or "a single at 200" is a set only with an exercise known for sure ("rest 2 min" is not)
    if not looks_like_set_line(text) and not all(library().resolve(e.exercise_text).exercise for e in entries):
        return None
    return LogSetsArgs(text=text)


def _entries(args: LogSetsArgs) -> list[ParsedEntry]:
    if args.text:
        try:
            return parse_sets(args.text)
        except SetLineError as e:
            if not args.entries:
                raise ToolError(str(e)) from e
    out = []
    for item in args.entries:
        sets = [ParsedSet(item.reps, item.load, item.unit, item.rpe, item.amrap and i == item.sets - 1)
                for i in range(item.sets)]  # fmt: skip
        out.append(ParsedEntry(item.exercise, sets, item.warmup, item.superset, item.notes))
    if not out:
        raise ToolError("Tell me the set, e.g. “squat 140x5 @8” or “bench 3x5 at 100”.")
    return out


def _ask_exercise(ctx: ToolContext, args: LogSetsArgs, typed: str, candidates: list[Exercise]) -> ToolOutput:
    base = args.model_dump(exclude_none=True)
    actions = [Action(label=c.name, tool="train_log_sets", args={**base, "exercise_id": c.id}) for c in candidates[:4]]
    actions.append(
        Action(label=f"➕ Add “{typed}” as a new exercise", tool="train_log_sets", args={**base, "exercise_id": "new"})
    )
    which = f"Which exercise is “{typed}”?" if candidates else f"I don't know “{typed}” yet."
    return ToolOutput(
        summary=f"Asked which exercise '{typed}' is; nothing logged yet.",
        markdown=f"{which} Nothing is logged until you pick one.",
        actions=actions,
        data={"needs": "exercise", "typed": typed, "candidates": [c.id for c in candidates]},
        final=True,
    )


@tool(
    name="train_log_sets",
    yields_to=("train_rep_max",),  # "best squat for 3 reps" asks for a set; a set with a load is never one
    description=LogSetsArgs.__doc__ or "",
    args=LogSetsArgs,
    domain=DOMAIN,
    examples=["squat 140x5 @8", "bench 3x5 at 100", "did 225 for 8 on deadlift", "pull ups 10, 8, 7"],
    intents=[r"\b(log|logged|record)\b.*\b(set|sets|reps)\b"],
    match=_match_log,
    kind="write",
)
def train_log_sets(ctx: ToolContext, args: LogSetsArgs) -> ToolOutput:
    now = _now(ctx)
    inp = SetInput(
        entries=_entries(args), unit=args.unit, explicit_unit=bool(args.text and has_explicit_unit(args.text)),
        exercise_id=args.exercise_id, unit_answer=args.unit_answer,
    )  # fmt: skip
    try:
        result = log_sets(ctx.account_id, inp, now=now, engine=ctx.engine)
    except SetLogError as e:
        raise ToolError(str(e)) from e
    if isinstance(result, NeedsExercise):
        return _ask_exercise(ctx, args, result.typed, result.candidates)
    if isinstance(result, NeedsUnit):
        return _ask_unit(args, result)
    return _logged(ctx, result, now)


def _ask_unit(args: LogSetsArgs, q: NeedsUnit) -> ToolOutput:
    base = args.model_dump(exclude_none=True)
    value, unit, alt = num(q.value), q.unit, q.suggested
    return ToolOutput(
        summary=f"Asked whether {value} was kg or lb; nothing logged yet.",
        markdown=f"{value} {unit} for {q.reps} on {q.name} looks off for you — did you mean **{value} {alt}**? "
        f"{q.reason} Nothing is logged until you choose, and I'll remember your answer for loads typed without a unit.",
        actions=[
            Action(label=f"It was {value} {alt}", tool="train_log_sets", args={**base, "unit_answer": alt}),
            Action(label=f"It was {value} {unit}", tool="train_log_sets", args={**base, "unit_answer": unit}),
        ],
        data={"needs": "unit", "value": q.value, "assumed": unit, "suggested": alt},
        final=True,
    )


def _logged(ctx: ToolContext, res: LoggedSets, now: datetime) -> ToolOutput:
    """What the athlete sees after logging: the sets, PRs, progression, volume, the e1RM chart and buttons."""
    records, names, unit_show, by_ex = res.records, res.names, res.unit, res.by_exercise
    md = "✅ Logged:\n\n" + sets_table(records, unit_show, names, res.e1rm_formula)
    md += f"\n\n_e1RM: {e1rm_mod.formula_rule(res.e1rm_formula)}._"
    if res.prs:
        md += "\n\n" + "\n".join(pr.describe(names.get(pr.exercise_id, pr.exercise_id), unit_show) for pr in res.prs)
    if res.notes:
        md += "\n\n" + "\n".join(f"_{n}_" for n in res.notes)
    if res.progression:
        md += "\n\n**Progression**\n\n" + "\n".join(f"- {x}" for x in res.progression)
    md += f"\n\nSession so far: {mass(res.session_volume_kg, unit_show)} volume."
    actions = [Action(label="↩️ Undo", tool="train_undo", args={"set_ids": [r.id for r in records]},
                      tooltip="Remove the sets just logged")]  # fmt: skip
    if res.progression_draft_id is not None:
        actions = [
            Action(label="✅ Apply progression", tool="program_approve", args={"draft_id": res.progression_draft_id}),
            Action(label="Keep as planned", tool="program_discard", args={"draft_id": res.progression_draft_id}),
            *actions,
        ]
    images = []
    chart_ex = records[-1].exercise_id
    if len(res.e1rm_history) >= 2:
        path = ctx.output_dir / f"e1rm-{chart_ex}-{int(now.timestamp())}.png"
        title = f"{names.get(chart_ex, chart_ex)} e1RM"
        images.append(str(e1rm_chart(res.e1rm_history[-30:], path, title=title, unit=unit_show)))
    logged = "; ".join(
        f"{names.get(k, k)} "
        + ", ".join(f"{mass(r.load_kg, unit_show)}×{r.reps}" + (f"@{num(r.rpe)}" if r.rpe else "") for r in v)
        for k, v in by_ex.items()
    )
    summary = f"Logged {len(records)} set(s): {logged}."
    if res.prs:
        summary += " PRs: " + "; ".join(
            pr.describe(names.get(pr.exercise_id, ""), unit_show).replace("🏆 ", "") for pr in res.prs
        )
    sets = [{"exercise_id": r.exercise_id, "load_kg": r.load_kg, "reps": r.reps, "rpe": r.rpe, "e1rm_kg": r.e1rm_kg,
             "warmup": r.warmup} for r in records]  # fmt: skip
    return ToolOutput(
        summary=summary, markdown=md, images=images, actions=actions, final=True,
        data={"session_id": res.session_id, "set_ids": [r.id for r in records], "sets": sets,
              "prs": [pr.__dict__ for pr in res.prs], "progression": res.progression},
    )  # fmt: skip


class UndoArgs(BaseModel):
    """Remove sets that were just logged (by id), or the last logged set."""

    set_ids: list[str] = Field(default_factory=list)


@tool(
    name="train_undo",
    outranks=("undo_last",),  # it names a set: no need to look up which came last
    description=UndoArgs.__doc__ or "",
    args=UndoArgs,
    domain=DOMAIN,
    examples=["undo the last set", "delete my last set"],
    match=lambda text, _a: (
        UndoArgs() if re.search(r"\b(undo|delete|remove)\b.*\b(last|that)\s+(set|sets|log)\b", text, re.I) else None
    ),
    kind="write",
)
def train_undo(ctx: ToolContext, args: UndoArgs) -> ToolOutput:
    try:
        n = undo_sets(ctx.account_id, list(args.set_ids), ctx.engine)
    except LogbookError as e:
        raise ToolError(str(e)) from e
    return ToolOutput(summary=f"Removed {n} set(s).", markdown=f"↩️ Removed {n} set{'s' if n > 1 else ''}.", final=True)


# --------------------------------------------------------------------------- summary
class SummaryArgs(BaseModel):
    """Summarise the current (or last) training session: volume, top sets, hard sets per muscle group."""

    finish: bool = Field(default=False, description="true when the athlete says the session is over")


_SUMMARY_RE = re.compile(
    r"\b(?:session|workout|training) summary\b|"
    r"\bsummar(?:y|ise|ize) (?:my |the |today'?s )?(?:session|workout|training)\b|"
    r"\bhow did (?:today|my (?:session|workout)|the (?:session|workout)) go\b|"
    # "sum up today's workout", "recap of my last session", "how was my session?", "how'd the workout go"
    r"\b(?:sum(?:marise|marize)? up|recap|run ?down|breakdown|summary|summari[sz]e)\s+(?:of\s+)?"
    r"(?:my\s+|the\s+|today'?s\s+|tonight'?s\s+|this\s+|that\s+|last\s+|latest\s+)+(?:session|workout|training)\b|"
    r"\bhow(?:'?d| did| was| went)\s+(?:my\s+|the\s+|today'?s\s+|this\s+|that\s+|last\s+|latest\s+)+"
    r"(?:session|workout)\b(?:\s+go)?\s*(?:today|tonight)?\s*\??\s*$|"
    r"\b(?:finish(?:ed)?|end|done with|wrap up|close)\s+(?:my |the |this )?(?:workout|session|training)\b|"
    r"^\s*(?:i'?m )?done(?: for today)?[.!]*$|"
    # "session done", "workout finished", "that's it for today", "finished, summary pls"
    r"^\W*(?:session|workout|training)\s+(?:done|over|finished|complete)\b|^\W*that'?s it for (?:today|tonight)\b|"
    r"^\W*(?:all\s+)?(?:finished|done)\b[^?]{0,20}\bsummary\b",
    re.I,
)

# "summary of my training last week" is a period (the weekly review), not one session
_A_PERIOD = re.compile(r"\b(?:week|weeks|month|months|year|weekly|monthly)\b", re.I)


@tool(
    name="train_summary",
    outranks=("recall",),  # "how did my workout go today" is the session's figures, not a search of the notes
    description=SummaryArgs.__doc__ or "",
    args=SummaryArgs,
    domain=DOMAIN,
    examples=["session summary", "finished my workout"],
    match=lambda text, _a: (
        SummaryArgs(finish=bool(re.search(r"\b(finish|end|done|wrap|close|over|complete)|\bthat'?s it\b", text, re.I)))
        if _SUMMARY_RE.search(text) and not _A_PERIOD.search(text)
        else None
    ),
)
def train_summary(ctx: ToolContext, args: SummaryArgs) -> ToolOutput:
    try:
        rep = session_summary(ctx.account_id, _now(ctx), finish=args.finish, engine=ctx.engine)
    except LogbookError as e:
        raise ToolError(str(e)) from e
    s, unit = rep.summary, rep.unit
    title = f"**{rep.name or 'Session'}** — {rep.started_local:%a %d %b %H:%M}"
    return ToolOutput(
        summary=f"Session: {s.working_sets} working sets, volume {mass(s.volume_kg, unit)}; "
        + "; ".join(f"{lift.name} top {mass(lift.top_load_kg, unit)}×{lift.top_reps}" for lift in s.lifts),
        markdown=f"{title}\n\n{summary_md(s, unit)}" + ("\n\nSession closed. Good work." if rep.closed else ""),
        data=s.as_dict() | {"session_id": rep.session_id},
        final=True,
    )
