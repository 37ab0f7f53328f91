"""The weekly review."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolOutput, tool
from analytics import service


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
    rv = service.weekly_review(ctx.account_id, args.week, now=ctx.now, engine=ctx.engine)
    return ToolOutput(
        summary=f"Weekly review {rv.start:%d %b}–{rv.end:%d %b}: {rv.summary()}",
        markdown=rv.markdown(),
        data={"start": rv.start.isoformat(), "end": rv.end.isoformat(), "sections": rv.sections, "figures": rv.figures},
    )
