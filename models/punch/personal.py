"""The athlete's own punch model: trained on their labelled windows plus the shared public sets (their
windows weighted up), scored leave-one-session-out against the rules and the previous model, served only
when it is better held-out, with the previous versions kept for a roll-back.

Layout under `<models_dir>/punch-classifier/users/<account_id>/`: one folder per version (`v1`, `v2`, …)
holding `fp32.onnx`, `int8.onnx` and `report.json`, and `served.json` (the served version and the ones
served before it, newest last). The held-out score of a version is measured on rounds its fold never saw;
the previous model is compared on rounds labelled after it was trained (the only ones it never saw).
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from models.punch import CLASSES, MODEL_NAME, WINDOW
from models.punch.baseline import rule_labels
from models.punch.dataset import DatasetError, Windows
from models.punch.features import features
from models.punch.mlp import MLP, Ensemble, macro_f1, train

Progress = Callable[[float, str], None]
MIN_LABELS_PER_TYPE = 20  # below this a type is named as needing labels


@dataclass
class UserWindows:
    xy: np.ndarray  # (n, 6, 17, 2) pixels
    y: np.ndarray  # (n,) index into CLASSES
    session: np.ndarray  # (n,) round id: the held-out unit

    def __len__(self) -> int:
        return len(self.y)


def user_windows(rows: list[tuple[list, str, str]]) -> UserWindows:
    """(window, shape, session id) rows → arrays; rows without a usable window or class are left out."""
    xy, y, s = [], [], []
    for window, shape, session in rows:
        if window is None or shape not in CLASSES:
            continue
        arr = np.asarray(window, np.float32)
        if arr.shape == (WINDOW, 17, 2):
            xy.append(np.nan_to_num(arr))
            y.append(CLASSES.index(shape))
            s.append(session)
    if not y:
        return UserWindows(np.zeros((0, WINDOW, 17, 2), np.float32), np.zeros(0, int), np.zeros(0, object))
    return UserWindows(np.asarray(xy), np.asarray(y, int), np.asarray(s, object))


def user_weight(n_user: int, n_public: int, share: float = 0.5, cap: int = 30) -> int:
    """How many times each of the athlete's windows is repeated so they carry about `share` of the training
    weight against the public windows (at least once, at most `cap`)."""
    if n_user == 0 or n_public == 0:
        return 1
    return int(np.clip(round(share / (1 - share) * n_public / n_user), 1, cap))


def training_set(x_user: np.ndarray, y_user: np.ndarray, x_pub: np.ndarray, y_pub: np.ndarray, *,
                 weight: int | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Public windows plus the athlete's repeated `weight` times (default: `user_weight`)."""
    w = user_weight(len(y_user), len(y_pub)) if weight is None else weight
    x = np.concatenate([x_pub, np.repeat(x_user, w, axis=0)]) if len(x_pub) else np.repeat(x_user, w, axis=0)
    y = np.concatenate([y_pub, np.repeat(y_user, w)]) if len(y_pub) else np.repeat(y_user, w)
    return x, y


def epochs_for(n: int, epochs: int = 60) -> int:
    """Repeating small sets makes an epoch few steps: scale epochs so the work is about constant."""
    return int(np.clip(epochs * 1500 / max(n, 1), 20, 300))


def fit(x_user: np.ndarray, y_user: np.ndarray, x_pub: np.ndarray, y_pub: np.ndarray, *, weight: int | None = None,
        seed: int = 0, members: int = 3, hidden: int = 16, epochs: int = 60) -> Ensemble:  # fmt: skip
    """An MLP ensemble on public + repeated user windows (the per-user weighting)."""
    x, y = training_set(x_user, y_user, x_pub, y_pub, weight=weight)
    ep = epochs_for(len(y), epochs)
    return Ensemble([train(MLP.init(x, len(CLASSES), hidden, seed + 10 * i), x, y, epochs=ep, seed=seed + 10 * i)
                     for i in range(members)])  # fmt: skip


def metrics(y: np.ndarray, pred: np.ndarray, *, seed: int = 0, n_boot: int = 1000) -> dict:
    """Accuracy with a 95 % bootstrap interval (over windows), macro-F1, per-class precision/recall/counts."""
    rng = np.random.default_rng(seed)
    n = len(y)
    correct = (y == pred).astype(float)
    boots = correct[rng.integers(0, n, (n_boot, n))].mean(1) if n else np.zeros(1)
    per = {}
    for i, c in enumerate(CLASSES):
        tp, support, predicted = int(np.sum((pred == i) & (y == i))), int(np.sum(y == i)), int(np.sum(pred == i))
        per[c] = {"precision": round(tp / predicted, 3) if predicted else None,
                  "recall": round(tp / support, 3) if support else None,
                  "support": support, "predicted": predicted}  # fmt: skip
    return {"windows": n, "accuracy": round(float(correct.mean()), 3) if n else None,
            "ci95": [round(float(np.percentile(boots, 2.5)), 3), round(float(np.percentile(boots, 97.5)), 3)],
            "macro_f1": round(macro_f1(y, pred, len(CLASSES)), 3), "per_class": per}  # fmt: skip


def diff_ci(y: np.ndarray, a: np.ndarray, b: np.ndarray, *, seed: int = 0, n_boot: int = 1000) -> list[float]:
    """95 % bootstrap interval of accuracy(a) - accuracy(b) on the same windows."""
    rng = np.random.default_rng(seed)
    d = (y == a).astype(float) - (y == b).astype(float)
    boots = d[rng.integers(0, len(d), (n_boot, len(d)))].mean(1)
    return [round(float(np.percentile(boots, 2.5)), 3), round(float(np.percentile(boots, 97.5)), 3)]


def user_dir(models_dir: Path, account_id: int) -> Path:
    return Path(models_dir) / MODEL_NAME / "users" / str(account_id)


def served(models_dir: Path, account_id: int) -> dict:
    p = user_dir(models_dir, account_id) / "served.json"
    return json.loads(p.read_text()) if p.is_file() else {"version": None, "history": []}


def _write_served(models_dir: Path, account_id: int, state: dict) -> None:
    p = user_dir(models_dir, account_id) / "served.json"
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(p)


def served_model(models_dir: Path, account_id: int) -> tuple[Path, str] | None:
    """(ONNX path, name) of the athlete's served model, or None (the shared model or the rules type)."""
    state = served(models_dir, account_id)
    if not state.get("version"):
        return None
    folder = user_dir(models_dir, account_id) / state["version"]
    rep = json.loads((folder / "report.json").read_text())
    path = folder / f"{rep.get('variant', 'fp32')}.onnx"
    return (path, f"your punch model {state['version']} ({rep.get('variant', 'fp32')})") if path.is_file() else None


def latest_report(models_dir: Path, account_id: int) -> dict | None:
    """The newest version's report (served or not)."""
    root = user_dir(models_dir, account_id)
    versions = sorted((p for p in root.glob("v*") if (p / "report.json").is_file()), key=lambda p: int(p.name[1:]))
    return json.loads((versions[-1] / "report.json").read_text()) if versions else None


def roll_back(models_dir: Path, account_id: int) -> dict:
    """Serve the version served before the current one (or none: then the shared model/rules type)."""
    state = served(models_dir, account_id)
    if not state.get("version"):
        raise DatasetError("You have no punch model of your own being served, so there is nothing to roll back.")
    history = [v for v in state.get("history", []) if v != state["version"]]
    new = {"version": history[-1] if history else None, "history": history, "rolled_back_from": state["version"]}
    _write_served(models_dir, account_id, new)
    return new


def _predict_onnx(model: Ensemble, x_cal: np.ndarray, x: np.ndarray, folder: Path) -> dict[str, np.ndarray]:
    from models.punch.export import predict, quantize_int8, to_onnx

    fp32 = to_onnx(model, folder / "fp32.onnx")
    int8 = quantize_int8(fp32, folder / "int8.onnx", x_cal)
    return {"fp32": predict(fp32, x).argmax(1), "int8": predict(int8, x).argmax(1)}


def train_user_model(data: UserWindows, public: Windows, models_dir: Path, account_id: int, *, seed: int = 0,
                     progress: Progress | None = None) -> dict:  # fmt: skip
    """Score leave-one-session-out, train the final model on everything, keep it as a new version and serve it
    only when it beats the rules (and the previous model where comparable) on held-out rounds."""
    say = progress or (lambda f, m: None)
    sessions = sorted(set(data.session.tolist()))
    if len(sessions) < 2:
        raise DatasetError(f"I need labelled punches from at least two rounds to hold one out (you have "
                           f"{len(sessions)}): say 'review my punches' after your next round.")  # fmt: skip
    say(0.02, f"features of {len(data)} of your windows and {len(public)} public ones")
    x_u, x_p = features(data.xy), features(public.xy)
    root = user_dir(models_dir, account_id)
    root.mkdir(parents=True, exist_ok=True)
    n = len(data)
    pred = {k: np.zeros(n, int) for k in ("fp32", "int8")}
    for i, s in enumerate(sessions):
        say(0.05 + 0.8 * i / len(sessions), f"held-out round {i + 1}/{len(sessions)}")
        test = data.session == s
        model = fit(x_u[~test], data.y[~test], x_p, public.y, seed=seed)
        for k, v in _predict_onnx(model, np.concatenate([x_u[~test], x_p])[:256], x_u[test], root / ".cv").items():
            pred[k][test] = v
    shutil.rmtree(root / ".cv", ignore_errors=True)
    rules = rule_labels(data.xy)
    y = data.y
    new = metrics(y, pred["fp32"], seed=seed)
    int8 = metrics(y, pred["int8"], seed=seed)
    say(0.9, "final model on all your windows")
    versions = [int(p.name[1:]) for p in root.glob("v*") if p.name[1:].isdigit()]
    version = f"v{max(versions, default=0) + 1}"
    folder = root / version
    final = fit(x_u, y, x_p, public.y, seed=seed)
    from models.punch.export import quantize_int8, to_onnx

    to_onnx(final, folder / "fp32.onnx")
    quantize_int8(folder / "fp32.onnx", folder / "int8.onnx", np.concatenate([x_u, x_p])[:256])
    from models.punch.export import latency_ms

    latency = {k: round(latency_ms(folder / f"{k}.onnx", x_u), 4) for k in ("fp32", "int8")}
    # the fastest variant within 1 point of fp32 held-out (int8 is often the slower one on a model this small)
    ok = ["fp32"] + (["int8"] if int8["accuracy"] >= new["accuracy"] - 0.01 else [])
    variant = min(ok, key=lambda k: latency[k])
    chosen = pred[variant]
    rows = {"new": metrics(y, chosen, seed=seed), "new_fp32": new, "new_int8": int8, "rules": metrics(y, rules)}
    gain_vs_rules = diff_ci(y, chosen, rules, seed=seed)

    state = served(models_dir, account_id)
    prev_cmp = None
    if state.get("version"):
        prev_dir = root / state["version"]
        prev_rep = json.loads((prev_dir / "report.json").read_text())
        unseen = np.array([s not in set(prev_rep.get("sessions", [])) for s in data.session])
        prev_path = prev_dir / f"{prev_rep.get('variant', 'fp32')}.onnx"
        if unseen.any() and prev_path.is_file():
            from models.punch.export import predict

            p_prev = predict(prev_path, x_u[unseen]).argmax(1)
            prev_cmp = {"version": state["version"], "windows": int(unseen.sum()),
                        "previous": metrics(y[unseen], p_prev, seed=seed),
                        "new": metrics(y[unseen], chosen[unseen], seed=seed)}  # fmt: skip
        else:
            prev_cmp = {"version": state["version"], "windows": 0,
                        "note": "no round labelled since the previous model: compared on its own held-out score",
                        "previous_accuracy": prev_rep["held_out"]["new"]["accuracy"]}  # fmt: skip

    beats_rules = rows["new"]["accuracy"] > rows["rules"]["accuracy"]
    if prev_cmp is None:
        beats_prev = True
    elif prev_cmp["windows"]:
        beats_prev = prev_cmp["new"]["accuracy"] >= prev_cmp["previous"]["accuracy"]
    else:
        beats_prev = rows["new"]["accuracy"] >= prev_cmp["previous_accuracy"]
    serve = beats_rules and beats_prev
    reason = ("better than the rules" + (" and the previous model" if prev_cmp else "") + " on held-out rounds"
              if serve else "not better than " + ("the rules" if not beats_rules else "the previous model")
              + " on held-out rounds, so it is kept but not served")  # fmt: skip

    counts = {c: int(np.sum(y == i)) for i, c in enumerate(CLASSES)}
    report = {
        "version": version, "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "sessions": sessions,
        "labels": n, "class_counts": counts, "public_windows": len(public),
        "user_weight": user_weight(n, len(public)), "split": "leave-one-round-out", "variant": variant,
        "held_out": rows, "gain_vs_rules_ci95": gain_vs_rules, "previous": prev_cmp, "served": serve,
        "reason": reason, "needs": needs(counts, rows["new"]["per_class"]),
        "sizes": {k: (folder / f"{k}.onnx").stat().st_size for k in ("fp32", "int8")}, "latency_ms": latency,
    }  # fmt: skip
    (folder / "report.json").write_text(json.dumps(report, indent=2))
    if serve:
        history = [v for v in state.get("history", []) if v != version] + [version]
        _write_served(models_dir, account_id, {"version": version, "history": history})
    say(1.0, "done")
    return report


def needs(counts: dict[str, int], per_class: dict[str, dict]) -> list[dict]:
    """Types with too few labels or a weak held-out recall, the most needed first, with how many more labels
    would bring each to `MIN_LABELS_PER_TYPE`."""
    out = []
    for c in CLASSES:
        rec = per_class[c]["recall"]
        more = max(0, MIN_LABELS_PER_TYPE - counts[c])
        if more or (rec is not None and rec < 0.8):
            out.append({"type": c, "labels": counts[c], "recall": rec, "more": max(more, 10 if more == 0 else more)})
    return sorted(out, key=lambda d: (d["recall"] if d["recall"] is not None else -1, d["labels"]))


def default_keypoints_dir() -> Path:
    """`../shared/data/keypoints` beside the checkout (POWERFORGE_SHARED_DATA overrides the data folder)."""
    import os

    data = os.environ.get("POWERFORGE_SHARED_DATA")
    return (Path(data) if data else Path(__file__).resolve().parents[3] / "shared" / "data") / "keypoints"


def public_windows(keypoints: Path | None = None, *, synthetic_scripts: int = 60, seed: int = 0) -> Windows:
    """The shared labelled sets that are present: cs229 broadcast windows, the face-on stills' punches (a
    window at each punch and one in guard), and the project's synthetic windows. Empty parts are skipped."""
    from models.punch.classifier import window_at
    from models.punch.dataset import load_cs229
    from models.punch.synthetic import synthetic_windows
    from striking.labelled import read_still_punches

    kp = keypoints or default_keypoints_dir()
    parts = []
    if (kp / "cs229").is_dir():
        with contextlib.suppress(DatasetError):
            parts.append(load_cs229(kp / "cs229"))
    stills = kp / "boxing-action-stills" / "keypoints_data.json"
    if stills.is_file():
        xy, y = [], []
        for item in read_still_punches(stills):
            for ev in item.events:
                if ev.shape in CLASSES:
                    xy.append(np.nan_to_num(window_at(item.t, item.xy, (ev.t0 + ev.t1) / 2)))
                    y.append(CLASSES.index(ev.shape))
            xy.append(np.nan_to_num(window_at(item.t, item.xy, 0.5)))  # in guard before the punch
            y.append(0)
        parts.append(Windows(np.asarray(xy, np.float32), np.asarray(y, int), np.asarray(["stills"] * len(y), object)))
    if synthetic_scripts:
        parts.append(synthetic_windows(synthetic_scripts, seed))
    return Windows.concat(parts)
