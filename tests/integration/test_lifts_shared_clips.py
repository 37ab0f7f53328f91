"""Real lift clips from ../shared/data (skipped with a reason when absent).

- small-squat.mp4 vs small-squat_man_anno.txt. The annotation file is one "x, y" line per decoded
  frame (263 lines for 263 frames), integer pixels in the displayed 1080x1920 frame, clicked on the
  centre of the bar's end (the sleeve face), which sits in front of the plate and so off the plate's
  centre by up to ~70 px in this close-up (found by drawing both on frames 0, 100, 160, 230). The
  author's own tracker is 2.4 px from it (their metric: mean Euclidean distance per frame); we
  compare our followed bar end the same way and must be within 5 px.
- risevbt-sample2.mp4: 5 squat reps (the source says so).
- empty-bar clips: no plates, so the lifter's hands are followed (BlazePose; skipped when its
  bundle isn't installed). Rep counts were determined by watching every 6th frame of each clip:
  squat: standing until frame ~42, down to the bottom at ~66-84, up by ~102: 1 rep;
  bench: arms locked out until ~54, bar at the chest ~66-90, locked out again from ~102: 1 rep;
  deadlift: the clip starts with the bar at the shins, stands at ~24-66, lowers to the floor by ~90,
  then lets go and stands up empty-handed at the end: 1 rep.
- snatch-competition.mp4: one snatch (the catch and the stand-up are not a second rep).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from vision.analyse import LiftOptions, analyse_video

BUNDLE = Path(os.environ.get("POWERFORGE_BLAZEPOSE_TASK", Path.home() / ".cache/powerforge/blazepose-full.task"))


@pytest.fixture(scope="module")
def lifts(shared_data: Path) -> Path:
    return shared_data / "media" / "lifts"


@pytest.mark.slow
def test_small_squat_bar_end_against_manual_annotation(lifts: Path, tmp_path: Path) -> None:
    anno = np.loadtxt(lifts / "small-squat_man_anno.txt", delimiter=",")
    analysis = analyse_video(lifts / "small-squat.mp4", LiftOptions(pose=None, out_video=tmp_path / "a.mp4"))
    assert analysis.video.hdr and analysis.video.fps == pytest.approx(60, abs=0.01)
    assert len(analysis.path_t) == len(anno) == 263
    end = analysis.bar_end_xy
    assert end is not None and np.isfinite(end).all()
    err = np.linalg.norm(end - anno, axis=1)
    print(
        f"\nsmall-squat: bar end vs manual annotation: mean {err.mean():.2f} px, median {np.median(err):.2f}, "
        f"max {err.max():.1f} (author's tracker: 2.4 px)"
    )
    assert err.mean() <= 5.0
    assert len(analysis.reps) == 1
    r = analysis.reps[0]
    assert 0.3 < r.mcv < 0.8 and 0.5 < r.rom_m < 0.9  # a deep, light squat
    assert (tmp_path / "a.mp4").stat().st_size > 50_000


@pytest.mark.slow
def test_small_squat_velocity_against_manual_annotation(lifts: Path) -> None:
    """MCV and peak velocity from the tracker against the same computed from the author's per-frame
    manual annotation, on the same scale (the 450 mm plate's diameter, as measured by the tracker) and
    the same frame times. The annotation marks the bar's end (the sleeve face), which sits nearer the
    camera than the plate (its path is ~22 % longer on screen in this close-up), so it is compared with
    the tracker's own bar-end path; the reported rep (plate centre, at the plate's depth, where the
    plate's diameter is the right ruler) is the same rep, slower on screen by that perspective factor."""
    from vision.kinematics import analyse_path

    anno = np.loadtxt(lifts / "small-squat_man_anno.txt", delimiter=",")
    analysis = analyse_video(lifts / "small-squat.mp4", LiftOptions(pose=None))
    t, k = analysis.path_t, analysis.px_per_m
    assert analysis.bar_end_xy is not None and len(anno) == len(t)

    def rep(xy: np.ndarray, pos_sd: float):
        kin = analyse_path(t, xy[:, 0], xy[:, 1], px_per_m=k, scale_rel_sd=analysis.scale_rel_sd, pos_sd_px=pos_sd,
                           lift="squat", bounds=False)  # fmt: skip
        assert len(kin.reps) == 1
        return kin.reps[0]

    manual = rep(anno, 1.0)  # integer clicks: ~1 px
    end = rep(analysis.bar_end_xy, 0.5)
    plate = analysis.reps[0]
    print(
        f"\nsmall-squat, scale {k:.1f} px/m: MCV / peak (m/s): "
        f"manual annotation {manual.mcv:.3f} / {manual.peak_v:.3f}; "
        f"tracker bar end {end.mcv:.3f} ± {end.mcv_sd:.3f} / {end.peak_v:.3f} ± {end.peak_v_sd:.3f}; "
        f"reported (plate centre) {plate.mcv:.3f} ± {plate.mcv_sd:.3f} / {plate.peak_v:.3f} ± {plate.peak_v_sd:.3f}, "
        f"concentric {plate.concentric_s:.3f} s (manual {manual.concentric_s:.3f} s)"
    )
    assert abs(end.mcv - manual.mcv) <= 0.03 and abs(end.peak_v - manual.peak_v) <= 0.03
    assert abs(end.mcv - manual.mcv) <= 2 * end.mcv_sd and abs(end.peak_v - manual.peak_v) <= 2 * end.peak_v_sd
    # The reported rep is the same rep: same concentric phase to a frame, same shape of velocity.
    assert plate.measured and plate.concentric_s == pytest.approx(manual.concentric_s, abs=1 / 60)
    depth = manual.rom_m / plate.rom_m  # the sleeve's path over the plate's, on screen
    assert 1.1 < depth < 1.35
    assert plate.mcv * depth == pytest.approx(manual.mcv, abs=0.03)
    assert plate.peak_v * depth == pytest.approx(manual.peak_v, abs=0.03)


@pytest.mark.slow
def test_risevbt_five_reps(lifts: Path) -> None:
    analysis = analyse_video(lifts / "risevbt-sample2.mp4", LiftOptions(pose=None))
    assert analysis.source == "plate"
    assert len(analysis.reps) == 5
    for r in analysis.reps:
        assert 0.3 < r.mcv < 0.8 and 0.3 < r.rom_m < 0.6
    print("\nrisevbt: MCV " + ", ".join(f"{r.mcv:.2f}±{r.mcv_sd:.2f}" for r in analysis.reps))


@pytest.mark.slow
def test_snatch_is_one_rep(lifts: Path) -> None:
    analysis = analyse_video(lifts / "snatch-competition.mp4", LiftOptions(lift="snatch", pose=None))
    assert len(analysis.reps) == 1
    assert analysis.reps[0].peak_v > 1.4  # a snatch pull is fast


@pytest.mark.slow
@pytest.mark.parametrize(
    "clip,lift,reps",
    [("emptybar-squat", "squat", 1), ("emptybar-bench", "bench", 1), ("emptybar-deadlift", "deadlift", 1)],
)
def test_empty_bar_counts_from_the_hands(lifts: Path, clip: str, lift: str, reps: int) -> None:
    from support.striking import pulled_blazepose

    from models.pose.blazepose import BlazePoseBackend

    # the bundle `make test-deps` pulls into the project's models folder (POWERFORGE_BLAZEPOSE_TASK overrides)
    folder = pulled_blazepose()
    bundle = BUNDLE if BUNDLE.is_file() or folder is None else folder / "pose_landmarker_full.task"
    if not bundle.is_file():
        pytest.skip(f"BlazePose bundle not installed at {bundle} (powerforge models pull blazepose-full)")
    analysis = analyse_video(
        lifts / f"{clip}.mp4", LiftOptions(lift=lift), pose_factory=lambda: BlazePoseBackend(bundle)
    )
    assert analysis.source == "wrists"
    assert len(analysis.reps) == reps
    assert "torso" in analysis.scale_method and analysis.scale_rel_sd >= 0.1
    assert any("No plate" in n for n in analysis.notes)
    # The hands' speeds were checked against the plate on clips with both and are not the bar's: withheld.
    assert all(r.mcv is None and r.peak_v is None and r.rom_m is None and r.note for r in analysis.reps)
    assert analysis.to_dict()["velocity_loss_pct"] is None


def test_empty_bar_without_pose_says_what_is_missing(lifts: Path) -> None:
    from vision.analyse import LiftError

    with pytest.raises(LiftError, match="couldn't find a barbell"):
        analyse_video(lifts / "emptybar-bench.mp4", LiftOptions(lift="bench", pose=None))


@pytest.mark.parametrize("clip,lift", [("emptybar-squat", "squat"), ("emptybar-deadlift", "deadlift")])
def test_a_sideways_empty_bar_clip_counts_the_same_rep(lifts: Path, tmp_path: Path, clip: str, lift: str) -> None:
    """Pixels turned 90 degrees with no flag (a phone held sideways): the lifter lies across the picture, the
    frames are turned to stand them up for the pose model (the legs say which way is down), and the rep is
    the one the upright clip gives, at the same time."""
    from support.striking import pulled_blazepose

    from models.pose.blazepose import BlazePoseBackend
    from vision.variants import make_variants

    folder = pulled_blazepose()
    bundle = BUNDLE if BUNDLE.is_file() or folder is None else folder / "pose_landmarker_full.task"
    if not bundle.is_file():
        pytest.skip(f"BlazePose bundle not installed at {bundle} (powerforge models pull blazepose-full)")
    (sideways,) = make_variants(lifts / f"{clip}.mp4", tmp_path, ["rotated_90"], lossless=True)
    runs = [analyse_video(p, LiftOptions(lift=lift), pose_factory=lambda: BlazePoseBackend(bundle))
            for p in (lifts / f"{clip}.mp4", sideways.path)]  # fmt: skip
    upright, turned = runs
    assert len(turned.reps) == len(upright.reps) == 1
    assert turned.reps[0].start_t == pytest.approx(upright.reps[0].start_t, abs=0.15)
    assert any("sideways" in n for n in turned.notes) and not any("sideways" in n for n in upright.notes)
