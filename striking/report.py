"""The round report: counts by type, punches per minute, combinations, stance and habits.

Everything here is arithmetic on detected punches; words for the user are rendered by code in
`markdown()` so the numbers the user reads are never written by the language model.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from striking.habits import Habits
from striking.punches import KIND_LABEL, KINDS, Punch

COMBO_GAP_S = 1.0
VIEW_WORDS = {
    "front": "face-on",
    "oblique": "three-quarter",
    "side": "side-on",
    "unknown": "view not measurable (hips out of frame)",
}


@dataclass
class Combo:
    start_s: float
    end_s: float
    punches: list[int]  # punch indices (1-based)
    sequence: str  # "jab - cross - lead hook"


@dataclass
class RoundReport:
    duration_s: float
    active_s: float  # time the athlete was in frame
    stance: str
    stance_source: str
    punches: list[Punch]
    combos: list[Combo]
    habits: Habits
    classifier: str  # "rules" or the model's name
    notes: list[str] = field(default_factory=list)
    view: str = ""  # how the camera saw the athlete: front | oblique | side | unknown
    view_ratio: float | None = None  # shoulder width / torso length it was judged from
    athlete: str = ""  # how the athlete was chosen among several people ("" when alone)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(p.kind for p in self.punches)
        return {k: c.get(k, 0) for k in KINDS}

    @property
    def targets(self) -> dict[str, int]:
        c = Counter(p.target for p in self.punches)
        return {"head": c.get("head", 0), "body": c.get("body", 0)}

    @property
    def per_minute(self) -> float | None:
        return len(self.punches) / self.active_s * 60 if self.active_s >= 1.0 else None

    def to_dict(self) -> dict:
        return {
            "duration_s": round(self.duration_s, 2),
            "active_s": round(self.active_s, 2),
            "stance": self.stance,
            "stance_source": self.stance_source,
            "punch_count": len(self.punches),
            "counts": self.counts,
            "targets": self.targets,
            "punches_per_minute": None if self.per_minute is None else round(self.per_minute, 1),
            "punches": [_round(p.to_dict()) for p in self.punches],
            "combos": [asdict(c) for c in self.combos],
            "habits": _round(self.habits.to_dict()),
            "classifier": self.classifier,
            "view": self.view,
            "view_ratio": None if self.view_ratio is None else round(self.view_ratio, 2),
            "athlete": self.athlete,
            "notes": self.notes,
        }


def _round(d: dict) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in d.items()}


def find_combos(punches: list[Punch], gap_s: float = COMBO_GAP_S) -> list[Combo]:
    """Runs of punches that land within `gap_s` of the previous one (two or more punches)."""
    combos: list[Combo] = []
    run: list[Punch] = []
    for p in sorted(punches, key=lambda p: p.t_peak):
        if run and p.t_peak - run[-1].t_peak > gap_s:
            if len(run) >= 2:
                combos.append(_combo(run))
            run = []
        run.append(p)
    if len(run) >= 2:
        combos.append(_combo(run))
    return combos


def _combo(run: list[Punch]) -> Combo:
    return Combo(run[0].t_peak, run[-1].t_peak, [p.index for p in run], " - ".join(p.label for p in run))


def mmss(seconds: float) -> str:
    m, s = divmod(max(0.0, seconds), 60)
    return f"{int(m)}:{s:04.1f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f} %"


def _sec(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f} s"


def _basis(share: float | None) -> str:
    """Which part of the clip a guard figure rests on, when it is not all of it."""
    if share is None or share >= 0.95:
        return ""
    return f" (measured on the {share * 100:.0f} % of frames where your hands and head were visible)"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 punch', '3 punches': the count with its noun agreeing (a reply about one punch said '1 punches')."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _checked(checked: int, n: int) -> str:
    return f" ({checked} of {n} could be checked)" if n and checked < n else ""


def markdown(report: RoundReport) -> str:
    """The report as the user reads it (tables rendered by code)."""
    lines = [f"**Round: {counted(len(report.punches), 'punch', 'punches')} in {mmss(report.active_s)}**"
             + (f" ({report.per_minute:.0f} per minute)" if report.per_minute is not None else ""),
             f"Stance: {report.stance} ({report.stance_source}). Typed by: {report.classifier}."
             + (f" Camera: {VIEW_WORDS.get(report.view, report.view)}." if report.view else ""), ""]  # fmt: skip
    if report.punches:
        lines += ["| punch | count |", "|---|---|"]
        lines += [f"| {KIND_LABEL[k]} | {n} |" for k, n in report.counts.items() if n]
        t = report.targets
        lines += [f"| to the body | {t['body']} |", ""]
        lines += ["| # | time | hand | punch | return to guard |", "|---|---|---|---|---|"]
        lines += [
            f"| {p.index} | {mmss(p.t_peak)} | {p.hand} | {p.label} | {_sec(p.return_s)} |" for p in report.punches
        ]
        lines.append("")
    if report.combos:
        lines += ["**Combinations**", ""]
        lines += [f"- {mmss(c.start_s)}: {c.sequence}" for c in report.combos]
        lines.append("")
    h = report.habits
    n = len(report.punches)
    lines += [
        "| habit | value |", "|---|---|",
        f"| guard down (either hand) | {_pct(h.guard_down_share)} of the time{_basis(h.guard_basis_share)} |",
        f"| left hand down | {_pct(h.guard_down_share_left)} |",
        f"| right hand down | {_pct(h.guard_down_share_right)} |",
        f"| return to guard, left | {_sec(h.return_s_left)} |",
        f"| return to guard, right | {_sec(h.return_s_right)} |",
        f"| other hand drops during a punch | {_pct(h.other_hand_drop_share)} of punches |",
        f"| chin exposed during a punch | {_pct(h.chin_exposed_share)} of punches{_checked(h.chin_checked, n)} |",
        f"| telegraphed (wind-up) | {_pct(h.telegraph_share)} of punches{_checked(h.telegraph_checked, n)} |",
    ]  # fmt: skip
    for note in report.notes:
        lines.append(f"\n_{note}_")
    return "\n".join(lines)


def summary(report: RoundReport) -> str:
    """Facts for the model to talk about (short, numbers already computed)."""
    counts = ", ".join(counted(n, KIND_LABEL[k], KIND_LABEL[k] + ("es" if k == "cross" else "s"))
                       for k, n in report.counts.items() if n) or "no punches"  # fmt: skip
    ppm = f", {report.per_minute:.0f} per minute" if report.per_minute is not None else ""
    h = report.habits
    return (f"{counted(len(report.punches), 'punch', 'punches')} ({counts}){ppm}; "
            f"{counted(len(report.combos), 'combination')}; stance "
            f"{report.stance}; guard down {_pct(h.guard_down_share)} of the time; other hand dropped on "
            f"{_pct(h.other_hand_drop_share)} of punches.") + "".join(" " + n for n in report.notes)  # fmt: skip
