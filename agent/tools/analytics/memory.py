"""recall (notes and stats), remember and forget notes."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent import prompts
from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from analytics import fastpath, service
from analytics.memory import quote_notes
from analytics.periods import PeriodError, find_period


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


def _lift_table(log: service.LiftLog) -> tuple[str, str]:
    """The log's table and its one-line summary (no table when nothing was logged)."""
    if not log.days:
        return "", f"No {log.exercise} sets logged between {log.start:%d %b %Y} and {log.end:%d %b %Y}."
    rows = ["| Day | Top set (kg) | Working sets | Best e1RM (kg) |", "|---|---:|---:|---:|"]
    for d in log.days:
        e1 = "—" if d.e1rm_kg is None else f"{d.e1rm_kg:.1f}"
        rows.append(f"| {d.day:%a %d %b %Y} | {d.top_kg:g} | {d.sets} | {e1} |")
    best = "—" if log.best_e1rm_kg is None else f"{log.best_e1rm_kg:.1f} kg"
    summary = (f"{log.exercise}: {log.sessions} sessions from {log.start:%d %b %Y} to {log.end:%d %b %Y}, "
               f"top set {log.top_kg:g} kg, best e1RM {best}.")  # fmt: skip
    return "\n".join(rows), summary


@tool(
    name="recall",
    yields_to=("weekly_review", "food_day"),  # "how was my week" is the review; "how much fat have i had" the diary
    description=RecallArgs.__doc__ or "",
    args=RecallArgs,
    domain="analytics",
    examples=["how did my bench sessions feel in October?", "when did my knee start hurting?"],
    intents=[r"\b(remember|recall|notes?)\b.*\?", r"\bwhen did\b"],
    match=_match_recall,
)
def recall(ctx: ToolContext, args: RecallArgs) -> ToolOutput:
    try:
        found = service.recall(
            ctx.account_id, args.question, period=args.period, exercise=args.exercise,
            data_dir=ctx.settings.data_dir, now=ctx.now, engine=ctx.engine,
        )  # fmt: skip
    except PeriodError as e:
        raise ToolError(str(e)) from e
    hits, start, end = found.hits, found.start, found.end
    parts: list[str] = []
    facts: list[str] = []
    if hits:
        if found.first_mention:
            first = hits[0]
            facts.append(f"Earliest matching note: {first.note.day:%d %b %Y}.")
            parts.append(f"**First mention: {first.note.day:%A %d %B %Y}**")
        parts.append("**From your notes**")
        parts += [f"- {h.note.day:%d %b %Y} ({h.note.kind}): “{h.note.text}”" for h in hits]
    else:
        where = f" between {start:%d %b %Y} and {end:%d %b %Y}" if start and end else ""
        parts.append(f"I found no notes about that{where}.")
        facts.append(f"No matching notes{where}.")
    if found.lift is not None:
        table, line = _lift_table(found.lift)
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
    try:
        note = service.remember_note(
            ctx.account_id, args.text, args.day, data_dir=ctx.settings.data_dir, now=ctx.now, engine=ctx.engine
        )
    except (PeriodError, service.NoteProblem) as e:
        raise ToolError(str(e)) from e
    day = note.day
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
    try:
        service.forget_note(ctx.account_id, args.note_id, data_dir=ctx.settings.data_dir, engine=ctx.engine)
    except service.NoteProblem as e:
        raise ToolError(str(e)) from e
    return ToolOutput(summary="Note deleted.", markdown="Deleted that note; it won't come up again.", final=True)
