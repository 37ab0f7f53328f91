"""The learning curve an athlete will see (issue 17): one boxer labels his own punches in batches and we
score type accuracy on his held-out punches after each batch, against the rules in the same run.

The boxer: the face-on boxing-action stills (one person, 89 punch stills: straight 27, hook 41, uppercut
21), each turned into a guard → punch → guard sequence (striking.labelled.read_still_punches). Like the
app, the pipeline finds the punches (striking.analyse.analyse_track) and the athlete labels what it found:
a sample is the keypoint window at a found punch with the still's true type. Split: the fixed every-3rd
rule of bench/striking_accuracy.py (held-out stills are never labelled, never used for a choice).

Per seed the labelling order is shuffled; after 10, 20, 40, … labels the model is chosen ON INNER FOLDS OF
THE LABELLED BATCH ONLY (3-fold CV accuracy) among: his labels alone; public + his labels at half the
weight; public + his labels at 80 % of the weight (public = the cs229 broadcast windows + the project's
synthetic windows: other people, never these stills), then trained on the whole batch and scored on the
held-out punches. Seeds averaged (mean, min-max).

Baselines in the same run: the rules as the app types (the pipeline on the whole sequence), the rules on
the window alone (models.punch.baseline), and the public-only model (0 labels).

    uv run python bench/punch_learning_curve.py [--seeds 5] [--batches 10,20,40,80]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.punch import CLASSES
from models.punch.baseline import rule_labels
from models.punch.classifier import window_at
from models.punch.features import features
from models.punch.personal import fit
from striking.analyse import analyse_track
from striking.labelled import held_out, read_still_punches
from striking.track import finish_track

DATA = ROOT.parent / "shared/data"
TOL_S = 0.2
CANDIDATES = {"his labels only": None, "public + his (1:1)": 0.5, "public + his (1:4)": 0.8}


def boxer_samples() -> tuple[dict[str, list], int, int]:
    """{'dev'|'held-out': [(window, truth index, rules' index)]}, events, found."""
    items = read_still_punches(DATA / "keypoints/boxing-action-stills/keypoints_data.json")
    out: dict[str, list] = {"dev": [], "held-out": []}
    events = found = 0
    for i, item in enumerate(items):
        part = "held-out" if held_out(i, len(items)) else "dev"
        track = finish_track(item.t, item.xy.copy(), item.conf, item.width, item.height)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            punches = analyse_track(track).punches
        for e in item.events:
            events += 1
            cands = [p for p in punches if e.t0 - TOL_S <= p.t_peak <= e.t1 + TOL_S]
            if not cands:
                continue
            found += 1
            p = min(cands, key=lambda p: abs(p.t_peak - (e.t0 + e.t1) / 2))
            out[part].append((window_at(track.t, track.xy, p.t_peak), CLASSES.index(e.shape), CLASSES.index(p.shape)))
    return out, events, found


def public_set() -> tuple[np.ndarray, np.ndarray]:
    from models.punch.dataset import Windows, load_cs229
    from models.punch.synthetic import synthetic_windows

    parts = [synthetic_windows(60, 0)]
    if (DATA / "keypoints/cs229").is_dir():
        parts.append(load_cs229(DATA / "keypoints/cs229"))
    w = Windows.concat(parts)
    return features(w.xy), w.y


def _weight(share: float | None, n_user: int, n_pub: int) -> int | None:
    from models.punch.personal import user_weight

    return None if share is None else user_weight(n_user, n_pub, share=share)


def train_candidate(name: str, xu: np.ndarray, yu: np.ndarray, xp: np.ndarray, yp: np.ndarray, seed: int,
                    members: int):  # fmt: skip
    share = CANDIDATES[name]
    if share is None:
        return fit(xu, yu, xp[:0], yp[:0], weight=1, seed=seed, members=members)
    return fit(xu, yu, xp, yp, weight=_weight(share, len(yu), len(yp)), seed=seed, members=members)


def choose(xu: np.ndarray, yu: np.ndarray, xp: np.ndarray, yp: np.ndarray, seed: int) -> tuple[str, dict]:
    """The candidate with the best 3-fold CV accuracy inside the labelled batch (ties: the first)."""
    folds = np.arange(len(yu)) % 3
    scores = {}
    for name in CANDIDATES:
        acc = []
        for k in range(3):
            test = folds == k
            if not test.any() or test.all():
                continue
            m = train_candidate(name, xu[~test], yu[~test], xp, yp, seed, members=1)
            acc.append(np.mean(m.predict_proba(xu[test]).argmax(1) == yu[test]))
        scores[name] = float(np.mean(acc)) if acc else 0.0
    return max(scores, key=lambda n: scores[n]), scores


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--batches", default="10,20,40,80")
    args = ap.parse_args()
    if not (DATA / "keypoints/boxing-action-stills").is_dir():
        print(f"not measured: {DATA}/keypoints/boxing-action-stills is absent")
        return
    t0 = time.perf_counter()
    samples, events, found = boxer_samples()
    dev, test = samples["dev"], samples["held-out"]
    x_dev, y_dev = features(np.stack([s[0] for s in dev])), np.array([s[1] for s in dev])
    x_te, y_te = features(np.stack([s[0] for s in test])), np.array([s[1] for s in test])
    rules_app = np.array([s[2] for s in test])
    rules_win = rule_labels(np.stack([s[0] for s in test]))
    xp, yp = public_set()
    pub = [np.mean(fit(x_dev[:0], y_dev[:0], xp, yp, weight=1, seed=s).predict_proba(x_te).argmax(1) == y_te)
           for s in range(args.seeds)]  # fmt: skip
    base = float(np.mean(rules_app == y_te))
    print(
        f"boxer: face-on stills, {found}/{events} punches found by the pipeline; pool to label (dev) {len(dev)} "
        f"{dict(Counter(CLASSES[i] for i in y_dev))}; held-out {len(test)} {dict(Counter(CLASSES[i] for i in y_te))}"
    )
    print(f"public windows: {len(yp)} (cs229 + synthetic; none of this boxer); seeds: {args.seeds}\n")
    print(
        "| labels | held-out type accuracy, mean (min-max) | vs rules (app) | rules (app) | rules (window) "
        "| public only | chosen on inner folds |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| 0 | {np.mean(pub):.3f} ({min(pub):.3f}-{max(pub):.3f}) | {np.mean(pub) / base:.2f}x | {base:.3f} "
        f"| {np.mean(rules_win == y_te):.3f} | {np.mean(pub):.3f} | public only |"
    )
    batches = [int(v) for v in args.batches.split(",")]
    if len(y_dev) < max(batches) and len(y_dev) not in batches:  # the whole pool, where a batch asks for more
        batches = sorted([*batches, len(y_dev)])
    for b in batches:
        if b > len(y_dev):
            print(f"| {b} | not measured: the pool holds {len(y_dev)} labelled punches of this boxer | | | | | |")
            continue
        accs, picks = [], Counter()
        for seed in range(args.seeds):
            order = np.random.default_rng(seed).permutation(len(y_dev))[:b]
            xu, yu = x_dev[order], y_dev[order]
            name, _scores = choose(xu, yu, xp, yp, seed)
            picks[name] += 1
            m = train_candidate(name, xu, yu, xp, yp, seed, members=3)
            accs.append(float(np.mean(m.predict_proba(x_te).argmax(1) == y_te)))
        mean = float(np.mean(accs))
        print(
            f"| {b} | {mean:.3f} ({min(accs):.3f}-{max(accs):.3f}) | {mean / base:.2f}x | {base:.3f} "
            f"| {np.mean(rules_win == y_te):.3f} | {np.mean(pub):.3f} | "
            + ", ".join(f"{k} x{v}" for k, v in picks.most_common())
            + " |"
        )
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
