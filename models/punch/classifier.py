"""The installed punch classifier at analysis time (None when `models train punch-classifier`
has not been run: the rules then type the punches)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.punch import CLASSES, MODEL_NAME, STEP_S, WINDOW
from models.punch.features import features


def model_dir(models_dir: Path) -> Path:
    return Path(models_dir) / MODEL_NAME


class PunchClassifier:
    def __init__(self, path: Path, name: str):
        from models.punch.export import session

        self.path = path
        self.name = name
        self._session = session(path)

    @classmethod
    def load(cls, models_dir: Path) -> PunchClassifier | None:
        folder = model_dir(models_dir)
        report = folder / "report.json"
        if not report.is_file():
            return None
        serve = json.loads(report.read_text()).get("serve", "fp32")
        path = folder / f"{serve}.onnx"
        return cls(path, f"{MODEL_NAME} ({serve})") if path.is_file() else None

    @classmethod
    def for_user(cls, models_dir: Path, account_id: int) -> PunchClassifier | None:
        """The athlete's own model when one is served (see models.punch.personal), else None."""
        from models.punch.personal import served_model

        found = served_model(models_dir, account_id)
        return cls(*found) if found else None

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """(n, 4) class probabilities for (n, 6, 17, 2) windows."""
        if len(windows) == 0:
            return np.zeros((0, len(CLASSES)), np.float32)
        return self._session.run(["probs"], {"features": features(windows)})[0]


def window_at(t: np.ndarray, xy: np.ndarray, t_peak: float) -> np.ndarray:
    """The 6-frame window centred on a punch, resampled to the training spacing (any fps)."""
    times = t_peak + (np.arange(WINDOW) - (WINDOW - 1) / 2) * STEP_S
    out = np.zeros((WINDOW, 17, 2), np.float32)
    for j in range(17):
        for d in range(2):
            v = xy[:, j, d]
            ok = np.isfinite(v)
            if ok.sum() >= 2:
                out[:, j, d] = np.interp(times, t[ok], v[ok])
    return out
