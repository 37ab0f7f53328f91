"""recall (notes and stats), remember and forget notes."""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel, Field

from agent import prompts
from agent.tools.analytics.common import _today
from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from analytics import executor, fastpath
from analytics.memory import Memory, quote_notes
from analytics.metrics import QueryProblem
from analytics.periods import PeriodError, find_period, parse_period
from storage import analytics as sql


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
