"""Rep review tools: "review my reps" (one rep at a time, least sure first, one click per label), the
`label_rep` button behind it, and "how good is my rep counting?". Thin: ordering, scoring and learning live
in `vision.rep_labels`, the records behind `vision.service`; the tools render."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from vision import rep_labels as R
from vision.service import RepReview, RepReviewError, label_rep, rep_counting_scores, rep_review

_REVIEW = re.compile(r"\b(review|label|tag|go through|check)\b.{0,20}\b(my |the |those |these )?reps\b", re.I)
_HOW_GOOD = re.compile(r"\b(how (good|accurate|well)|score)\b.{0,30}\brep (count(ing)?|segmentation|detection)\b",
                       re.I)  # fmt: skip


class ReviewRepsArgs(BaseModel):
    """Review the reps of the last analysed lift one by one, with buttons to label each (teaches rep counting)."""

    analysis_id: str | None = Field(default=None, description="The analysed set (default: the last one)")


def _match_review(text: str, attachments: list[Attachment]) -> ReviewRepsArgs | None:
    if any(a.is_video for a in attachments) or not _REVIEW.search(text or ""):
        return None
    return ReviewRepsArgs()


def _show(ctx: ToolContext, review: RepReview, head: str, *, strip: bool) -> ToolOutput:
    row, items, todo = review.analysis, review.items, review.todo
    lines = [head] if head else []
    if strip:
        lines += ["", "| rep | from | to | range | your label |", "|---|---|---|---|---|"]
        lines += [f"| {i.number} | {i.start_s:.1f} s | {i.end_s:.1f} s | "
                  + (f"{i.rom_m:.2f} m" if i.rom_m is not None else "bar lost")
                  + f" | {R.BUTTON.get(i.label or '', '—')} |" for i in items]  # fmt: skip
        lines.append("")
    done = len(items) - len(todo)
    data = {"analysis_id": row.id, "reps": len(items), "labelled": done, "next": None}
    if not todo:
        lines.append(f"All {len(items)} reps of this set are labelled. The next {row.lift} you film is cut with them; "
                     "say **how good is my rep counting?** for the score.")  # fmt: skip
        return ToolOutput(summary=" ".join(lines).replace("**", ""), markdown="\n".join(lines), data=data, final=True)
    item = todo[0]
    data["next"] = item.number
    what = f"{item.rom_m:.2f} m of travel" if item.rom_m is not None else "the bar was lost"
    lines.append(f"{done}/{len(items)} labelled. Rep {item.number}, {item.start_s:.1f}–{item.end_s:.1f} s ({what}): "
                 "was it a rep, and are its ends right?")  # fmt: skip
    images = []
    video = review.video
    if video is not None:
        from striking.labels import thumbnail

        for tag, t in (("bottom", (item.start_s + item.end_s) / 2), ("end", item.end_s)):
            thumb = thumbnail(video, t, ctx.output_dir / f"rep-{row.id}-{item.number}-{tag}.jpg")
            images += [str(thumb)] if thumb else []
    actions = [Action(label=R.BUTTON[lab], tool="label_rep", tooltip=f"rep {item.number}: {R.BUTTON[lab]}",
                      args={"analysis_id": row.id, "number": item.number, "label": lab})
               for lab in R.LABELS]  # fmt: skip
    return ToolOutput(summary=" ".join(lines).replace("**", ""), markdown="\n".join(lines), data=data,
                      images=images, actions=actions, final=True)  # fmt: skip


@tool(
    name="review_reps",
    description=ReviewRepsArgs.__doc__ or "",
    args=ReviewRepsArgs,
    domain="lifts",
    examples=["review my reps", "label the reps of that set"],
    intents=[r"\b(review|label)\b.*\breps\b"],
    match=_match_review,
    outranks=("analyse_lift",),  # "review my reps" is about the stored set, not a new clip
)
def review_reps(ctx: ToolContext, args: ReviewRepsArgs) -> ToolOutput:
    try:
        review = rep_review(ctx.account_id, args.analysis_id, ctx.settings.files_dir, ctx.engine)
    except RepReviewError as e:
        raise ToolError(str(e)) from e
    row = review.analysis
    head = f"**Review: {row.rep_count} reps of your {row.lift}**, least sure first. One click per rep."
    return _show(ctx, review, head, strip=True)


class LabelRepArgs(BaseModel):
    """Store the athlete's label for one rep of an analysed set (from the review buttons)."""

    analysis_id: str
    number: int = Field(ge=1)
    label: str = Field(description="ok | not_a_rep | ends_early | ends_late | missed_after")


@tool(name="label_rep", description=LabelRepArgs.__doc__ or "", args=LabelRepArgs, domain="lifts", kind="write")
def label_rep_tool(ctx: ToolContext, args: LabelRepArgs) -> ToolOutput:
    try:
        review = label_rep(ctx.account_id, args.analysis_id, args.number, args.label, ctx.settings.files_dir,
                           ctx.engine)  # fmt: skip
    except RepReviewError as e:
        raise ToolError(str(e)) from e
    head = (f"Noted a rep missed after rep {args.number}." if args.label == "missed_after"
            else f"✓ rep {args.number}: {R.BUTTON[args.label]}.")  # fmt: skip
    return _show(ctx, review, head, strip=False)


class NoArgs(BaseModel):
    """No arguments."""


@tool(
    name="rep_counting_report",
    description="How well rep counting agrees with the athlete's own rep labels, and the threshold they taught it.",
    args=NoArgs,
    domain="lifts",
    examples=["how good is my rep counting?"],
    match=lambda text, _a: NoArgs() if _HOW_GOOD.search(text or "") else None,
)
def rep_counting_report(ctx: ToolContext, args: NoArgs) -> ToolOutput:
    scores = rep_counting_scores(ctx.account_id, ctx.engine)
    if not scores:
        raise ToolError("You haven't labelled any reps yet: say 'review my reps' after a set is analysed.")
    lines = ["| lift | reviewed | right | ends off | not a rep | missed | precision | recall | rep threshold |",
             "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    data: dict[str, dict] = {}
    for sc in scores:
        lift, s, learned = sc.lift, sc.score, sc.learned_share
        pct = lambda v: "—" if v is None else f"{v * 100:.0f} %"  # noqa: E731
        thr = f"{learned * 100:.0f} % of the tallest rise (yours)" if learned is not None else (
            f"{R.DEFAULT_SHARE * 100:.0f} % (default)")  # fmt: skip
        lines.append(f"| {lift} | {s.reviewed} | {s.right} | {s.boundary} | {s.not_a_rep} | {s.missed} | "
                     f"{pct(s.precision)} | {pct(s.recall)} | {thr} |")  # fmt: skip
        data[lift] = {"reviewed": s.reviewed, "right": s.right, "boundary": s.boundary, "not_a_rep": s.not_a_rep,
                      "missed": s.missed, "precision": s.precision, "recall": s.recall,
                      "learned_share": learned}  # fmt: skip
    note = ("Precision: of the reps I found and you reviewed, the share that were reps. Recall: of the real reps, "
            f"the share I found. The threshold changes once you have labelled at least {R.MIN_LABELS} reps of a lift "
            "and the labels disagree with the default.")  # fmt: skip
    text = "\n".join(lines) + "\n\n" + note
    return ToolOutput(summary=text.replace("|", " ")[:500], markdown=text, data=data, final=True)
