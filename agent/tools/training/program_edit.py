"""Program edits with a diff, and showing the program and its templates."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.training.common import DOMAIN, _draft_buttons
from training.builder import looks_like_program_request
from training.diff import diff_table
from training.edits import EditOp, parse_edit
from training.library import library
from training.model import Program
from training.parse import looks_like_set_line
from training.render import program_table, table
from training.service import (
    DraftError,
    NothingToChange,
    ProposalRejected,
    ProposeEditFn,
    ProposerUnavailable,
    edit_program,
    show_program,
)  # fmt: skip
from training.templates import templates


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
    r"^\s*(please\s+)?(add|change|swap|replace|substitute|remove|drop|take|put|make|move|cut|bump|up|increase|raise|"
    r"lower|bring)\b",
    re.I,
)
# "should I replace deadlifts with RDLs?" asks for advice; "can you swap …" is a polite request (a draft to approve)
_ASKS = re.compile(r"^\W*(did|was|were|have|has|am|is|are|how|what|why|when|which|should|shall|would)\b", re.I)


def _edits_a_program_day(text: str) -> bool:
    return bool(_EDIT_VERB.match(text) and _PROGRAM_DAY.search(text))


def _known_exercise(name: str | None) -> bool:
    return bool(name) and bool(library().resolve(name or "").candidates)


def _match_edit(text: str, _a: list[Attachment]) -> EditArgs | None:
    """A program edit only when every exercise it names is a known one (a strong match): "quick add 450
    calories", "change the pasta at dinner to 150g" and "use pounds from now on" parse as edits but name no lift."""
    if _ASKS.match(text):  # "did I drop my hands?" asks about a round; it edits nothing
        return None
    day_edit = _edits_a_program_day(text)
    if looks_like_set_line(text) and not day_edit and not re.search(r"\b(swap|replace|deload)\b", text, re.I):
        return None
    ops = parse_edit(text)
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
    text = args.request or ctx.text
    try:
        res = edit_program(ctx.account_id, text, args.ops, propose=_edit_proposer(ctx), engine=ctx.engine)
    except DraftError as e:
        raise ToolError(str(e)) from e
    except ProposerUnavailable as e:
        raise ToolError(
            "I couldn't read that change without the language model. Try e.g. “swap Thursday's deadlift for "
            "RDLs”, “make week 4 a deload”, “remove face pulls from Monday” or “change bench to 5x5”."
        ) from e
    except ProposalRejected as e:
        raise ToolError(f"I couldn't turn that into a valid change: {'; '.join(e.problems[:3])}") from e
    if isinstance(res, NothingToChange):
        return ToolOutput(
            summary=f"{res.why}; no change proposed.", markdown=f"{res.why}, so there's nothing to approve.", final=True
        )
    md = (
        f"Proposed change to **{res.program_name}** (version {res.version} → {res.version + 1}): {res.note}.\n\n"
        f"{diff_table(res.rows)}\n\nNothing changes until you approve."
    )
    return ToolOutput(
        summary=f"Proposed: {res.note} ({len(res.rows)} change rows). Waiting for approval.",
        markdown=md,
        data={"draft_id": res.draft_id, "changes": [r.__dict__ for r in res.rows]},
        actions=_draft_buttons(res.draft_id, "✅ Apply change"),
        final=True,
    )


def _edit_proposer(ctx: ToolContext) -> ProposeEditFn:
    """The language model's reading of a change code could not parse, with its errors in the service's terms."""
    from agent.drafting import DraftRejected, ModelUnavailable, propose_edit

    def propose(text: str, program: Program, has_max: Callable[[str], bool]) -> tuple[Program, list[EditOp]]:
        try:
            return propose_edit(text, program, has_max, ctx.settings)
        except ModelUnavailable as e:
            raise ProposerUnavailable(str(e)) from e
        except DraftRejected as e:
            raise ProposalRejected(list(e.problems)) from e

    return propose


# --------------------------------------------------------------------------- program: show / templates
class ShowArgs(BaseModel):
    """Show the saved program as a table (optionally one week), with loads from the athlete's maxes."""

    week: int | None = Field(default=None, ge=1, le=52)


_SHOW_RE = re.compile(
    r"\b(?:show|see|view|display|print)\b.*\b(?:my\s+)?(?:program|programme|plan|routine)\b|"
    r"\bwhat(?:'s| is) (?:in )?(?:my )?(?:program|programme|plan)\b|\b(?:show|what'?s in) (?:me )?week\s+\d+|"
    # "what's on week 5 of my program", "what's in week 3 of the plan"
    r"\bwhat(?:'?s| is) (?:on|in) week\s+\d+\b",
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
    try:
        v = show_program(ctx.account_id, args.week, ctx.engine)
    except DraftError as e:
        raise ToolError(str(e)) from e
    row = v.row
    md = program_table(v.program, v.maxes, v.equipment, v.unit, states=v.states,
                       weeks=[args.week] if args.week else None)  # fmt: skip
    head = f"Version {row.version}, started {row.start_date:%d %b %Y}; {v.sessions_done} sessions done."
    return ToolOutput(
        summary=f"Showed {row.name} (version {row.version}).",
        markdown=f"{head}\n\n{md}",
        data={"program_id": row.id, "version": row.version, "program": v.program.model_dump(mode="json")},
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
