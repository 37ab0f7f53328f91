"""The answer to the morning readiness question (a button or a bare number)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.checkins.common import _READINESS_RE, OPEN_QUESTION_H, _now, _tz
from checkins.content import READINESS_LABELS
from checkins.schedule import zone
from storage import checkins as repo


# --------------------------------------------------------------------------- readiness
class ReadinessArgs(BaseModel):
    """Store today's readiness, 1 (wrecked) to 5 (great): the answer to the readiness question."""

    score: int = Field(ge=1, le=5)
    outbox_id: str | None = Field(default=None, description="The question answered (set by its buttons).")
    bare: bool = Field(default=False, description="The message was only a number.")


def _match_readiness(text: str, _a: list[Attachment]) -> ReadinessArgs | None:
    m = _READINESS_RE.search(text)
    if m is None:
        return None
    return ReadinessArgs(score=int(m.group("a") or m.group("b") or m.group("c")), bare=m.group("a") is not None)


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
    now, tz = _now(ctx), _tz(ctx)
    outbox_id = args.outbox_id
    question = None
    if outbox_id is not None:
        question = repo.get_message(ctx.account_id, outbox_id, ctx.engine)
        if question is None:
            raise ToolError("That readiness question isn't yours or no longer exists.")
    else:
        question = repo.last_readiness_question(ctx.account_id, now - timedelta(hours=OPEN_QUESTION_H), ctx.engine)
        if question is None and args.bare:
            raise ToolError(
                f"If {args.score} is how ready you feel today, say 'readiness {args.score}' and I'll store it."
            )
        outbox_id = question.id if question is not None else None
    day = (question.scheduled_for if question is not None else now).astimezone(zone(tz)).date()
    repo.save_readiness(
        ctx.account_id, day, args.score, outbox_id=outbox_id, source="button" if args.outbox_id else "chat",
        now=now, engine=ctx.engine,
    )  # fmt: skip
    advice = {
        1: "Take it easy: a light session, technique or rest.",
        2: "Consider trimming volume or load today.",
        3: "Train as planned, listen to your body.",
        4: "Good to go — train as planned.",
        5: "Great day to push a little.",
    }[args.score]
    text = f"Readiness **{args.score}/5** ({READINESS_LABELS[args.score]}) saved for {day:%a %-d %b}. {advice}"
    return ToolOutput(
        summary=text.replace("**", ""),
        markdown=text,
        data={"score": args.score, "day": day.isoformat(), "outbox_id": outbox_id},
        final=True,
    )
