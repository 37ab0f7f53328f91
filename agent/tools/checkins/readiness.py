"""The answer to the morning readiness question (a button or a bare number)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolOutput, tool
from agent.tools.checkins.common import _READINESS_RE, _now, _problem
from checkins import service
from checkins.schedule import CheckinError


# --------------------------------------------------------------------------- readiness
class ReadinessArgs(BaseModel):
    """Store today's readiness, 1 (wrecked) to 5 (great): the answer to the readiness question."""

    score: int = Field(ge=1, le=5)
    outbox_id: str | None = Field(default=None, description="The question answered (set by its buttons).")
    bare: bool = Field(default=False, description="The message was only a number.")


# "should I train today if my readiness is 2?" asks for advice; it stores nothing.
_ASKS = re.compile(
    r"^\W*(?:should|shall|could|would|can|will|is|are|what|which|how|why|when|do|does)\b"
    r"|\bif\s+(?:my\s+)?(?:readiness|i'?m|i\s+am|i\s+feel|i'?m\s+feeling)\b",
    re.I,
)


def _match_readiness(text: str, _a: list[Attachment]) -> ReadinessArgs | None:
    m = _READINESS_RE.search(text)
    if m is None or (m.group("a") is None and _ASKS.search(text)):
        return None
    return ReadinessArgs(
        score=int(m.group("a") or m.group("b") or m.group("c") or m.group("d")), bare=m.group("a") is not None
    )


@tool(
    name="checkin_readiness",
    description=ReadinessArgs.__doc__ or "",
    args=ReadinessArgs,
    domain="checkins",
    examples=["4", "readiness 3", "slept badly, 2/5"],
    match=_match_readiness,
    kind="write",
)
def checkin_readiness(ctx: ToolContext, args: ReadinessArgs) -> ToolOutput:
    try:
        saved = service.record_readiness(
            ctx.account_id, args.score, outbox_id=args.outbox_id, bare=args.bare, now=_now(ctx), engine=ctx.engine
        )
    except CheckinError as e:
        raise _problem(e) from e
    text = f"Readiness **{saved.score}/5** ({saved.label}) saved for {saved.day:%a %-d %b}. {saved.advice}"
    return ToolOutput(
        summary=text.replace("**", ""),
        markdown=text,
        data={"score": saved.score, "day": saved.day.isoformat(), "outbox_id": saved.outbox_id},
        final=True,
    )
