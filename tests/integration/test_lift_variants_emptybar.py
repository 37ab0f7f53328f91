"""Rep count on variants of a real empty-bar clip (no plate: the lifter's hands are followed with BlazePose).

emptybar-squat.mp4 (labels.json: 1 rep, counted by eye). Two shapes lost the rep (bench/lift_variants.py):
- crop_80 (the picture cropped to 80 %): a round thing in the cropped picture was taken for a plate, made no
  rep, and its "saw no whole rep" refusal ended the analysis before the hands were tried;
- low_light (darker, noisier): the pose model is scrambled in the deep crouch (wrists, even shoulders jump
  by a third of the frame from one frame to the next with high confidence), the bottom could not be fitted
  and the rep was dropped; a rise that clears the count's threshold now counts, not measured.
Development data: these clips were looked at while building the analyser. Skipped when ../shared, ffmpeg or
the BlazePose bundle is absent.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from vision.analyse import LiftOptions, analyse_video
from vision.variants import make_variants

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")]

BUNDLE = Path(os.environ.get("POWERFORGE_BLAZEPOSE_TASK", Path.home() / ".cache/powerforge/blazepose-full.task"))


@pytest.fixture(scope="module")
def bundle() -> Path:
    from support.striking import pulled_blazepose

    folder = pulled_blazepose()
    found = BUNDLE if BUNDLE.is_file() or folder is None else folder / "pose_landmarker_full.task"
    if not found.is_file():
        pytest.skip(f"BlazePose bundle not installed at {found} (powerforge models pull blazepose-full)")
    return found


@pytest.mark.parametrize("variant", ["crop_80", "low_light"])
def test_empty_bar_squat_variant_keeps_its_rep(shared_data: Path, tmp_path: Path, bundle: Path, variant: str) -> None:
    from models.pose.blazepose import BlazePoseBackend

    clip = shared_data / "media" / "lifts" / "emptybar-squat.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} is absent")
    (made,) = make_variants(clip, tmp_path, [variant])
    analysis = analyse_video(made.path, LiftOptions(lift="squat"), pose_factory=lambda: BlazePoseBackend(bundle))
    assert analysis.source == "wrists"
    assert len(analysis.reps) == 1
    assert all(r.mcv is None and r.note for r in analysis.reps)  # hands: counted, never a speed
