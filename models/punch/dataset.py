"""Labelled keypoint windows: the cs229 broadcast CSVs and the user's own corrections.

cs229 layout (labels.json): col0 video, col1 window id, col2-3 start/end frame, col5 person id,
col6 label (0 none, 1 straight, 2 hook, 3 uppercut), then 6 frames x (34 COCO-17 x,y pixels from
YOLOv8l-pose, 0 = unseen, + 64 engineered features we ignore) = 595 columns.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.punch import CLASSES, WINDOW

PER_FRAME = 34 + 64


@dataclass
class Windows:
    xy: np.ndarray  # (n, 6, 17, 2) pixels, 0 = unseen
    y: np.ndarray  # (n,) class index into CLASSES
    group: np.ndarray  # (n,) fighter/video id: the held-out split never mixes a group

    def __len__(self) -> int:
        return len(self.y)

    def take(self, mask: np.ndarray) -> Windows:
        return Windows(self.xy[mask], self.y[mask], self.group[mask])

    @staticmethod
    def concat(parts: list[Windows]) -> Windows:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Windows(np.zeros((0, WINDOW, 17, 2), np.float32), np.zeros(0, int), np.zeros(0, object))
        return Windows(np.concatenate([p.xy for p in parts]), np.concatenate([p.y for p in parts]),
                       np.concatenate([p.group for p in parts]))  # fmt: skip


class DatasetError(ValueError):
    """Training data that cannot be used; the message says what is wrong."""


def load_cs229(folder: Path, limit: int | None = None) -> Windows:
    """Every `*.csv` in `folder`, grouped by the video name in column 0."""
    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        raise DatasetError(f"No labelled CSV files in {folder}.")
    xy, y, group = [], [], []
    for path in files:
        with path.open(newline="") as f:
            for row in csv.reader(f):
                if len(row) < 7 + WINDOW * PER_FRAME:
                    continue
                try:
                    label = int(float(row[6]))
                    values = np.asarray(row[7 : 7 + WINDOW * PER_FRAME], dtype=np.float64)
                except ValueError:
                    continue
                if not 0 <= label < len(CLASSES):
                    continue
                frames = values.reshape(WINDOW, PER_FRAME)[:, :34].reshape(WINDOW, 17, 2)
                xy.append(frames)
                y.append(label)
                group.append(row[0] or path.stem)
                if limit and len(y) >= limit:
                    break
    if not y:
        raise DatasetError(f"No usable rows in the CSV files of {folder}.")
    return Windows(np.asarray(xy, np.float32), np.asarray(y, int), np.asarray(group, object))


def from_corrections(rows: list[tuple[list, str]]) -> Windows:
    """User corrections: (window as nested lists (6, 17, 2), corrected shape) → windows in one group."""
    xy, y = [], []
    for window, shape in rows:
        if shape in CLASSES:
            arr = np.asarray(window, np.float32)
            if arr.shape == (WINDOW, 17, 2):
                xy.append(np.nan_to_num(arr))
                y.append(CLASSES.index(shape))
    if not y:
        return Windows.concat([])
    return Windows(np.asarray(xy, np.float32), np.asarray(y, int), np.asarray(["user"] * len(y), object))
