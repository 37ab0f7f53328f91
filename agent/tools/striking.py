"""Striking tools: analyse a boxing clip, answer follow-ups from the stored round, take corrections.

Thin adapters: each tool parses its arguments, calls one `striking.service` function (or the analysis job) and
renders; numbers come from `striking`, the model only talks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import (
    Action,
    Attachment,
    ToolContext,
    ToolError,
    ToolOutput,
    asks_to_analyse_a_clip,
    run_job,
    stored_attachment,
    tool,
)
from striking import jobs as strike_jobs
from striking.questions import Question, parse_question
from striking.report import counted, mmss
from striking.service import StrikingError, analysis_stance, correct_punch, round_followup

_BOXING = re.compile(r"\b(box(ing|er)?|punch(es|ing)?|jab|cross|hook|uppercut|combo|round|shadow ?box(ing)?|bag ?work"
                     r"|bag (session|round|drill)s?|heavy ?bag"
                     r"|sparr(ing|ed)?|strik(e|ing)|my guard|southpaw|orthodox)\b", re.I)  # fmt: skip


class AnalyseStrikesArgs(BaseModel):
    """Analyse the attached shadow-boxing or bag-work video: punches by type, combos, guard habits."""

    upload_id: str | None = Field(default=None, description="The attached video's id (default: the attachment)")
    stance: Literal["orthodox", "southpaw"] | None = Field(default=None, description="Only if the user said it")
    who: Literal["auto", "left", "right", "centre", "largest"] = Field(
        default="auto", description="Which person is the athlete when several are in frame, if the user said it"
    )


_WHO = re.compile(r"\b(?:on|at|to) the (left|right)\b|\b(left|right)(?:-hand)? (?:one|person|guy|boxer|fighter)\b"
                  r"|\b(?:in the )?(middle|cent(?:re|er))\b", re.I)  # fmt: skip


def who_from_text(text: str) -> Literal["auto", "left", "right", "centre"]:
    """'the one on the left' -> left; nothing said -> auto (the most active person)."""
    m = _WHO.search(text or "")
    if not m:
        return "auto"
    word = (m.group(1) or m.group(2) or m.group(3)).lower()
    return "left" if word == "left" else "right" if word == "right" else "centre"  # middle / center / centre


def _match_analyse(text: str, attachments: list[Attachment]) -> AnalyseStrikesArgs | None:
    videos = [a for a in attachments if a.is_video]
    if (videos or asks_to_analyse_a_clip(text)) and _BOXING.search(text or ""):
        return AnalyseStrikesArgs(upload_id=videos[0].upload_id if videos else None, who=who_from_text(text))
    return None


def _attachment(ctx: ToolContext, upload_id: str | None) -> Attachment:
    for a in ctx.attachments:
        if a.is_video and (upload_id is None or a.upload_id == upload_id):
            return a
    if upload_id and (att := stored_attachment(ctx, upload_id)) is not None:
        return att
    raise ToolError("Attach a boxing video (shadow-boxing or bag work, whole upper body in frame) and ask me again.")


@tool(
    name="analyse_strikes",
    description=AnalyseStrikesArgs.__doc__ or "",
    args=AnalyseStrikesArgs,
    domain="striking",
    examples=["check my round", "analyse my shadow boxing", "how was my bag work?", "count my punches"],
    intents=[r"\b(check|analy[sz]e|look at|rate)\b.*\b(round|shadow ?box\w*|bag ?work|punch\w*|boxing)\b"],
    match=_match_analyse,
    long_running=True,
    kind="write",
)
def analyse_strikes(ctx: ToolContext, args: AnalyseStrikesArgs) -> ToolOutput:
    video = _attachment(ctx, args.upload_id)
    out = ctx.output_dir / f"strike-{video.upload_id}.mp4"
    params = {
        "path": str(video.path), "out_video": str(out), "account_id": ctx.account_id, "upload_id": video.upload_id,
        "thread_id": ctx.thread_id, "filename": video.filename,
        "stance": analysis_stance(ctx.account_id, args.stance, ctx.engine),
        "backend": getattr(ctx.settings, "pose_backend", "blazepose"), "who": args.who,
    }  # fmt: skip
    ctx.report(0.0, "queued: analysing your round")
    key = f"strike:{video.upload_id}" + ("" if args.who == "auto" else f":{args.who}")
    result = run_job(ctx, strike_jobs.KIND, params, upload_id=video.upload_id, idempotency_key=key)
    report = result["report"]
    return ToolOutput(
        summary=_summary(report),
        markdown=_markdown(report),
        data={"session_id": result["session_id"], **report},
        videos=[result["video"]] if result.get("video") and Path(result["video"]).is_file() else [],
        actions=[Action(label="🔍 Review my punches", tool="review_punches", args={"session_id": result["session_id"]})]
        if result.get("session_id") and report["punch_count"]
        else [],
    )


def _summary(report: dict) -> str:
    from striking.punches import KIND_LABEL

    counts = ", ".join(f"{n} {KIND_LABEL[k]}" for k, n in report["counts"].items() if n) or "no punches"
    ppm = report.get("punches_per_minute")
    h = report["habits"]
    gd = h.get("guard_down_share")
    return (f"{report['punch_count']} punches ({counts})" + (f", {ppm:.0f} per minute" if ppm else "")
            + f"; {len(report['combos'])} combinations; stance {report['stance']}"
            + (f"; guard down {gd * 100:.0f} % of the time." if gd is not None else ".")
            + "".join(" " + n for n in report.get("notes", [])))  # fmt: skip


def _markdown(report: dict) -> str:
    from striking.punches import KIND_LABEL

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x * 100:.0f} %"

    def sec(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f} s"

    ppm = report.get("punches_per_minute")
    lines = [
        f"**Round: {counted(report['punch_count'], 'punch', 'punches')} in "
        f"{mmss(report['active_s'])}**" + (f" ({ppm:.0f} per minute)" if ppm else ""),
        f"Stance: {report['stance']} ({report['stance_source']}). Typed by: {report['classifier']}.",
        "",
    ]
    if report["punches"]:
        lines += ["| # | time | hand | punch | return to guard |", "|---|---|---|---|---|"]
        for p in report["punches"]:
            lines.append(f"| {p['index']} | {mmss(p['t_peak'])} | {p['hand']} | {p['label']} | {sec(p['return_s'])} |")
        lines += ["", "| punch | count |", "|---|---|"]
        lines += [f"| {KIND_LABEL[k]} | {n} |" for k, n in report["counts"].items() if n]
        lines += [f"| to the body | {report['targets']['body']} |", ""]
    if report["combos"]:
        lines += ["**Combinations**"] + [f"- {mmss(c['start_s'])}: {c['sequence']}" for c in report["combos"]] + [""]
    h = report["habits"]
    lines += ["| habit | value |", "|---|---|",
              f"| guard down (either hand) | {pct(h['guard_down_share'])} of the time |",
              f"| return to guard (left / right) | {sec(h['return_s_left'])} / {sec(h['return_s_right'])} |",
              f"| other hand drops during a punch | {pct(h['other_hand_drop_share'])} |",
              f"| chin exposed during a punch | {pct(h['chin_exposed_share'])} |",
              f"| telegraphed (wind-up) | {pct(h['telegraph_share'])} |"]  # fmt: skip
    lines += [f"\n_{n}_" for n in report.get("notes", [])]
    return "\n".join(lines)


class StrikeFollowupArgs(BaseModel):
    """Answer a question about the last analysed boxing round from its data (habits, combinations, timings, moments)."""

    habit: Literal["drop", "return", "telegraph", "chin", "combos"] = Field(description="What the question is about")
    hand: Literal["left", "right", "lead", "rear"] | None = None
    kinds: list[Literal["jab", "cross", "hook", "uppercut"]] = Field(default_factory=list)


# Everyday words for the habits the round data measures ("my hand comes down", "loading up before the cross").
_HABIT_SYNONYMS = [
    (re.compile(r"\b(come|comes|coming|came|go|goes|going|went|sag|sags|sagging|drift|drifts|drifting)\s+(down|low)\b|"
                r"\bcome back low\b", re.I), "dropping"),
    (re.compile(r"\b(load|loads|loading|cock|cocks|cocking|pull|pulls|pulling)(\s+it)?\s+(up|back)\s+before\b", re.I),
     "winding up before"),
]  # fmt: skip


def _match_followup(text: str, attachments: list[Attachment]) -> StrikeFollowupArgs | None:
    if any(a.is_video for a in attachments):
        return None
    for pattern, word in _HABIT_SYNONYMS:
        text = pattern.sub(word, text)
    q = parse_question(text)
    if q is None or not re.search(r"\b(am i|do i|did i|was i|is my|my)\b", text, re.I):
        return None
    if not (
        q.kinds or q.hand or re.search(r"\b(guard|hands?|punch\w*|chin|jab|hook|combo\w*|combination\w*)\b", text, re.I)
    ):
        return None
    return StrikeFollowupArgs.model_validate({"habit": q.habit, "hand": q.hand, "kinds": q.kinds})


@tool(
    name="strike_followup",
    description=StrikeFollowupArgs.__doc__ or "",
    args=StrikeFollowupArgs,
    domain="striking",
    examples=[
        "am I dropping my right hand when I jab?",
        "how fast do I bring my jab back?",
        "do I telegraph my cross?",
    ],
    intents=[r"\b(am|do|did) i\b.*\b(drop|telegraph|bring .* back|guard|chin)\b"],
    match=_match_followup,
)
def strike_followup(ctx: ToolContext, args: StrikeFollowupArgs) -> ToolOutput:
    try:
        res = round_followup(ctx.account_id, Question(args.habit, args.hand, list(args.kinds)), ctx.engine)
    except StrikingError as e:
        raise ToolError(str(e)) from e
    text, data, history = res.text, res.data, res.guard_down_history
    if len(history) >= 2:
        trend = " → ".join(f"{v * 100:.0f} %" for v in history[-5:])
        text += f"\n\nGuard down over your last {min(5, len(history))} rounds: {trend}."
        data["guard_down_history"] = history
    return ToolOutput(summary=text.replace("**", ""), markdown=text, data={"session_id": res.round.id, **data})


_ORDINALS = {w: i for i, w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                                         "ninth", "tenth"), 1)}  # fmt: skip
_KIND_ALIASES = {
    "jab": "jab", "cross": "cross", "straight": "straight", "hook": "hook", "uppercut": "uppercut",
    "lead hook": "lead_hook", "rear hook": "rear_hook", "lead uppercut": "lead_uppercut",
    "rear uppercut": "rear_uppercut", "not a punch": "none", "no punch": "none", "nothing": "none",
}  # fmt: skip
_CORRECT_RE = re.compile(
    r"\b(?:the\s+)?(?:(?P<ord>" + "|".join(_ORDINALS) + r")|(?:number\s*|#\s*)?(?P<num>\d+)(?:st|nd|rd|th)?)\s+punch\s+"
    r"(?:was|is)\s+(?:a\s+|an\s+)?(?P<kind>lead hook|rear hook|lead uppercut|rear uppercut|jab|cross|straight|hook|"
    r"uppercut|not a punch|no punch|nothing)\b", re.I)  # fmt: skip


class CorrectPunchArgs(BaseModel):
    """Correct the type of one punch in the last analysed round (kept as training data for our model)."""

    number: int = Field(ge=1, description="The punch's number in the round (1 = first)")
    kind: Literal["jab", "cross", "straight", "hook", "uppercut", "lead_hook", "rear_hook", "lead_uppercut",
                  "rear_uppercut", "none"]  # fmt: skip


# "punch 6 was really a rear hook", "the fourth one was a jab", "#7 … but it was a rear uppercut"
_CORRECT_LOOSE = re.compile(
    r"(?:\bpunch\s*(?:#\s*|number\s*)?(?P<num>\d+)|#\s*(?P<num2>\d+)|\b(?:the\s+)?(?P<ord>"
    + "|".join(_ORDINALS)
    + r")\s+(?:one|punch)"
    # "number 2 was a hook", "no. 4 was a cross", "the 3rd one was an uppercut"
    r"|^\W*(?:number|no\.?|nr\.?)\s*(?P<num3>\d+)|\b(?:the\s+)?(?P<num4>\d+)(?:st|nd|rd|th)\s+(?:one|punch))"
    r"\b.{0,40}?\b(?:was|is|were)\s+(?:actually\s+|really\s+)?(?:a\s+|an\s+)?"
    r"(?P<kind>lead hook|rear hook|lead uppercut|rear uppercut|jab|cross|straight|hook|uppercut|not a punch|"
    r"no punch)\b",
    re.I,
)


# "punch 12 wasn't a punch", "#4 wasn't even a punch": that movement was no punch at all
_NOT_A_PUNCH = re.compile(
    r"(?:\bpunch\s*(?:#\s*|number\s*)?(?P<num>\d+)|#\s*(?P<num2>\d+)|^\W*(?:number|no\.?)\s*(?P<num3>\d+))\s+"
    r"(?:wasn'?t|was\s+not|isn'?t|is\s+not)\s+(?:even\s+|really\s+)?(?:a\s+)?punch\b",
    re.I,
)


def _match_correct(text: str, _a: list[Attachment]) -> CorrectPunchArgs | None:
    if (m := _NOT_A_PUNCH.search(text or "")) is not None:
        return CorrectPunchArgs(number=int(m["num"] or m["num2"] or m["num3"]), kind="none")
    if (m := _CORRECT_LOOSE.search(text or "")) is not None:
        number = _ORDINALS[m["ord"].lower()] if m["ord"] else int(m["num"] or m["num2"] or m["num3"] or m["num4"])
        return CorrectPunchArgs.model_validate({"number": number, "kind": _KIND_ALIASES[m["kind"].lower()]})
    m = _CORRECT_RE.search(text or "")
    if not m:
        return None
    number = _ORDINALS[m["ord"].lower()] if m["ord"] else int(m["num"])
    return CorrectPunchArgs.model_validate({"number": number, "kind": _KIND_ALIASES[m["kind"].lower()]})


@tool(
    name="correct_punch",
    description=CorrectPunchArgs.__doc__ or "",
    args=CorrectPunchArgs,
    domain="striking",
    examples=["the third punch was a hook, not a cross", "punch 2 was an uppercut"],
    intents=[r"\bpunch\b.*\bwas\b.*\b(hook|jab|cross|uppercut)\b"],
    match=_match_correct,
    kind="write",
)
def correct_punch_tool(ctx: ToolContext, args: CorrectPunchArgs) -> ToolOutput:
    try:
        done = correct_punch(ctx.account_id, args.number, args.kind, ctx.engine)
    except StrikingError as e:
        raise ToolError(str(e)) from e
    new = "not a punch" if done.kind == "none" else done.kind.replace("_", " ")
    text = (f"Noted: punch {args.number} at {mmss(done.t_peak_s)} is now a **{new}** (was {done.old_label}). "
            "It's saved as training data for the punch model.")  # fmt: skip
    return ToolOutput(summary=text.replace("**", ""), markdown=text, data={"number": args.number, "kind": done.kind,
                      "shape": done.shape, "session_id": done.session_id}, final=True)  # fmt: skip
