"""Follow-up questions about a stored round, answered from the data with timestamps.

"am I dropping my right hand when I jab?" → which punches (jab), which hand to watch (right), which
habit (dropping) → the share and the moments, computed here; the model only phrases it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from striking.report import mmss

_HAND = re.compile(r"\b(left|right|lead|rear|front|back)\s+(hand|fist|arm)\b|\b(left|right)\b", re.I)
_KIND_WORDS = {
    "jab": r"\bjabs?\b", "cross": r"\bcross(es)?\b|\bstraight right\b|\b1-?2\b", "hook": r"\bhooks?\b",
    "uppercut": r"\buppercuts?\b",
}  # fmt: skip
_HABIT_WORDS = {
    # "how's my guard looking", "are my hands up enough": the share of time the guard was down
    "drop": r"\bdrop(ping|s|ped)?\b|\bfall(ing|s)?\b|\blower(ing)?\b|\bguard (is )?down\b|"
    r"\bguard\b.{0,20}\b(look(s|ing)?|like|ok|okay|good|bad|high|up)\b|\bhands? (up|high)\b",
    # "how quick was my jab coming back", "do I snap the cross back"
    "return": r"\breturn(ing)?\b|\bbring(ing)? (it|them|my \w+ \w+) back\b|\bslow back\b|\bretract|"
    r"\b(com(e|es|ing)|came|get(s|ting)?|snap(s|ping)?|pull(s|ing)?)\s+(it\s+|them\s+|(?:my|the)\s+\w+\s+)?back\b",
    "telegraph": r"\btelegraph(ing)?\b|\bwind(ing)?[- ]?up\b|\bgiv(e|ing) (it )?away\b",
    "chin": r"\bchin\b",
    "combos": r"\bcombo(s)?\b|\bcombinations?\b|\bpunch (sequences?|patterns?)\b",
}  # fmt: skip


@dataclass
class Question:
    habit: str  # drop | return | telegraph | chin | combos
    hand: str | None = None  # left | right | lead | rear (the hand the question is about)
    kinds: list[str] = field(default_factory=list)  # punch kinds it is restricted to


def parse_question(text: str) -> Question | None:
    habit = next((h for h, rx in _HABIT_WORDS.items() if re.search(rx, text, re.I)), None)
    if habit is None:
        return None
    m = _HAND.search(text)
    hand = None
    if m:
        word = (m.group(1) or m.group(3) or "").lower()
        hand = {"front": "lead", "back": "rear"}.get(word, word)
    kinds = [k for k, rx in _KIND_WORDS.items() if re.search(rx, text, re.I)]
    return Question(habit, hand, kinds)


def _matches_kind(p: dict, kinds: list[str]) -> bool:
    return not kinds or any(k in p["kind"] for k in kinds)


def _resolve(hand: str | None, stance: str) -> str | None:
    lead = "left" if stance == "orthodox" else "right"
    if hand == "lead":
        return lead
    if hand == "rear":
        return "right" if lead == "left" else "left"
    return hand


def answer(q: Question, report: dict) -> tuple[str, dict]:
    """(markdown answer, data) from a stored report dict (RoundReport.to_dict())."""
    punches = [p for p in report.get("punches", []) if _matches_kind(p, q.kinds)]
    hand = _resolve(q.hand, report.get("stance", "orthodox"))
    what = (
        " or ".join(q.kinds) + "es" if q.kinds == ["cross"] else (" or ".join(q.kinds) + "s" if q.kinds else "punches")
    )
    if q.habit == "drop":
        # "dropping my right hand when I jab": the right hand is the NON-punching hand of those punches
        relevant = [p for p in punches if hand is None or p["hand"] != hand]
        hits = [p for p in relevant if p["other_hand_dropped"]]
        moments = [mmss(p["t_peak"]) for p in hits]
        subject = f"your {hand} hand" if hand else "your other hand"
        if not relevant:
            text = f"I found no {what} to check {subject} against in this round."
        else:
            text = (f"{subject.capitalize()} dropped on **{len(hits)} of {len(relevant)}** {what} "
                    f"({len(hits) / len(relevant) * 100:.0f} %).")  # fmt: skip
            if moments:
                text += " Watch " + ", ".join(moments) + "."
        h = report.get("habits", {})
        share = h.get(f"guard_down_share_{hand}") if hand else h.get("guard_down_share")
        if share is not None:
            text += f" Outside punches, {subject} sat below your chin line {share * 100:.0f} % of the time."
        return text, {"checked": len(relevant), "dropped": len(hits), "moments": moments, "hand": hand}
    if q.habit == "return":
        mine = [p for p in punches if hand is None or p["hand"] == hand]
        times = [(p["return_s"], mmss(p["t_peak"])) for p in mine if p.get("return_s") is not None]
        if not times:
            return f"I have no finished {what} to time in this round.", {"count": 0}
        avg = sum(t for t, _ in times) / len(times)
        slow = max(times)
        text = f"Back to guard in **{avg:.2f} s** on average over {len(times)} {what}; "
        text += f"slowest {slow[0]:.2f} s at {slow[1]}."
        return text, {"count": len(times), "mean_s": avg, "slowest_s": slow[0], "slowest_at": slow[1]}
    if q.habit == "telegraph":
        mine = [p for p in punches if hand is None or p["hand"] == hand]
        hits = [mmss(p["t_peak"]) for p in mine if p["telegraphed"]]
        text = f"Wind-up before **{len(hits)} of {len(mine)}** {what}."
        return text + (" Watch " + ", ".join(hits) + "." if hits else ""), {"count": len(mine), "moments": hits}
    if q.habit == "combos":
        return _combos(report, q.kinds)
    share = report.get("habits", {}).get("chin_exposed_share")
    txt = "I couldn't measure chin exposure in this round." if share is None else (
        f"Your chin was left uncovered during **{share * 100:.0f} %** of your punches.")  # fmt: skip
    return txt, {"chin_exposed_share": share}


def _combos(report: dict, kinds: list[str]) -> tuple[str, dict]:
    """The combinations of the round (punches in quick succession, see `find_combos`), most thrown first."""
    combos = [c for c in report.get("combos", []) if not kinds or any(k in c["sequence"] for k in kinds)]
    if not combos:
        return "I found no combinations in this round: every punch came on its own.", {"combos": []}
    counts: dict[str, list[str]] = {}
    for c in combos:
        counts.setdefault(c["sequence"], []).append(mmss(c["start_s"]))
    ranked = sorted(counts.items(), key=lambda kv: -len(kv[1]))
    top, times = ranked[0]
    text = f"Your most thrown combination this round: **{top}**, {len(times)} of {len(combos)} combinations"
    text += f" (at {', '.join(times[:5])})." if len(times) > 1 else f" (at {times[0]})."
    if len(ranked) > 1:
        text += " Then " + "; ".join(f"{seq} ×{len(t)}" for seq, t in ranked[1:4]) + "."
    return text, {"combos": [{"sequence": seq, "count": len(t), "at": t} for seq, t in ranked], "total": len(combos)}
