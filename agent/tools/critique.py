"""Technique critique: "critique my squat", "what should I fix?", "how was my technique?" and the follow-ups
("was rep 3 deeper than rep 1?", "show me the bottom of rep 2", "is my bar path getting worse over the set?").

Thin: the findings, their numbers and their key frames come from the analysis jobs (`vision.critique`,
`striking.critique`) and are stored with the analysis; `vision.service.critique_source` picks the analysis,
this tool renders the stored critique and answers follow-ups from it with no new video pass. Its `data` holds
only the findings, so the chat's number check (agent.numbers via the reply step) holds the model's phrasing to
their numbers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, get_tool, tool
from vision.critique import Critique, render
from vision.request import parse_request
from vision.service import LiftCritiqueSource, bar_path_trend, compare_depth, critique_source

Lift = Literal["squat", "bench", "deadlift", "press", "row", "snatch", "clean", "jerk", "other"]
_CRITIQUE = re.compile(
    r"\b(critique|critici[sz]e|form check|check my (form|technique)|what should i (fix|work on|improve|change)|"
    r"what (am i|i'?m) doing wrong|how('s| is| was| did) my (technique|form)|(my|the) (technique|form)\b.*\?|"
    r"feedback on my (form|technique|squat|bench|dead ?lift|press|lift|round|boxing))",
    re.I,
)
_BOXING = re.compile(r"\b(box(ing)?|punch(es|ing)?|jab|hook|uppercut|shadow ?box|bag ?work|sparr|round)\b", re.I)
_DEPTH = re.compile(r"\b(deep(er)?|depth|lower|shallow(er)?)\b", re.I)
_REP = re.compile(r"\brep\s*(?:#|number\s*)?(\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)\s+rep\b", re.I)
_DEPTH_OF_SET = re.compile(r"\b(how deep|depth|deep enough|below parallel|break parallel|hit parallel)\b", re.I)
_QUESTION = re.compile(r"\?\s*$|^\W*(how|was|were|did|do|am|is|what|tell me)\b", re.I)
_PAST_MINE = re.compile(r"\b(was|were|did|got|my)\b", re.I)  # about a filmed set, not depth in general
_ADVICE = re.compile(r"\b(should|good|ideal|recommended|supposed|need to|how to)\b", re.I)
_BOTTOM = re.compile(r"\b(show|see)\b.*\b(bottom|lowest point|hole)\b", re.I)
_PATH_TREND = re.compile(r"\bbar ?path\b.*\b(worse|better|drift\w*|over the set|change\w*|getting)\b", re.I)
_LIFTS = {"squat", "bench", "deadlift", "press", "row", "snatch", "clean", "jerk"}


class CritiqueArgs(BaseModel):
    """Technique critique of the attached (or latest analysed) lift or boxing clip: what to fix first with the
    evidence, what went well, what the camera angle can't show; or a follow-up about one rep's depth, the
    bottom of a rep, or the bar path over the set."""

    subject: Literal["lift", "boxing"] | None = Field(default=None, description="'boxing' for a round")
    lift: Lift | None = Field(default=None, description="Which lift, when the athlete names it")
    upload_id: str | None = Field(default=None, description="The attached video's id (default: the attachment)")
    ask: Literal["critique", "depth", "bottom", "bar_path"] = "critique"
    reps: list[int] = Field(default_factory=list, description="Rep numbers the question names")


def _reps(text: str) -> list[int]:
    return [int(a or b) for a, b in _REP.findall(text)]


def _match(text: str, attachments: list[Attachment]) -> CritiqueArgs | None:
    text = text or ""
    lift = parse_request(text).lift
    boxing = bool(_BOXING.search(text)) and lift is None
    videos = [a for a in attachments if a.is_video]
    upload = videos[0].upload_id if videos else None
    if _CRITIQUE.search(text):
        return CritiqueArgs(subject="boxing" if boxing else ("lift" if lift else None), lift=lift, upload_id=upload)
    if videos:
        return None
    reps = _reps(text)
    if _DEPTH.search(text) and reps and "?" in text:
        return CritiqueArgs(subject="lift", lift=lift, ask="depth", reps=reps)
    if (
        _DEPTH_OF_SET.search(text)
        and _QUESTION.search(text)
        and _PAST_MINE.search(text)
        and not _ADVICE.search(text)
        and not _BOXING.search(text)
    ):
        return CritiqueArgs(subject="lift", lift=lift, ask="depth")  # every rep of the last clip
    if _BOTTOM.search(text) and reps:
        return CritiqueArgs(subject="lift", lift=lift, ask="bottom", reps=reps)
    if _PATH_TREND.search(text):
        return CritiqueArgs(subject="lift", lift=lift, ask="bar_path")
    return None


@tool(
    name="critique_technique",
    description=CritiqueArgs.__doc__ or "",
    args=CritiqueArgs,
    domain="lifts",
    examples=[
        "critique my squat",
        "what should I fix?",
        "how was my technique?",
        "was rep 3 deeper than rep 1?",
        "show me the bottom of rep 2",
        "is my bar path getting worse over the set?",
    ],
    intents=[_CRITIQUE.pattern],
    match=_match,
    outranks=("analyse_lift", "analyse_strikes", "lift_result", "strike_followup"),
    long_running=True,
    kind="write",
)
def critique_technique(ctx: ToolContext, args: CritiqueArgs) -> ToolOutput:
    videos = [a for a in ctx.attachments if a.is_video]
    if args.ask == "critique" and (videos or args.upload_id):
        return _analyse_then_critique(ctx, args, videos)
    src = critique_source(ctx.account_id, subject=args.subject, lift=args.lift, ask=args.ask, engine=ctx.engine)
    if src is None:
        what = f"{args.lift} " if args.lift else "lift "
        raise ToolError(f"I haven't analysed a {what}video of yours yet: attach a clip and ask me to critique it.")
    if not isinstance(src, LiftCritiqueSource):
        if src.round is None:
            raise ToolError("I haven't analysed a clip of yours yet: attach a lift or a boxing round and ask me again.")
        if not src.stored:
            msg = ("That round was analysed before I could critique technique. Attach the clip again and say "
                   "'critique my round' for the full read.")  # fmt: skip
            return ToolOutput(ok=False, summary=msg, markdown=msg, final=True)
        return _critique_output(ctx, Critique.from_dict(src.stored), src.stored, {"session_id": src.round.id})
    row, stored = src.analysis, src.stored
    if not stored:
        return _no_critique(row, src.upload_id)
    c = Critique.from_dict(stored)
    if args.ask == "depth":
        return _depth_answer(ctx, c, args.reps, row)
    if args.ask == "bottom":
        return _bottom_answer(ctx, c, args.reps, row)
    if args.ask == "bar_path":
        return _bar_path_answer(c, row)
    return _critique_output(ctx, c, stored, {"analysis_id": row.id})


def _analyse_then_critique(ctx: ToolContext, args: CritiqueArgs, videos: list[Attachment]) -> ToolOutput:
    """A clip came with the request: the usual analysis job (live progress), then its stored critique."""
    if args.subject == "boxing":
        tool_name, tool_args = "analyse_strikes", {"upload_id": args.upload_id}
    else:
        tool_name, tool_args = "analyse_lift", {"upload_id": args.upload_id, "lift": args.lift or "squat"}
    t = get_tool(tool_name)
    out = t.run(ctx, t.args_model(**{k: v for k, v in tool_args.items() if v is not None}))
    stored = out.data.get("critique")
    if not stored:
        why = out.data.get("critique_error") or "the analysis stored no critique"
        raise ToolError(f"I analysed the clip but could not critique it: {why}")
    ids = {k: out.data[k] for k in ("analysis_id", "session_id") if out.data.get(k)}
    c = Critique.from_dict(stored)
    result = _critique_output(ctx, c, stored, ids)
    result.videos = out.videos
    return result


def _no_critique(row: Any, upload_id: str | None) -> ToolOutput:
    """An analysis from before the pose pass: say so and offer to analyse the clip again."""
    msg = (f"Your {row.lift} clip was analysed before I followed the lifter's body, so I have the bar's numbers "
           "but no technique read.")  # fmt: skip
    actions = []
    if upload_id:
        msg += " I can analyse it again with the body followed."
        actions = [Action(label="🔁 Re-analyse for technique", tool="critique_technique",
                          args={"upload_id": upload_id, "lift": row.lift, "subject": "lift"})]  # fmt: skip
    else:
        msg += " Attach the clip again and ask me to critique it."
    return ToolOutput(ok=False, summary=msg, markdown=msg, actions=actions, final=True)


def _files(ctx: ToolContext, rel: str | None) -> str | None:
    if not rel:
        return None
    p = Path(rel)
    p = p if p.is_absolute() else ctx.settings.files_dir / p
    return str(p) if p.is_file() else None


def _critique_output(ctx: ToolContext, c: Critique, stored: dict[str, Any], ids: dict[str, Any]) -> ToolOutput:
    text = render(c)
    images = [p for p in (_files(ctx, f.key_frame) for f in c.work_on) if p]
    # Only what the athlete may be told: the findings' words and numbers, their reps and moments (no ranking
    # weights, pixel positions or file names: each number here widens what the reply check lets through).
    said = ("key", "title", "evidence", "cue", "rep", "t", "numbers")
    work_on = [{k: f.get(k) for k in said} for f in stored.get("work_on", [])]
    data = {"critique": {"kind": stored.get("kind"), "subject": stored.get("subject"), "view": stored.get("view"),
                         "work_on": work_on, "went_well": stored.get("went_well", []),
                         "cannot_judge": stored.get("cannot_judge", [])}, **ids}  # fmt: skip
    return ToolOutput(summary=text.replace("**", ""), markdown=text, data=data, images=images)


def _depth_of(c: Critique, rep: int) -> dict[str, Any] | None:
    return next((d for d in c.per_rep.get("depth", []) if d["rep"] == rep), None)


def _depth_words(d: dict[str, Any]) -> str:
    pct = round(abs(d["value"]) * 100)
    return f"{pct}% of a thigh length {'below' if d['value'] >= 0 else 'above'} the knee joint"


def _depth_answer(ctx: ToolContext, c: Critique, reps: list[int], row: Any) -> ToolOutput:
    depths = c.per_rep.get("depth", [])
    if not depths:
        why = next((s for s in c.cannot_judge if s.lower().startswith(("depth", "technique"))), None)
        msg = f"I couldn't measure depth on your {row.lift} clip" + (f": {why}" if why else ".")
        return ToolOutput(ok=False, summary=msg, markdown=msg, final=True)
    named = bool(reps)
    reps = reps or [int(d["rep"]) for d in depths]  # "how deep was my squat?": every rep measured
    measured = [(n, _depth_of(c, n)) for n in reps]
    missing = [n for n, d in measured if d is None]
    found = [(n, d) for n, d in measured if d is not None]
    if missing:
        have = ", ".join(str(d["rep"]) for d in depths)
        msg = f"I have the depth of reps {have} only; rep {missing[0]} was not measured."
        return ToolOutput(ok=False, summary=msg, markdown=msg, final=True)
    lines = [f"Rep {n}: your hip ended {_depth_words(d)} (± {round(d['sd'] * 100)}%)." for n, d in found]
    if named and len(found) >= 2:
        cmp = compare_depth(found[0][1], found[1][1])
        if cmp.deeper is None:
            a, b = cmp.first, cmp.second
            lines.append(f"Within the measurement's uncertainty, rep {a} and rep {b} were equally deep.")
        else:
            lines.append(f"Rep {cmp.deeper} was deeper than rep {cmp.shallower}, by {round(cmp.gap * 100)}% of a thigh "
                         "length.")  # fmt: skip
    text = " ".join(lines)
    data = {"depth": [d for _, d in found]}
    shown = reps if named else [min(found, key=lambda nd: nd[1]["value"])[0]]  # all reps: the shallowest one's
    img = [p for p in (_files(ctx, c.moments.get(f"bottom_rep_{n}", {}).get("key_frame")) for n in shown) if p]
    return ToolOutput(summary=text, markdown=text, data=data, images=img)


def _bottom_answer(ctx: ToolContext, c: Critique, reps: list[int], row: Any) -> ToolOutput:
    n = reps[0]
    m = c.moments.get(f"bottom_rep_{n}")
    png = _files(ctx, m.get("key_frame")) if m else None
    if m is None or png is None:
        # only the bottoms: other moments (a snatch's phases) share a rep number and would repeat it
        have = ", ".join(str(v["rep"]) for k, v in c.moments.items() if k.startswith("bottom_rep_"))
        msg = f"I have no picture of the bottom of rep {n}" + (f"; I have reps {have}." if have else ".")
        return ToolOutput(ok=False, summary=msg, markdown=msg, final=True)
    d = _depth_of(c, n)
    text = f"The bottom of rep {n}, at {m['t']:.2f} s." + (f" Your hip ended {_depth_words(d)}." if d else "")
    return ToolOutput(summary=text, markdown=text, data={"moment": m, "depth": d}, images=[png], final=True)


def _bar_path_answer(c: Critique, row: Any) -> ToolOutput:
    trend = bar_path_trend(c)
    mids = trend.per_rep
    if not trend.enough:
        msg = (
            f"I need the bar's position on at least {trend.needed} reps to say whether it changes over the set; "
            f"your {row.lift} clip has {len(mids)}"
            + (" (no plate in sight, or the camera is not side-on)." if not mids else ".")
        )
        return ToolOutput(ok=False, summary=msg, markdown=msg, final=True)
    per = "; ".join(f"rep {m['rep']} {abs(m['value']):.0f} cm {'in front of' if m['value'] > 0 else 'behind'}"
                    for m in mids)  # fmt: skip
    if trend.drift is not None:
        text = f"Yes: {trend.drift.evidence} Furthest point from mid-foot per rep: {per}."
    else:
        text = f"No clear change over the set. Furthest point from mid-foot per rep: {per}."
    return ToolOutput(summary=text, markdown=text, data={"bar_midfoot": mids, "points": len(mids)})
