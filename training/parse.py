"""The set-line parser: what a lifter types after a set, turned into exercise, load, reps, sets, RPE.

Handles the ways people write sets: "squat 140x5 @8", "bench 3x5 at 100", "did 225 for 8 on deadlift",
"3 sets of 5 at 140kg squat", "100x5x3", "100x5, 5, 4", "100x5 @7, 102.5x5 @8", "pull ups 10, 8, 7",
"dips +20kg x 8", AMRAP ("100x8+", "amrap"), RIR ("2 RIR"), warm-ups, notes ("- felt slow",
"(belt)"), supersets ("superset bench 80x10 + row 60x10", "A1 …  A2 …") and several lifts per
message (new lines, ";", "then", or commas). Pure code, no model: these lines must log without an LLM.
Units: explicit "kg"/"lb" win; otherwise `unit` is None and the caller applies the person's setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from powerforge.numwords import words_to_digits

_NUM = r"\d+(?:\.\d+)?"
_U = r"(?:\s*(?:kg|lb)\b)?"
_RPE = (
    r"(?:\s*,?\s*(?:@\s*(?:rpe\s*)?(?P<rpe>\d{1,2}(?:\.5)?)(?![\d.]|\s*(?:kg|lb|x|rir))"
    r"|(?:at\s+)?rpe\s*(?P<rpe2>\d{1,2}(?:\.5)?)|(?P<rpe3>\d{1,2}(?:\.5)?)\s*rpe"
    r"|@?\s*rir\s*(?P<rir>\d)|@?\s*(?P<rir2>\d)\s*rir|(?P<fail>to failure|failure)))?"
)
_MORE = r"(?P<more>(?:\s*[,/]\s*\d{1,3}\+?(?![\d.]|\s*(?:x|kg|lb|sets?|reps?|rir|rpe)))*)"
_LOADW = rf"(?P<plus>\+\s*)?(?P<w>{_NUM})(?P<wu>{_U})"
_AT = r"\s*(?:at|@|with|w/|using)\s*"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # timed sets: plank 3x60s, 2 x 1 min, farmer's walk 40 sec
    (
        "timed",
        re.compile(r"(?:(?P<s>\d{1,2})\s*x\s*)?(?P<d>\d+(?:\.\d+)?)\s*(?P<du>s|sec|secs|seconds?|min|mins|minutes?)\b"),
    ),
    # 3 sets of 5 at 140 / 3 sets of 5 reps @ 100kg
    (
        "sets_of",
        re.compile(
            rf"(?P<s>\d{{1,2}})\s*sets?\s*(?:of|x)\s*(?P<r>\d{{1,3}})(?P<rplus>\+)?\s*(?:reps?)?"
            rf"(?:{_AT}{_LOADW})?{_RPE}"
        ),
    ),
    # 140 for 3 sets of 5
    (
        "w_for_sets",
        re.compile(
            rf"{_LOADW}\s*(?:for\s*)?(?P<s>\d{{1,2}})\s*sets?\s*(?:of|x)\s*(?P<r>\d{{1,3}})(?P<rplus>\+)?\s*(?:reps?)?{_RPE}"
        ),
    ),
    # 100kg for 3x5: sets × reps after the load
    (
        "w_for_sxr",
        re.compile(
            rf"{_LOADW}\s*for\s*(?P<s>\d{{1,2}})\s*x\s*(?P<r>\d{{1,3}})(?P<rplus>\+)?(?!\s*x)\s*(?:reps?)?{_RPE}"
        ),
    ),
    # bench 80kg 3x8: a load with its unit written before sets × reps
    (
        "w_sxr",
        re.compile(
            rf"(?P<plus>\+\s*)?(?P<w>{_NUM})(?P<wu>\s*(?:kg|lb)\b)\s*,?\s+(?P<s>\d{{1,2}})\s*x\s*(?P<r>\d{{1,3}})"
            rf"(?P<rplus>\+)?(?![\d.]|\s*x|\s*(?:kg|lb)){_RPE}"
        ),
    ),
    # 225 for 8 (reps) (x 3 sets)
    (
        "w_for",
        re.compile(
            rf"{_LOADW}\s*for\s*(?P<r>\d{{1,3}})(?P<rplus>\+)?\s*(?:reps?)?(?:\s*(?:x|for)\s*(?P<s>\d{{1,2}})\s*sets?)?{_MORE}{_RPE}"
        ),
    ),
    # 100 kg 5 reps (a unit is required, else '100 5 reps' is ambiguous)
    ("w_reps", re.compile(rf"(?P<w>{_NUM})(?P<wu>\s*(?:kg|lb)\b)\s*,?\s*(?P<r>\d{{1,3}})(?P<rplus>\+)?\s*reps?{_RPE}")),
    # 5 reps at 100
    ("reps_at", re.compile(rf"(?P<r>\d{{1,3}})(?P<rplus>\+)?\s*reps?{_AT}{_LOADW}{_RPE}")),
    # 140x5, 140kg x 5 x 3, 3x5 at 100, 100x5,5,4, +20kg x 8, 100 x amrap
    (
        "x",
        re.compile(
            rf"(?P<plus>\+\s*)?(?P<a>{_NUM})(?P<au>{_U})\s*x\s*(?P<b>\d{{1,3}}|amrap)(?P<bplus>\+)?(?P<bu>{_U})"
            rf"(?:\s*x\s*(?P<c>{_NUM})(?P<cu>{_U})|\s*for\s*(?P<c2>\d{{1,2}})\s*sets?)?{_MORE}"
            rf"(?:{_AT}(?P<w>(?:\d{{3,}}|[2-9]\d|1[1-9])(?:\.\d+)?(?![\d.])|{_NUM}(?=\s*(?:kg|lb)))(?P<wu>{_U})"
            rf"|\s+(?P<w2>(?:\d{{3,}}|[2-9]\d)(?:\.\d+)?(?![\d.])|{_NUM}(?=\s*(?:kg|lb)))(?P<wu2>{_U})"
            rf"(?![\d.]|\s*(?:x|for|reps?|sets?)))?{_RPE}"
        ),
    ),
    # bare reps list for bodyweight work: 10, 8, 7
    (
        "reps_list",
        re.compile(rf"(?<![\d.])(?P<list>\d{{1,3}}\+?(?:\s*[,/]\s*\d{{1,3}}\+?)+)(?![\d.]|\s*(?:kg|lb|x)){_RPE}"),
    ),
    # 12 reps
    ("reps", re.compile(rf"(?<![\d.])(?P<r>\d{{1,3}})(?P<rplus>\+)?\s*reps?\b{_RPE}")),
]

_FILLER = {
    "i",
    "did",
    "do",
    "done",
    "just",
    "hit",
    "took",  # the lifter's verbs before a load ('took 95 for a double')
    "managed",
    "nailed",
    "smashed",
    "crushed",
    "moved",
    "got",
    "get",
    "on",
    "for",
    "reps",
    "rep",
    "sets",
    "set",
    "of",
    "at",
    "with",
    "today",
    "my",
    "a",
    "an",
    "the",
    "log",
    "logged",
    "x",
    "then",
    "kg",
    "lb",
    "rpe",
    "rir",
    "w",
    "some",
    "also",
    "me",
    "made",
    "completed",
    "finished",
    "worked",
    "up",
    "to",
    "using",
    "plus",
    "amrap",
    "failure",
    "please",
    "add",
    "record",
    "can",  # a request to log ('could you log rows 60x12 for me')
    "could",
    "would",
    "you",
    "u",
    "pls",
    "plz",
    "was",
    "were",
    "it",
    "in",
    "last",
    "first",
    "next",
    "another",
    "more",
    "top",
    "back",
    "off",
    "backoff",
    "again",
    "ok",
    "okay",
    "so",
    "after",
    "that",
    "this",
    "round",
    "rounds",
}
_VERBS = {
    "squatted": "squat",
    "squatting": "squat",
    "benched": "bench",
    "benching": "bench",
    "deadlifted": "deadlift",
    "deadlifting": "deadlift",
    "pulled": "deadlift",
    "pressed": "press",
    "pressing": "press",
    "rowed": "row",
    "rowing": "row",
    "curled": "curl",
    "curling": "curl",
    "dipped": "dips",
    "lunged": "lunges",
    "thrusted": "hip thrust",
    "repped": "",
}
_WARMUP = re.compile(r"\b(warm\s*-?\s*ups?|w/u|wu)\b")
_NOTE_PAREN = re.compile(r"\(([^)]*)\)")
_NOTE_TAIL = re.compile(r"(?:\s+[-–—]\s+|\s*\bnotes?\s*[:\-]\s*|\s*#\s*|\s*//\s*)(?P<note>.+)$")
# effort said as a feeling: 'felt like an 8', 'last one felt like a 9.5' (RPE; of the last set when it says so)
_FELT_RPE = re.compile(
    r"(?P<last>\b(?:the\s+)?last\s+(?:one|1|set|rep)\s+)?\b(?:felt|feels|was)\s+like\s+(?:an?\s+)?(?:rpe\s*)?"
    r"(?P<rpe>10|[5-9](?:\.5)?)\b(?!\s*(?:kg|lb|x|reps?))"
)
_FEEL_TAIL = re.compile(r"[\s,.]+(?P<note>(?:felt|feels|feeling|moved|flew)\b.*)$")
# '… but failed the last rep', '… but grip gave out': a remark after 'but' (no numbers in it) is the set's note
_BUT_TAIL = re.compile(r"[\s,.]+but\s+(?P<note>\D+)$")
_SUPERSET_LINE = re.compile(r"^\s*(?:superset|ss|circuit|giant set)\s*[:\-]?\s*", re.I)
_SUPERSET_SEP = re.compile(r"\s+(?:superset(?:ted)?\s+with|paired\s+with|ss|superset|\+|&)\s+", re.I)
_GROUP_LABEL = re.compile(r"^\s*(?P<g>[a-e])(?P<n>[1-9])\s*[:.)\-]?\s+", re.I)
_THEN = re.compile(r"\s*(?:\n|;|\bthen\b|\band then\b)\s*", re.I)
_EXPLICIT_UNIT = re.compile(r"\b(kg|lb)\b")
# an effort written apart from the set ('200x1 on deadlift @9.5', '… 2 rir'): it applies to that clause's sets
_RPE_AFTER = re.compile(
    r"(?:@\s*(?:rpe\s*)?|\brpe\s*)(?P<rpe>10|[1-9](?:\.5)?)(?![\d.]|\s*(?:kg|lb|x))|\b(?P<rir>[0-5])\s*rir\b|\brir\s*(?P<rir2>[0-5])\b"
)
_LOAD_AFTER = re.compile(
    r"(?P<how>\bat|\bwith|\busing|@|\+)\s*(?:(?:the|a|an|my)\s+(?=\d))?(?P<w>\d+(?:\.\d+)?)(?:s\b)?\s*(?P<u>kg|lb)?\b"
)


@dataclass
class ParsedSet:
    """One set as typed; `load` None means no load given (bodyweight or ask), `unit` None = person's unit."""

    reps: int
    load: float | None = None
    unit: str | None = None
    rpe: float | None = None
    amrap: bool = False
    added: bool = False  # '+20 kg': load added to bodyweight
    duration_s: float | None = None  # timed sets: 'plank 3x60s' (reps stay 0)


@dataclass
class ParsedEntry:
    """One exercise's sets from one clause of the message."""

    exercise_text: str
    sets: list[ParsedSet] = field(default_factory=list)
    warmup: bool = False
    group: str | None = None  # superset / circuit label shared by entries
    notes: str = ""

    def as_dict(self) -> dict:
        return {
            "exercise_text": self.exercise_text,
            "warmup": self.warmup,
            "group": self.group,
            "notes": self.notes,
            "sets": [s.__dict__ for s in self.sets],
        }


class SetLineError(ValueError):
    """A line that names sets but cannot be read (e.g. reps missing)."""


_WHEN_WORDS = r"(?:today|tonight|this\s+morning|earlier|just\s+now)"


def _normalise(text: str) -> str:
    t = words_to_digits(text).replace("×", "x").replace("*", "x").replace("–", "-").replace("—", "-")
    t = re.sub(r"(\d),(\d{1,2})(?=\s*(?:kg|kgs|kilos?|lbs?|pounds?)\b)", r"\1.\2", t, flags=re.I)
    t = t.lower()
    t = re.sub(r"(?:\b|(?<=\d))(kgs|kilos?|kilograms?)\b", "kg", t)
    t = re.sub(r"(?:\b|(?<=\d))(lbs|pounds?)\b|(?<=\d)#", "lb", t)
    t = re.sub(r"(?<=\d)(kg|lb)\b", r" \1", t)
    t = re.sub(r"\b(\d+(?:\.\d+)?)s(?=\s*x\s*\d)", r"\1", t)  # 'the 30s x 10' (dumbbells by weight)
    t = re.sub(r"\b((?:with|using)\s+(?:the|a|my)\s+)(\d+(?:\.\d+)?)s\b", r"\1\2", t)  # 'with the 30s' (dumbbells)
    t = re.sub(
        r"\b(\d+(?:\.\d+)?)s(?=\s+for\s+\d+\b(?!\s*(?:sets?|s|sec|secs|seconds?|min|mins|minutes?)\b))", r"\1", t
    )
    # 'a single at 200', 'double with 180kg', 'two triples @ 150': a rep count said as a word
    t = re.sub(
        rf"\b(?:(?P<n>\d|a|one|two|three|four|five)\s+)?(?P<k>single|double|triple)s?\s*(?:at|with|@|of)\s*(?P<w>{_NUM}(?:\s*(?:kg|lb)\b)?)",
        _single_double_triple,
        t,
    )
    # '120 for a triple', '150 kg for two doubles', '220 today for a double': the load first, then the rep word
    t = re.sub(
        rf"(?P<w>{_NUM}(?:\s*(?:kg|lb)\b)?)\s+(?:{_WHEN_WORDS}\s+)?for\s+(?:(?P<n>\d|a|one|two|three|four|five)\s+)?"
        r"(?P<k>single|double|triple)s?\b",
        _single_double_triple,
        t,
    )
    # 'a 200 deadlift single', '180 squat double': load, the lift, then the rep word
    t = re.sub(
        rf"(?<![\d.])(?=\d{{2}})(?P<w>{_NUM}(?:\s*(?:kg|lb)\b)?)\s+(?!(?:then|and|sets?|reps?|x|for|at|with|plus)\b)"
        rf"(?P<ex>[a-z][a-z' -]{{1,30}}?)\s+(?:for\s+)?(?:(?P<n>a|one|two|three)\s+)?"
        r"(?P<k>single|double|triple)s?\b",
        lambda m: f"{m['ex']} {_single_double_triple(m)}",
        t,
    )
    t = re.sub(r"(?<=\d)\s*(?:reps|rep|r)\b(?!\s*[a-z])", " reps", t)
    t = re.sub(r"\bbody\s*weight\b|\bbw\b", "bw", t)
    t = re.sub(r"\b(\d+)\s*x\s*(\d+)\s*x\s*(\d+)\b", r"\1x\2x\3", t)
    return t


_REPS_WORD = {"single": 1, "double": 2, "triple": 3}
_COUNT_WORD = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _single_double_triple(m: re.Match[str]) -> str:
    n = m["n"] or "a"
    sets = int(n) if n.isdigit() else _COUNT_WORD[n]
    return f"{m['w']} x {_REPS_WORD[m['k']]}" + (f" x {sets}" if sets > 1 else "")


def _rpe_of(m: re.Match[str]) -> float | None:
    g = m.groupdict()
    for key in ("rpe", "rpe2", "rpe3"):
        if g.get(key):
            return float(g[key])
    for key in ("rir", "rir2"):
        if g.get(key):
            return 10.0 - float(g[key])
    if g.get("fail"):
        return 10.0
    return None


def _unit(u: str | None) -> str | None:
    u = (u or "").strip()
    return u or None


def _reps_list(more: str | None) -> list[tuple[int, bool]]:
    out = []
    for part in re.split(r"[,/]", more or ""):
        part = part.strip()
        if part:
            out.append((int(part.rstrip("+")), part.endswith("+")))
    return out


def _sets_from(kind: str, m: re.Match[str]) -> list[ParsedSet]:
    """Turn one pattern match into sets, settling which number is the weight."""
    g = m.groupdict()
    rpe = _rpe_of(m)
    added = bool(g.get("plus"))
    if kind in ("sets_of", "w_for_sets", "w_for_sxr", "w_sxr"):
        load = float(g["w"]) if g.get("w") else None
        n, reps = int(g["s"]), int(g["r"])
        sets = [ParsedSet(reps, load, _unit(g.get("wu")), rpe, False, added) for _ in range(n)]
        if g.get("rplus"):
            sets[-1].amrap = True
        return sets
    if kind == "w_for":
        load, unit = float(g["w"]), _unit(g.get("wu"))
        n = int(g["s"]) if g.get("s") else 1
        more = _reps_list(g.get("more"))
        sets = [
            ParsedSet(int(g["r"]), load, unit, None if more else rpe, bool(g.get("rplus")), added) for _ in range(n)
        ]
        sets += [ParsedSet(r, load, unit, None, p, added) for r, p in more]
        if more:
            sets[-1].rpe = rpe
        return sets
    if kind == "timed":
        secs = float(g["d"]) * (60 if g["du"].startswith("m") else 1)
        return [ParsedSet(0, None, None, rpe, duration_s=secs) for _ in range(int(g["s"] or 1))]
    if kind in ("reps_at", "w_reps"):
        return [ParsedSet(int(g["r"]), float(g["w"]), _unit(g.get("wu")), rpe, bool(g.get("rplus")), added)]
    if kind == "reps_list":
        return [ParsedSet(r, None, None, rpe if i == 0 else None, p) for i, (r, p) in enumerate(_reps_list(g["list"]))]
    if kind == "reps":
        return [ParsedSet(int(g["r"]), None, None, rpe, bool(g.get("rplus")))]
    # kind == "x": a x b (x c) (, more reps) (at w)
    a, au = float(g["a"]), _unit(g.get("au"))
    b_raw, bu = g["b"], _unit(g.get("bu"))
    amrap = bool(g.get("bplus")) or b_raw == "amrap"
    c, cu = (float(g["c"]), _unit(g.get("cu"))) if g.get("c") else (None, None)
    w, wu = (float(g["w"]), _unit(g.get("wu"))) if g.get("w") else (None, None)
    if w is None and g.get("w2"):  # 3x8 80kg / dl 3x3 200: the load written after sets × reps
        w, wu = float(g["w2"]), _unit(g.get("wu2"))
    more = _reps_list(g.get("more"))
    weight_first = False
    if g.get("c2"):  # 100 x 5 for 3 sets
        c, cu, weight_first = float(g["c2"]), None, True
    if b_raw == "amrap":
        return [ParsedSet(0, a, au, rpe, True, added)]
    b = int(b_raw)
    if w is not None:  # 3x5 at 100
        sets = [ParsedSet(b, w, wu, rpe, False, added) for _ in range(int(a))]
        if amrap:
            sets[-1].amrap = True
        return sets
    if c is not None:
        # weight x reps x sets, unless the last number is clearly the weight (3x5x100, 3x5x100kg)
        if not weight_first and (cu or (not au and (c > 20 or (a <= 10 and c > a and c > b)) and not a > 20)):
            sets = [ParsedSet(b, c, cu, rpe, False, added) for _ in range(int(a))]
        else:
            sets = [ParsedSet(b, a, au, rpe, False, added) for _ in range(int(c))]
        if amrap:
            sets[-1].amrap = True
        return sets
    if bu and not au:  # 5 x 100kg: reps x weight written backwards
        return [ParsedSet(int(a), float(b), bu, rpe, amrap, added)]
    if au is None and not added and a <= 10 and a == int(a) and b <= 30 and not more:
        # 3x10 with no weight anywhere: sets × reps (bodyweight, or the caller asks for the load)
        sets = [ParsedSet(b, None, None, rpe, False) for _ in range(int(a))]
        if amrap:
            sets[-1].amrap = True
        return sets
    sets = [ParsedSet(b, a, au, None if more else rpe, amrap, added)]
    sets += [ParsedSet(r, a, au, None, p, added) for r, p in more]
    if more:  # '100x8, 8, 7 @9': the RPE written after the list is the last set's
        sets[-1].rpe = rpe
    return sets


def _scan(text: str) -> tuple[list[ParsedSet], str]:
    """All set patterns in `text`, left to right, and the text left over (exercise words, notes)."""
    pos, sets, rest = 0, [], []
    while pos < len(text):
        best: tuple[int, int, int, str, re.Match[str]] | None = None
        for prio, (kind, rx) in enumerate(_PATTERNS):
            m = rx.search(text, pos)
            if m and m.end() > m.start():
                cand = (m.start(), -(m.end() - m.start()), prio, kind, m)
                if best is None or cand[:3] < best[:3]:
                    best = cand
        if best is None:
            rest.append(text[pos:])
            break
        start, _, _, kind, m = best
        rest.append(text[pos:start])
        sets.extend(_sets_from(kind, m))
        pos = m.end()
    return sets, " ".join(rest)


def _exercise_words(rest: str) -> str:
    words = re.findall(r"[a-z][a-z'&\-]*", rest)
    out: list[str] = []
    for w in words:
        w = _VERBS.get(w, w)
        if w and w not in _FILLER and not _WARMUP.fullmatch(w) and not (out and out[-1] == w):
            out.append(w)  # once: 'pulled a 190 deadlift single' ('pulled' is the deadlift) names it once
    while out and out[0] in ("and", "&"):
        out.pop(0)
    while out and out[-1] in ("and", "&"):
        out.pop()
    return " ".join(out).strip()


def _has_number(s: str) -> bool:
    return bool(re.search(r"\d", s))


def _has_words(s: str) -> bool:
    return bool(_exercise_words(re.sub(r"\d+(?:\.\d+)?", " ", s)))


# A remark after a comma: how it felt or what hurt ('…, knees a bit sore', '…, back was tight', '…, new pr'),
# never an exercise name ('100x5, close grip bench' names one).
_REMARK = re.compile(
    r"^\s*(?:(?:my|the|a|bit|a\s+bit|little|pretty|super|so|really|kinda|quite|bit\s+of)\s+)*(?:left\s+|right\s+|"
    r"lower\s+|upper\s+)?(?:knees?|back|shoulders?|elbows?|hips?|wrists?|hams(?:trings?)?|quads?|groin|neck|pecs?|"
    r"sore|tired|wrecked|cooked|fried|gassed|heavy|light|easy|hard|tough|grind\w*|pain\w*|hurt\w*|tweak\w*|ach\w*|"
    r"new\s+(?:pr|pb)|pr|pb|ugly|smooth|slow|solid|shaky|good|bad|great|rough|brutal|awful)\b"
    r"|\b(?:was|were|felt|feels?|hurts?|hurting|sore|achy)\b",
    re.I,
)


def _split_chunks(clause: str) -> list[str]:
    """Split 'squat 140x5, bench 100x5' on commas, keeping '100x5, 5, 4' and '@7, 102.5x5' together."""
    protected = re.sub(r"\([^)]*\)", lambda m: m.group(0).replace(",", "\x00"), clause)
    parts = [p.replace("\x00", ",") for p in re.split(r",(?!\d)|,(?=\s*[a-z])", protected)]
    chunks: list[str] = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if chunks and not _has_number(p) and _has_number(chunks[-1]) and _REMARK.search(p):
            chunks[-1] = f"{chunks[-1]} - {p}"  # a remark after the set ('…, knees a bit sore') is its note
        elif chunks and (not _has_words(p) or not _has_number(p)):
            chunks[-1] = f"{chunks[-1]}, {p}"
        elif chunks and not _has_number(chunks[-1]):
            chunks[-1] = f"{chunks[-1]} {p}"
        else:
            chunks.append(p)
    return chunks


def _clauses(text: str) -> list[tuple[str, str | None]]:
    """(clause, superset group) pairs: lines, ';', 'then', and superset connectors."""
    out: list[tuple[str, str | None]] = []
    next_group = iter("ABCDEFGH")
    labelled: dict[str, str] = {}
    lines: list[str] = []
    for line in _THEN.split(text):
        for piece in re.split(r"\s+and\s+(?=\D*\d)", line):
            if lines and lines[-1] is not None and not (_has_number(piece) and _has_number(lines[-1])):
                lines[-1] = f"{lines[-1]} and {piece}"
            else:
                lines.append(piece)
    for line in lines:
        if not line.strip():
            continue
        group: str | None = None
        if _SUPERSET_LINE.match(line):
            line = _SUPERSET_LINE.sub("", line, count=1)
            group = next(next_group)
        pieces = [p for p in _SUPERSET_SEP.split(line) if p.strip()]
        if len(pieces) > 1 and all(_has_number(p) for p in pieces):
            group = group or next(next_group)
        else:
            pieces = [line]
        for piece in pieces:
            if m := _GROUP_LABEL.match(piece):
                label = m["g"].upper()
                group_for = labelled.setdefault(label, label)
                out.append((piece[m.end() :], group_for))
            else:
                out.append((piece, group))
    return out


def parse_sets(text: str) -> list[ParsedEntry]:
    """Every exercise with its sets in a message; raises SetLineError when no set can be read."""
    entries: list[ParsedEntry] = []
    for clause, group in _clauses(_normalise(text)):
        felt = _FELT_RPE.search(clause)
        if felt:
            clause = (clause[: felt.start()] + " " + clause[felt.end() :]).strip(" ,")
        first = len(entries)
        for chunk in _split_chunks(clause):
            notes: list[str] = [n.strip() for n in _NOTE_PAREN.findall(chunk) if n.strip()]
            chunk = _NOTE_PAREN.sub(" ", chunk)
            if m := _NOTE_TAIL.search(chunk):
                notes.append(m["note"].strip())
                chunk = chunk[: m.start()]
            if (m := _FEEL_TAIL.search(chunk)) and _has_number(chunk[: m.start()]):  # '… @8 felt quick'
                notes.append(m["note"].strip())
                chunk = chunk[: m.start()]
            if (m := _BUT_TAIL.search(chunk)) and _has_number(chunk[: m.start()]):
                notes.append(m["note"].strip())
                chunk = chunk[: m.start()]
            warmup = bool(_WARMUP.search(chunk))
            chunk = _WARMUP.sub(" ", chunk)
            bw = bool(re.search(r"\bbw\b", chunk))
            chunk = re.sub(r"\bbw\b", " ", chunk)
            amrap_word = bool(re.search(r"\bamrap\b|\bas many as possible\b", chunk))
            sets, rest = _scan(chunk)
            if not sets:
                if entries and notes == [] and not _exercise_words(rest):
                    continue
                if entries and not _has_number(chunk):
                    entries[-1].notes = "; ".join(x for x in (entries[-1].notes, rest.strip(), *notes) if x)
                    continue
                continue
            if all(x.load is None for x in sets) and (m := _LOAD_AFTER.search(rest)):
                value, unit = float(m["w"]), m["u"]
                if m["how"] != "@" or unit or value > 10:  # '3 sets of 8 on pulldown with 60', 'chins 3x8 +10kg'
                    for x in sets:
                        x.load, x.unit, x.added = value, unit, m["how"] == "+"
                    rest = rest[: m.start()] + " " + rest[m.end() :]
            if all(x.rpe is None for x in sets) and (m := _RPE_AFTER.search(rest)):
                rpe = float(m["rpe"]) if m["rpe"] else 10.0 - float(m["rir"] or m["rir2"])
                for x in sets:
                    x.rpe = rpe
                rest = rest[: m.start()] + " " + rest[m.end() :]
            if amrap_word:
                sets[-1].amrap = True
            if bw:
                for s in sets:
                    s.added = s.load is not None
            name = _exercise_words(rest)
            if not name and entries:
                name = entries[-1].exercise_text
            entries.append(ParsedEntry(name, sets, warmup, group, "; ".join(notes)))
        if felt and len(entries) > first and all(x.rpe is None for x in entries[-1].sets):
            for x in entries[-1].sets[-1:] if felt["last"] else entries[-1].sets:
                x.rpe = float(felt["rpe"])
    if not entries:
        raise SetLineError("I couldn't find a set in that (try 'squat 140x5 @8' or 'bench 3x5 at 100').")
    return entries


_SET_HINT = re.compile(
    r"\d\s*(?:kg|kgs|kilos?|lbs?|s)?\s*(?:x|×|\*)\s*\d|\b\d+(?:\.\d+)?\s*(?:kg|kgs|lbs?|s)?\s+for\s+\d+"
    r"|\bsets?\s+(?:of|x)\s*\d+|\d+\s*reps?\b|\b\d+\s*,\s*\d+\s*,\s*\d+\b",
    re.I,
)
# Lines that are sets only when an exercise is named too (the chat's fast path checks that): a timed hold
# ('side plank 45 sec'), a single/double/triple at a load.
_LOGGED_HINT = re.compile(
    r"^[^?]*?\b\d+(?:\.\d+)?\s*(?:s|sec|secs|seconds?|min|mins|minutes?)\s*$"
    r"|\b(?:single|double|triple)s?\s*(?:at|with|@|of)\s*\d"
    r"|\d\s*(?:kg|kgs|lbs?)?\s+(?:(?:today|tonight|earlier)\s+)?for\s+(?:\S+\s+)?(?:single|double|triple)s?\b"
    r"|\b\d{2,}(?:\.\d+)?\s*(?:kg|kgs|lbs?)?\s+(?!(?:then|and|sets?|reps?|x|for|at|with|plus)\b)[a-z][a-z' -]{1,30}?\s+"
    r"(?:for\s+)?(?:(?:a|one|two|three)\s+)?"
    r"(?:single|double|triple)s?\b",
    re.I,
)


def looks_like_set_line(text: str) -> bool:
    """Cheap check used by the chat fast path before the full parse."""
    return bool(_SET_HINT.search(words_to_digits(text)))


def looks_like_logged_set(text: str) -> bool:
    """`looks_like_set_line`, or a timed hold / a single at a load (these need a named exercise to count)."""
    return looks_like_set_line(text) or bool(_LOGGED_HINT.search(words_to_digits(text)))


def has_explicit_unit(text: str) -> bool:
    return bool(_EXPLICIT_UNIT.search(_normalise(text)))
