"""Real BlazePose (MediaPipe Tasks, VIDEO mode) on the shared boxing clips and pose photos.

Needs the bundle `powerforge models pull blazepose-full` builds; tests skip with the reason when it is
not installed (POWERFORGE_BLAZEPOSE_TASK or ~/.cache/powerforge/blazepose-full.task)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.pose.blazepose import BlazePoseBackend
from striking.analyse import analyse_video

BUNDLE = Path(os.environ.get("POWERFORGE_BLAZEPOSE_TASK", Path.home() / ".cache/powerforge/blazepose-full.task"))


@pytest.fixture(scope="module")
def bundle() -> Path:
    if not BUNDLE.is_file():
        pytest.skip(f"BlazePose bundle not installed at {BUNDLE} (powerforge models pull blazepose-full)")
    return BUNDLE


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["jab_clearBG.mp4", "jab2_clearBG.mp4"])
def test_every_labelled_punch_found_no_phantoms(shared_data: Path, bundle: Path, clip: str, tmp_path: Path) -> None:
    labels = json.loads((shared_data / "labels.json").read_text())[f"media/boxing/{clip}"]["punches"]
    backend = BlazePoseBackend(bundle)
    try:
        report, _track = analyse_video(shared_data / "media/boxing" / clip, backend, out_video=tmp_path / "a.mp4")
    finally:
        backend.close()
    assert [p.kind for p in report.punches] == labels  # ["jab"]: one jab, nothing else
    assert report.punches[0].return_s is not None
    assert (tmp_path / "a.mp4").stat().st_size > 10_000


@pytest.mark.slow
def test_pose_on_a_coco_photo_matches_ground_truth(shared_data: Path, bundle: Path) -> None:
    coco = json.loads((shared_data / "media/pose/test_coco.json").read_text())
    gt = np.array(next(a["keypoints"] for a in coco["annotations"] if a["image_id"] == 785)).reshape(17, 3)
    img = cv2.imread(str(shared_data / "media/pose/000000000785.jpg"))
    backend = BlazePoseBackend(bundle)
    kp = backend(img, 0.0, 0)
    backend.close()
    assert kp.persons == 1
    visible = gt[:, 2] > 0
    err = np.linalg.norm(kp.xy[0, :17][visible] - gt[visible, :2], axis=1)
    torso = np.linalg.norm(gt[5, :2] - gt[12, :2])
    assert np.median(err) < 0.15 * torso
