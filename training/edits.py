"""Program edits as typed operations: swap, remove, add, deload a week, change sets × reps or load.

"swap Thursday's deadlift for RDLs" and "make week 4 a deload" are read by code; anything else can
come from a model as the same `EditOp` list. Edits apply to a copy and the result is validated, so
an edit can only ever produce a new, valid program version (shown as a diff before it is saved).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from training import rpe as rpe_chart
from training.library import ExerciseNotFound, library, normalise
from training.loads import LoadSpecError, parse_load_spec
from training.model import WEEKDAYS, LoadSpec, Prescription, Program, Section, Workout, ensure_valid
from training.templates import deload_item, parse_reps


class EditError(ValueError):
    """An edit that does not fit the program (no deadlift on Thursday, no week 14)."""


class EditOp(BaseModel):
    """One change to a program. Days are weekday names or workout names; weeks None means every week."""

    kind: Literal["swap", "remove", "add", "deload", "set_scheme", "set_load"]
    exercise: str | None = Field(default=None, description="exercise to change, e.g. 'deadlift'")
    new_exercise: str | None = Field(default=None, description="replacement or added exercise, e.g. 'RDL'")
    day: str | None = Field(default=None, description="'thursday', 'upper a', 'day 2'")
    weeks: list[int] | None = Field(default=None, description="program weeks; None = all")
    sets: int | None = None
    reps: str | None = Field(default=None, description="'5', '8-12', '5+'")
    load: str | None = Field(default=None, description="'75%', 'RPE 8', '100 kg'")

    def describe(self) -> str:
        w = (
            f" in week{'s' if self.weeks and len(self.weeks) > 1 else ''} {', '.join(map(str, self.weeks))}"
            if self.weeks
            else ""
        )
        d = f" on {self.day}" if self.day else ""
        match self.kind:
            case "swap":
                return f"swap {self.exercise} for {self.new_exercise}{d}{w}"
            case "remove":
                return f"remove {self.exercise}{d}{w}"
            case "add":
                return f"add {self.new_exercise}{d}{w}"
            case "deload":
                return f"make week {', '.join(map(str, self.weeks or []))} a deload"
            case "set_scheme":
                return f"{self.exercise} → {self.sets or ''}×{self.reps or ''}{d}{w}"
            case _:
                return f"{self.exercise} load → {self.load}{d}{w}"


def _day_matcher(day: str | None) -> Callable[[int, Workout], bool]:
    if not day:
        return lambda _k, _w: True
    d = normalise(day)
    d = re.sub(r"s$", "", d) if d.rstrip("s") in {w.lower() for w in WEEKDAYS} else d
    for i, name in enumerate(WEEKDAYS):
        if d in (name.lower(), name.lower()[:3], name.lower()[:3] + "s"):

            def on_weekday(_k: int, w: Workout, i: int = i) -> bool:
                return w.weekday == i

            return on_weekday
    if m := re.fullmatch(r"(?:day|workout|session)\s*(\d)", d):
        n = int(m.group(1)) - 1
        return lambda k, _w: k == n
    return lambda _k, w: d in normalise(w.name)


def _resolve(name: str | None, what: str) -> str:
    if not name:
        raise EditError(f"Which exercise should I {what}?")
    try:
        return library().require(name).id
    except ExerciseNotFound as e:
        raise EditError(str(e)) from e


def _targets(program: Program, op: EditOp) -> list[tuple[int, int, Workout]]:
    match_day = _day_matcher(op.day)
    weeks = set(op.weeks or [w.index for w in program.weeks])
    missing = weeks - {w.index for w in program.weeks}
    if missing:
        raise EditError(f"This program has no week {min(missing)} (it has {len(program.weeks)}).")
    return [
        (w.index, k, wo)
        for w in program.weeks
        if w.index in weeks
        for k, wo in enumerate(w.workouts)
        if match_day(k, wo)
    ]


def _swap_load(p: Prescription, new_id: str, has_max: Callable[[str], bool]) -> LoadSpec:
    """Keep a percentage when the new lift has a max (own or derived), else turn it into the RPE it meant."""
    if p.load.kind not in ("pct_1rm", "pct_tm") or has_max(new_id):
        return p.load
    pct = p.load.value * (0.9 if p.load.kind == "pct_tm" else 1.0)
    reps = min(max(p.reps, 1), rpe_chart.MAX_REPS)
    return LoadSpec(kind="rpe", value=rpe_chart.rpe_for(reps, pct))


def apply_edits(program: Program, ops: list[EditOp], has_max: Callable[[str], bool] = lambda _e: False) -> Program:
    """A new program with `ops` applied (the original is untouched); raises EditError or ProgramInvalid."""
    new = program.model_copy(deep=True)
    for op in ops:
        _apply(new, op, has_max)
    return ensure_valid(new)


def _apply(p: Program, op: EditOp, has_max: Callable[[str], bool]) -> None:
    if op.kind == "deload":
        if not op.weeks:
            raise EditError("Which week should be the deload?")
        for w in p.weeks:
            if w.index in op.weeks:
                if w.deload:
                    continue
                w.deload, w.phase = True, "Deload"
                for wo in w.workouts:
                    for s in wo.sections:
                        s.items = [deload_item(i) for i in s.items]
        if not any(w.index in op.weeks for w in p.weeks):
            raise EditError(f"This program has no week {op.weeks[0]} (it has {len(p.weeks)}).")
        return
    targets = _targets(p, op)
    if not targets:
        raise EditError(f"No workout matches '{op.day}'." if op.day else "The program has no workouts to change.")
    if op.kind == "add":
        new_id = _resolve(op.new_exercise or op.exercise, "add")
        lo, hi, plus = parse_reps(op.reps or "8-12")
        try:
            load = parse_load_spec(op.load) if op.load else LoadSpec(kind="rir", value=2)
        except LoadSpecError as e:
            raise EditError(str(e)) from e
        for _, _, wo in targets:
            acc = next((s for s in wo.sections if s.kind == "accessory"), None)
            if acc is None:
                acc = Section(kind="accessory", items=[])
                wo.sections.append(acc)
            acc.items.append(
                Prescription(exercise=new_id, sets=op.sets or 3, reps=lo, reps_max=hi, amrap=plus, load=load)
            )
        return
    old_id = _resolve(op.exercise, "change")
    hits = 0
    for _, _, wo in targets:
        for s in wo.sections:
            keep = []
            for item in s.items:
                if item.exercise != old_id:
                    keep.append(item)
                    continue
                hits += 1
                if op.kind == "remove":
                    continue
                if op.kind == "swap":
                    new_id = _resolve(op.new_exercise, "swap in")
                    item = item.model_copy(
                        update={"exercise": new_id, "slot": None, "load": _swap_load(item, new_id, has_max)}
                    )
                elif op.kind == "set_scheme":
                    upd: dict = {}
                    if op.sets:
                        upd["sets"] = op.sets
                    if op.reps:
                        lo, hi, plus = parse_reps(op.reps)
                        upd.update(reps=lo, reps_max=hi, amrap=plus)
                    item = item.model_copy(update=upd)
                elif op.kind == "set_load":
                    try:
                        item = item.model_copy(update={"load": parse_load_spec(op.load or "")})
                    except LoadSpecError as e:
                        raise EditError(str(e)) from e
                keep.append(item)
            s.items = keep
        wo.sections = [s for s in wo.sections if s.items]
    if not hits:
        where = f" on {op.day}" if op.day else ""
        found = sorted(
            {
                f"{wo.day_label} {wo.name}".strip()
                for w in p.weeks
                for wo in w.workouts
                if any(i.exercise == old_id for i in wo.prescriptions())
            }
        )
        hint = f" It's on: {', '.join(found)}." if found else ""
        raise EditError(f"There's no {library().get(old_id).name}{where} in the program.{hint}")


_WEEKS_RE = re.compile(r"\b(?:in|on|for|during)?\s*weeks?\s+(\d{1,2})(?:\s*(?:-|–|to|through)\s*(\d{1,2}))?", re.I)
_DAY_RE = re.compile(
    r"\b(?:on\s+|for\s+|from\s+|in\s+|to\s+)?(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:'s|s)?\b",
    re.I,
)
_NAMED_DAY_RE = re.compile(
    r"\b(?:on|from|in|to)\s+(?P<day>(?:upper|lower|day|workout|push|pull|legs?)\s*[a-z0-9]?)\b", re.I
)


def _extract_where(text: str) -> tuple[str, str | None, list[int] | None]:
    weeks = None
    if m := _WEEKS_RE.search(text):
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        weeks = list(range(min(a, b), max(a, b) + 1))
        text = text[: m.start()] + " " + text[m.end() :]
    day = None
    if (m := _DAY_RE.search(text)) or (m := _NAMED_DAY_RE.search(text)):
        day = m.group("day")
        text = text[: m.start()] + " " + text[m.end() :]
    return " ".join(text.split()), day, weeks


def _clean(name: str) -> str:
    return re.sub(r"^(?:the|my|all|some|a|an)\s+|\s+(?:please|instead|exercise)$", "", name.strip(" .,!?"), flags=re.I)


# the program named at the end of the edit, with any reason after it ("…, my knee hates them", "… because …")
_PROGRAM_WORD = (r"(?:the\s+|my\s+|this\s+)?(?:program|programme|plan|routine|split)\b"
                 r"(?:\s*[,.;:!?(-].*|\s+(?:because|since|as|cause|cuz|coz)\b.*)?\W*$")  # fmt: skip


def _without_program_words(rest: str) -> str:
    """'remove lunges from the program' → 'remove lunges out', 'add curls to my plan' → 'add curls': the
    program is where the edit happens, never part of an exercise's name."""
    rest = re.sub(r"\s+please\W*$", "", rest, flags=re.I)
    rest = re.sub(rf"\s+(?:out\s+of|from)\s+{_PROGRAM_WORD}", " out", rest, flags=re.I)
    return re.sub(rf"\s+(?:to|in|into|on|for)\s+{_PROGRAM_WORD}", "", rest, flags=re.I).strip()


# a reason after the edit, wherever it ends ("… on monday, shoulder's been cranky", "… since my back is sore")
_REASON_TAIL = re.compile(
    r"(?:\s+(?:because|since|cause|cuz|coz|as\s+(?:my|i|it))\b|\s*[,;(-]\s*(?=(?:my|i|i'?m|i'?ve|it|it'?s|its|that|"
    r"they|left|right|lower|upper|knees?|back|shoulders?|elbows?|hips?|wrists?|neck|hams(?:trings?)?)"
    r"\b)).*$",
    re.I,
)


def parse_edit(text: str) -> list[EditOp] | None:
    """Edits code can read; None when the sentence is not one of them."""
    t = " ".join(text.strip().split())
    t = _REASON_TAIL.sub("", t) or t
    if m := re.search(
        r"\b(?:make|turn|set|have)\s+weeks?\s+(\d{1,2})(?:\s*(?:and|,|-|–|to)\s*(\d{1,2}))?\s+(?:into\s+|as\s+)?(?:a\s+)?deload",
        t,
        re.I,
    ) or re.search(r"\bdeload\s+(?:in|on|for|at)?\s*weeks?\s+(\d{1,2})(?:\s*(?:and|,)\s*(\d{1,2}))?", t, re.I):
        deload_weeks = [int(m.group(1))] + ([int(m.group(2))] if m.group(2) else [])
        return [EditOp(kind="deload", weeks=deload_weeks)]
    rest, day, weeks = _extract_where(t)
    rest = _without_program_words(rest)
    if m := re.search(
        # "bump bench to 5x5", "drop squats down to 3x5", "up the rows to 4 sets of 10"
        r"\b(?:make|change|set|do|bump|up|increase|raise|lower|drop|bring|cut|take)\s+(?:the\s+)?(?P<ex>.+?)\s+"
        r"(?:up\s+|down\s+|back\s+)?(?:to\s+|into\s+)?(?P<sets>\d{1,2})\s*(?:x|×|sets? of)\s*"
        r"(?P<reps>\d{1,2}(?:-\d{1,2})?\+?)(?:\s+reps?)?$",
        rest,
        re.I,
    ):
        ex = _clean(m["ex"])
        return [EditOp(kind="set_scheme", exercise=ex, sets=int(m["sets"]), reps=m["reps"], day=day, weeks=weeks)]
    if m := re.search(
        r"\b(?:swap|replace|switch|sub(?:stitute)?|change|exchange)\s+(?:out\s+)?(?P<old>.+?)\s+(?:for|with|to|into|by)\s+(?P<new>.+)$",
        rest,
        re.I,
    ):
        return [EditOp(kind="swap", exercise=_clean(m["old"]), new_exercise=_clean(m["new"]), day=day, weeks=weeks)]
    if m := re.search(r"\b(?:remove|drop|delete|take out|cut|get rid of)\s+(?P<ex>.+?)(?:\s+out)?$", rest, re.I) or \
            re.search(r"\b(?:take|get)\s+(?P<ex>.+?)\s+(?:out|off)$", rest, re.I):  # fmt: skip
        return [EditOp(kind="remove", exercise=_clean(m["ex"]), day=day, weeks=weeks)]
    if m := re.search(
        r"\badd\s+(?:(?P<sets>\d{1,2})\s*(?:x|×|sets? of)\s*(?P<reps>\d{1,2}(?:-\d{1,2})?\+?)\s+)?"
        r"(?P<ex>.+?)(?:\s+(?:at|@)\s+(?P<load>.+))?$",
        rest,
        re.I,
    ):
        return [
            EditOp(
                kind="add",
                new_exercise=_clean(m["ex"]),
                day=day,
                weeks=weeks,
                sets=int(m["sets"]) if m["sets"] else None,
                reps=m["reps"],
                load=m["load"],
            )
        ]
    return None


EDIT_HINT = re.compile(
    r"\b(swap|replace|switch|substitute|remove|drop|delete|take out|deload|add\s+\w+.*\b(to|on)\b|"
    r"make\s+(week|the|my)|change\s+\w+)",
    re.I,
)
