"""The coach's read of a boxing round, in the lift critique's form (`vision.critique.Critique`).

The habits (`striking.habits`) are already measured with the moments they were counted at; this module
ranks the ones that cost most, keeps the numbers, picks the instant each is best seen at and draws it.
Thresholds are coaching norms, not measured cut-offs: they decide what is worth saying first, the
numbers themselves are shown either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from striking.habits import chin_exposed
from striking.report import RoundReport, counted
from striking.track import Track
from vision.critique import TOP, Critique, Finding

GUARD_DOWN_SHARE = 0.25  # a hand below the chin line a quarter of the time between punches leaves the head open
DROP_SHARE = 0.25  # the other hand dropping on one punch in four is a habit, not a slip
CHIN_SHARE = 0.3
TELEGRAPH_SHARE = 0.3
RETURN_S = 0.5  # a trained boxer's straight punch is back at the guard in ~0.3-0.4 s; half a second is slow


def _pct(x: float) -> int:
    return round(100 * x)


def _kinds(punches: list[Any]) -> str:
    names = sorted({p.kind for p in punches})
    return ", ".join(names)


def round_critique(report: RoundReport, track: Track) -> Critique:
    """Findings for one analysed round."""
    h = report.habits
    ps = report.punches
    found: list[Finding] = []
    well: list[str] = []
    cannot: list[str] = ["Square stance is not judged: I read the stance only as orthodox or southpaw."]

    if h.guard_down_share is None:
        cannot.append("Guard not judged: your wrists and head were seen together in too few frames.")
    elif h.guard_down_share >= GUARD_DOWN_SHARE:
        hands = {"left": h.guard_down_share_left, "right": h.guard_down_share_right}
        hand = max((k for k, v in hands.items() if v is not None), key=lambda k: hands[k] or 0.0, default="left")
        spans = [m for m in h.guard_down_moments if m[2] == hand] or list(h.guard_down_moments)
        a, b, _ = max(spans, key=lambda m: m[1] - m[0]) if spans else (None, None, hand)
        when = f" (longest stretch {a:.1f}–{b:.1f} s)" if a is not None else ""
        found.append(Finding(
            "guard_down", "Guard dropping", 2.5,
            f"A hand was below your chin line for {_pct(h.guard_down_share)}% of the time you weren't punching; "
            f"your {hand} hand {_pct(hands[hand] or 0.0)}%{when}.",
            "Hands home between punches: knuckles at your cheekbones, elbows in.",
            None, None if a is None or b is None else (a + b) / 2, {"share_pct": _pct(h.guard_down_share)},
        ))  # fmt: skip
    else:
        well.append(f"Your guard stayed up: a hand was below your chin line only {_pct(h.guard_down_share)}% of the "
                    "time between punches.")  # fmt: skip

    dropped = [p for p in ps if p.other_hand_dropped]
    if ps and len(dropped) / len(ps) >= DROP_SHARE:
        p = dropped[0]
        other = "left" if p.hand == "right" else "right"
        found.append(Finding(
            "other_hand_drop", "Other hand dropping as you punch", 2.5,
            f"Your {other} hand dropped during {len(dropped)} of {counted(len(ps), 'punch', 'punches')} "
            f"({_kinds(dropped)}); first at {p.t_peak:.1f} s.",
            "When one hand goes out, the other stays glued to your chin.", None, p.t_peak,
            {"punches": len(dropped)},
        ))  # fmt: skip
    elif ps:
        well.append(f"Your other hand stayed up on {len(ps) - len(dropped)} of {counted(len(ps), 'punch', 'punches')}.")

    if h.chin_exposed_share is not None and h.chin_checked:
        if h.chin_exposed_share >= CHIN_SHARE:
            exposed = [p for p in ps if chin_exposed(track, p, track.scale)]
            t = exposed[0].t_peak if exposed else None
            found.append(Finding(
                "chin_exposed", "Chin exposed on your punches", 2.0,
                f"Neither fist was near your chin on {_pct(h.chin_exposed_share)}% of "
                f"{counted(h.chin_checked, 'punch', 'punches')} checked.",
                "Chin down behind your lead shoulder, rear fist at the jaw as you throw.", None, t,
                {"share_pct": _pct(h.chin_exposed_share)},
            ))  # fmt: skip
        else:
            well.append(f"Your chin was covered on the punches checked ({h.chin_checked}).")
    if h.telegraph_share is not None and h.telegraph_checked:
        if h.telegraph_share >= TELEGRAPH_SHARE:
            tele = [p for p in ps if p.telegraphed]
            t = tele[0].t_onset if tele else None
            found.append(Finding(
                "telegraphing", "Telegraphing", 2.0,
                f"{_pct(h.telegraph_share)}% of {h.telegraph_checked} straight punches started with a wind-up.",
                "Punch from where your hand is: no pull-back, no dip before it goes.", None, t,
                {"share_pct": _pct(h.telegraph_share)},
            ))  # fmt: skip
        else:
            well.append(f"No wind-up before your straight punches ({h.telegraph_checked} checked).")

    returns = [(p, p.t_return - p.t_peak) for p in ps if p.t_return is not None]
    if returns:
        p, slow = max(returns, key=lambda r: r[1])
        if slow > RETURN_S:
            found.append(Finding(
                "slow_return", "Slow return to guard", 1.5,
                f"Your {p.hand} {p.kind} at {p.t_peak:.1f} s took {slow:.2f} s to come back to your guard.",
                "Snap it back as fast as it went out: the return is part of the punch.", None, p.t_return,
                {"return_s": round(slow, 2)},
            ))  # fmt: skip
        else:
            well.append(f"Quick returns: every punch was back at the guard within {slow:.2f} s.")
    if not ps:
        cannot.append("No punch was found, so nothing about punching is judged.")

    found.sort(key=lambda f: -f.severity)
    return Critique("boxing", "boxing round", report.view or None, found[:TOP], well, cannot)


def save_round_key_frames(c: Critique, track: Track, video: Path, out_dir: Path) -> None:
    """A PNG per finding at its moment (the middle of the clip when a finding has none), skeleton drawn."""
    from vision import keyframes as kf

    for k, f in enumerate(c.work_on, 1):
        t = f.t if f.t is not None else float(track.t[len(track.t) // 2]) if len(track.t) else 0.0
        got = kf.frame_at(Path(video), t)
        if got is None:
            continue
        image, ft = got
        i = int(np.argmin(np.abs(np.asarray(track.t) - ft))) if len(track.t) else None
        joints = np.asarray(track.xy[i][:17], float) if i is not None else None
        if joints is not None:
            joints = joints.copy()
            joints[np.asarray(track.conf[i][:17]) < 0.4] = np.nan
        scale = image.shape[1] / track.width if track.width else 1.0
        kf.draw(image, scale=scale, joints=joints, caption=[f.title, f"{ft:.2f} s"])
        f.key_frame = str(kf.save_png(image, Path(out_dir) / f"finding_{k}_{f.key}.png"))
        f.t = round(ft, 2)


def critique_round(report: RoundReport, track: Track, video: Path, out_dir: Path, root: Path) -> dict[str, Any]:
    """The round's critique with its key frames, ready to store in the round's report (paths relative to root)."""
    import logging

    from vision.critique import critique_dict

    try:
        c = round_critique(report, track)
        save_round_key_frames(c, track, Path(video), Path(out_dir))
    except Exception:  # the critique is an extra: the round's counts are stored whatever happens here
        logging.getLogger(__name__).exception("round critique failed for %s", video)
        return {"critique": None, "critique_error": "The technique critique failed on this round; ask me to "
                "analyse it again."}  # fmt: skip
    return {"critique": critique_dict(c, root)}
