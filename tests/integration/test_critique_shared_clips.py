"""Technique critique on every shared lift and boxing clip, through the real jobs (pose pass included).

Every number in the rendered critique must be one of the stored findings' own, and every finding has a
key frame on disk. Squat depth is compared with what a person saw in the bottom frames (EYE below).
Skipped with a reason when ../shared/data or the BlazePose bundle is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.numbers import numbers_in_data, unsupported_numbers
from vision.critique import Critique, render

pytestmark = pytest.mark.slow

LIFTS = {"small-squat": "squat", "risevbt-sample2": "squat", "emptybar-squat": "squat", "emptybar-bench": "bench",
         "emptybar-deadlift": "deadlift", "snatch-competition": "snatch"}  # fmt: skip

# Depth checked by eye (issue 16): the bottom frame of each rep (frame number at the clip's own rate) saved as a
# PNG and looked at, hip crease against the top of the knee, side view, as a judge would.
# - small-squat, frames 150, 161 (labels.json's bottom) and 170: thighs about parallel; the crease is hidden
#   behind the plate and looks level with the top of the knee -> borderline, not clearly passed or failed.
# - risevbt-sample2, frames 59, 127, 191, 252, 320 (reps 1-5): the hips stop a little above the knees on every
#   rep (the top line of the thigh slopes up from knee to hip) -> high on all five.
# - emptybar-squat, frame 75 (rep 1): hips clearly below the knees, crease well under the top of the knee -> deep.
# These three clips were also where the depth rule's reading (hip joint vs knee joint, plate occlusion widening
# the uncertainty) was developed: agreement here is a development check, not a held-out score.
EYE = {
    "small-squat": {1: "borderline"},
    "risevbt-sample2": {1: "high", 2: "high", 3: "high", 4: "high", 5: "high"},
    "emptybar-squat": {1: "deep enough"},
}


class _Progress:
    job_id = "inline"

    def __call__(self, fraction: float, message: str) -> None:
        pass


@pytest.fixture(scope="module")
def pose_settings(tmp_path_factory: pytest.TempPathFactory):
    from support.striking import share_blazepose

    from powerforge.config import Settings

    s = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("var"), llm_embedded=False)
    s.ensure_dirs()
    if not share_blazepose(s.models_dir):
        pytest.skip("BlazePose bundle not pulled (make test-deps runs powerforge models pull blazepose-full)")
    return s


def _check_critique(stored: dict, files_dir: Path) -> Critique:
    c = Critique.from_dict(stored)
    text = render(c)
    assert unsupported_numbers(text, numbers_in_data(stored)) == [], text
    for f in c.work_on:
        assert f.key_frame and (files_dir / f.key_frame).is_file(), f"no key frame for {f.key}"
        assert f.evidence and f.cue
    return c


@pytest.mark.parametrize("clip", list(LIFTS))
def test_lift_critique(shared_data: Path, pose_settings, clip: str) -> None:
    from vision.jobs import analyse_job

    out = pose_settings.files_dir / "lifts" / f"{clip}.mp4"
    params = {"path": str(shared_data / "media" / "lifts" / f"{clip}.mp4"), "lift": LIFTS[clip],
              "data_dir": str(pose_settings.data_dir), "database_url": pose_settings.database_url,
              "out_video": str(out)}  # fmt: skip
    result = analyse_job(params, _Progress())
    assert result["pose_pass"] is True and result.get("critique_error") is None
    c = _check_critique(result["critique"], pose_settings.files_dir)
    assert (pose_settings.files_dir / result["landmarks"]).is_file()
    # a key frame for each rep's bottom, for "show me the bottom of rep 2"
    assert len(c.moments) == len(result["reps"])
    assert all((pose_settings.files_dir / m["key_frame"]).is_file() for m in c.moments.values())
    if clip in EYE:
        code = {m["rep"]: m["verdict"] for m in result["technique"]["measures"] if m["name"] == "depth"}
        assert code == EYE[clip], f"{clip}: code {code}, eye {EYE[clip]}"
    if LIFTS[clip] == "snatch":
        assert any("not built" in s for s in c.cannot_judge)  # said, not guessed


@pytest.mark.parametrize("clip", ["jab_clearBG", "jab2_clearBG"])
def test_boxing_critique(shared_data: Path, pose_settings, clip: str) -> None:
    from striking.jobs import analyse_job

    out = pose_settings.files_dir / "rounds" / f"{clip}.mp4"
    params = {"path": str(shared_data / "media" / "boxing" / f"{clip}.mp4"), "data_dir": str(pose_settings.data_dir),
              "database_url": pose_settings.database_url, "out_video": str(out)}  # fmt: skip
    result = analyse_job(params, _Progress())
    report = result["report"]
    assert report.get("critique_error") is None
    c = _check_critique(report["critique"], pose_settings.files_dir)
    assert c.work_on and c.went_well  # each round here has one habit to fix and several done right
