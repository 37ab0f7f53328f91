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
    # a key frame for each rep's bottom, for "show me the bottom of rep 2" (and a snatch's phases)
    assert len([k for k in c.moments if k.startswith("bottom_rep_")]) == len(result["reps"])
    assert all((pose_settings.files_dir / m["key_frame"]).is_file() for m in c.moments.values())
    if clip in EYE:
        code = {m["rep"]: m["verdict"] for m in result["technique"]["measures"] if m["name"] == "depth"}
        assert code == EYE[clip], f"{clip}: code {code}, eye {EYE[clip]}"
    if LIFTS[clip] == "snatch":
        _check_snatch(result["technique"], c)


# Snatch phases checked by eye (development check, issue 16): frames of snatch-competition.mp4 (30 fps) saved with
# the bar track and the pose overlaid and looked at. Frame 0: set position, bar on the floor; 14 (0.47 s): the bar
# just off the floor; 24 (0.80 s): bar at the knees, torso leaning ~45 deg; 27 (0.90 s): bar above the knees,
# torso rising (the transition); 30 (1.00 s): torso upright, knees bent forward under the bar at the upper thigh
# (end of the transition, the second pull starting); 33 (1.10 s) and 36 (1.20 s): fully extended on the toes, bar
# past the hips going up; 42 (1.40 s): bar at its highest, lifter dropping under; 48 (1.60 s) and 56 (1.87 s): in
# the overhead squat, bar fixed overhead. Key frames of the phases (0.47, 1.00, 1.40, 1.80 s) looked at too.
# The lifter faces right. During the pull (frames 13-47) the pose model found the seated spectators, not the lifter
# (the plate hides the body): the body's measures there must be "not judged", never read off a spectator.
SNATCH_EYE = {"lift_off": (12, 16), "transition": (27, 33), "top": (40, 44), "catch": (50, 60)}


def _check_snatch(tech: dict, c: Critique) -> None:
    ms = {m["name"]: m for m in tech["measures"]}
    pull, first, turn = ms["pull_s"], ms["first_pull_s"], ms["turnover_s"]
    fps = 30.0

    def frame(t: float) -> float:
        return t * fps

    assert SNATCH_EYE["lift_off"][0] <= frame(pull["extra"]["lift_off_t"]) <= SNATCH_EYE["lift_off"][1]
    assert SNATCH_EYE["transition"][0] <= frame(first["t"]) <= SNATCH_EYE["transition"][1]
    assert SNATCH_EYE["top"][0] <= frame(pull["extra"]["top_t"]) <= SNATCH_EYE["top"][1]
    assert SNATCH_EYE["catch"][0] <= frame(turn["extra"]["catch_t"]) <= SNATCH_EYE["catch"][1]
    loop = ms["bar_loop"]
    assert loop["value"] is not None and loop["extra"]["toward_cm"] > 0  # the bar came back toward the lifter
    assert ms["catch_vs_start"]["verdict"] == "behind the start"
    # the pull's body measures were not read off a spectator
    assert ms["full_extension"]["not_judged"] and ms["bar_hip_gap"]["not_judged"]
    assert c.went_well and not any("not built" in s for s in c.cannot_judge)
    assert any(k.startswith("catch_rep_") for k in c.moments)  # the phases' key frames


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
