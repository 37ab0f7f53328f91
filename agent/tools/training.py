"""Training tools: programs from a sentence (draft → table → approve), edits with a diff, today's workout,
plate maths, logging sets by chat with PRs, e1RM chart and progression, summaries, Strong/Hevy import,
CSV export, maxes and equipment.

Thin adapters: numbers come from `training/`, rows from `storage.training`. Every common phrasing has a
`match` fast path, so logging "squat 140x5 @8" or asking "what's my workout today?" needs no model.
Nothing that changes a program is saved without a button press (drafts wait in the database).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from powerforge.units import Mass
from storage import training as repo
from storage.accounts import get_profile
from storage.uploads import get_upload
from training import e1rm as e1rm_mod
from training.builder import build, describe_request, looks_like_program_request, parse_maxes, parse_request
from training.chart import e1rm_chart
from training.csvio import CSVImportError, detect, parse_export, write_csv
from training.diff import compress, diff_programs, diff_table
from training.edits import EditError, EditOp, apply_edits, parse_edit
from training.library import Exercise, library
from training.loads import Max
from training.model import Program, ProgramInvalid, ensure_valid
from training.parse import ParsedEntry, ParsedSet, SetLineError, has_explicit_unit, looks_like_set_line, parse_sets
from training.plates import Equipment, PlateError, load_bar
from training.progression import SlotState, initial_states
from training.render import mass, num, program_table, sets_table, summary_md, table
from training.schedule import local_now, local_today
from training.service import (
    LoggedSets,
    NeedsExercise,
    NeedsUnit,
    NoProgram,
    SetInput,
    SetLogError,
    log_sets,
    today_markdown,
    today_plan,
    today_summary,
)  # fmt: skip
from training.session import effective_max
from training.summary import summarise
from training.templates import TemplateError, templates

DOMAIN = "training"


# --------------------------------------------------------------------------- shared helpers
def _now(ctx: ToolContext) -> datetime:
    return (ctx.now or datetime.now(UTC)).astimezone(UTC)


def _unit(ctx: ToolContext) -> str:
    return repo.display_unit(ctx.account_id, ctx.engine)


def _today(ctx: ToolContext):
    return local_today(repo.account_tz(ctx.account_id, ctx.engine), _now(ctx))


def _name(ex_id: str, ctx: ToolContext) -> str:
    return repo.exercise_names(ctx.account_id, [ex_id], ctx.engine).get(ex_id, ex_id)


def _draft_buttons(draft_id: str, save: str) -> list[Action]:
    return [
        Action(label=save, tool="program_approve", args={"draft_id": draft_id}, tooltip="Save it"),
        Action(label="🗑️ Discard", tool="program_discard", args={"draft_id": draft_id}, tooltip="Throw the draft away"),
    ]


def _states(ctx: ToolContext, lineage_id: str) -> dict[str, SlotState]:
    return repo.get_progress(ctx.account_id, lineage_id, ctx.engine)


def _has_max(maxes: dict[str, Max], states: dict[str, SlotState]):
    return lambda ex_id: effective_max(ex_id, maxes, states, "pct_1rm") is not None


# --------------------------------------------------------------------------- program: draft
class DraftArgs(BaseModel):
    """Draft a training program from the athlete's request (shown as a table, saved only after approval)."""

    request: str = Field(default="", description="the athlete's request in their words")
    template: str | None = Field(default=None, description="template id when the athlete picked one")
    days: int | None = Field(default=None, ge=1, le=7, description="training days per week")
    weeks: int | None = Field(default=None, ge=1, le=52)
    level: Literal["beginner", "intermediate", "advanced"] | None = None


# A question about the program ("how adherent have I been to the program?") or a change to it is not a request
# for a new one.
_NOT_A_NEW_PROGRAM = re.compile(
    r"^\s*(how|what|what'?s|whats|when|which|did|do|does|am|is|are|was|have|has)\b(?!.*\b(build|make|create|design|write)\b)|"
    r"\b(out of|from) (the|my) (program|programme|plan|routine)\b",
    re.I,
)


def _match_draft(text: str, _a: list[Attachment]) -> DraftArgs | None:
    if looks_like_set_line(text) or not looks_like_program_request(text) or _NOT_A_NEW_PROGRAM.search(text):
        return None
    return DraftArgs(request=text)


def _template_buttons(request: str) -> list[Action]:
    return [
        Action(label=t.name, tool="program_draft", args={"request": request, "template": t.id}, tooltip=t.summary)
        for t in templates().values()
    ]


@tool(
    name="program_draft",
    yields_to=("program_approve", "program_show"),  # "approve the program", "show my program"
    description=DraftArgs.__doc__ or "",
    args=DraftArgs,
    domain=DOMAIN,
    examples=[
        "build me a 4-day upper/lower program for 8 weeks, squat 140 bench 100 deadlift 180",
        "a 12-week powerlifting peaking block, 3 days a week",
        "start 5/3/1 boring but big",
    ],
    intents=[r"\b(build|make|create|design|write|plan)\b.*\b(program|programme|routine|split|block)\b"],
    match=_match_draft,
)
def program_draft(ctx: ToolContext, args: DraftArgs) -> ToolOutput:
    from agent.graphs.program import DraftRejected, ModelUnavailable, propose_program

    unit = _unit(ctx)
    eq = repo.get_equipment(ctx.account_id, ctx.engine)
    text = args.request or ctx.text
    req = parse_request(text, default_unit=unit)
    req.days = args.days or req.days
    req.weeks = args.weeks or req.weeks
    req.level = args.level or req.level
    if args.template:
        if args.template not in templates():
            raise ToolError(f"There's no template '{args.template}'. Templates: {', '.join(templates())}.")
        req.template = args.template
    stored = repo.get_maxes(ctx.account_id, ctx.engine)
    maxes = {**stored, **{k: Max(v, None) for k, v in req.maxes_kg.items()}}

    def from_template() -> tuple[Program, list[str], str]:
        built, notes = build(req, maxes=maxes, equipment=eq)
        return built, notes, f"template: {templates()[req.template].name}" + (f" ({req.reason})" if req.reason else "")

    try:
        if req.template and (req.sure or args.template):
            program, notes, how = from_template()
        else:
            try:  # the words name no program style code is sure of: the model proposes, code checks
                program, notes, _proposal = propose_program(text, req, maxes, eq, ctx.settings)
                how = "drafted with the model, checked by code"
            except ModelUnavailable:
                if req.template is None:
                    raise
                program, notes, how = from_template()
                notes.append("the language model is unavailable, so this is the closest template")
    except TemplateError as e:
        raise ToolError(str(e)) from e
    except ModelUnavailable:
        return ToolOutput(
            summary="Asked which program style to use (no model available to choose).",
            markdown="Which kind of program would you like? Pick one and I'll fill in the loads from your maxes:\n\n"
            + "\n".join(f"- **{t.name}** — {t.summary}" for t in templates().values()),
            actions=_template_buttons(text),
            final=True,
        )
    except DraftRejected as e:
        return ToolOutput(
            ok=False,
            summary=f"Could not draft a valid program: {'; '.join(e.problems[:3])}",
            markdown="I couldn't put together a valid program for that, so nothing was saved:\n\n"
            + "\n".join(f"- {p}" for p in e.problems[:8])
            + "\n\nPick one of my templates instead, or rephrase the request.",
            actions=_template_buttons(text),
            final=True,
        )
    draft = repo.create_draft(
        ctx.account_id,
        "program",
        {"program": program.model_dump(mode="json"), "maxes_kg": req.maxes_kg, "notes": notes},
        summary=program.name,
        request=text,
        engine=ctx.engine,
    )
    md = program_table(program, maxes, eq, unit)
    facts = describe_request(req)
    extra = "".join(f"\n\n_Note: {n}._" for n in notes)
    intro = f"Here's the draft ({how}{'; ' + facts if facts else ''}). Nothing is saved until you approve it."
    md = f"{intro}\n\n{md}{extra}"
    return ToolOutput(
        summary=f"Drafted '{program.name}': {len(program.weeks)} weeks, {program.days_per_week} days a week "
        f"({how}). Waiting for approval.",
        markdown=md,
        data={"draft_id": draft.id, "program": program.model_dump(mode="json"), "notes": notes},
        actions=_draft_buttons(draft.id, "✅ Save program"),
        final=True,
    )


# --------------------------------------------------------------------------- program: approve / discard
class ApproveArgs(BaseModel):
    """Approve a pending draft (new program, program edit or progression) and save it."""

    draft_id: str | None = Field(default=None, description="the draft's id; empty = the latest pending one")


_APPROVE_RE = re.compile(
    r"^\s*(?:yes[,!.]?\s*)?(?:save|approve|accept|apply|confirm|keep)\s+(?:it|this|that|the\s+(?:program|programme|"
    r"changes?|draft|edit|progression|new version))\s*[.!]*\s*$|^\s*(?:looks good|ok),?\s+save(?:\s+it)?\s*[.!]*$",
    re.I,
)
_DISCARD_RE = re.compile(
    r"^\s*(?:no[,!.]?\s*)?(?:discard|cancel|scrap|drop|throw away)\s+(?:it|this|that|the\s+(?:program|draft|"
    r"changes?|edit|progression))\s*[.!]*$",
    re.I,
)


def _pending(ctx: ToolContext, draft_id: str | None):
    d = (
        repo.get_draft(ctx.account_id, draft_id, ctx.engine)
        if draft_id
        else repo.latest_pending_draft(ctx.account_id, engine=ctx.engine)
    )
    if d is None:
        raise ToolError("There's no draft waiting for approval.")
    if d.status != "pending":
        raise ToolError(f"That draft was already {d.status}; nothing changed.")
    return d


@tool(
    name="program_approve",
    description=ApproveArgs.__doc__ or "",
    args=ApproveArgs,
    domain=DOMAIN,
    examples=["save it", "approve the program", "apply the progression"],
    match=lambda text, _a: ApproveArgs() if _APPROVE_RE.match(text) else None,
    kind="write",
)
def program_approve(ctx: ToolContext, args: ApproveArgs) -> ToolOutput:
    d = _pending(ctx, args.draft_id)
    try:
        if d.kind == "progression":
            states = {k: SlotState.from_dict(v) for k, v in d.spec["states"].items()}
            repo.approve_progression(ctx.account_id, d.id, d.spec["lineage_id"], states, ctx.engine)
            lines = d.spec.get("lines", [])
            return ToolOutput(
                summary="Progression applied: " + "; ".join(lines),
                markdown="✅ Progression applied:\n\n" + "\n".join(f"- {x}" for x in lines),
                data={"draft_id": d.id},
                final=True,
            )
        program = ensure_valid(Program.model_validate(d.spec["program"]))
    except ProgramInvalid as e:  # never save a broken program, even one stored earlier
        repo.discard_draft(ctx.account_id, d.id, ctx.engine)
        raise ToolError(f"The draft no longer passes the checks, so it was discarded: {e}") from e
    except repo.DraftGone as e:
        raise ToolError(str(e)) from e
    maxes_kg = {k: float(v) for k, v in (d.spec.get("maxes_kg") or {}).items()}
    maxes = {**repo.get_maxes(ctx.account_id, ctx.engine), **{k: Max(v) for k, v in maxes_kg.items()}}
    lineage = None
    note = ""
    if d.kind == "edit":
        base = repo.get_program(ctx.account_id, d.base_program_id or -1, ctx.engine)
        if base is None:
            raise ToolError("The program this edit was for no longer exists; nothing changed.")
        lineage, note = base[0].lineage_id, d.summary
        states = _states(ctx, lineage)
    else:
        states = {}

    def tm_of(ex_id: str, kind: str) -> float | None:
        m = effective_max(ex_id, maxes, states, kind)
        if m is None:
            return None
        return m.training_max(program.training_max_pct) if kind == "pct_tm" else m.one_rm(program.training_max_pct)

    try:
        row = repo.activate_program(
            ctx.account_id,
            program,
            start=_today(ctx),
            lineage_id=lineage,
            change_note=note,
            draft_id=d.id,
            initial_states=initial_states(program, maxes, tm_of),
            maxes_kg=maxes_kg,
            engine=ctx.engine,
        )
    except repo.DraftGone as e:
        raise ToolError(str(e)) from e
    nxt = repo.next_scheduled(ctx.account_id, ctx.engine)
    first = (
        f" Next session: **{nxt.name}** (week {nxt.week_index}), planned for {nxt.planned_date:%a %d %b}."
        if nxt
        else ""
    )
    what = f"version {row.version} of **{row.name}**" if d.kind == "edit" else f"**{row.name}**"
    return ToolOutput(
        summary=f"Saved {what.replace('**', '')}.{first.replace('**', '')}",
        markdown=f"✅ Saved {what}.{first} Ask “what's my workout today?” any time.",
        data={"program_id": row.id, "version": row.version, "lineage_id": row.lineage_id},
        final=True,
    )


@tool(
    name="program_discard",
    yields_to=("checkin_cancel_it",),  # that tool hands "cancel it" on when it is not a check-in
    description="Discard a pending draft (program, edit or progression) without saving anything.",
    args=ApproveArgs,
    domain=DOMAIN,
    examples=["discard it", "cancel the draft"],
    match=lambda text, _a: ApproveArgs() if _DISCARD_RE.match(text) else None,
    kind="write",
)
def program_discard(ctx: ToolContext, args: ApproveArgs) -> ToolOutput:
    d = _pending(ctx, args.draft_id)
    try:
        repo.discard_draft(ctx.account_id, d.id, ctx.engine)
    except repo.DraftGone as e:
        raise ToolError(str(e)) from e
    what = {"program": "program draft", "edit": "proposed change", "progression": "progression"}.get(d.kind, "draft")
    return ToolOutput(
        summary=f"Discarded the {what}.", markdown=f"🗑️ Discarded the {what}; nothing changed.", final=True
    )


# --------------------------------------------------------------------------- program: edit
class EditArgs(BaseModel):
    """Change the saved program (swap, remove or add exercises, make a week a deload, change sets × reps or load).
    Shows what changes; saves a new version only after approval."""

    request: str = Field(default="", description="the change in the athlete's words")
    ops: list[EditOp] = Field(default_factory=list)


# "put 4x10 curls on pull days", "make friday squat 6 sets of 2": a set scheme aimed at a program day
# is an edit of the program, not a set to log.
_PROGRAM_DAY = re.compile(
    r"\b(program|programme|plan|routine|split|day \d|days?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"(upper|lower|push|pull|legs?|full body) (days?|sessions?|workouts?)|week \d+|every week)\b",
    re.I,
)
_EDIT_VERB = re.compile(
    r"^\s*(please\s+)?(add|change|swap|replace|substitute|remove|drop|take|put|make|move|cut)\b", re.I
)
_TAKE_OUT = re.compile(
    r"^\s*(?:please\s+)?(?:take|get|cut|drop|remove)\s+(?:rid of\s+)?(?:the\s+|my\s+|all\s+)?"
    r"(?P<ex>[a-z][a-z' -]{1,40}?)"
    r"\s+(?:out\s+)?(?:of|from)\s+(?:the\s+|my\s+)?(?:program|programme|plan|routine|split)\b",
    re.I,
)


def _edits_a_program_day(text: str) -> bool:
    return bool(_EDIT_VERB.match(text) and _PROGRAM_DAY.search(text))


def _known_exercise(name: str | None) -> bool:
    return bool(name) and bool(library().resolve(name).candidates)


def _match_edit(text: str, _a: list[Attachment]) -> EditArgs | None:
    """A program edit only when every exercise it names is a known one (a strong match): "quick add 450
    calories", "change the pasta at dinner to 150g" and "use pounds from now on" parse as edits but name no lift."""
    day_edit = _edits_a_program_day(text)
    if looks_like_set_line(text) and not day_edit and not re.search(r"\b(swap|replace|deload)\b", text, re.I):
        return None
    ops = parse_edit(text)
    if not ops and (m := _TAKE_OUT.match(text)):
        ops = parse_edit(f"remove {m.group('ex')}")
    if not ops:
        return None
    for op in ops:
        named = [n for n in (op.exercise, op.new_exercise) if n]
        if op.kind != "deload" and named and not all(_known_exercise(n) for n in named):
            return None
    return EditArgs(request=text)


@tool(
    name="program_edit",
    yields_to=("undo_last", "train_undo", "food_undo"),  # "delete my last set" is an undo, not an edit
    description=EditArgs.__doc__ or "",
    args=EditArgs,
    domain=DOMAIN,
    examples=["swap Thursday's deadlift for RDLs", "make week 4 a deload", "add 3x12 face pulls to Monday"],
    intents=[r"\b(swap|replace|substitute)\b.*\b(for|with)\b", r"\bdeload\b.*\bweek\b", r"\bchange (my|the) program\b"],
    match=_match_edit,
)
def program_edit(ctx: ToolContext, args: EditArgs) -> ToolOutput:
    from agent.graphs.program import DraftRejected, ModelUnavailable, propose_edit

    active = repo.active_program(ctx.account_id, ctx.engine)
    if active is None:
        raise ToolError("You don't have a saved program to change yet. Ask me to build one first.")
    row, program = active
    unit = _unit(ctx)
    maxes = repo.get_maxes(ctx.account_id, ctx.engine)
    states = _states(ctx, row.lineage_id)
    text = args.request or ctx.text
    ops = args.ops or parse_edit(text) or []
    try:
        if ops:
            new = apply_edits(program, ops, _has_max(maxes, states))
        else:
            new, ops = propose_edit(text, program, _has_max(maxes, states), ctx.settings)
    except (EditError, ProgramInvalid, TemplateError) as e:
        raise ToolError(str(e)) from e
    except ModelUnavailable as e:
        raise ToolError(
            "I couldn't read that change without the language model. Try e.g. “swap Thursday's deadlift for "
            "RDLs”, “make week 4 a deload”, “remove face pulls from Monday” or “change bench to 5x5”."
        ) from e
    except DraftRejected as e:
        raise ToolError(f"I couldn't turn that into a valid change: {'; '.join(e.problems[:3])}") from e
    rows = compress(diff_programs(program, new, unit))
    if not rows:
        why = "Nothing would change"
        if all(op.kind == "deload" for op in ops):
            why = f"Week {', '.join(str(w) for op in ops for w in op.weeks or [])} is already a deload"
        return ToolOutput(
            summary=f"{why}; no change proposed.", markdown=f"{why}, so there's nothing to approve.", final=True
        )
    note = "; ".join(op.describe() for op in ops)
    draft = repo.create_draft(
        ctx.account_id,
        "edit",
        {"program": new.model_dump(mode="json"), "ops": [o.model_dump() for o in ops]},
        summary=note,
        request=text,
        base_program_id=row.id,
        engine=ctx.engine,
    )
    md = (
        f"Proposed change to **{row.name}** (version {row.version} → {row.version + 1}): {note}.\n\n"
        f"{diff_table(rows)}\n\nNothing changes until you approve."
    )
    return ToolOutput(
        summary=f"Proposed: {note} ({len(rows)} change rows). Waiting for approval.",
        markdown=md,
        data={"draft_id": draft.id, "changes": [r.__dict__ for r in rows]},
        actions=_draft_buttons(draft.id, "✅ Apply change"),
        final=True,
    )


# --------------------------------------------------------------------------- program: show / templates
class ShowArgs(BaseModel):
    """Show the saved program as a table (optionally one week), with loads from the athlete's maxes."""

    week: int | None = Field(default=None, ge=1, le=52)


_SHOW_RE = re.compile(
    r"\b(?:show|see|view|display|print)\b.*\b(?:my\s+)?(?:program|programme|plan|routine)\b|"
    r"\bwhat(?:'s| is) (?:in )?(?:my )?(?:program|programme|plan)\b|\b(?:show|what'?s in) (?:me )?week\s+\d+",
    re.I,
)


def _match_show(text: str, _a: list[Attachment]) -> ShowArgs | None:
    if not _SHOW_RE.search(text) or re.search(r"\btemplates?\b", text, re.I):
        return None
    m = re.search(r"\bweek\s+(\d{1,2})\b", text, re.I)
    return ShowArgs(week=int(m.group(1)) if m else None)


@tool(
    name="program_show",
    description=ShowArgs.__doc__ or "",
    args=ShowArgs,
    domain=DOMAIN,
    examples=["show my program", "show week 5"],
    match=_match_show,
)
def program_show(ctx: ToolContext, args: ShowArgs) -> ToolOutput:
    active = repo.active_program(ctx.account_id, ctx.engine)
    if active is None:
        raise ToolError("You don't have a saved program yet. Ask me to build one, e.g. “a 3-day beginner program”.")
    row, program = active
    unit = _unit(ctx)
    eq = repo.get_equipment(ctx.account_id, ctx.engine)
    if args.week and args.week > len(program.weeks):
        raise ToolError(f"{row.name} has {len(program.weeks)} weeks; there's no week {args.week}.")
    md = program_table(
        program,
        repo.get_maxes(ctx.account_id, ctx.engine),
        eq,
        unit,
        states=_states(ctx, row.lineage_id),
        weeks=[args.week] if args.week else None,
    )
    counts = repo.scheduled_counts(ctx.account_id, row.id, ctx.engine)
    head = f"Version {row.version}, started {row.start_date:%d %b %Y}; {counts.get('done', 0)} sessions done."
    return ToolOutput(
        summary=f"Showed {row.name} (version {row.version}).",
        markdown=f"{head}\n\n{md}",
        data={"program_id": row.id, "version": row.version, "program": program.model_dump(mode="json")},
        final=True,
    )


class TemplatesArgs(BaseModel):
    """List the program templates the coach can start from."""


@tool(
    name="program_templates",
    description=TemplatesArgs.__doc__ or "",
    args=TemplatesArgs,
    domain=DOMAIN,
    examples=["what programs do you have?", "list templates"],
    match=lambda text, _a: (
        TemplatesArgs()
        if re.search(r"\b(templates?|what (programs|programmes) (do you|can you))\b", text, re.I)
        and not looks_like_program_request(text.replace("template", ""))
        else None
    ),
)
def program_templates(ctx: ToolContext, _args: TemplatesArgs) -> ToolOutput:
    rows = [
        [t.name, "/".join(map(str, t.days)), f"{t.weeks_range[0]}-{t.weeks_range[1]}", ", ".join(t.levels), t.summary]
        for t in templates().values()
    ]
    return ToolOutput(
        summary=f"{len(rows)} templates: " + ", ".join(t.name for t in templates().values()),
        markdown=table(["Program", "Days/week", "Weeks", "Level", "What it is"], rows),
        actions=[
            Action(label=f"Start {t.name}", tool="program_draft", args={"request": t.name, "template": t.id})
            for t in templates().values()
        ],
        final=True,
    )


# --------------------------------------------------------------------------- today's workout
class TodayArgs(BaseModel):
    """Show today's (or the next) workout of the saved program with loads rounded to the athlete's plates."""


_TODAY_RE = re.compile(
    r"\b(?:what(?:'s| is| do i have| am i (?:doing|training|lifting))|show(?: me)?|give me)\b.*"
    r"\b(?:workout|session|training|program|lifting|doing)\b.*\b(?:today|tonight|now|next)\b|"
    r"\b(?:today'?s|next|tonight'?s)\s+(?:workout|session|training)\b|\bwhat(?:'s| is) on (?:for )?today\b|"
    r"\bwhat am i (?:doing|training|lifting) today\b|"
    r"\bwhat should i (?:do|lift|train|hit)(?: in the gym)? (?:today|tonight|next)\b|\btoday'?s (?:plan|lifts)\b|"
    r"\bwhat(?:'?s| is) (?:on )?(?:the |my )?(?:plan|program|programme|schedule) (?:for )?(?:today|tonight|tomorrow)\b|"
    r"\bwhat am i (?:doing|training|lifting) tomorrow\b|\btomorrow'?s (?:workout|session|training|plan|lifts)\b",
    re.I,
)


@tool(
    name="train_today",
    description=TodayArgs.__doc__ or "",
    args=TodayArgs,
    domain=DOMAIN,
    examples=["what's my workout today?", "next session"],
    intents=[r"\b(workout|session|training|lifts?)\b.*\b(today|tonight|tomorrow)\b"],
    match=lambda text, _a: TodayArgs() if _TODAY_RE.search(text) else None,
)
def train_today(ctx: ToolContext, _args: TodayArgs) -> ToolOutput:
    try:
        plan = today_plan(ctx.account_id, _now(ctx), ctx.engine)
    except NoProgram:
        raise ToolError(
            "You don't have a saved program yet. Ask me to build one (e.g. “4-day upper/lower for 8 weeks, squat 140 "
            "bench 100 deadlift 180”) or log sets as you go (“squat 140x5 @8”)."
        ) from None
    data = {} if plan.complete else {
        "week": plan.week, "workout": plan.workout, "planned_date": str(plan.planned_date),
        "items": [i.as_dict(plan.unit) for i in plan.items],
    }  # fmt: skip
    return ToolOutput(summary=today_summary(plan), markdown=today_markdown(plan), data=data, final=True)


# --------------------------------------------------------------------------- plates
class PlatesArgs(BaseModel):
    """Which plates to put on each side of the bar for a target weight (with the athlete's bar and plates)."""

    load: float = Field(gt=0, description="target total weight")
    unit: Literal["kg", "lb"] | None = None


_PLATES_RE = re.compile(
    r"\b(?:plates?|plate math|load(?:ing)? the bar|how (?:do i|to|should i) load|what(?:'s| is) on the bar)\b"
    r"[^\d]{0,30}?(\d+(?:[.,]\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds?)?|"
    r"\b(?:load|loading)\s+(\d+(?:[.,]\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds?)?(?:\s+on the bar)?\s*\??$",
    re.I,
)


def _match_plates(text: str, _a: list[Attachment]) -> PlatesArgs | None:
    if _PLATES_HAVE_RE.search(text) or _BAR_RE.search(text):
        return None  # "I have plates 20, 10…" describes equipment
    m = _PLATES_RE.search(text)
    if not m:
        return None
    value = m.group(1) or m.group(3)
    u = (m.group(2) or m.group(4) or "").lower()
    unit = None if not u else ("lb" if u.startswith(("lb", "pound")) else "kg")
    return PlatesArgs(load=float(value.replace(",", ".")), unit=unit)


@tool(
    name="train_plates",
    description=PlatesArgs.__doc__ or "",
    args=PlatesArgs,
    domain=DOMAIN,
    examples=["what plates for 142.5?", "how do I load 225 lb"],
    match=_match_plates,
)
def train_plates(ctx: ToolContext, args: PlatesArgs) -> ToolOutput:
    eq = repo.get_equipment(ctx.account_id, ctx.engine)
    unit = args.unit or eq.unit
    target = Mass.of(args.load, unit)
    try:
        b = load_bar(target, eq)
    except PlateError as e:
        raise ToolError(str(e)) from e
    asked = f"{num(args.load)} {unit}"
    conv = f" ({num(eq.value(target))} {eq.unit})" if unit != eq.unit else ""
    line = f"**{num(b.total)} {eq.unit}**: {b.describe()}"
    notes = "".join(f"\n\n_{n}_" for n in b.notes)
    md = f"For {asked}{conv}: {line}{notes}"
    return ToolOutput(
        summary=f"{asked}: {b.describe()}; total {num(b.total)} {eq.unit}"
        + (f" ({'; '.join(b.notes)})" if b.notes else ""),
        markdown=md,
        data=b.as_dict(),
        final=True,
    )


# --------------------------------------------------------------------------- e1RM
class E1RMArgs(BaseModel):
    """Estimate a one-rep max from a set (Epley, Brzycki, RPE chart), or show a lift's e1RM history."""

    exercise: str | None = None
    load: float | None = Field(default=None, gt=0)
    reps: int | None = Field(default=None, ge=1, le=30)
    rpe: float | None = Field(default=None, ge=1, le=10)
    unit: Literal["kg", "lb"] | None = None


_E1RM_RE = re.compile(
    r"\b(e1rm|e1rms|estimated (?:1rm|one rep max|max)|one[- ]rep max|1rm|what(?:'s| is) my max)\b", re.I
)


def _match_e1rm(text: str, _a: list[Attachment]) -> E1RMArgs | None:
    if not _E1RM_RE.search(text) or looks_like_program_request(text) or _MAX_TO.search(text):
        return None  # "set my ohp 1rm to 145" states a max
    if parse_maxes(text) and not looks_like_set_line(text) and not re.search(r"\b(what|how|show|estimate)", text, re.I):
        return None  # "bench 1rm 100 kg" states a max (train_set_maxes), it doesn't ask for one
    try:
        entries = parse_sets(text)
    except SetLineError:
        entries = []
    if entries and entries[0].sets and entries[0].sets[0].load:
        e, s = entries[0], entries[0].sets[0]
        return E1RMArgs(exercise=e.exercise_text or None, load=s.load, reps=s.reps or 1, rpe=s.rpe, unit=s.unit)  # type: ignore[arg-type]
    words = re.sub(_E1RM_RE, " ", text)
    ex = None
    for w in re.findall(r"[a-z][a-z' -]+", words.lower()):
        for cand in (w.strip(), *w.split()):
            if (found := library().lookup(cand)) is not None:
                ex = found.id
                break
        if ex:
            break
    if ex is None:
        return None
    return E1RMArgs(exercise=ex)


@tool(
    name="train_e1rm",
    yields_to=("ask", "lift_profile"),  # a trend over time is a chart; "from my videos" is the profile
    description=E1RMArgs.__doc__ or "",
    args=E1RMArgs,
    domain=DOMAIN,
    examples=["e1rm 140x5 @8", "what's my squat e1rm?"],
    match=_match_e1rm,
)
def train_e1rm(ctx: ToolContext, args: E1RMArgs) -> ToolOutput:
    unit = args.unit or _unit(ctx)
    formula = get_profile(ctx.account_id, ctx.engine).e1rm_formula
    if args.load and args.reps:
        est = e1rm_mod.estimate(Mass.of(args.load, unit), args.reps, args.rpe)
        rows = [
            ["Epley", mass(est.epley.kg, unit) if est.epley else "— (over 10 reps)"],
            ["Brzycki", mass(est.brzycki.kg, unit) if est.brzycki else "— (over 10 reps)"],
            ["RPE chart", mass(est.rpe_chart.kg, unit) if est.rpe_chart else "— (needs RPE ≥ 7, ≤ 12 reps)"],
        ]
        best, method = est.pick(formula)  # the person's formula (profile), else the RPE table / mean rule
        used = e1rm_mod.method_label(method, args.rpe)
        head = f"{num(args.load)} {unit} × {args.reps}" + (f" @ RPE {num(args.rpe)}" if args.rpe else "")
        md = f"e1RM for {head}: **{mass(best.kg, unit) if best else '—'}** ({used})\n\n" + table(
            ["Method", "e1RM"], rows
        )
        return ToolOutput(
            summary=f"e1RM for {head}: {mass(best.kg, unit) if best else 'not estimable'} ({used}).",
            markdown=md,
            data=est.as_dict() | {"e1rm_kg": round(best.kg, 2) if best else None, "method": method},
            final=True,
        )
    if not args.exercise:
        raise ToolError("Give me a set (e.g. “e1rm 140x5 @8”) or a lift (“what's my squat e1rm?”).")
    ex = library().resolve(args.exercise).exercise
    if ex is None:
        raise ToolError(f"I don't know the exercise '{args.exercise}'.")
    hist = repo.e1rm_history(ctx.account_id, ex.id, since=_now(ctx) - timedelta(days=365), engine=ctx.engine)
    if formula not in (None, e1rm_mod.DEFAULT_FORMULA):  # stored figures use the default: recompute per set
        hist = _history_with(ctx, ex.id, formula)
    if not hist:
        raise ToolError(f"You haven't logged any {ex.name} sets I can estimate from yet.")
    best_t, best = max(hist, key=lambda p: p[1])
    last_t, last = hist[-1]
    images = []
    if len(hist) >= 2:
        path = ctx.output_dir / f"e1rm-{ex.id}-{int(_now(ctx).timestamp())}.png"
        images.append(str(e1rm_chart(hist[-40:], path, title=f"{ex.name} e1RM", unit=unit)))
    md = (
        f"**{ex.name}** e1RM: latest {mass(last, unit)} ({last_t:%d %b}), best of the last year "
        f"{mass(best, unit)} ({best_t:%d %b %Y}). Method: {e1rm_mod.formula_rule(formula)}."
    )
    return ToolOutput(
        summary=md.replace("**", ""),
        markdown=md,
        images=images,
        data={"exercise": ex.id, "latest_kg": last, "best_kg": best, "points": len(hist)},
        final=True,
    )


# --------------------------------------------------------------------------- maxes and equipment
class MaxesArgs(BaseModel):
    """Record the athlete's 1RMs or training maxes (e.g. 'my squat max is 140')."""

    maxes: dict[str, float] = Field(description="exercise name → weight")
    unit: Literal["kg", "lb"] | None = None
    kind: Literal["1rm", "tm"] = "1rm"


_MAX_WORDS = re.compile(r"\b(1rm|1 rm|one rep max|max|maxes|pr|prs|training max|tm)\b", re.I)


# "set my ohp 1rm to 145", "update my deadlift max to 200": a stated max, not a question
_MAX_TO = re.compile(r"\b(1rm|1 rm|max|tm|training max)\s+(?:to|=|at|is now|now)\s+(?=\d)", re.I)


def _match_maxes(text: str, _a: list[Attachment]) -> MaxesArgs | None:
    text = _MAX_TO.sub(r"\1 ", text)
    if not _MAX_WORDS.search(text) or looks_like_set_line(text) or looks_like_program_request(text):
        return None
    if re.search(r"\b(what|show|how)\b", text, re.I):
        return None
    found = parse_maxes(text, "kg")
    if not found:
        return None
    unit = "lb" if re.search(r"\b\d+(?:\.\d+)?\s*(lbs?|pounds?)\b", text, re.I) else None
    raw = parse_maxes(text, unit or "kg")
    values = {k: round(Mass.kgs(v).to(unit or "kg"), 2) for k, v in raw.items()}
    kind = "tm" if re.search(r"\b(training max|tm)\b", text, re.I) else "1rm"
    return MaxesArgs(maxes=values, unit=unit, kind=kind)


@tool(
    name="train_set_maxes",
    description=MaxesArgs.__doc__ or "",
    args=MaxesArgs,
    domain=DOMAIN,
    examples=["my squat max is 140", "bench 1rm 100 kg, deadlift 180", "set my press training max to 55"],
    match=_match_maxes,
    kind="write",
)
def train_set_maxes(ctx: ToolContext, args: MaxesArgs) -> ToolOutput:
    unit = args.unit or _unit(ctx)
    rows = []
    for name, value in args.maxes.items():
        ex = library().resolve(name).exercise or (library().by_id.get(name))
        if ex is None:
            raise ToolError(f"I don't know the exercise '{name}'.")
        kg = Mass.of(value, unit).kg
        if not 1 <= kg <= ex.max_load_kg:
            raise ToolError(f"{num(value)} {unit} is not a possible max for {ex.name}.")
        if args.kind == "tm":
            repo.set_max(ctx.account_id, ex.id, training_max_kg=kg, engine=ctx.engine)
        else:
            repo.set_max(ctx.account_id, ex.id, one_rm_kg=kg, engine=ctx.engine)
        rows.append([ex.name, "training max" if args.kind == "tm" else "1RM", mass(kg, unit)])
    return ToolOutput(
        summary="Saved maxes: " + ", ".join(f"{r[0]} {r[2]}" for r in rows),
        markdown="Saved — loads in your program now use these:\n\n" + table(["Lift", "Kind", "Max"], rows),
        data={"maxes": args.maxes, "unit": unit, "kind": args.kind},
        final=True,
    )


class EquipmentArgs(BaseModel):
    """Set the athlete's bar weight and available plates (used for plate maths and load rounding)."""

    bar: float | None = Field(default=None, ge=0, le=60)
    plates: list[float] | None = Field(default=None, description="plate weights available (pairs)")
    unit: Literal["kg", "lb"] | None = None


_BAR_RE = re.compile(r"\bmy (?:bar|barbell)\s+(?:is|weighs)\s+(\d+(?:\.\d+)?)\s*(kg|lbs?)?", re.I)
_PLATES_HAVE_RE = re.compile(
    r"\b(?:i have|my|available|set my)\s+plates?\s*(?:are|:|=)?\s*"
    r"((?:\d+(?:\.\d+)?\s*(?:,|and|\s)\s*)+\d+(?:\.\d+)?)\s*(kg|lbs?)?",
    re.I,
)


def _match_equipment(text: str, _a: list[Attachment]) -> EquipmentArgs | None:
    bar = _BAR_RE.search(text)
    plates = _PLATES_HAVE_RE.search(text)
    if not bar and not plates:
        return None
    unit_tok = (bar and bar.group(2)) or (plates and plates.group(2)) or ""
    unit = None if not unit_tok else ("lb" if unit_tok.lower().startswith("lb") else "kg")
    return EquipmentArgs(
        bar=float(bar.group(1)) if bar else None,
        plates=[float(x) for x in re.findall(r"\d+(?:\.\d+)?", plates.group(1))] if plates else None,
        unit=unit,
    )


@tool(
    name="train_equipment",
    description=EquipmentArgs.__doc__ or "",
    args=EquipmentArgs,
    domain=DOMAIN,
    examples=["my bar is 15 kg", "I have plates 20, 10, 5, 2.5 and 1.25"],
    match=_match_equipment,
    kind="write",
)
def train_equipment(ctx: ToolContext, args: EquipmentArgs) -> ToolOutput:
    cur = repo.get_equipment(ctx.account_id, ctx.engine)
    unit = args.unit or cur.unit
    if unit != cur.unit and args.plates is None:
        base = Equipment.default(unit)
        cur = Equipment(
            unit=unit,
            bar=base.bar,
            plates=base.plates,
            dumbbell_step=base.dumbbell_step,
            machine_step=base.machine_step,
        )
    try:
        eq = Equipment(
            unit=unit,
            bar=args.bar if args.bar is not None else cur.bar,
            plates=tuple((p, 4 if p >= 20 else 2) for p in sorted(set(args.plates), reverse=True))
            if args.plates
            else cur.plates,
            collars=cur.collars,
            dumbbell_step=cur.dumbbell_step,
            machine_step=cur.machine_step,
        )
    except PlateError as e:
        raise ToolError(str(e)) from e
    repo.set_equipment(ctx.account_id, eq, ctx.engine)
    plates = ", ".join(f"{num(w)}" for w, _ in eq.plates)
    return ToolOutput(
        summary=f"Saved: bar {num(eq.bar)} {eq.unit}, plates {plates} {eq.unit}.",
        markdown=f"Saved your setup: bar **{num(eq.bar)} {eq.unit}**, plates {plates} {eq.unit}. "
        "Loads and plate maths now use it.",
        data=eq.as_dict(),
        final=True,
    )


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


def _match_log(text: str, _a: list[Attachment]) -> LogSetsArgs | None:
    if not looks_like_set_line(text) or looks_like_program_request(text) or _edits_a_program_day(text):
        return None
    try:
        entries = parse_sets(text)
    except SetLineError:
        return None
    # A sure exercise, or at least close candidates to ask about ("zercher carry" → which one?).
    if not any(e.exercise_text and library().resolve(e.exercise_text).candidates for e in entries):
        return None
    return LogSetsArgs(text=text)


def _history_with(ctx: ToolContext, ex_id: str, formula: str) -> list[tuple[datetime, float]]:
    """A lift's best e1RM per day over the last year with the person's formula."""
    from storage.analytics import training_sets

    now = _now(ctx)
    sets = training_sets(ctx.account_id, (now - timedelta(days=365)).date(), now.date(), engine=ctx.engine,
                         exercise_ids=[ex_id])  # fmt: skip
    best: dict[datetime, float] = {}
    for day, load, reps, rpe in zip(sets["day"], sets["load_kg"], sets["reps"], sets["rpe"], strict=True):
        v = e1rm_mod.e1rm_kg(float(load), int(reps), None if rpe != rpe or rpe is None else float(rpe), formula)
        if v is not None:
            t = day.to_pydatetime()
            best[t] = max(best.get(t, 0.0), v)
    return sorted(best.items())


def _entries(args: LogSetsArgs) -> list[ParsedEntry]:
    if args.text:
        try:
            return parse_sets(args.text)
        except SetLineError as e:
            if not args.entries:
                raise ToolError(str(e)) from e
    out = []
    for e in args.entries:
        sets = [ParsedSet(e.reps, e.load, e.unit, e.rpe, e.amrap and i == e.sets - 1) for i in range(e.sets)]
        out.append(ParsedEntry(e.exercise, sets, e.warmup, e.superset, e.notes))
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
    ids = list(args.set_ids)
    if not ids:
        last = repo.last_set(ctx.account_id, engine=ctx.engine)
        if last is None:
            raise ToolError("There's no logged set to remove.")
        ids = [last.id]
    n = repo.delete_sets(ctx.account_id, ids, ctx.engine)
    if not n:
        raise ToolError("Those sets were already removed.")
    return ToolOutput(summary=f"Removed {n} set(s).", markdown=f"↩️ Removed {n} set{'s' if n > 1 else ''}.", final=True)


# --------------------------------------------------------------------------- summary
class SummaryArgs(BaseModel):
    """Summarise the current (or last) training session: volume, top sets, hard sets per muscle group."""

    finish: bool = Field(default=False, description="true when the athlete says the session is over")


_SUMMARY_RE = re.compile(
    r"\b(?:session|workout|training) summary\b|"
    r"\bsummar(?:y|ise|ize) (?:my |the |today'?s )?(?:session|workout|training)\b|"
    r"\bhow did (?:today|my (?:session|workout)|the (?:session|workout)) go\b|"
    r"\b(?:finish(?:ed)?|end|done with|wrap up|close)\s+(?:my |the |this )?(?:workout|session|training)\b|"
    r"^\s*(?:i'?m )?done(?: for today)?[.!]*$",
    re.I,
)


@tool(
    name="train_summary",
    description=SummaryArgs.__doc__ or "",
    args=SummaryArgs,
    domain=DOMAIN,
    examples=["session summary", "finished my workout"],
    match=lambda text, _a: (
        SummaryArgs(finish=bool(re.search(r"\b(finish|end|done|wrap|close)", text, re.I)))
        if _SUMMARY_RE.search(text)
        else None
    ),
)
def train_summary(ctx: ToolContext, args: SummaryArgs) -> ToolOutput:
    now = _now(ctx)
    sess = repo.open_session(ctx.account_id, now, ctx.engine)
    if sess is None:
        recent = repo.sessions_between(ctx.account_id, now - timedelta(days=30), now + timedelta(minutes=1), ctx.engine)
        sess = recent[-1] if recent else None
    if sess is None:
        raise ToolError("No session logged in the last 30 days. Log a set like “squat 140x5 @8” to start one.")
    rows = repo.session_sets(ctx.account_id, sess.id, ctx.engine)
    if not rows:
        raise ToolError("That session has no sets yet.")
    unit = _unit(ctx)
    s = summarise([repo.to_record(r) for r in rows])
    names = repo.exercise_names(ctx.account_id, [lift.exercise_id for lift in s.lifts], ctx.engine)
    for lift in s.lifts:
        lift.name = names.get(lift.exercise_id, lift.name)
    if args.finish:
        repo.end_session(ctx.account_id, sess.id, now, ctx.engine)
    started = local_now(repo.account_tz(ctx.account_id, ctx.engine), repo.aware(sess.started_at))
    title = f"**{sess.name or 'Session'}** — {started:%a %d %b %H:%M}"
    return ToolOutput(
        summary=f"Session: {s.working_sets} working sets, volume {mass(s.volume_kg, unit)}; "
        + "; ".join(f"{lift.name} top {mass(lift.top_load_kg, unit)}×{lift.top_reps}" for lift in s.lifts),
        markdown=f"{title}\n\n{summary_md(s, unit)}" + ("\n\nSession closed. Good work." if args.finish else ""),
        data=s.as_dict() | {"session_id": sess.id},
        final=True,
    )


# --------------------------------------------------------------------------- import / export
class ImportArgs(BaseModel):
    """Import a Strong or Hevy CSV export attached to the message."""

    source: Literal["strong", "hevy"] | None = None
    unit: Literal["kg", "lb"] | None = Field(default=None, description="weight unit of a Strong export without one")
    upload_id: str | None = Field(default=None, description="an earlier upload to (re-)import")


def _csv_attachment(atts: list[Attachment]) -> Attachment | None:
    for a in atts:
        if a.filename.lower().endswith(".csv") or a.mime in ("text/csv", "text/plain"):
            return a
    return None


def _implausible(report, unit: str) -> str | None:  # noqa: ANN001
    """The first set that cannot be real when the file's numbers are read in `unit` (e.g. a 600 kg squat)."""
    for sess in report.sessions:
        for st in sess.sets:
            ex = library().by_id.get(st.exercise_id or "")
            if ex is not None and st.load_kg > ex.max_load_kg:
                return f"a {st.load_kg:.0f} kg {ex.name}"
    return None


def _match_import(text: str, atts: list[Attachment]) -> ImportArgs | None:
    att = _csv_attachment(atts)
    if att is None:
        return None
    try:
        head = Path(att.path).read_bytes()[:8192].decode("utf-8-sig", errors="replace")
        kind = detect("\n".join(head.splitlines()[:2]) + "\n")
    except (OSError, CSVImportError):
        return None
    unit = "lb" if re.search(r"\b(lbs?|pounds)\b", text, re.I) else ("kg" if re.search(r"\bkg\b", text, re.I) else None)
    return ImportArgs(source=kind, unit=unit)  # type: ignore[arg-type]


@tool(
    name="train_import",
    description=ImportArgs.__doc__ or "",
    args=ImportArgs,
    domain=DOMAIN,
    examples=["import my Strong export", "here's my Hevy CSV"],
    intents=[r"\bimport\b.*\b(strong|hevy)\b"],
    match=_match_import,
    kind="write",
)
def train_import(ctx: ToolContext, args: ImportArgs) -> ToolOutput:
    att = _csv_attachment(ctx.attachments)
    if att is None and args.upload_id:
        up = get_upload(args.upload_id, ctx.account_id, ctx.settings.files_dir, ctx.engine)
        if up is not None:
            att = Attachment(
                upload_id=up.id, filename=up.filename, mime=up.mime, path=str(up.path), size_bytes=up.size_bytes
            )
    if att is None:
        raise ToolError("Attach the CSV from Strong (Settings → Export data) or Hevy (Settings → Export & Import).")
    unit = args.unit or _unit(ctx)
    try:
        report = parse_export(
            Path(att.path).read_bytes(), unit=unit, tz=repo.account_tz(ctx.account_id, ctx.engine), source=args.source
        )
    except CSVImportError as e:
        raise ToolError(f"I couldn't import {att.filename}: {e}") from e
    except OSError as e:
        raise ToolError(f"I couldn't read {att.filename}; please attach it again.") from e
    unitless = report.source == "strong" and not report.has_unit_column
    if unitless and args.unit is None:
        worst = _implausible(report, unit)
        if worst is not None:
            alt = "lb" if unit == "kg" else "kg"
            raise ToolError(
                f"{att.filename} has no weight unit and {worst} is impossible in {unit}; nothing was imported. "
                f"If your Strong app uses {alt}, send the file again with “import it as {alt}”."
            )
    result = repo.import_sessions(ctx.account_id, report, ctx.engine, replace=args.unit is not None and unitless)
    src = report.source.title()
    lines = [
        f"Imported **{result.sessions_added}** {src} workouts ({result.sets_added} sets)"
        + (f" from {result.first:%d %b %Y} to {result.last:%d %b %Y}" if result.first and result.last else "")
        + ".",
    ]
    if result.duplicates:
        lines.append(f"{result.duplicates} workouts were already imported and were skipped.")
    if result.custom_exercises:
        shown = ", ".join(result.custom_exercises[:8]) + ("…" if len(result.custom_exercises) > 8 else "")
        lines.append(f"Added as your own exercises (not in my library): {shown}.")
    if report.skipped:
        lines.append(
            f"{len(report.skipped)} rows skipped: "
            + "; ".join(report.skipped[:5])
            + ("…" if len(report.skipped) > 5 else "")
        )
    actions: list[Action] = []
    if unitless:
        alt = "lb" if unit == "kg" else "kg"
        lines.append(f"Strong's file doesn't say the unit, so weights were read as **{unit}**.")
        actions.append(
            Action(
                label=f"Re-import as {alt}",
                tool="train_import",
                args={"source": "strong", "unit": alt, "upload_id": att.upload_id},
                tooltip=f"Replace this import with the weights read as {alt}",
            )
        )
    return ToolOutput(
        summary=" ".join(x.replace("**", "") for x in lines),
        markdown="\n\n".join(lines),
        data={
            "sessions_added": result.sessions_added,
            "sets_added": result.sets_added,
            "duplicates": result.duplicates,
            "skipped": report.skipped[:50],
            "custom_exercises": result.custom_exercises,
        },
        actions=actions,
        final=True,
    )


class ExportArgs(BaseModel):
    """Export logged training as a CSV file (Strong-style columns)."""

    days: int | None = Field(default=None, ge=1, le=36500, description="only the last N days")


@tool(
    name="train_export",
    description=ExportArgs.__doc__ or "",
    args=ExportArgs,
    domain=DOMAIN,
    examples=["export my training log", "export my workouts as csv"],
    match=lambda text, _a: (
        ExportArgs() if re.search(r"\bexport\b.*\b(training|workouts?|sets|lifts|lifting|log)\b", text, re.I) else None
    ),
)
def train_export(ctx: ToolContext, args: ExportArgs) -> ToolOutput:
    now = _now(ctx)
    start = now - timedelta(days=args.days) if args.days else None
    rows = repo.export_rows(ctx.account_id, start, None, ctx.engine)
    if not rows:
        raise ToolError("There are no logged sets to export yet.")
    unit = _unit(ctx)
    text = write_csv(rows, unit=unit, tz=repo.account_tz(ctx.account_id, ctx.engine))
    path = ctx.output_dir / f"training-{now:%Y%m%d-%H%M%S}.csv"
    path.write_text(text, encoding="utf-8")
    sessions = len({(r.started_at, r.workout) for r in rows})
    return ToolOutput(
        summary=f"Exported {len(rows)} sets from {sessions} sessions to {path.name}.",
        markdown=f"Here's your training log: {len(rows)} sets from {sessions} sessions (weights in {unit}).",
        files=[str(path)],
        data={"path": str(path), "sets": len(rows), "sessions": sessions},
        final=True,
    )
