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
from models.punch.features import NAMES, features
from models.punch.personal import epochs_for, fit, training_set
from models.punch.temporal import sequences, train_cnn
from striking.analyse import analyse_track
from striking.labelled import held_out, read_still_punches
from striking.track import finish_track

DATA = ROOT.parent / "shared/data"
TOL_S = 0.2
# name -> (model, share of the training weight his labels get; None = his labels only)
CANDIDATES = {"MLP, his labels only": ("mlp", None), "MLP, public + his (1:1)": ("mlp", 0.5),
              "MLP, public + his (1:4)": ("mlp", 0.8), "1D CNN, his labels only": ("cnn", None),
              "1D CNN, public + his (1:1)": ("cnn", 0.5)}  # fmt: skip
NF = len(NAMES)  # x = [features | the flattened normalised sequence], so one index picks both


class Sliced:
    """A model that reads its own part of x (the features for the MLP, the sequence for the 1D CNN)."""

    def __init__(self, kind: str, model) -> None:
        self.kind, self.model = kind, model

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(x[:, :NF] if self.kind == "mlp" else x[:, NF:].reshape(len(x), 6, -1))


def represent(windows: np.ndarray) -> np.ndarray:
    return np.concatenate([features(windows), sequences(windows).reshape(len(windows), -1)], axis=1)


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
    return represent(w.xy), w.y


def _weight(share: float | None, n_user: int, n_pub: int) -> int | None:
    from models.punch.personal import user_weight

    return None if share is None else user_weight(n_user, n_pub, share=share)


def train_candidate(name: str, xu: np.ndarray, yu: np.ndarray, xp: np.ndarray, yp: np.ndarray, seed: int,
                    members: int):  # fmt: skip
    kind, share = CANDIDATES[name]
    xpp, ypp = (xp[:0], yp[:0]) if share is None else (xp, yp)
    weight = 1 if share is None else _weight(share, len(yu), len(yp))
    if kind == "mlp":
        return Sliced(kind, fit(xu[:, :NF], yu, xpp[:, :NF], ypp, weight=weight, seed=seed, members=members))
    x, y = training_set(xu[:, NF:], yu, xpp[:, NF:], ypp, weight=weight)
    return Sliced(kind, train_cnn(x.reshape(len(x), 6, -1), y, epochs=epochs_for(len(y)), seed=seed))


def choose(xu: np.ndarray, yu: np.ndarray, xp: np.ndarray, yp: np.ndarray, seed: int,
           only: str | None = None) -> tuple[str, dict]:  # fmt: skip
    """The candidate with the best 3-fold CV accuracy inside the labelled batch (ties: the first)."""
    folds = np.arange(len(yu)) % 3
    scores = {}
    for name in (n for n in CANDIDATES if only is None or CANDIDATES[n][0] == only):
        acc = []
        for k in range(3):
            test = folds == k
            if not test.any() or test.all():
                continue
            m = train_candidate(name, xu[~test], yu[~test], xp, yp, seed, members=1)
            acc.append(np.mean(m.predict_proba(xu[test]).argmax(1) == yu[test]))
        scores[name] = float(np.mean(acc)) if acc else 0.0
    return max(scores, key=lambda n: scores[n]), scores


def shrink(m, k: int, x: np.ndarray, y: np.ndarray, seed: int):
    """Structured pruning: keep the `k` hidden units with the largest in x out weight norms (the layers really
    shrink: fewer rows and columns stored and computed), then fine-tune."""
    from models.punch.mlp import MLP, train
    from models.punch.personal import epochs_for

    score = np.linalg.norm(m.w1, axis=0) * np.linalg.norm(m.w2, axis=1)
    keep = np.sort(np.argsort(-score)[:k])
    small = MLP(m.w1[:, keep].copy(), m.b1[keep].copy(), m.w2[keep].copy(), m.b2.copy(), m.mean.copy(), m.std.copy())
    return train(small, x, y, epochs=epochs_for(len(y), 20), lr=1e-3, seed=seed + 3)


def compression(x_dev, y_dev, xp, yp, x_te, y_te, w_te, seeds: int) -> None:
    """fp32 vs int8 (PTQ and QAT) vs pruned (unstructured 70 %, and structured to half the hidden units) on
    the whole labelled pool: held-out accuracy, file size, latency per window and per minute of video."""
    import gzip
    import tempfile

    from models.punch.export import latency_ms, predict, quantize_int8, to_onnx
    from models.punch.mlp import Ensemble, prune, train
    from models.punch.personal import epochs_for, training_set

    acc: dict[str, list[float]] = {}
    size: dict[str, tuple[int, int, int]] = {}
    lat: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(seeds):
            order = np.random.default_rng(seed).permutation(len(y_dev))  # the same order as the curve's last row
            xu, yu = x_dev[order], y_dev[order]
            name, _ = choose(xu, yu, xp, yp, seed, only="mlp")
            share = CANDIDATES[name][1]
            xpp, ypp = (xp[:0], yp[:0]) if share is None else (xp, yp)
            wt = 1 if share is None else _weight(share, len(yu), len(yp))
            x, y = training_set(xu[:, :NF], yu, xpp[:, :NF], ypp, weight=wt)
            base = train_candidate(name, xu, yu, xp, yp, seed, members=3).model
            ft = epochs_for(len(y), 20)
            models = {
                "fp32": base,
                "QAT": Ensemble([train(m.copy(), x, y, epochs=ft, lr=5e-4, seed=seed + 2, qat=True)
                                 for m in base.members]),
                "pruned 70 % (unstructured)": Ensemble([train(prune(m, 0.7), x, y, epochs=ft, lr=1e-3, seed=seed + 1)
                                                        for m in base.members]),
                "pruned to 8 of 16 units (structured)": Ensemble([shrink(m, 8, x, y, seed) for m in base.members]),
            }  # fmt: skip
            paths = {k: to_onnx(m, Path(tmp) / f"{seed}-{i}.onnx") for i, (k, m) in enumerate(models.items())}
            paths["int8 (PTQ)"] = quantize_int8(paths["fp32"], Path(tmp) / f"{seed}-ptq.onnx", x[:256])
            paths["int8 (QAT)"] = quantize_int8(paths.pop("QAT"), Path(tmp) / f"{seed}-qat.onnx", x[:256])
            for k, path in paths.items():
                acc.setdefault(k, []).append(float(np.mean(predict(path, x_te[:, :NF]).argmax(1) == y_te)))
                lat.setdefault(k, []).append(latency_ms(path, x_te[:, :NF]))
                if seed == 0:
                    import onnx
                    from onnx import numpy_helper

                    raw = path.read_bytes()
                    w = [numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer
                         if t.name.startswith(("w1", "w2"))]  # fmt: skip
                    size[k] = (len(raw), len(gzip.compress(raw, 9)), int(sum(np.count_nonzero(a) for a in w)))
    t0 = time.perf_counter()
    features(w_te)
    feat_ms = (time.perf_counter() - t0) * 1000 / len(w_te)
    order = ["fp32", "int8 (PTQ)", "int8 (QAT)", "pruned 70 % (unstructured)", "pruned to 8 of 16 units (structured)"]
    fp = float(np.mean(acc["fp32"]))
    fp_lat = float(np.median(lat["fp32"]))
    ok = [k for k in order if np.mean(acc[k]) >= fp - 0.01]
    # fastest within 1 point of fp32; latencies within 5 % of the fastest are a tie, won by the smaller file
    fastest = min(float(np.median(lat[k])) for k in ok)
    serve = min((k for k in ok if np.median(lat[k]) <= fastest * 1.05), key=lambda k: size[k][0])
    print(
        f"\nCompression on the whole pool ({len(y_dev)} labels), held-out {len(y_te)} punches, {seeds} seeds; "
        f"latency = median single-window ONNX run on one thread; features cost {feat_ms:.2f} ms per window; "
        "per minute of video = 60 punches a minute x (features + model)"
    )
    print(
        "| variant | held-out type acc (min-max) | vs fp32 (points) | file (bytes) | gzip (bytes) | non-zero weights "
        "| ms / window (model) | vs fp32 | ms / minute of video | served |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k in order:
        a, m = float(np.mean(acc[k])), float(np.median(lat[k]))
        note = (
            "served: fastest within 1 point of fp32" if k == serve else ("" if k in ok else "more than 1 point worse")
        )
        if m > fp_lat * 1.05 and k != "fp32":  # within 5 % is a tie on a shared machine
            note += ("; " if note else "") + "slower than fp32"
        print(
            f"| {k} | {a:.3f} ({min(acc[k]):.3f}-{max(acc[k]):.3f}) | {(a - fp) * 100:+.1f} | {size[k][0]:,} "
            f"| {size[k][1]:,} | {size[k][2]:,} | {m:.4f} | {m / fp_lat:.2f}x | {60 * (feat_ms + m):.1f} | {note} |"
        )


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
    x_dev, y_dev = represent(np.stack([s[0] for s in dev])), np.array([s[1] for s in dev])
    x_te, y_te = represent(np.stack([s[0] for s in test])), np.array([s[1] for s in test])
    rules_app = np.array([s[2] for s in test])
    rules_win = rule_labels(np.stack([s[0] for s in test]))
    xp, yp = public_set()
    pub = [np.mean(fit(x_dev[:0, :NF], y_dev[:0], xp[:, :NF], yp, weight=1, seed=s).predict_proba(x_te[:, :NF])
                   .argmax(1) == y_te) for s in range(args.seeds)]  # fmt: skip
    base = float(np.mean(rules_app == y_te))
    print(
        f"boxer: face-on stills, {found}/{events} punches found by the pipeline; pool to label (dev) {len(dev)} "
        f"{dict(Counter(CLASSES[i] for i in y_dev))}; held-out {len(test)} {dict(Counter(CLASSES[i] for i in y_te))}"
    )
    print(f"public windows: {len(yp)} (cs229 + synthetic; none of this boxer); seeds: {args.seeds}\n")
    print(
        "| labels | held-out type accuracy, mean (min-max) | vs rules (app) | rules (app) | rules (window) "
        "| public only | best MLP (inner folds) | best 1D CNN (inner folds) | chosen on inner folds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| 0 | {np.mean(pub):.3f} ({min(pub):.3f}-{max(pub):.3f}) | {np.mean(pub) / base:.2f}x | {base:.3f} "
        f"| {np.mean(rules_win == y_te):.3f} | {np.mean(pub):.3f} | {np.mean(pub):.3f} | — | public only |"
    )
    batches = [int(v) for v in args.batches.split(",")]
    if len(y_dev) < max(batches) and len(y_dev) not in batches:  # the whole pool, where a batch asks for more
        batches = sorted([*batches, len(y_dev)])
    for b in batches:
        if b > len(y_dev):
            print(f"| {b} | not measured: the pool holds {len(y_dev)} labelled punches of this boxer | | | | | | | |")
            continue
        accs, picks, fam = [], Counter(), {"mlp": [], "cnn": []}
        for seed in range(args.seeds):
            order = np.random.default_rng(seed).permutation(len(y_dev))[:b]
            xu, yu = x_dev[order], y_dev[order]
            name, scores = choose(xu, yu, xp, yp, seed)
            picks[name] += 1
            held: dict[str, float] = {}
            for kind in fam:
                best = max((n for n in scores if CANDIDATES[n][0] == kind), key=lambda n: scores[n])
                m = train_candidate(best, xu, yu, xp, yp, seed, members=3)
                held[best] = float(np.mean(m.predict_proba(x_te).argmax(1) == y_te))
                fam[kind].append(held[best])
            accs.append(held[name])
        mean = float(np.mean(accs))
        fam_txt = " | ".join(f"{np.mean(v):.3f}" for v in fam.values())
        print(
            f"| {b} | {mean:.3f} ({min(accs):.3f}-{max(accs):.3f}) | {mean / base:.2f}x | {base:.3f} "
            f"| {np.mean(rules_win == y_te):.3f} | {np.mean(pub):.3f} | {fam_txt} | "
            + ", ".join(f"{k} x{v}" for k, v in picks.most_common())
            + " |"
        )
    compression(x_dev, y_dev, xp, yp, x_te, y_te, np.stack([s[0] for s in test]), args.seeds)
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
