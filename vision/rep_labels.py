"""Rep review and what the segmentation learns from it.

The segmentation (vision.kinematics.analyse_path) calls a rise of the bar a rep when it is at least a
share of the set's tallest rise (0.5 by default). That share is the one knob a person's labels can set:
a partial rep they call "not a rep" should fall below it, a shallow rep they say was "missed" above it.
This module orders the reps for review (least sure first), scores the segmentation against the labels
(precision, recall, boundary errors) and picks the share that agrees best with them. Pure functions over
the stored analysis and label rows: no video pass, no storage.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_SHARE = 0.5  # vision.kinematics: a rep rises at least half as far as the set's tallest rise
SHARE_BOUNDS = (0.25, 0.8)  # a learned share is kept inside these: beyond them noise or a second lift counts
MIN_LABELS = 4  # fewer labels than this say too little to move the knob

LABELS = ("ok", "not_a_rep", "ends_early", "ends_late", "missed_after")
BUTTON = {
    "ok": "✓ a rep",
    "not_a_rep": "✗ not a rep",
    "ends_early": "ends too early",
    "ends_late": "ends too late",
    "missed_after": "missed one after this",
}


@dataclass(frozen=True)
class RepItem:
    """One rep of an analysis as the review shows it."""

    analysis_id: str
    number: int
    start_s: float
    end_s: float
    rom_m: float | None
    share: float | None  # rom / the set's tallest rep: how clearly this rise is a rep
    measured: bool
    sure: float  # 0..1: how far the rep is from the segmentation's threshold (lost bar: 0)
    label: str | None = None


def rep_items(analysis_id: str, result: dict[str, Any], labels: dict[int, str] | None = None) -> list[RepItem]:
    """The analysis' reps (measured or not) with a certainty each, in rep order."""
    reps = result.get("reps") or []
    roms = [r.get("rom_m") for r in reps if r.get("rom_m")]
    tallest = max(roms) if roms else None
    labels = labels or {}
    items = []
    for r in reps:
        rom = r.get("rom_m")
        share = rom / tallest if rom and tallest else None
        measured = bool(r.get("measured", r.get("mcv") is not None))
        sure = 0.0 if share is None or not measured else min(1.0, abs(share - DEFAULT_SHARE) / DEFAULT_SHARE)
        items.append(RepItem(analysis_id, int(r["number"]), float(r["start_t"]), float(r["end_t"]), rom, share,
                             measured, round(sure, 3), labels.get(int(r["number"]))))  # fmt: skip
    return items


def review_order(items: Sequence[RepItem]) -> list[RepItem]:
    """Least sure first (a lost bar, a rise near the threshold), then in rep order."""
    return sorted(items, key=lambda i: (i.sure, i.number))


def missed_share(result: dict[str, Any], after_rep: int) -> float | None:
    """The share of the largest rise of the stored bar path between rep `after_rep` and the next one (or
    the end): the rep the person says was missed, measured on the same trace the segmentation saw."""
    path = result.get("bar_path_m") or {}
    t, y = np.asarray(path.get("t") or [], float), np.asarray(path.get("y") or [], float)
    reps = result.get("reps") or []
    roms = [r["rom_m"] for r in reps if r.get("rom_m")]
    if len(t) < 3 or not roms:
        return None
    ends = {int(r["number"]): float(r["end_t"]) for r in reps}
    starts = sorted(float(r["start_t"]) for r in reps)
    lo = ends.get(after_rep, 0.0)
    hi = next((s for s in starts if s > lo), float(t[-1]))
    seg = y[(t >= lo) & (t <= hi)]
    if len(seg) < 3:
        return None
    low_before = np.minimum.accumulate(seg)
    return float(np.max(seg - low_before) / max(roms))


@dataclass(frozen=True)
class Example:
    """A labelled rise: its share of the set's tallest and whether the person says it is a rep."""

    share: float
    is_rep: bool


def examples(rows: Iterable[tuple[str, dict[str, Any]]]) -> list[Example]:
    """(label, features) rows → the examples the threshold learns from. Boundary labels ("ends too early")
    say it is a rep whose ends are off: a rep for the threshold."""
    out = []
    for label, features in rows:
        share = features.get("share")
        if share is None:
            continue
        out.append(Example(float(share), label != "not_a_rep"))
    return out


def learn_share(exs: Sequence[Example], default: float = DEFAULT_SHARE) -> float | None:
    """The threshold share that misclassifies the fewest labelled rises (ties: the one nearest the
    default). None when the labels cannot move it: too few, or no rise was called "not a rep" or
    "missed" (all agreement with the default)."""
    if len(exs) < MIN_LABELS:
        return None
    lo, hi = SHARE_BOUNDS
    # Thresholds halfway between neighbouring labelled shares (and the bounds): the widest margin on both
    # sides, so the same rise measured a little differently next time still lands on the same side.
    edges = sorted({lo, hi, *(min(hi, max(lo, e.share)) for e in exs)})
    candidates = {default, *((a + b) / 2 for a, b in itertools.pairwise(edges))}

    def errors(c: float) -> int:
        return sum((e.share >= c) != e.is_rep for e in exs)

    best = min(candidates, key=lambda c: (errors(c), abs(c - default)))
    if errors(best) >= errors(default):
        return None
    return round(best, 3)


@dataclass(frozen=True)
class RepScore:
    """The segmentation against the person's labels on the reps they reviewed."""

    reviewed: int
    right: int  # "a rep" with its ends right
    not_a_rep: int
    boundary: int  # ends too early / too late
    missed: int

    @property
    def precision(self) -> float | None:
        found = self.right + self.boundary + self.not_a_rep
        return (self.right + self.boundary) / found if found else None

    @property
    def recall(self) -> float | None:
        real = self.right + self.boundary + self.missed
        return (self.right + self.boundary) / real if real else None


def score(labels: Iterable[str]) -> RepScore:
    labels = list(labels)
    return RepScore(
        reviewed=sum(lab != "missed_after" for lab in labels),
        right=labels.count("ok"),
        not_a_rep=labels.count("not_a_rep"),
        boundary=labels.count("ends_early") + labels.count("ends_late"),
        missed=labels.count("missed_after"),
    )
