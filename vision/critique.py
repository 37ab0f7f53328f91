"""The coach's read of a lift: technique measures in, ranked findings out — rules in code, words fixed here.

A finding is one thing to work on: what (title), the evidence (its numbers, the rep, the moment), one cue,
and the key frame that shows it. Findings are ranked by how much they matter (a missed depth costs a
competition lift; a slightly slower rep does not), the top three are "work on", the measures inside their
norms are "went well", and what the view or the visibility did not allow is said plainly.

The same form serves the boxing round (`striking.critique`); `render` writes either as text in which every
number is one of the finding's own (the chat's number check holds the model's phrasing to them).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

TOP = 3


@dataclass
class Finding:
    key: str  # "depth", "bar_midfoot", ...
    title: str
    severity: float  # higher first; 3 = breaks a competition rule, 2 = costs the lift, 1 = worth a look
    evidence: str  # code-written sentence with the numbers
    cue: str
    rep: int | None = None
    t: float | None = None  # the clip time the key frame shows
    numbers: dict[str, float] = field(default_factory=dict)
    key_frame: str | None = None  # PNG path, relative to the files folder when saved by the job
    draw: dict[str, Any] = field(default_factory=dict)  # what the key frame marks (points in displayed px)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Critique:
    kind: str  # "lift" or "boxing"
    subject: str  # "squat", "boxing round"
    view: str | None
    work_on: list[Finding]
    went_well: list[str]
    cannot_judge: list[str]
    moments: dict[str, dict[str, Any]] = field(default_factory=dict)  # "bottom_rep_2" -> {t, key_frame, caption}
    per_rep: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # measure -> [{rep, value, sd}]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["work_on"] = [f.to_dict() for f in self.work_on]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Critique:
        """The stored critique back (follow-ups read it, no new video pass)."""
        known = set(Finding.__dataclass_fields__)
        found = [Finding(**{k: v for k, v in f.items() if k in known}) for f in d.get("work_on", [])]
        return cls(d.get("kind", "lift"), d.get("subject", ""), d.get("view"), found, list(d.get("went_well", [])),
                   list(d.get("cannot_judge", [])), dict(d.get("moments", {})), dict(d.get("per_rep", {})))  # fmt: skip


def _where(cm: float) -> str:
    return f"{abs(cm):.0f} cm {'in front of' if cm > 0 else 'behind'} mid-foot"


def _pct(x: float) -> int:
    return round(100 * x)


def _by(measures: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [m for m in measures if m["name"] == name]


def _valued(measures: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [m for m in _by(measures, name) if m["value"] is not None]


# Thresholds (each with its reason):
MIDFOOT_CM = 8.0  # the bar more than ~8 cm (a third of a foot) off mid-foot moves the balance to toes or heels
# (Rippetoe, Starting Strength 3rd ed.: the bar over mid-foot is the balanced position), beyond our ±3 cm.
DRIFT_CM_PER_REP = 1.5  # the bar's largest offset creeping forward by 1.5 cm a rep: 6 cm over a 5-rep set
TEMPO_SPREAD_PCT = 15.0  # up-times varying by more than 15 % (CV) across a set: reps not done the same way
LEAN_DEG = 55.0  # torso lean at the bottom of a squat: ~30-45 deg high bar, up to ~50-55 deg low bar
# (Glassbrook et al. 2017, JSCR 31:2618); more is a "good-morning" squat.
LEG_GAP_THIGH = 0.15  # deadlift: bar more than ~7 cm in front of the legs (landmark = bone, not skin)
LEG_SURFACE_THIGH = 0.15  # the leg's front surface lies ~0.15 thigh lengths in front of the joint line


LABELS = {"depth": "Depth", "bar_midfoot": "The bar over mid-foot", "sticking": "A sticking point",
          "hips_first": "Hips rising before the bar", "lockout": "Lockout", "knee_angle_bottom": "Joint angles",
          "torso_lean_bottom": "Torso lean", "elbow_angle_bottom": "Elbow angle at the bottom",
          "bar_from_legs": "The bar's distance from your legs", "pull_s": "The pull's timing",
          "first_pull_s": "The first and second pull", "turnover_s": "The turnover",
          "full_extension": "Full extension", "arms_early": "Arms bending early", "bar_loop": "The bar's loop",
          "catch_vs_start": "Where you caught the bar", "bar_hip_gap": "The bar's distance from your hips",
          "bar_midfoot_pull": "The bar over mid-foot in the pull"}  # fmt: skip


# Snatch and clean (vision.olympic's measures). Horizontal bar movement is described in weightlifting
# biomechanics by the bar's trajectory types against a vertical line through its starting point (Vorobyev's and
# Hiskia's types; Stone et al. 1998, Strength Cond J 20(4):30; Musser et al. 2014, JSCR 28:1636): elite lifters
# mostly bring the bar back toward them in the first pull and keep its forward swing after the second pull from
# crossing that line. The cut-offs below are coaching conventions built on that description, not study values.
OLYMPIC = ("snatch", "clean")
PAST_START_CM = 3.0  # the bar's furthest point more than 3 cm in front of its starting line: swinging out
CATCH_FORWARD_CM = 5.0  # caught more than 5 cm in front of where it started: jumping forward to chase it
CATCH_BACK_CM = 15.0  # ... more than 15 cm behind: a loop back, usually after the bar swung out (convention)
HIP_GAP_CM = 20.0  # the bar's centre over 20 cm in front of the hip joint at its closest in the second pull: it
# never met the hips (the hip joint sits ~10-12 cm behind the front of the hips; convention on anthropometry)
FIRST_PULL_RATIO = 1.5  # "slow off the floor, fast at the top": a first pull under 1.5 times the second is rushed.
# A coaching convention; phase analyses of elite lifters (e.g. Garhammer 1985, Int J Sport Biomech 1:122) show
# first pulls several times longer than second pulls, but this cut is not taken from them (cited from memory).
PULL_MIDFOOT_CM = 10.0  # the bar more than 10 cm (beyond its ±3) off mid-foot in the pull: the balance goes to the
# toes or heels (the bar starts over the balls of the foot, a few cm ahead of mid-foot: coaching convention)
DROP_CM = 20.0  # the bar falling more than 20 cm from its highest point to the catch: meeting it late (convention)


def olympic_findings(ms: list[dict[str, Any]], found: list[Finding], well: list[str]) -> None:
    """Snatch and clean rules: arms bending early, no full extension, the bar's loop, the catch against the start,
    the bar away from the hips, a rushed first pull, a long drop under the bar. Each number is a measure's."""
    for m in _valued(ms, "arms_early"):
        if m["verdict"] == "arms bent first":
            found.append(Finding(
                "arms_early", "Pulling early with the arms", 2.5,
                f"On rep {m['rep']} your elbows were bent to {m['extra']['elbow_deg']}° {m['value']:.2f} s before "
                f"{'your legs were straight' if m['extra']['extension_from'] == 'legs straight' else 'the bar'}"
                f"{'' if m['extra']['extension_from'] == 'legs straight' else ' reached its peak speed'} "
                f"(± {m['sd']:.2f} s).",
                "Arms long like ropes until your hips and knees are straight: the legs and hips drive the bar, the "
                "arms only pull you under it.",
                m["rep"], m["t"], {"lead_s": round(m["value"], 2), "elbow_deg": m["extra"]["elbow_deg"]},
                draw={"bar": True},
            ))  # fmt: skip
        else:
            well.append(f"On rep {m['rep']} your arms stayed long until your legs and hips had extended.")
    for m in _valued(ms, "full_extension"):
        if m["verdict"] == "not fully extended":
            found.append(Finding(
                "full_extension", "Not finishing the extension", 2.0,
                f"On rep {m['rep']} your straightest point before the bar's top was hip {m['extra']['hip_deg']}° and "
                f"knee {m['extra']['knee_deg']}° (straight is 180°, ± {m['sd']:.0f}°).",
                "Finish the pull tall: drive through the floor until hips and knees are straight before you pull "
                "under.", m["rep"], m["t"], {"hip_deg": m["extra"]["hip_deg"], "knee_deg": m["extra"]["knee_deg"]},
            ))  # fmt: skip
        else:
            well.append(f"Full extension on rep {m['rep']}: hip {m['extra']['hip_deg']}° and knee "
                        f"{m['extra']['knee_deg']}° at the top of the pull.")  # fmt: skip
    for m in _valued(ms, "bar_loop"):
        e = m["extra"]
        if e["past_start_cm"] > PAST_START_CM:
            found.append(Finding(
                "bar_loop", "The bar swinging out in front", 2.0,
                f"On rep {m['rep']} the bar came {e['toward_cm']} cm toward you in the first pull, then swung "
                f"{e['swing_cm']} cm away from you after the second pull, {e['past_start_cm']} cm in front of where it "
                f"started (± {m['sd']:.0f} cm).",
                "Keep the bar close as it passes your hips: lats tight, sweep it into you and drive up, not out.",
                m["rep"], m["t"], {"swing_cm": e["swing_cm"], "past_start_cm": e["past_start_cm"]},
                draw={"bar": True},
            ))  # fmt: skip
        else:
            well.append(f"The bar stayed close on rep {m['rep']}: it came {e['toward_cm']} cm toward you in the first "
                        f"pull and swung out {e['swing_cm']} cm after the second pull without passing its starting "
                        "line.")  # fmt: skip
    for m in _valued(ms, "catch_vs_start"):
        cm = m["value"]
        if cm > CATCH_FORWARD_CM or cm < -CATCH_BACK_CM:
            forward = cm > 0
            found.append(Finding(
                "catch_vs_start", "Jumping forward to catch" if forward else "Jumping back to catch", 2.0 if forward
                else 1.0,
                f"On rep {m['rep']} you caught the bar {abs(cm):.0f} cm {'in front of' if forward else 'behind'} "
                f"where it started (± {m['sd']:.0f} cm).",
                "Pull yourself under the bar where it is: feet move out to the side, not forward, and the bar stays "
                "over your mid-foot." if forward else "Stay over the bar longer and keep it close, so you don't need "
                "to jump back to meet it.",
                m["rep"], m["t"], {"catch_cm": round(abs(cm))}, draw={"bar": True},
            ))  # fmt: skip
        else:
            well.append(f"You caught the bar {abs(cm):.0f} cm {'in front of' if cm > 0 else 'behind'} where it "
                        f"started on rep {m['rep']}: no chasing it forward.")  # fmt: skip
    for m in _valued(ms, "bar_hip_gap"):
        if m["value"] - m["sd"] > HIP_GAP_CM:
            found.append(Finding(
                "bar_hip_gap", "The bar away from your hips", 1.5,
                f"At its closest in the second pull of rep {m['rep']} the bar was {m['value']:.0f} cm in front of your "
                f"hip joint (± {m['sd']:.0f} cm).",
                "Let the bar come into your hips: shoulders over the bar until it reaches your upper thighs.",
                m["rep"], m["t"], {"gap_cm": round(m["value"])}, draw={"bar": True},
            ))  # fmt: skip
    for m in _valued(ms, "bar_midfoot_pull"):
        if abs(m["value"]) - m["sd"] > PULL_MIDFOOT_CM:
            ahead = m["value"] > 0
            found.append(Finding(
                "bar_midfoot_pull", "The bar drifting off mid-foot in the pull", 1.5,
                f"On rep {m['rep']} the bar was {abs(m['value']):.0f} cm {'in front of' if ahead else 'behind'} "
                f"mid-foot during the pull (± {m['sd']:.0f} cm; {abs(m['extra']['lift_off_cm'])} cm "
                f"{'in front of' if m['extra']['lift_off_cm'] > 0 else 'behind'} it as it left the floor).",
                "Start with the bar over the balls of your feet and keep it over your feet as it rises: shoulders "
                "over the bar, lats pulling it in." if ahead else "Keep your weight over the whole foot: don't rock "
                "back onto your heels as the bar rises.",
                m["rep"], m["t"], {"offset_cm": round(abs(m["value"]))}, draw={"bar": True},
            ))  # fmt: skip
        else:
            well.append(f"The bar stayed within {abs(m['value']):.0f} cm of mid-foot through the pull of rep "
                        f"{m['rep']}.")  # fmt: skip
    firsts = {m["rep"]: m for m in _valued(ms, "first_pull_s")}
    for m in _valued(ms, "second_pull_s"):
        f1 = firsts.get(m["rep"])
        ratio = m["extra"].get("ratio")
        if f1 is None or ratio is None:
            continue
        how = "" if f1["extra"]["read_from"] == "the knee landmark" else f", timed from {f1['extra']['read_from']}"
        if ratio < FIRST_PULL_RATIO:
            found.append(Finding(
                "first_pull", "Rushing the first pull", 1.0,
                f"On rep {m['rep']} the first pull took {f1['value']:.2f} s and the second {m['value']:.2f} s "
                f"(± {m['sd']:.2f} s{how}).",
                "Patient off the floor, fast at the top: push the floor away smoothly to your knees, then accelerate.",
                m["rep"], f1["t"], {"first_s": round(f1["value"], 2), "second_s": round(m["value"], 2)},
            ))  # fmt: skip
        else:
            well.append(f"Patient off the floor on rep {m['rep']}: first pull {f1['value']:.2f} s, then "
                        f"{m['value']:.2f} s of second pull{how}.")  # fmt: skip
    pulls = {m["rep"]: m for m in _valued(ms, "pull_s")}
    for m in _valued(ms, "turnover_s"):
        drop = m["extra"]["drop_cm"]
        if drop > DROP_CM:
            found.append(Finding(
                "turnover", "Meeting the bar late", 1.0,
                f"On rep {m['rep']} the bar fell {drop} cm from its highest point in {m['value']:.2f} s before you "
                "caught it.",
                "Pull yourself under fast and punch up into the bar: meet it at its highest point, not on the way "
                "down.",
                m["rep"], m["t"], {"drop_cm": drop, "turnover_s": round(m["value"], 2)}, draw={"bar": True},
            ))  # fmt: skip
        else:
            p = pulls.get(m["rep"])
            speed = f" after a peak bar speed of {p['extra']['peak_v_m_s']:.2f} m/s" if p else ""
            well.append(f"A quick turnover on rep {m['rep']}: the bar fell only {drop} cm, {m['value']:.2f} s from its "
                        f"highest point to the catch{speed}.")  # fmt: skip


def lift_critique(tech: dict[str, Any]) -> Critique:
    """Findings for one analysed lift from `vision.technique.measure`'s output."""
    lift = tech.get("lift") or "lift"
    ms: list[dict[str, Any]] = tech.get("measures", [])
    found: list[Finding] = []
    well: list[str] = []
    cannot: list[str] = []
    if tech.get("not_judged"):
        cannot.append(f"Technique not judged: {tech['not_judged']}.")
    if tech.get("body_note"):
        cannot.append(f"The body's measures are less certain: {tech['body_note']}.")
    for m in ms:
        if m["not_judged"] and (m["rep"] is None or m["rep"] == 1):
            label = LABELS.get(m["name"], m["name"].replace("_", " ").capitalize())
            cannot.append(f"{label} not judged: {m['not_judged']}.")

    depths = _valued(ms, "depth")
    if depths:
        high = [m for m in depths if m["verdict"] == "high"]
        border = [m for m in depths if m["verdict"] == "borderline"]
        worst = min(depths, key=lambda m: m["value"])
        if high or border:
            pool = [x for x in (high or border) if not x["extra"].get("hip_hidden_by_plate")] or (high or border)
            m = min(pool, key=lambda m: m["value"] + m["sd"])  # the clearest case, not the most uncertain
            reps = ", ".join(str(x["rep"]) for x in (high or border))
            where = "above" if m["value"] < 0 else "below"
            hidden = (
                " (the plate hides the hip, so this is less certain)" if m["extra"].get("hip_hidden_by_plate") else ""
            )
            found.append(Finding(
                "depth", "Squat depth" if high else "Depth is borderline", 3.0 if high else 2.0,
                f"{'High' if high else 'Borderline'} on rep{'s' if ',' in reps else ''} {reps}: at the bottom of rep "
                f"{m['rep']} your hip joint was {abs(_pct(m['value']))}% of a thigh length {where} the knee joint "
                f"(± {_pct(m['sd'])}%){hidden}; competition depth needs the hip crease below the top of the knee.",
                "Sit down between your heels until your hip crease passes the top of your knee; a box or a "
                "paused rep at depth teaches where that is.",
                m["rep"], m["t"], {"margin_pct": abs(_pct(m["value"])), "sd_pct": _pct(m["sd"])},
                draw={"points": [m["extra"]["hip_xy"], m["extra"]["knee_xy"]], "level": m["extra"]["knee_xy"]},
            ))  # fmt: skip
        else:
            well.append(f"Every rep reached depth: the hip ended at least {_pct(worst['value'])}% of a thigh length "
                        "below the knee joint.")  # fmt: skip

    mids = _valued(ms, "bar_midfoot")
    if mids:
        worst = max(mids, key=lambda m: abs(m["value"]))
        if abs(worst["value"]) > MIDFOOT_CM:
            side = "in front of" if worst["value"] > 0 else "behind"
            found.append(Finding(
                "bar_midfoot", "Bar path off mid-foot", 2.0,
                f"On rep {worst['rep']} the bar was {abs(worst['value']):.0f} cm {side} mid-foot (± "
                f"{worst['sd']:.0f} cm); over the rep it sat {worst['extra']['mean_cm']:.0f} cm from it on average.",
                "Keep the bar over the middle of your foot: weight spread over the whole foot, chest up out of "
                "the bottom." if worst["value"] > 0 else "Let the bar stay over mid-foot: sit back less and "
                "keep your weight off your heels.",
                worst["rep"], worst["t"], {"offset_cm": round(abs(worst["value"])), "sd_cm": round(worst["sd"])},
                draw={"bar": True},
            ))  # fmt: skip
        else:
            well.append(f"The bar stayed within {max(abs(m['value']) for m in mids):.0f} cm of mid-foot on every rep.")

    drift = _valued(ms, "bar_path_drift_cm_per_rep")
    if drift and drift[0]["value"] > DRIFT_CM_PER_REP and drift[0]["value"] > 2 * drift[0]["sd"]:
        d = drift[0]
        found.append(Finding(
            "bar_path_drift", "Bar path drifting forward over the set", 1.5,
            f"The bar's furthest point from mid-foot went from {_where(d['extra']['first_cm'])} on the first rep to "
            f"{_where(d['extra']['last_cm'])} on the last ({d['value']:.1f} cm further forward a rep, "
            f"± {d['sd']:.1f}).",
            "As the set gets hard, brace before each rep and keep your chest up so the bar stays over your feet.",
            None, None, {"cm_per_rep": round(d["value"], 1)},
        ))  # fmt: skip

    leans = [m for m in _valued(ms, "torso_lean_bottom") if lift == "squat"]
    if leans:
        worst = max(leans, key=lambda m: m["value"])
        if worst["value"] > LEAN_DEG:
            found.append(Finding(
                "torso_lean", "Leaning forward at the bottom", 1.0,
                f"At the bottom of rep {worst['rep']} your torso leaned {worst['value']:.0f}° from vertical "
                f"(± {worst['sd']:.0f}°).",
                "Chest up and elbows under the bar as you leave the bottom.", worst["rep"], worst["t"],
                {"lean_deg": round(worst["value"])},
            ))  # fmt: skip

    sticks = _valued(ms, "sticking")
    if sticks:
        s = max(sticks, key=lambda m: m["value"])
        found.append(Finding(
            "sticking", "Sticking point", 1.5,
            f"On rep {s['rep']} the bar slowed from {s['extra']['early_m_s']:.2f} to {s['extra']['slowest_m_s']:.2f} "
            f"m/s at {s['extra']['rise_pct']}% of the way up, and stayed slow for {s['value']:.2f} s.",
            "Drive hard through the whole rep, not just out of the bottom; paused reps at that height build it.",
            s["rep"], s["t"], {"rise_pct": s["extra"]["rise_pct"]},
        ))  # fmt: skip

    locks = _valued(ms, "lockout")
    if locks:
        soft = [m for m in locks if m["verdict"] == "soft lockout"]
        if soft:
            m = min(soft, key=lambda m: m["value"])
            found.append(Finding(
                "lockout", "Incomplete lockout", 2.0,
                f"At the top of rep {m['rep']} your {m['extra']['joint']} reached {m['value']:.0f}° (straight is "
                f"180°, ± {m['sd']:.0f}°).",
                "Finish every rep: squeeze to a full stand before the next one.", m["rep"], m["t"],
                {"angle_deg": round(m["value"])},
            ))  # fmt: skip
        else:
            well.append(f"Every rep was locked out (the {locks[0]['extra']['joint']} at least "
                        f"{min(m['value'] for m in locks):.0f}° at the top).")  # fmt: skip

    hips = _valued(ms, "hips_first")
    if hips:
        m = max(hips, key=lambda m: m["value"])
        if m["verdict"] == "hips first":
            found.append(Finding(
                "hips_first", "Hips rising before the bar", 2.5,
                f"In the first 0.3 s of rep {m['rep']} your hips rose {m['value']:.1f} times as far as your "
                "shoulders.",
                "Push the floor away with your legs and keep your chest angle until the bar passes your knees.",
                m["rep"], m["t"], {"ratio": round(m["value"], 1)},
            ))  # fmt: skip
        else:
            well.append("Hips and shoulders rose together off the floor.")

    gaps = _valued(ms, "bar_from_legs")
    if gaps:
        m = max(gaps, key=lambda m: m["value"])
        gap = m["value"] - LEG_SURFACE_THIGH
        if gap > LEG_GAP_THIGH:
            found.append(Finding(
                "bar_from_legs", "Bar drifting away from your legs", 2.0,
                f"On rep {m['rep']} the bar was about {_pct(gap)}% of a thigh length in front of your legs "
                f"(± {_pct(m['sd'])}%).",
                "Drag the bar up your shins and thighs: lats tight, as if pushing the bar into your legs.",
                m["rep"], m["t"], {"gap_pct": _pct(gap)},
            ))  # fmt: skip
        else:
            well.append("The bar stayed close to your legs.")

    if lift in OLYMPIC:
        olympic_findings(ms, found, well)

    spread = _valued(ms, "tempo_spread_pct")
    if spread:
        s = spread[0]
        if s["value"] > TEMPO_SPREAD_PCT:
            found.append(Finding(
                "tempo_spread", "Reps not done at the same speed", 1.0,
                f"Your up-times varied by {s['value']:.0f}% across {s['extra']['reps']} reps.",
                "Same setup, same breath, same drive on every rep.", None, None, {"cv_pct": round(s["value"])},
            ))  # fmt: skip
        else:
            well.append(f"Consistent reps: up-times varied by only {s['value']:.0f}% across {s['extra']['reps']} reps.")

    found.sort(key=lambda f: -f.severity)
    per_rep: dict[str, list[dict[str, Any]]] = {}
    for m in ms:
        if m["rep"] is not None and m["value"] is not None:
            per_rep.setdefault(m["name"], []).append({"rep": m["rep"], "value": m["value"], "sd": m["sd"],
                                                      "unit": m["unit"], "t": m["t"]})  # fmt: skip
    return Critique("lift", lift, tech.get("view"), found[:TOP], well, cannot, per_rep=per_rep)


def render(c: Critique) -> str:
    """The critique as text: every number in it is one of the findings' own."""
    lines = [f"**Technique — {c.subject}**" + (f" ({c.view} view)" if c.view else "")]
    if c.work_on:
        lines.append("To work on, most important first:")
        for i, f in enumerate(c.work_on, 1):
            lines.append(f"{i}. **{f.title}** — {f.evidence} Cue: {f.cue}")
    elif c.went_well:
        lines.append("Nothing I can measure needs fixing in this clip.")
    else:
        lines.append("I could not measure your technique in this clip, so I have nothing to tell you to fix.")
    if c.went_well:
        lines.append("What went well: " + " ".join(c.went_well))
    if c.cannot_judge:
        lines.append("What I can't judge from this clip: " + " ".join(c.cannot_judge))
    return "\n".join(lines)


# -- key frames ---------------------------------------------------------------------------------------


def save_lift_key_frames(
    c: Critique, analysis: Any, video: Path, out_dir: Path, tech: dict[str, Any] | None = None
) -> None:
    """A PNG per finding (at its moment) and per rep's bottom (a snatch's or clean's phases too: lift-off,
    transition, peak speed, top, catch); paths set on the critique (absolute)."""
    from vision import keyframes as kf

    out_dir = Path(out_dir)
    pose = None
    if analysis.body is not None:
        pose = analysis.body.lifter(analysis.path_t, analysis.drawn_path)
        if analysis.options.lift in OLYMPIC:  # don't draw a spectator the pose model found instead of the lifter
            from vision.technique import away_from_bar

            away_from_bar(pose, np.asarray(analysis.path_t), np.asarray(analysis.drawn_path, float))
    t0 = float(analysis.path_t[0])
    path = analysis.drawn_path
    middle = _middle_t(analysis)
    phases = _phases(tech or {})
    # Every picture's instant first, so the clip is decoded once for all of them (not a seek per picture).
    times = [f.t if f.t is not None else middle for f in c.work_on] + [float(r.start_t) + t0 for r in analysis.reps]
    shots = kf.frames_at(video, times + [t for _, _, t, _ in phases])

    def picture(t: float, caption: list[str], name: str, draw: dict[str, Any]) -> str | None:
        got = shots.get(float(t))
        if got is None:
            return None
        image, ft = got[0].copy(), got[1]  # two pictures of one instant: each gets its own overlay
        scale = image.shape[1] / analysis.video.width
        joints = None
        if pose is not None:
            i = pose.near(ft, 0.2)
            joints = pose.xy[i] if i is not None else None
        upto = np.asarray(analysis.path_t) <= ft
        lines = []
        if draw.get("level") is not None:
            y = float(draw["level"][1])
            lines.append(((0.0, y), (float(analysis.video.width), y)))
        kf.draw(image, scale=scale, joints=joints, path=path[upto], marks=[tuple(p) for p in draw.get("points", [])],
                lines=lines, caption=caption)  # fmt: skip
        return str(kf.save_png(image, out_dir / f"{name}.png"))

    for k, f in enumerate(c.work_on, 1):
        t = f.t if f.t is not None else middle
        cap = [f.title] + ([f"rep {f.rep}, {t:.2f} s"] if f.rep else [f"{t:.2f} s"])
        f.key_frame = picture(t, cap, f"finding_{k}_{f.key}", f.draw)
        if f.t is None:
            f.t = round(t, 2)
    for rep in analysis.reps:
        t = float(rep.start_t) + t0
        name = f"bottom_rep_{rep.number}"
        png = picture(t, [f"bottom of rep {rep.number}", f"{t:.2f} s"], name, {})
        c.moments[name] = {"rep": rep.number, "t": round(t, 2), "key_frame": png}
    for name, rep, t, caption in phases:
        png = picture(t, [f"{caption}, rep {rep}", f"{t:.2f} s"], f"{name}_rep_{rep}", {})
        c.moments[f"{name}_rep_{rep}"] = {"rep": rep, "t": round(t, 2), "key_frame": png, "caption": caption}


def _phases(tech: dict[str, Any]) -> list[tuple[str, int, float, str]]:
    """Snatch/clean: the pull's moments from the measures (name, rep, clip time, caption)."""
    out = []
    for m in tech.get("measures", []):
        if m["value"] is None or m["rep"] is None:
            continue
        e = m["extra"]
        if m["name"] == "pull_s":
            out += [("lift_off", m["rep"], e["lift_off_t"], "bar leaves the floor"),
                    ("peak_speed", m["rep"], e["peak_v_t"], "bar's peak upward speed"),
                    ("top", m["rep"], e["top_t"], "bar's highest point")]  # fmt: skip
        elif m["name"] == "first_pull_s":
            out.append(("transition" if "dip" in e["read_from"] else "knees", m["rep"], m["t"],
                        "transition" if "dip" in e["read_from"] else "bar passes the knees"))  # fmt: skip
        elif m["name"] == "turnover_s":
            out.append(("catch", m["rep"], e["catch_t"], "catch: the bar stops going down"))
    return out


def _middle_t(analysis: Any) -> float:
    reps = analysis.reps
    t0 = float(analysis.path_t[0])
    return float(reps[len(reps) // 2].start_t) + t0 if reps else float(analysis.path_t[len(analysis.path_t) // 2])


def relative_to(path: str | None, root: Path) -> str | None:
    """A stored file's path relative to the files folder (as the rest of the analysis stores them)."""
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def critique_dict(c: Critique, root: Path) -> dict[str, Any]:
    """The critique as stored: key frame paths relative to `root`."""
    d = c.to_dict()
    for f in d["work_on"]:
        f["key_frame"] = relative_to(f["key_frame"], root)
    for m in d["moments"].values():
        m["key_frame"] = relative_to(m.get("key_frame"), root)
    return d


def critique_lift(analysis: Any, video: Path, out_dir: Path, root: Path) -> dict[str, Any]:
    """Measures, findings, key frames and the landmarks file of one analysed lift, ready to store with it.

    A failure here costs the critique, never the bar's numbers: it is logged with its traceback and the
    stored result says in one sentence that the critique is missing and that asking again re-analyses."""
    import logging

    from vision.technique import measure

    try:
        tech = getattr(analysis, "technique", None) or measure(analysis)  # measured once, for the video's markers
        c = lift_critique(tech)
        save_lift_key_frames(c, analysis, Path(video), Path(out_dir), tech)
        landmarks = analysis.body.save(Path(out_dir) / "landmarks.npz") if analysis.body is not None else None
    except Exception:  # the critique is an extra: the lift's numbers are stored whatever happens here
        logging.getLogger(__name__).exception("technique critique failed for %s", video)
        return {"technique": None, "critique": None, "critique_error": "The technique critique failed on this clip; "
                "ask me to analyse it again, and if it fails again send a clip filmed from the side."}  # fmt: skip
    return {"technique": tech, "critique": critique_dict(c, root), "landmarks": relative_to(
        str(landmarks) if landmarks else None, root), "pose_pass": analysis.body is not None}  # fmt: skip
