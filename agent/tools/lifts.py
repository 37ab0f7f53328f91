"""Lift video tools: analyse an attached lift clip (bar path, velocity per rep, velocity loss, stop advice)
and show the load-velocity profile with its e1RM.

Thin adapters: each tool parses its arguments, calls one `vision.service` function (or the analysis job) and
renders; numbers come from `vision`, the model only talks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.base import (
    OVER_TIME,
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
from vision import jobs as lift_jobs
from vision.report import rep_table, summary
from vision.request import parse_request
from vision.service import last_clip_answer, lift_job_setup, refresh_profile

Lift = Literal["squat", "bench", "deadlift", "press", "row", "snatch", "clean", "jerk", "other"]
_BOXING = re.compile(r"\b(box(ing)?|punch(es|ing)?|jab|hook|uppercut|shadow ?box|bag ?work|bag (session|round)|sparr)",
                     re.I)  # fmt: skip
_VBT = re.compile(
    r"\b(bar ?(path|speed|velocity)|velocity|vbt|how fast|speed of (my|the) (bar|reps?)|lift(ing)? video"
    r"|(my|this|the|that) (set|lift|reps?))\b",
    re.I,
)


class AnalyseLiftArgs(BaseModel):
    """Analyse the attached lift video: bar path, mean/peak/propulsive velocity per rep, velocity loss."""

    upload_id: str | None = Field(default=None, description="The attached video's id (default: the attachment)")
    lift: Lift = Field(default="squat", description="Which lift the clip shows")
    load_kg: float | None = Field(default=None, ge=0, le=600, description="Load on the bar in kg, if the user said it")
    plate_mm: float | None = Field(default=None, ge=150, le=500, description="Plate diameter in mm if not 450")
    rom_cm: float | None = Field(default=None, ge=5, le=250, description="Range of motion in cm, if the user said it")
    stop_pct: float | None = Field(default=None, ge=5, le=60, description="Velocity-loss threshold (%) to stop at")
    reps: int | None = Field(default=None, ge=1, le=30, description="Reps in the set, if the user said how many")


def _match_analyse(text: str, attachments: list[Attachment]) -> AnalyseLiftArgs | None:
    videos = [a for a in attachments if a.is_video]
    if (not videos and not asks_to_analyse_a_clip(text)) or _BOXING.search(text or ""):
        return None
    req = parse_request(text or "")
    if req.lift is None and not _VBT.search(text or ""):
        return None
    return AnalyseLiftArgs(
        upload_id=videos[0].upload_id if videos else None, lift=req.lift or "squat", load_kg=req.load_kg,
        plate_mm=req.plate_mm, rom_cm=req.rom_m * 100 if req.rom_m else None, reps=req.reps,
    )  # fmt: skip


def _attachment(ctx: ToolContext, upload_id: str | None) -> Attachment:
    for a in ctx.attachments:
        if a.is_video and (upload_id is None or a.upload_id == upload_id):
            return a
    if upload_id and (att := stored_attachment(ctx, upload_id)) is not None:
        return att
    others = [a for a in ctx.attachments if not a.is_video]
    said = f"“{others[0].filename}” is not a video (its content reads as {others[0].mime}). " if others else ""
    raise ToolError(said + "Attach a video of your lift (side view, the plate in sight) and ask me again.")


@tool(
    name="analyse_lift",
    # a set said with a clip attached ("bench 100kg 5 reps" + video) is the clip's load and reps, to analyse
    outranks=("train_log_sets", "train_plates"),
    description=AnalyseLiftArgs.__doc__ or "",
    args=AnalyseLiftArgs,
    domain="lifts",
    examples=[
        "analyse my squat, 160 kg",
        "how fast was my bench? 100 kg",
        "check my deadlift bar path",
        "what's my bar speed on this set",
    ],
    intents=[
        r"\b(analy[sz]e|check|look at|rate|measure)\b.*\b(squat|bench|dead ?lift|press|snatch|clean|lift|set|reps?)\b",
        r"\b(bar ?(path|speed)|velocity|vbt)\b",
    ],
    match=_match_analyse,
    long_running=True,
    kind="write",
)
def analyse_lift(ctx: ToolContext, args: AnalyseLiftArgs) -> ToolOutput:
    video = _attachment(ctx, args.upload_id)
    setup = lift_job_setup(ctx.account_id, args.lift, args.load_kg, ctx.engine)
    set_id, logged_load, load = setup.training_set_id, setup.logged_load_kg, setup.load_kg
    out = ctx.output_dir / f"lift-{video.upload_id}.mp4"
    params: dict[str, Any] = {
        "path": str(video.path), "out_video": str(out), "account_id": ctx.account_id, "upload_id": video.upload_id,
        "thread_id": ctx.thread_id, "lift": args.lift, "load_kg": load, "plate_mm": args.plate_mm,
        "rom_m": args.rom_cm / 100 if args.rom_cm else None, "stop_pct": args.stop_pct, "training_set_id": set_id,
        "body_height_m": setup.body_height_m,
        "backend": getattr(ctx.settings, "pose_backend", "blazepose"),
    }  # fmt: skip
    ctx.report(0.0, f"queued: analysing your {args.lift}")
    result = run_job(
        ctx, lift_jobs.KIND, params, upload_id=video.upload_id,
        idempotency_key=f"lift:{video.upload_id}:{args.lift}:{load}:{args.plate_mm}:{args.rom_cm}",
    )  # fmt: skip
    return _output(result, args.lift, load_given=args.load_kg is not None, logged_load=logged_load, reps_said=args.reps)


def _count_note(counted: int, said: int) -> str | None:
    """The athlete's own count against the clip's: a difference is said, never smoothed over."""
    if counted == said:
        return None
    fewer = counted < said
    why = (
        "a rep may be cut off at the start or end of the clip, or the plate was hidden for it"
        if fewer
        else "a walk-out, re-rack or unracking may have moved the bar like a rep"
    )
    return (
        f"You said {said} reps; I counted {counted} in the clip ({why}). The figures above are for the reps I counted."
    )


def _output(
    result: dict[str, Any], lift: str, *, load_given: bool, logged_load: float | None, reps_said: int | None = None
) -> ToolOutput:
    threshold = float(result.get("stop_threshold_pct") or lift_jobs.DEFAULT_STOP_PCT)
    loss = result.get("velocity_loss_pct")
    from vision.profile import stop_advice

    stop = stop_advice(loss, threshold)
    lines = [f"**{summary(result)}**", "", rep_table(result), ""]
    facts = [summary(result)]
    if stop:
        source = {"program": "your program's", "you": "your", "default": "the default"}.get(
            result.get("stop_threshold_source", "default"), "the"
        )
        stop = stop.replace("(threshold", f"({source} threshold")
        lines.append(f"⚠️ {stop}")
        facts.append(stop)
    prof = result.get("profile")
    if prof:
        line = (
            f"Load-velocity profile ({prof['n']} sets): e1RM {prof['e1rm_kg']:.0f} ± {prof['e1rm_sd_kg']:.0f} kg "
            f"at {prof['mvt']:.2f} m/s."
        )
        lines.append(line)
        facts.append(line)
    elif result.get("profile_note") and result.get("load_kg"):
        lines.append(f"_{result['profile_note']}_")
    if result.get("load_kg") is None:
        lines.append("_Tell me the load on the bar to add this set to your load-velocity profile._")
    elif not load_given and logged_load is not None:
        lines.append(f"_Load {logged_load:g} kg taken from the set you just logged._")
    if result.get("training_set_id"):
        lines.append("_Attached to the set you logged._")
    if reps_said is not None and (count := _count_note(len(result.get("reps") or []), reps_said)):
        lines.append(f"⚠️ {count}")
        facts.append(count)
    lines += [f"_{n}_" for n in result.get("notes", [])]
    video = result.get("annotated_video")
    return ToolOutput(
        summary=" ".join(facts),
        markdown="\n".join(lines),
        data={k: v for k, v in result.items() if k != "bar_path_m"}
        | {"stop_suggested": bool(stop), "reps_said": reps_said, "reps_counted": len(result.get("reps") or [])},
        videos=[video] if video and Path(video).is_file() else [],
        actions=[Action(label=f"My {lift} load-velocity profile", tool="lift_profile", args={"lift": lift})],
    )


class LiftProfileArgs(BaseModel):
    """Show the load-velocity profile of a lift and the e1RM it predicts; optionally set the minimum velocity."""

    lift: Lift = Field(default="squat")
    mvt_m_s: float | None = Field(default=None, ge=0.05, le=1.5, description="New minimum velocity threshold (m/s)")
    percent_1rm: float | None = Field(
        default=None, ge=30, le=105, description="A share of the max to give the expected bar speed at (%)"
    )


_PROFILE = re.compile(
    r"\b(load[- ]velocity|(velocity|lift|speed) profile|l\s*/?\s*v profile|e1rm from (my )?(velocity|videos?)|mvt|"
    r"minimum velocity|"
    # the speed a lift should move at a share of its max is read off the profile
    r"(?:speed|velocity|fast|quick)\b[^?]{0,40}\bat\s+\d{2,3}\s*(?:%|percent)|"
    r"\bat\s+\d{2,3}\s*(?:%|percent)[^?]{0,40}\b(?:speed|velocity|fast|quick)\b[^?]{0,30}\b(?:should|aim|target))",
    re.I,
)
_SHARE = re.compile(r"\bat\s+(\d{2,3}(?:\.\d)?)\s*(?:%|percent)", re.I)
_MVT = re.compile(r"\b(?:mvt|minimum velocity(?: threshold)?)\b\D{0,25}?(\d?\.\d+|\d+(?:\.\d+)?)\s*(m/s)?", re.I)


def _match_profile(text: str, attachments: list[Attachment]) -> LiftProfileArgs | None:
    if any(a.is_video for a in attachments) or not _PROFILE.search(text or ""):
        return None
    req = parse_request(text)
    mvt = None
    if m := _MVT.search(text):
        mvt = float(m[1])
        if not 0.05 <= mvt <= 1.5:
            return None
    share = float(m[1]) if (m := _SHARE.search(text)) else None
    if share is not None and not 30 <= share <= 105:
        share = None
    return LiftProfileArgs(lift=req.lift or "squat", mvt_m_s=mvt, percent_1rm=share)


@tool(
    name="lift_profile",
    description=LiftProfileArgs.__doc__ or "",
    args=LiftProfileArgs,
    domain="lifts",
    examples=[
        "show my squat load-velocity profile",
        "what's my bench e1RM from my videos?",
        "set my squat MVT to 0.32",
    ],
    intents=[r"\b(load[- ]velocity|velocity profile|mvt|minimum velocity)\b"],
    match=_match_profile,
)
def lift_profile(ctx: ToolContext, args: LiftProfileArgs) -> ToolOutput:
    prof, reason = refresh_profile(ctx.account_id, args.lift, ctx.engine, mvt=args.mvt_m_s)
    if prof is None:
        note = f" Minimum velocity threshold set to {args.mvt_m_s:.2f} m/s." if args.mvt_m_s else ""
        return ToolOutput(summary=(reason or "No profile yet.") + note, markdown=(reason or "No profile yet.") + note)
    rows = [
        ("Sets used", f"{prof.n} ({prof.load_min_kg:g}-{prof.load_max_kg:g} kg)"),
        ("Line", f"v = {prof.intercept:.3f} {prof.slope * 100:+.3f}·(load/100 kg) m/s"),
        ("Fit (r²)", f"{prof.r2:.2f}"),
        ("Minimum velocity threshold", f"{prof.mvt:.2f} m/s" + (" (yours)" if args.mvt_m_s else "")),
        ("e1RM", f"**{prof.e1rm_kg:.0f} ± {prof.e1rm_sd_kg:.0f} kg**"),
    ]
    data = prof.to_dict()
    at_share = ""
    if args.percent_1rm is not None:
        v, sd = prof.velocity_at_share(args.percent_1rm / 100)
        load = prof.e1rm_kg * args.percent_1rm / 100
        rows.append((f"Expected speed at {args.percent_1rm:g}% ({load:.0f} kg)", f"**{v:.2f} ± {sd:.2f} m/s**"))
        at_share = f" At {args.percent_1rm:g}% of it ({load:.0f} kg) the bar should move at {v:.2f} ± {sd:.2f} m/s."
        data.update(percent_1rm=args.percent_1rm, load_at_percent_kg=round(load, 1),
                    velocity_at_percent_m_s=round(v, 2), velocity_at_percent_sd_m_s=round(sd, 2))  # fmt: skip
    table = f"**{args.lift.capitalize()} load-velocity profile**\n\n| | |\n|---|---|\n" + "\n".join(
        f"| {k} | {v} |" for k, v in rows
    )
    if prof.extrapolation > 0.25:
        table += "\n\n_The e1RM lies well beyond your heaviest filmed set; film a heavier set to firm it up._"
    return ToolOutput(
        summary=(
            f"{args.lift} e1RM from {prof.n} filmed sets: {prof.e1rm_kg:.0f} ± {prof.e1rm_sd_kg:.0f} kg "
            f"(minimum velocity {prof.mvt:.2f} m/s, r² {prof.r2:.2f}).{at_share}"
        ),
        markdown=table,
        data=data,
    )


# --------------------------------------------------------------------------- questions about the last clip
class LiftResultArgs(BaseModel):
    """Answer a question about the last analysed lift clip: the speed of one rep, the slowest or fastest rep,
    the slow-down from the first to the last rep, or how many reps were counted."""

    lift: Lift | None = Field(default=None, description="Only when the athlete names the lift")
    rep: int | None = Field(default=None, ge=1, le=50, description="Rep number asked about")
    which: Literal["slowest", "fastest", "first", "last"] | None = None
    ask: Literal["speed", "velocity_loss", "reps"] = "speed"


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
_REP_N = re.compile(
    r"\brep\s*(?:#|number\s*)?(\d{1,2}|" + "|".join(_ORDINALS) + r")\b|"
    r"\b(\d{1,2})(?:st|nd|rd|th)\s+rep\b|\b(" + "|".join(list(_ORDINALS)[:10]) + r")\s+rep\b",
    re.I,
)
_CLIP_QUESTION = re.compile(
    r"\b(how fast was|how quick was|what was the (speed|velocity)|(slowest|fastest) rep|"
    r"rep was (the )?(slowest|fastest)|"
    r"slow(ed)? down|velocity loss|speed loss|first to (the )?last rep|how many reps did (it|you)|"
    r"how many reps (were|was|got|did you) (counted|detected|found|picked up|count)|"
    r"(that|the|this|my last|last) (video|clip|filmed set)|"
    r"(bar )?(speed|velocity) (on|of|in|for) (that|the|this|my) (last |first |final )?(set|lift|rep)|"
    # "how much did my velocity drop", "speed drop-off across the set"
    r"(velocity|speed) (drop|dropped|drop-?off|fall|fell)|(velocity|speed|bar) drop)\b",
    re.I,
)


def _match_result(text: str, attachments: list[Attachment]) -> LiftResultArgs | None:
    if any(a.is_video for a in attachments) or _BOXING.search(text or "") or OVER_TIME.search(text or ""):
        return None
    rep_n = _REP_N.search(text or "")
    if not (_CLIP_QUESTION.search(text or "") or rep_n):
        return None
    if not re.search(r"\?\s*$|^\W*(what|which|how|was|did|were|tell me|show me)\b", text, re.I):
        return None
    t = text.lower()
    ask: Literal["speed", "velocity_loss", "reps"] = "speed"
    if re.search(r"how many reps", t):
        ask = "reps"
    elif re.search(r"slow(ed)? down|velocity loss|speed loss|first to (the )?last|(velocity|speed|bar) drop", t):
        ask = "velocity_loss"
    which: Literal["slowest", "fastest", "first", "last"] | None = (
        "slowest" if "slowest" in t else "fastest" if "fastest" in t else None
    )
    rep = None
    if rep_n:
        word = next(g for g in rep_n.groups() if g)
        rep = int(word) if word.isdigit() else _ORDINALS[word.lower()]
        if rep_n.group(0).lower().startswith(("first", "last")) and not rep_n.group(1):
            which, rep = ("first" if word.lower() == "first" else "last"), None
    elif re.search(r"\b(last|final) rep\b", t):
        which = "last"
    return LiftResultArgs(lift=parse_request(text).lift, rep=rep, which=which, ask=ask)


@tool(
    name="lift_result",
    description=LiftResultArgs.__doc__ or "",
    args=LiftResultArgs,
    domain="lifts",
    examples=["how fast was my last rep?", "what was the speed of rep 3?", "which rep was the slowest?"],
    match=_match_result,
)
def lift_result(ctx: ToolContext, args: LiftResultArgs) -> ToolOutput:
    res = last_clip_answer(ctx.account_id, args.lift, ask=args.ask, rep=args.rep, which=args.which, engine=ctx.engine)
    if res is None:
        what = f"{args.lift} " if args.lift else "lift "
        msg = f"I haven't analysed a {what}video of yours yet. Attach a clip and I'll measure every rep."
        return ToolOutput(ok=False, summary=msg, markdown=msg, final=True)
    row, reps, pick = res.analysis, res.reps, res.pick
    when = row.created_at.strftime("%d %b")
    name = f"your {row.lift} clip of {when}" + (f" ({row.load_kg:g} kg)" if row.load_kg else "")
    if res.unmeasured is not None:
        text = f"In {name}, rep {args.rep} was counted but has no speed: {res.unmeasured}."
        return ToolOutput(ok=False, summary=text, markdown=text, final=True)
    if res.no_such_rep:
        text = f"{name.capitalize()} has {row.rep_count} reps, so there is no rep {args.rep}."
        return ToolOutput(ok=False, summary=text, markdown=text, final=True)
    if args.ask == "reps" or not reps:
        text = f"In {name} I counted {row.rep_count} rep{'s' if row.rep_count != 1 else ''}."
    elif args.ask == "velocity_loss":
        first, last = reps[0], reps[-1]
        text = (f"In {name} the bar slowed from {first.mcv_m_s:.2f} m/s (rep {first.number}) to {last.mcv_m_s:.2f} "
                f"m/s (rep {last.number}): a velocity loss of {res.velocity_loss_pct:.0f}%.")  # fmt: skip
    else:
        assert pick is not None  # a speed question about measured reps always picks one
        label = f"the {args.which} rep (rep {pick.number})" if args.which and args.rep is None else f"rep {pick.number}"
        text = (f"In {name}, {label} moved at {pick.mcv_m_s:.2f} m/s mean concentric velocity "
                f"(peak {pick.peak_velocity_m_s:.2f} m/s).")  # fmt: skip
    table = rep_table(row.result) if row.result.get("reps") else ""
    return ToolOutput(summary=text, markdown=text + (f"\n\n{table}" if table else ""),
                      data={"analysis_id": row.id, "reps": [{"rep": r.number, "mcv_m_s": r.mcv_m_s} for r in reps]},
                      final=True)  # fmt: skip
