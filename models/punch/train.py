"""`powerforge models train punch-classifier`: train, hold out by fighter/video, export, quantise,
prune, and write the comparison report (fp32 vs int8 vs pruned vs rules: macro-F1, size, latency).

The held-out score is leave-one-group-out: each fighter/video is predicted by a model that never
saw it, so the number says how the model does on a new boxer and a new camera. Synthetic windows
(models.punch.synthetic) join the training side of every fold and are never scored.
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.punch import CLASSES, MODEL_NAME
from models.punch.baseline import rule_labels
from models.punch.dataset import DatasetError, Windows
from models.punch.export import latency_ms, predict, quantize_int8, to_onnx
from models.punch.features import features
from models.punch.mlp import MLP, Ensemble, f1_per_class, macro_f1, prune, train
from models.punch.synthetic import SYNTHETIC, synthetic_windows

SPARSITY = 0.7


@dataclass(frozen=True)
class TrainConfig:
    hidden: int = 16  # 64 memorises the three videos and does worse held-out
    epochs: int = 80
    l2: float = 1e-3
    finetune_epochs: int = 20
    seed: int = 0
    members: int = 3  # networks averaged in the ensemble
    cw_power: float = 0.5  # class weights = inverse frequency ** cw_power
    synthetic_scripts: int = 60  # generated rounds added to training (7 windows each); 0 = none


def _fit_one(x: np.ndarray, y: np.ndarray, cfg: TrainConfig, seed: int) -> dict[str, MLP]:
    kw = {"l2": cfg.l2, "cw_power": cfg.cw_power}
    base = train(MLP.init(x, len(CLASSES), cfg.hidden, seed), x, y, epochs=cfg.epochs, seed=seed, **kw)
    pruned = train(prune(base, SPARSITY), x, y, epochs=cfg.finetune_epochs, lr=1e-3, seed=seed + 1, **kw)
    qat = train(base.copy(), x, y, epochs=cfg.finetune_epochs, lr=5e-4, seed=seed + 2, qat=True, **kw)
    return {"fp32": base, "pruned": pruned, "qat": qat}


def _fit(x: np.ndarray, y: np.ndarray, cfg: TrainConfig) -> dict[str, Ensemble]:
    fits = [_fit_one(x, y, cfg, cfg.seed + 10 * i) for i in range(cfg.members)]
    return {k: Ensemble([f[k] for f in fits]) for k in ("fp32", "pruned", "qat")}


def _export(models: dict[str, Ensemble], x_cal: np.ndarray, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"fp32": to_onnx(models["fp32"], folder / "fp32.onnx"),
             "pruned": to_onnx(models["pruned"], folder / "pruned.onnx")}  # fmt: skip
    qat_fp32 = to_onnx(models["qat"], folder / "qat-fp32.onnx")
    paths["int8"] = quantize_int8(paths["fp32"], folder / "int8.onnx", x_cal)
    paths["qat-int8"] = quantize_int8(qat_fp32, folder / "qat-int8.onnx", x_cal)
    qat_fp32.unlink()
    return paths


def train_and_report(data: Windows, out_dir: Path, cfg: TrainConfig | None = None,
                     progress: object = None) -> dict:  # fmt: skip
    """Train on `data`, score held-out groups, export the final models into `out_dir`, return the report."""
    cfg = cfg or TrainConfig()
    data = data.take(data.group != SYNTHETIC)
    groups = sorted(set(data.group.tolist()))
    if len(groups) < 2:
        raise DatasetError("Training needs windows from at least two fighters/videos to hold one out.")
    report_progress = progress if callable(progress) else (lambda f, m: None)
    t0 = time.perf_counter()
    x = features(data.xy)
    y = data.y
    synth = synthetic_windows(cfg.synthetic_scripts, cfg.seed) if cfg.synthetic_scripts else Windows.concat([])
    x_syn = features(synth.xy).reshape(len(synth), x.shape[1])
    preds = {k: np.zeros_like(y) for k in ("rules", "fp32", "int8", "pruned", "qat-int8")}
    preds["rules"] = rule_labels(data.xy)
    tmp = out_dir / ".cv"
    for i, g in enumerate(groups):
        report_progress(i / (len(groups) + 1), f"held-out fold {i + 1}/{len(groups)} ({g})")
        test = data.group == g
        x_train, y_train = np.concatenate([x[~test], x_syn]), np.concatenate([y[~test], synth.y])
        models = _fit(x_train, y_train, cfg)
        paths = _export(models, x_train, tmp)
        for name, path in paths.items():
            preds[name][test] = predict(path, x[test]).argmax(1)
    report_progress(len(groups) / (len(groups) + 1), "final model on all windows")
    x_all, y_all = np.concatenate([x, x_syn]), np.concatenate([y, synth.y])
    final = _fit(x_all, y_all, cfg)
    paths = _export(final, x_all, out_dir)
    for p in tmp.glob("*"):
        p.unlink()
    tmp.rmdir()
    rows = []
    for name in ("rules", "fp32", "int8", "pruned", "qat-int8"):
        row = {"model": name, "macro_f1": round(macro_f1(y, preds[name], len(CLASSES)), 4),
               "f1": {c: round(f, 4) for c, f in zip(CLASSES, f1_per_class(y, preds[name], len(CLASSES)), strict=True)},
               "per_group_f1": {g: round(macro_f1(y[data.group == g], preds[name][data.group == g], len(CLASSES)), 4)
                                for g in groups}}  # fmt: skip
        if name in paths:
            raw = paths[name].read_bytes()
            row |= {
                "size_bytes": len(raw),
                "gzip_bytes": len(gzip.compress(raw, 9)),
                "nonzero_weights": _nonzero(paths[name]),
                "weight_bytes": _weight_bytes(paths[name]),
                "latency_ms": round(latency_ms(paths[name], x), 4),
            }
        rows.append(row)
    serve = _choose(rows)
    report = {
        "model": MODEL_NAME, "classes": list(CLASSES), "windows": len(y),
        "class_counts": {c: int((y == i).sum()) for i, c in enumerate(CLASSES)}, "groups": groups,
        "synthetic_windows": len(synth), "features": x.shape[1],
        "split": "leave-one-fighter/video-out", "rows": rows, "serve": serve,
        "train_seconds": round(time.perf_counter() - t0, 1), "config": cfg.__dict__,
        "confusion_fp32": _confusion(y, preds["fp32"]), "confusion_rules": _confusion(y, preds["rules"]),
    }  # fmt: skip
    (out_dir / "report.json").write_text(json.dumps(report, indent=2))
    report_progress(1.0, "done")
    return report


def _choose(rows: list[dict]) -> str:
    """Serve int8 (smaller, faster) unless it loses more than 0.01 macro-F1 against fp32; serve
    nothing ("rules") when no model beats the rule baseline on the held-out split."""
    f1 = {r["model"]: r["macro_f1"] for r in rows}
    best_int8 = max(("int8", "qat-int8"), key=lambda k: f1[k])
    choice = best_int8 if f1[best_int8] >= f1["fp32"] - 0.01 else "fp32"
    return choice if f1[choice] > f1["rules"] else "rules"


WEIGHTS = ("w1", "w2", "w1_quantized", "w2_quantized")  # the two weight matrices, fp32 or int8


def _weights(path: Path) -> list[np.ndarray]:
    import onnx
    from onnx import numpy_helper

    return [numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer if t.name in WEIGHTS]


def _nonzero(path: Path) -> int:
    return int(sum(np.count_nonzero(w) for w in _weights(path)))


def _weight_bytes(path: Path) -> int:
    """Bytes of the two weight matrices as stored (fp32 or int8): the payload quantisation shrinks,
    apart from the fixed cost of the graph, scales and biases that dominates a model this small."""
    return int(sum(w.nbytes for w in _weights(path)))


def _confusion(y: np.ndarray, p: np.ndarray) -> list[list[int]]:
    n = len(CLASSES)
    return [[int(np.sum((y == a) & (p == b))) for b in range(n)] for a in range(n)]


def table(report: dict) -> str:
    """The report as a Markdown table (printed by the command, shown in the docs)."""
    sizes = ("size_bytes", "weight_bytes", "gzip_bytes", "nonzero_weights", "latency_ms")
    head = ["model", "held-out macro-F1", *(f"F1 {c}" for c in CLASSES), "size (bytes)", "weights (bytes)",
            "gzip (bytes)", "non-zero weights", "latency (ms)"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in report["rows"]:
        cells = [r["model"], f"{r['macro_f1']:.3f}", *(f"{r['f1'][c]:.3f}" for c in CLASSES)]
        cells += [str(r.get(k, "—")) for k in sizes]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
