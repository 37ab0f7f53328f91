"""Striking lab accuracy over every labelled source the team has, split into dev and held-out parts.

Per source and part: punch events found (recall), detections that are real punches (precision), type
(straight / hook / uppercut) and side (which arm) accuracy over the found punches, with counts.

Split rule (fixed, never tuned): within each source, items sorted by id, every 3rd (index 2, 5, …) is
HELD OUT; a source with fewer than 3 items holds out its last. cs229 is split by video (3 videos: the
third, spencer_crawford, is held out). Only the dev part may be looked at when tuning; held-out
figures are the ones to quote.

Sources (../shared/data, see SOURCES.md):
- jab clips (video, BlazePose full; needs `powerforge models pull blazepose-full`): one jab each;
- cs229 broadcast windows chained back into per-person tracks (15 fps), events = runs of punch windows;
- shadow-boxer hooks: 23 clips of other people, each "hook" as a whole: recall = clips that yield at
  least one punch, type = share of their punches typed hook, precision not measurable (no counts);
- boxing-action stills: a face-on boxer's guard still moved to each punch still and back (type, side);
- guard-only: the same boxer standing in guard for 10 s with detector noise (every detection is a phantom);
- variants of the keypoint sources: mirror (sides swap), 2x speed, 15 fps.

    uv run python bench/striking_accuracy.py [--out /tmp/striking.txt] [--no-video]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from striking.analyse import analyse_track
from striking.labelled import (
    Labelled,
    faster,
    guard_only,
    held_out,
    lower_rate,
    mirror,
    read_cs229,
    read_hooks,
    read_still_punches,
)
from striking.track import finish_track

DATA = ROOT.parent / "shared/data"
TOL_S = 0.2  # a detection matches an event when its landing time is within the event's span ± this


@dataclass
class Score:
    items: int = 0
    events: int = 0
    found: int = 0
    detections: int = 0
    true_detections: int = 0
    typed: int = 0
    type_ok: int = 0
    sided: int = 0
    side_ok: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, o: Score) -> None:
        for k in ("items", "events", "found", "detections", "true_detections", "typed", "type_ok", "sided", "side_ok"):
            setattr(self, k, getattr(self, k) + getattr(o, k))


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f} ({a}/{b})" if b else "—"


def score_item(item: Labelled, punches: list) -> Score:
    s = Score(items=1)
    if item.clip_shape is not None:  # whole-clip label: at least one punch, mostly of this shape
        s.events, s.found = 1, int(bool(punches))
        s.typed, s.type_ok = len(punches), sum(p.shape == item.clip_shape for p in punches)
        return s
    s.events, s.detections = len(item.events), len(punches)
    used: set[int] = set()
    for e in item.events:
        cands = [i for i, p in enumerate(punches) if i not in used and e.t0 - TOL_S <= p.t_peak <= e.t1 + TOL_S]
        if not cands:
            continue
        mid = (e.t0 + e.t1) / 2
        i = min(cands, key=lambda i: abs(punches[i].t_peak - mid))
        used.add(i)
        p = punches[i]
        s.found += 1
        if e.shape is not None:
            s.typed += 1
            s.type_ok += p.shape == e.shape
        if e.hand is not None:
            s.sided += 1
            s.side_ok += p.hand == e.hand
    s.true_detections = len(used)
    return s


WARNINGS: list[str] = []


TYPE_SAMPLES: list[tuple[str, str, np.ndarray, int, int]] = []  # (source, part, window, truth, rules' shape)


def collect_type_samples(source: str, part: str, item: Labelled, track, punches: list) -> None:
    """Windows at found punches with a known shape, for the rules-vs-model type comparison."""
    from models.punch import CLASSES
    from models.punch.classifier import window_at

    for p in punches:
        truth = item.clip_shape
        if truth is None:
            ev = [e for e in item.events if e.t0 - TOL_S <= p.t_peak <= e.t1 + TOL_S and e.shape]
            truth = ev[0].shape if ev else None
        if truth is None:
            continue
        w = window_at(track.t, track.xy, p.t_peak)
        TYPE_SAMPLES.append((source, part, w, CLASSES.index(truth), CLASSES.index(p.shape)))


def type_model_vs_rules() -> list[str]:
    """The model (models/punch: features + MLP ensemble, as `powerforge models train punch-classifier`
    builds it) trained on the dev parts' found punches only, against the rules, on the held-out parts."""
    from models.punch import CLASSES
    from models.punch.features import features
    from models.punch.mlp import MLP, Ensemble, train

    dev = [s for s in TYPE_SAMPLES if s[1] == "dev"]
    out = [s for s in TYPE_SAMPLES if s[1] == "held-out"]
    if len({s[3] for s in dev}) < 2 or not out:
        return ["type step: too few typed punches to compare a model with the rules"]
    x = features(np.stack([s[2] for s in dev]))
    y = np.array([s[3] for s in dev])
    nets = [train(MLP.init(x, len(CLASSES), 16, seed), x, y, epochs=80, seed=seed) for seed in (0, 10, 20)]
    model = Ensemble(nets)
    lines = [
        "type step on held-out found punches (model trained on the dev parts' found punches only):",
        f"{'source':34} {'n':>4} {'rules':>7} {'model':>7}",
    ]
    for source in sorted({s[0] for s in out}):
        part = [s for s in out if s[0] == source]
        probs = model.predict_proba(features(np.stack([s[2] for s in part])))[:, 1:]
        pred = probs.argmax(1) + 1
        truth = np.array([s[3] for s in part])
        rules = np.array([s[4] for s in part])
        lines.append(f"{source:34} {len(part):4d} {np.mean(rules == truth):7.2f} {np.mean(pred == truth):7.2f}")
    return lines


def analyse(item: Labelled, source: str = "", part: str = "") -> list:
    track = finish_track(item.t, item.xy.copy(), item.conf, item.width, item.height)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            punches = analyse_track(track).punches
        except ValueError:  # nobody visible
            punches = []
        WARNINGS.extend(f"{w.filename.split('/')[-1]}:{w.lineno}: {w.message}" for w in caught)
    if source:
        collect_type_samples(source, part, item, track, punches)
    return punches


PHANTOMS: dict[str, Counter[str]] = {}  # source -> kind of unmatched detection -> count, dev parts only


def sort_phantoms(source: str, item: Labelled, punches: list) -> None:
    """What the detections that match no labelled punch are, on the dev part (read to find classes of miss):
    the precision column's misses, sorted by where they sit against the labels."""
    if source == "guard":
        return
    used: set[int] = set()  # the same one-detection-per-punch matching as score_item
    for e in item.events:
        cands = [i for i, p in enumerate(punches) if i not in used and e.t0 - TOL_S <= p.t_peak <= e.t1 + TOL_S]
        if cands:
            used.add(min(cands, key=lambda i: abs(punches[i].t_peak - (e.t0 + e.t1) / 2)))
    for i, p in enumerate(punches):
        if i in used:
            continue
        if any(e.t0 - TOL_S <= p.t_peak <= e.t1 + TOL_S for e in item.events):
            kind = "a second detection within one labelled punch"
        elif not item.events:
            kind = "on a track with no labelled punch at all"
        elif any(0 < p.t_peak - e.t1 <= 0.5 for e in item.events):
            kind = "within 0.5 s after a labelled punch"
        elif any(0 < e.t0 - p.t_peak <= 0.5 for e in item.events):
            kind = "within 0.5 s before a labelled punch"
        else:
            kind = "away from labelled punches"
        if p.t_return is None:
            kind += ", no return seen"
        PHANTOMS.setdefault(source, Counter())[kind] += 1


def run_source(name: str, items: list[Labelled], variant: Callable[[Labelled], Labelled] | None = None,
               split_by_group: bool = False) -> dict[str, Score]:  # fmt: skip
    parts = {"dev": Score(), "held-out": Score()}
    groups = sorted({it.group for it in items}) if split_by_group else None
    for i, it in enumerate(items):
        out = held_out(groups.index(it.group), len(groups)) if groups is not None else held_out(i, len(items))
        x = variant(it) if variant else it
        part = "held-out" if out else "dev"
        punches = analyse(x, name if variant is None else "", part)
        parts[part].add(score_item(x, punches))
        if variant is None and part == "dev" and x.clip_shape is None and x.events is not None:
            sort_phantoms(name, x, punches)
    return parts


def video_source() -> dict[str, Score] | str:
    import json

    from models.manifest import ModelMissing
    from models.pose import get_backend
    from powerforge.config import Settings
    from striking.analyse import analyse_video

    try:
        backend_factory = Settings()
        get_backend("blazepose", backend_factory).close()
    except ModelMissing as e:
        return f"not measured: {e}"
    labels = json.loads((DATA / "labels.json").read_text())
    clips = ["jab_clearBG.mp4", "jab2_clearBG.mp4"]
    parts = {"dev": Score(), "held-out": Score()}
    for i, clip in enumerate(clips):
        truth = labels[f"media/boxing/{clip}"]["punches"]
        backend = get_backend("blazepose", backend_factory)
        try:
            report, _ = analyse_video(DATA / "media/boxing" / clip, backend)
        finally:
            backend.close()
        s = Score(items=1, events=len(truth), detections=len(report.punches))
        s.found = s.true_detections = min(len(truth), len(report.punches))
        kinds = [p.kind for p in report.punches]
        s.typed = s.found
        s.type_ok = sum(1 for k in truth if k in kinds)
        parts["held-out" if held_out(i, len(clips)) else "dev"].add(s)
    return parts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path)
    ap.add_argument("--no-video", action="store_true")
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"needs {DATA} (../shared/data)")
    kp = DATA / "keypoints"
    stills_path = kp / "boxing-action-stills/keypoints_data.json"
    cs229, short = read_cs229(kp / "cs229")
    hooks = read_hooks(kp / "shadow-boxer-hooks")
    stills = read_still_punches(stills_path)
    guard = [guard_only(stills_path, seed=s) for s in range(3)]
    rows: list[tuple[str, dict[str, Score] | str]] = []
    if not args.no_video:
        rows.append(("jab clips (video, BlazePose)", video_source()))
    rows += [
        ("cs229 (broadcast, by video)", run_source("cs229", cs229, split_by_group=True)),
        ("shadow-boxer hooks (clip-level)", run_source("hooks", hooks)),
        ("stills face-on (guard->punch)", run_source("stills", stills)),
        ("guard only (no punch, phantoms)", run_source("guard", guard)),
        ("hooks x mirror", run_source("hooks", hooks, mirror)),
        ("hooks x 2 speed", run_source("hooks", hooks, faster)),
        ("hooks x 15 fps", run_source("hooks", hooks, lower_rate)),
        ("stills x mirror", run_source("stills", stills, mirror)),
        ("stills x 2 speed", run_source("stills", stills, faster)),
        ("stills x 15 fps", run_source("stills", stills, lower_rate)),
        ("cs229 x mirror", run_source("cs229", cs229, mirror, split_by_group=True)),
    ]
    head = f"{'source':34} {'part':9} {'items':>5} {'recall':>16} {'precision':>16} {'type acc':>16} {'side acc':>16}"
    lines = [head, "-" * len(head)]
    for name, parts in rows:
        if isinstance(parts, str):
            lines.append(f"{name:34} {parts}")
            continue
        for part, s in parts.items():
            if not s.items:
                continue
            prec = "n/a (no counts)" if "hooks" in name else _ratio(s.true_detections, s.detections)
            if name.startswith("guard only"):
                prec = f"{s.detections} phantom(s)"
            lines.append(f"{name:34} {part:9} {s.items:5d} {_ratio(s.found, s.events):>16} {prec:>16} "
                         f"{_ratio(s.type_ok, s.typed):>16} {_ratio(s.side_ok, s.sided):>16}")  # fmt: skip
    lines.append("")
    lines.append(f"cs229: {short} punch windows sit in person chains shorter than 1 s and are left out.")
    lines.append("hooks: recall = clips with at least one punch; type acc = share of their punches typed hook.")
    for source, kinds in PHANTOMS.items():
        lines.append(f"{source} dev part, detections matching no labelled punch ({sum(kinds.values())}):")
        lines += [f"  {n:3d}  {k}" for k, n in kinds.most_common()]
    lines.append("")
    lines += type_model_vs_rules()
    lines.append(
        f"warnings raised inside the analysis: {len(WARNINGS)}"
        + (f" (e.g. {sorted(set(WARNINGS))[:3]})" if WARNINGS else "")
    )
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
