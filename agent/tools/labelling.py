"""Labelling tools: "review my punches" (one punch at a time, least confident first, one click per label)
and the `label_punch` button behind it. Thin: the queue and thumbnails live in `striking.labels`, the records
behind `striking.service`; the tools render."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from striking import labels as L
from striking.report import mmss
from striking.service import (
    PunchReview,
    StrikingError,
    label_punch,
    punch_model_state,
    punch_review,
    roll_back_punch_model,
)

_REVIEW = re.compile(r"\b(review|label|tag|go through|check the labels of)\b.{0,20}\b(my |the |those |these )?"
                     r"(punch(es)?|strikes)\b", re.I)  # fmt: skip


class ReviewPunchesArgs(BaseModel):
    """Review the punches of the last analysed round one by one, with buttons to label each (training data)."""

    session_id: str | None = Field(default=None, description="The round (default: the last analysed)")


def _match_review(text: str, attachments: list[Attachment]) -> ReviewPunchesArgs | None:
    if any(a.is_video for a in attachments) or not _REVIEW.search(text or ""):
        return None
    return ReviewPunchesArgs()


def _item_text(item: L.ReviewItem) -> str:
    from striking.punches import KIND_LABEL

    said = KIND_LABEL.get(item.predicted, item.predicted.replace("_", " "))
    return f"Punch {item.number} at {mmss(item.t_peak_s)}: I said **{said}** ({item.confidence * 100:.0f} % sure)."


def _buttons(item: L.ReviewItem) -> list[Action]:
    return [Action(label=L.BUTTON[lab], tool="label_punch", tooltip=f"punch {item.number}: {L.BUTTON[lab]}",
                   args={"session_id": item.session_id, "number": item.number, "label": lab})
            for lab in L.LABELS]  # fmt: skip


def _show(ctx: ToolContext, review: PunchReview, head: str, *, strip: bool) -> ToolOutput:
    session_id, queue, todo = review.session_id, review.queue, review.todo
    lines = [head] if head else []
    if strip:
        lines += ["", "| # | time | I said | sure | your label |", "|---|---|---|---|---|"]
        lines += [f"| {i.number} | {mmss(i.t_peak_s)} | {i.predicted.replace('_', ' ')} | {i.confidence * 100:.0f} % "
                  f"| {(i.label or '—').replace('_', ' ')} |" for i in queue]  # fmt: skip
        lines.append("")
    done = len(queue) - len(todo)
    data = {"session_id": session_id, "punches": len(queue), "labelled": done, "next": None}
    if not todo:
        lines.append(f"All {len(queue)} punches of this round are labelled. Say **train my punch model** to use them.")
        return ToolOutput(summary=" ".join(lines).replace("**", ""), markdown="\n".join(lines), data=data, final=True)
    item = todo[0]
    data["next"] = item.number
    lines.append(f"{done}/{len(queue)} labelled. {_item_text(item)} What was it?")
    images = []
    video = review.video
    if video is not None:
        thumb = L.thumbnail(video, item.t_peak_s, ctx.output_dir / f"punch-{session_id}-{item.number}.jpg")
        images = [str(thumb)] if thumb else []
    return ToolOutput(summary=" ".join(lines).replace("**", ""), markdown="\n".join(lines), data=data,
                      images=images, actions=_buttons(item), final=True)  # fmt: skip


@tool(
    name="review_punches",
    outranks=("analyse_strikes",),  # "review my punches" labels an analysed round
    description=ReviewPunchesArgs.__doc__ or "",
    args=ReviewPunchesArgs,
    domain="striking",
    examples=["review my punches", "label my punches"],
    intents=[r"\b(review|label)\b.*\bpunch"],
    match=_match_review,
)
def review_punches(ctx: ToolContext, args: ReviewPunchesArgs) -> ToolOutput:
    try:
        row, review = punch_review(ctx.account_id, args.session_id, ctx.settings.files_dir, ctx.engine)
    except StrikingError as e:
        raise ToolError(str(e)) from e
    head = (f"**Review: {row.punch_count} punches of {row.filename or 'your round'}**, least sure first. "
            "One click per punch.")  # fmt: skip
    return _show(ctx, review, head, strip=True)


class LabelPunchArgs(BaseModel):
    """Store the athlete's label for one punch of a round (from the review buttons)."""

    session_id: str
    number: int = Field(ge=1)
    label: str = Field(
        description="jab | cross | lead_hook | rear_hook | lead_uppercut | rear_uppercut | none | missed"
    )


@tool(
    name="label_punch",
    description=LabelPunchArgs.__doc__ or "",
    args=LabelPunchArgs,
    domain="striking",
    kind="write",
)
def label_punch_tool(ctx: ToolContext, args: LabelPunchArgs) -> ToolOutput:
    try:
        review = label_punch(ctx.account_id, args.session_id, args.number, args.label, ctx.settings.files_dir,
                             ctx.engine)  # fmt: skip
    except StrikingError as e:
        raise ToolError(str(e)) from e
    if review.missed_at_s is not None:
        head = f"Noted a missed punch around {mmss(review.missed_at_s)}."
    else:
        head = f"✓ punch {args.number}: {L.BUTTON[args.label]}."
    return _show(ctx, review, head, strip=False)


class NoArgs(BaseModel):
    """No arguments."""


_TRAIN = re.compile(r"\b(train|retrain|re-train|update|rebuild)\b.{0,15}\bpunch(ing)? (model|classifier)\b", re.I)
_HOW_GOOD = re.compile(r"\b(how (good|accurate|well)|report|score)\b.{0,30}\bpunch(ing)? (model|classifier)\b", re.I)
_ROLL_BACK = re.compile(r"\b(roll ?back|revert|undo|go back)\b.{0,30}\bpunch(ing)? (model|classifier)\b", re.I)


@tool(
    name="train_punch_model",
    description="Train the athlete's own punch-type model from their labelled punches (a background job).",
    args=NoArgs,
    domain="striking",
    examples=["train my punch model", "retrain my punch classifier"],
    intents=[r"\btrain\b.*\bpunch (model|classifier)\b"],
    match=lambda text, _a: NoArgs() if _TRAIN.search(text or "") else None,
    long_running=True,
    kind="write",
)
def train_punch_model(ctx: ToolContext, args: NoArgs) -> ToolOutput:
    from agent.tools.base import run_job
    from striking import jobs as strike_jobs

    ctx.report(0.0, "queued: training your punch model")
    report = run_job(ctx, strike_jobs.TRAIN_KIND, {"account_id": ctx.account_id})
    text = L.model_report_markdown(report)
    actions = []
    if report["served"]:
        actions = [Action(label="↩ Roll back my punch model", tool="rollback_punch_model")]
    ho = report["held_out"]
    summary = (f"Punch model {report['version']}: held-out accuracy {ho['new']['accuracy']} vs rules "
               f"{ho['rules']['accuracy']}; " + ("served." if report["served"] else "not served."))  # fmt: skip
    return ToolOutput(summary=summary, markdown=text, data=report, actions=actions, final=True)


@tool(
    name="punch_model_report",
    description="How good the athlete's own punch model is on held-out rounds, and which types need labels.",
    args=NoArgs,
    domain="striking",
    examples=["how good is my punch model?"],
    intents=[r"\bhow (good|accurate)\b.*\bpunch (model|classifier)\b"],
    match=lambda text, _a: NoArgs() if _HOW_GOOD.search(text or "") else None,
)
def punch_model_report(ctx: ToolContext, args: NoArgs) -> ToolOutput:
    got = punch_model_state(ctx.account_id, ctx.settings.models_dir)
    if got is None:
        raise ToolError("You have no punch model of your own yet: label a few rounds ('review my punches'), "
                        "then say 'train my punch model'.")  # fmt: skip
    report, state = got.report, got.serving
    now = (f"Serving: your model {state['version']}." if state.get("version")
           else "Serving: the rules (no model of yours is served).")  # fmt: skip
    text = L.model_report_markdown(report) + "\n\n" + now
    return ToolOutput(summary=text.replace("**", "")[:400], markdown=text, data={**report, "serving": state},
                      final=True)  # fmt: skip


@tool(
    name="rollback_punch_model",
    description="Serve the athlete's previous punch model again (undo the last training).",
    args=NoArgs,
    domain="striking",
    examples=["roll back my punch model"],
    match=lambda text, _a: NoArgs() if _ROLL_BACK.search(text or "") else None,
    kind="write",
)
def rollback_punch_model(ctx: ToolContext, args: NoArgs) -> ToolOutput:
    try:
        state = roll_back_punch_model(ctx.account_id, ctx.settings.models_dir)
    except StrikingError as e:
        raise ToolError(str(e)) from e
    text = (f"Rolled back from {state['rolled_back_from']}: now serving "
            + (f"your model {state['version']}." if state["version"] else "the rules (no model of yours).")
            + " New rounds are typed by it.")  # fmt: skip
    return ToolOutput(summary=text, markdown=text, data=state, final=True)
