"""Programs from a sentence: draft (a table to approve), approve, discard."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.training.common import DOMAIN, _draft_buttons, _now
from training.builder import ProgramRequest, describe_request, looks_like_program_request, parse_request
from training.loads import Max
from training.model import Program
from training.parse import looks_like_set_line
from training.plates import Equipment
from training.render import program_table
from training.service import (
    DraftDiscarded,
    DraftError,
    DraftInput,
    DraftInvalid,
    NoStyleChosen,
    ProgressionApplied,
    ProposalRejected,
    ProposeFn,
    ProposerUnavailable,
    approve_draft,
    discard_draft,
    draft_program,
)  # fmt: skip
from training.templates import templates


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
    r"^\s*(how|what|what'?s|whats|when|which|did|do|does|am|is|are|was|have|has|should|shall)\b"
    r"(?!.*\b(build|make|create|design|write)\b)|"
    r"\b(out of|from|to|in|into|on) (the|my) (current )?(program|programme|plan|routine)\b|"
    # "make my program easier this week" changes the saved one
    r"\bmake (the|my) (current )?(program|programme|plan|routine) (a (bit|little) )?(easier|harder|lighter|heavier|"
    r"shorter|longer|less|more)\b",
    re.I,
)


def _match_draft(text: str, _a: list[Attachment]) -> DraftArgs | None:
    if looks_like_set_line(text) or not looks_like_program_request(text) or _NOT_A_NEW_PROGRAM.search(text):
        return None
    # What code understood is in the call (days, weeks, level), so the draft and its audit show the same reading.
    req = parse_request(text)
    days = req.days if req.days is not None and 1 <= req.days <= 7 else None
    weeks = req.weeks if req.weeks is not None and 1 <= req.weeks <= 52 else None
    level = req.level if req.level in ("beginner", "intermediate", "advanced") else None
    return DraftArgs.model_validate({"request": text, "days": days, "weeks": weeks, "level": level})


def _template_buttons(request: str) -> list[Action]:
    return [
        Action(label=t.name, tool="program_draft", args={"request": request, "template": t.id}, tooltip=t.summary)
        for t in templates().values()
    ]


def _proposer(ctx: ToolContext) -> ProposeFn:
    """The language model's program proposal, with its errors in the service's terms."""
    from agent.drafting import DraftRejected, ModelUnavailable, propose_program

    def propose(text: str, req: ProgramRequest, maxes: dict[str, Max], eq: Equipment) -> tuple[Program, list[str]]:
        try:
            program, notes, _proposal = propose_program(text, req, maxes, eq, ctx.settings)
        except ModelUnavailable as e:
            raise ProposerUnavailable(str(e)) from e
        except DraftRejected as e:
            raise ProposalRejected(list(e.problems)) from e
        return program, notes

    return propose


@tool(
    name="program_draft",
    yields_to=("program_approve", "program_show"),  # "approve the program", "show my program"
    outranks=("ask",),  # "a program for strength, 3 days a week" asks for a program, not a weekly chart
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
    text = args.request or ctx.text
    inp = DraftInput(text, days=args.days, weeks=args.weeks, level=args.level, template=args.template)
    try:
        res = draft_program(ctx.account_id, inp, propose=_proposer(ctx), engine=ctx.engine)
    except DraftError as e:
        raise ToolError(str(e)) from e
    if isinstance(res, NoStyleChosen):
        return ToolOutput(
            summary="Asked which program style to use (no model available to choose).",
            markdown="Which kind of program would you like? Pick one and I'll fill in the loads from your maxes:\n\n"
            + "\n".join(f"- **{t.name}** — {t.summary}" for t in templates().values()),
            actions=_template_buttons(text),
            final=True,
        )
    if isinstance(res, DraftInvalid):
        return ToolOutput(
            ok=False,
            summary=f"Could not draft a valid program: {'; '.join(res.problems[:3])}",
            markdown="I couldn't put together a valid program for that, so nothing was saved:\n\n"
            + "\n".join(f"- {p}" for p in res.problems[:8])
            + "\n\nPick one of my templates instead, or rephrase the request.",
            actions=_template_buttons(text),
            final=True,
        )
    program, notes, how = res.program, res.notes, res.how
    md = program_table(program, res.maxes, res.equipment, res.unit)
    facts = describe_request(res.request)
    extra = "".join(f"\n\n_Note: {n}._" for n in notes)
    intro = f"Here's the draft ({how}{'; ' + facts if facts else ''}). Nothing is saved until you approve it."
    md = f"{intro}\n\n{md}{extra}"
    return ToolOutput(
        summary=f"Drafted '{program.name}': {len(program.weeks)} weeks, {program.days_per_week} days a week "
        f"({how}). Waiting for approval.",
        markdown=md,
        data={"draft_id": res.draft_id, "program": program.model_dump(mode="json"), "notes": notes},
        actions=_draft_buttons(res.draft_id, "✅ Save program"),
        final=True,
    )


# --------------------------------------------------------------------------- program: approve / discard
class ApproveArgs(BaseModel):
    """Approve a pending draft (new program, program edit or progression) and save it."""

    draft_id: str | None = Field(default=None, description="the draft's id; empty = the latest pending one")


# A short yes first ("looks good, approve it", "perfect - save that one", "yep go with that")
_YES = (
    r"(?:(?:yes|yep|yeah|yup|ok(?:ay)?|sure|great|perfect|nice|cool|love it|looks (?:good|great|fine)|that works|"
    r"sounds good)\s*[,!.-]*\s*)*(?:(?:please|let'?s|i'?ll)\s+)?"
)
_APPROVE_RE = re.compile(
    rf"^\s*{_YES}(?:save|approve|accept|apply|confirm|keep|go\s+with|lock(?:\s+in)?)\s+(?:it|this|that|"
    r"the\s+(?:program|programme|changes?|draft|edit|progression|new version))(?:\s+one)?(?:\s+in)?\s*(?:please)?"
    r"\s*[.!]*\s*$|^\s*(?:looks good|ok),?\s+save(?:\s+it)?\s*[.!]*$",
    re.I,
)
_DISCARD_RE = re.compile(
    r"^\s*(?:no[,!.]?\s*)?(?:discard|cancel|scrap|drop|throw away)\s+(?:it|this|that|the\s+(?:program|draft|"
    r"changes?|edit|progression))\s*[.!]*$",
    re.I,
)


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
    try:
        res = approve_draft(ctx.account_id, args.draft_id, now=_now(ctx), engine=ctx.engine)
    except DraftError as e:
        raise ToolError(str(e)) from e
    if isinstance(res, DraftDiscarded):
        raise ToolError(f"The draft no longer passes the checks, so it was discarded: {res.reason}")
    if isinstance(res, ProgressionApplied):
        return ToolOutput(
            summary="Progression applied: " + "; ".join(res.lines),
            markdown="✅ Progression applied:\n\n" + "\n".join(f"- {x}" for x in res.lines),
            data={"draft_id": res.draft_id},
            final=True,
        )
    row, nxt = res.row, res.next_session
    first = (
        f" Next session: **{nxt.name}** (week {nxt.week_index}), planned for {nxt.planned_date:%a %d %b}."
        if nxt
        else ""
    )
    what = f"version {row.version} of **{row.name}**" if res.kind == "edit" else f"**{row.name}**"
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
    try:
        kind = discard_draft(ctx.account_id, args.draft_id, ctx.engine)
    except DraftError as e:
        raise ToolError(str(e)) from e
    what = {"program": "program draft", "edit": "proposed change", "progression": "progression"}.get(kind, "draft")
    return ToolOutput(
        summary=f"Discarded the {what}.", markdown=f"🗑️ Discarded the {what}; nothing changed.", final=True
    )
