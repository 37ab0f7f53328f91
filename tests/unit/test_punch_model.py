"""The punch classifier's training command end to end on windows the test generates: held-out split
by group, ONNX export, int8 quantisation, pruning, the report, and loading it for analysis."""

from __future__ import annotations

import numpy as np

from models.punch import CLASSES
from models.punch.classifier import PunchClassifier, model_dir, window_at
from models.punch.dataset import Windows
from models.punch.features import mirror, window_features
from models.punch.train import TrainConfig, table, train_and_report
from striking.synthetic import Script, ScriptedPunch, generate


def _windows(seed: int, group: str) -> Windows:
    shapes = ["straight", "hook", "uppercut"]
    xy, y = [], []
    for k in range(12):
        punches = [ScriptedPunch(1.0 + 1.2 * i, "lead" if (i + k) % 2 else "rear", shapes[i % 3]) for i in range(3)]
        t, track, _ = generate(
            Script(duration_s=5, punches=punches, seed=seed * 100 + k, facing=("left", "right")[k % 2])
        )
        for p in punches:
            xy.append(window_at(t, track, p.t))
            y.append(CLASSES.index(p.shape))
        xy.append(window_at(t, track, 4.6))  # guard only
        y.append(0)
    return Windows(np.asarray(xy, np.float32), np.asarray(y), np.asarray([group] * len(y), object))


def test_features_do_not_depend_on_which_side_the_boxer_faces() -> None:
    t, xy, _ = generate(Script(duration_s=2, punches=[ScriptedPunch(1.0, "lead", "hook")], noise_px=0))
    w = window_at(t, xy, 1.0)
    flipped = mirror(w.copy())
    flipped[..., 0] += 2000  # mirrored about x=0 then moved back into the picture
    assert np.allclose(window_features(w), window_features(flipped), atol=1e-4)


def test_train_export_quantise_prune_and_serve(settings) -> None:
    data = Windows.concat([_windows(1, "a"), _windows(2, "b"), _windows(3, "c")])
    report = train_and_report(data, model_dir(settings.models_dir), TrainConfig(epochs=40, finetune_epochs=10))
    rows = {r["model"]: r for r in report["rows"]}
    assert set(rows) == {"rules", "fp32", "int8", "pruned", "qat-int8"}
    assert report["split"].startswith("leave-one") and report["groups"] == ["a", "b", "c"]
    assert rows["fp32"]["macro_f1"] >= 0.8  # clean synthetic punches are easy; held out by group
    assert rows["int8"]["size_bytes"] < rows["fp32"]["size_bytes"] / 2
    assert rows["pruned"]["nonzero_weights"] < 0.4 * rows["fp32"]["nonzero_weights"]
    assert rows["pruned"]["gzip_bytes"] < rows["fp32"]["gzip_bytes"]
    assert "| int8 |" in table(report)
    clf = PunchClassifier.load(settings.models_dir)
    f1 = {r["model"]: r["macro_f1"] for r in report["rows"]}
    if report["serve"] == "rules":  # the app keeps the rules unless the model beats them held-out
        assert clf is None and max(f1["fp32"], f1["int8"], f1["qat-int8"]) <= f1["rules"]
        clf = PunchClassifier(model_dir(settings.models_dir) / "int8.onnx", "int8")
    else:
        assert clf is not None and report["serve"] in clf.name and f1[report["serve"]] > f1["rules"]
    probs = clf.predict(data.xy[:5])
    assert probs.shape == (5, 4) and np.allclose(probs.sum(1), 1, atol=0.01)  # int8 output grid
