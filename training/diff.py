"""What changed between two versions of a program, as rows a person can approve.

Workouts are matched by position within each week, exercises by a sequence alignment (so a swap
reads as "deadlift 3×5 → Romanian deadlift 3×5", not a removal and an addition), and identical changes
in consecutive weeks are merged ("Weeks 1–8, Thu Lower B").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from training.library import library
from training.model import Prescription, Program, Week
from training.render import table


@dataclass(frozen=True)
class Change:
    week: int
    workout: str
    kind: str  # changed | added | removed | week
    before: str
    after: str


@dataclass(frozen=True)
class ChangeRow:
    weeks: list[int]
    workout: str
    kind: str
    before: str
    after: str

    @property
    def weeks_label(self) -> str:
        w = self.weeks
        if len(w) == 1:
            return f"Week {w[0]}"
        if w == list(range(w[0], w[-1] + 1)):
            return f"Weeks {w[0]}–{w[-1]}"
        return "Weeks " + ", ".join(map(str, w))


def describe(p: Prescription, unit: str = "kg") -> str:
    ex = library().by_id.get(p.exercise)
    name = ex.name if ex else p.exercise
    return f"{name} {p.scheme()} @ {p.load.label(unit)}" + (f" [{p.group}]" if p.group else "")


def _key(p: Prescription) -> tuple:
    return (p.exercise, p.sets, p.reps, p.reps_max, p.amrap, p.load.kind, p.load.value, p.group)


def _week_label(w: Week) -> str:
    return (w.phase or "regular") + (" (deload)" if w.deload and "deload" not in w.phase.lower() else "")


def diff_programs(old: Program, new: Program, unit: str = "kg") -> list[Change]:
    out: list[Change] = []
    if old.name != new.name:
        out.append(Change(0, "", "week", f"name: {old.name}", f"name: {new.name}"))
    old_w = {w.index: w for w in old.weeks}
    new_w = {w.index: w for w in new.weeks}
    for i in sorted(set(old_w) | set(new_w)):
        a, b = old_w.get(i), new_w.get(i)
        if a is None and b is not None:
            out.append(Change(i, "", "added", "", f"week {i} ({len(b.workouts)} workouts)"))
            continue
        if b is None and a is not None:
            out.append(Change(i, "", "removed", f"week {i}", ""))
            continue
        assert a is not None and b is not None
        if _week_label(a) != _week_label(b):
            out.append(Change(i, "", "week", _week_label(a), _week_label(b)))
        for k in range(max(len(a.workouts), len(b.workouts))):
            wa = a.workouts[k] if k < len(a.workouts) else None
            wb = b.workouts[k] if k < len(b.workouts) else None
            shown = wb if wb is not None else wa
            if shown is None:  # k is below one of the two lengths
                continue
            name = f"{shown.day_label} {shown.name}".strip()
            if wa is None:
                out.append(Change(i, name, "added", "", "workout"))
                continue
            if wb is None:
                out.append(Change(i, name, "removed", "workout", ""))
                continue
            if wa.weekday != wb.weekday:
                out.append(Change(i, name, "changed", f"on {wa.day_label}", f"on {wb.day_label}"))
            pa, pb = wa.prescriptions(), wb.prescriptions()
            sm = difflib.SequenceMatcher(a=[_key(p) for p in pa], b=[_key(p) for p in pb], autojunk=False)
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                if op == "equal":
                    continue
                olds, news = pa[i1:i2], pb[j1:j2]
                for n in range(max(len(olds), len(news))):
                    po = olds[n] if n < len(olds) else None
                    pn = news[n] if n < len(news) else None
                    if po and pn:
                        out.append(Change(i, name, "changed", describe(po, unit), describe(pn, unit)))
                    elif po:
                        out.append(Change(i, name, "removed", describe(po, unit), ""))
                    elif pn:
                        out.append(Change(i, name, "added", "", describe(pn, unit)))
    return out


def compress(changes: list[Change]) -> list[ChangeRow]:
    """Merge identical changes that repeat week after week."""
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for c in changes:
        groups.setdefault((c.workout, c.kind, c.before, c.after), []).append(c.week)
    rows = [ChangeRow(sorted(set(w)), *k) for k, w in groups.items()]
    return sorted(rows, key=lambda r: (r.weeks[0], r.workout))


def diff_table(rows: list[ChangeRow], max_rows: int = 30) -> str:
    if not rows:
        return "No changes."
    body = [
        [r.weeks_label if r.weeks != [0] else "Program", r.workout or "—", r.kind, r.before or "—", r.after or "—"]
        for r in rows[:max_rows]
    ]
    more = f"\n\n…and {len(rows) - max_rows} more changes of the same kind." if len(rows) > max_rows else ""
    return table(["Weeks", "Workout", "Change", "Before", "After"], body) + more
