"""Real BlazePose (MediaPipe Tasks, VIDEO mode) on the shared boxing clips and pose photos.

The bundle is the one `powerforge models pull blazepose-full` built and verified in the project's models
folder (`make test-deps` pulls it, so CI runs these for real), found only through the model manifest,
as the app finds it; without it the tests skip naming that command."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.manifest import ModelMissing, model_path
from models.pose import get_backend
from powerforge.config import Settings
from striking.analyse import analyse_video


@pytest.fixture(scope="module")
def pulled() -> Settings:
    """The project's settings, whose models folder holds the pulled bundle."""
    settings = Settings()
    try:
        model_path("blazepose-full", settings)
    except ModelMissing as e:
        pytest.skip(str(e))
    return settings


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["jab_clearBG.mp4", "jab2_clearBG.mp4"])
def test_every_labelled_punch_found_no_phantoms(shared_data: Path, pulled: Settings, clip: str, tmp_path: Path) -> None:
    labels = json.loads((shared_data / "labels.json").read_text())[f"media/boxing/{clip}"]["punches"]
    backend = get_backend("blazepose", pulled)
    try:
        report, _track = analyse_video(shared_data / "media/boxing" / clip, backend, out_video=tmp_path / "a.mp4")
    finally:
        backend.close()
    assert [p.kind for p in report.punches] == labels  # ["jab"]: one jab, nothing else
    assert report.punches[0].return_s is not None
    assert (tmp_path / "a.mp4").stat().st_size > 10_000


@pytest.mark.slow
def test_pose_on_a_coco_photo_matches_ground_truth(shared_data: Path, pulled: Settings) -> None:
    coco = json.loads((shared_data / "media/pose/test_coco.json").read_text())
    gt = np.array(next(a["keypoints"] for a in coco["annotations"] if a["image_id"] == 785)).reshape(17, 3)
    img = cv2.imread(str(shared_data / "media/pose/000000000785.jpg"))
    backend = get_backend("blazepose", pulled)
    kp = backend(img, 0.0, 0)
    backend.close()
    assert kp.persons == 1
    visible = gt[:, 2] > 0
    err = np.linalg.norm(kp.xy[0, :17][visible] - gt[visible, :2], axis=1)
    torso = np.linalg.norm(gt[5, :2] - gt[12, :2])
    assert np.median(err) < 0.15 * torso
