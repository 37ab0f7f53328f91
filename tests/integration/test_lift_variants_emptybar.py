"""Rep count on variants of real empty-bar clips (no plate: the lifter's hands are followed with BlazePose).

emptybar-squat.mp4 and emptybar-bench.mp4 (labels.json: 1 rep each, counted by eye). Shapes that lost the rep
(bench/lift_variants.py):
- crop_80 (the picture cropped to 80 %): a round thing in the cropped picture was taken for a plate, made no
  rep, and its "saw no whole rep" refusal ended the analysis before the hands were tried;
- low_light (darker, noisier): the pose model is scrambled in the deep crouch (wrists, even shoulders jump
  by a third of the frame from one frame to the next with high confidence), the bottom could not be fitted
  and the rep was dropped; the hands' path is now median-smoothed over 0.15 s (vision.wrists);
- emptybar-bench vfr (a quarter of the frames dropped, true timestamps): a wrist taken 0.7 m away for 5
  frames in a row at the bottom, then back; an out-and-back excursion faster than a bar moves is dropped.
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


@pytest.mark.parametrize(
    "stem,lift,variant",
    [
        ("emptybar-squat", "squat", "crop_80"),
        ("emptybar-squat", "squat", "low_light"),
        ("emptybar-bench", "bench", "vfr"),
    ],
)
def test_empty_bar_variant_keeps_its_rep(
    shared_data: Path, tmp_path: Path, bundle: Path, stem: str, lift: str, variant: str
) -> None:
    from models.pose.blazepose import BlazePoseBackend

    clip = shared_data / "media" / "lifts" / f"{stem}.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} is absent")
    (made,) = make_variants(clip, tmp_path, [variant])
    analysis = analyse_video(made.path, LiftOptions(lift=lift), pose_factory=lambda: BlazePoseBackend(bundle))
    assert analysis.source == "wrists"
    assert len(analysis.reps) == 1
    assert all(r.mcv is None and r.note for r in analysis.reps)  # hands: counted, never a speed
