"""A clip that shows the lift across the picture (filmed sideways, or an upright clip given a wrong rotation
flag) still counts its reps and measures them: the analyser finds the axis of motion itself and says what
it assumed. The variants are made with vision/variants.py from a short generated clip (no ../shared)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from vision.analyse import LiftOptions, _upright, analyse_video
from vision.synthetic import RepSpec, SceneSpec, render
from vision.variants import make_variants

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


@pytest.fixture(scope="module")
def squat(tmp_path_factory):
    reps = [RepSpec(con_s=0.8, ecc_s=0.9, rom_m=0.5, top_pause_s=0.5) for _ in range(3)]
    out = tmp_path_factory.mktemp("sideways")
    return render(out / "squat.mp4", reps, SceneSpec(seed=5, width=180, height=320, plate_px=90.0))


@needs_ffmpeg
@pytest.mark.parametrize("variant", ["rotation_flag", "rotated_90"])
def test_a_sideways_clip_counts_the_same_reps_at_the_same_speed(squat, tmp_path, variant):
    upright = analyse_video(squat.path, LiftOptions(pose=None))
    assert len(upright.reps) == 3
    (made,) = make_variants(squat.path, tmp_path, [variant], lossless=True)
    sideways = analyse_video(made.path, LiftOptions(pose=None))
    assert len(sideways.reps) == 3
    assert any("sideways" in n for n in sideways.notes)  # what it assumed is said
    for a, b in zip(upright.reps, sideways.reps, strict=True):
        assert b.mcv == pytest.approx(a.mcv, abs=0.03)


@pytest.mark.parametrize("lift, starts_top", [("squat", True), ("bench", True), ("deadlift", False), ("snatch", False)])
@pytest.mark.parametrize("up", [+1, -1])
def test_up_is_where_the_lift_says_the_bar_starts(lift, starts_top, up):
    """A path along the picture's x: the turned path's height (-y) rises where the real bar rose."""
    t = np.arange(0, 6, 1 / 30)
    height = 200 * np.clip(np.sin(2 * np.pi * t / 2.0 - np.pi / 2), 0, None)  # reps from the bottom
    if starts_top:
        height = 200 - height  # a squat: the bar starts at the top and dips
    x = 300 + up * height  # the picture's right is up when up = +1
    y = 100 + 2 * np.sin(t)  # a little sway
    xy = np.stack([x, y], 1)
    turned, note = _upright(t, xy, np.ones(len(t), bool), lift)
    assert note is not None and ("right" if up > 0 else "left") in note
    assert np.corrcoef(-turned[:, 1], height)[0, 1] > 0.99


def test_an_upright_path_is_left_alone():
    t = np.arange(0, 6, 1 / 30)
    xy = np.stack([100 + 5 * np.sin(t), 300 + 150 * np.sin(2 * t)], 1)
    turned, note = _upright(t, xy, np.ones(len(t), bool), "squat")
    assert note is None and np.array_equal(turned, xy)


@needs_ffmpeg
def test_the_double_speed_variant_has_evenly_spaced_distinct_times(squat, tmp_path):
    """The 2x variant halves every timestamp (a filter's rounding once gave pairs of frames one time)."""
    from vision.io import iter_frames

    (made,) = make_variants(squat.path, tmp_path, ["speed_2x"])
    orig = np.array([f.t for f in iter_frames(squat.path, gray=True, max_side=64)])
    fast = np.array([f.t for f in iter_frames(made.path, gray=True, max_side=64)])
    assert len(fast) == len(orig)
    np.testing.assert_allclose(fast - fast[0], (orig - orig[0]) / 2, atol=1e-3)
