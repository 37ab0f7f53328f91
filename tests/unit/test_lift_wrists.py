"""Turning a sideways picture for the pose model, and turning its points back."""

from __future__ import annotations

import pytest


def test_points_turned_and_turned_back_are_where_they_were() -> None:
    import numpy as np

    from vision.wrists import turn_points, unrotate

    w, h = 64, 48
    pts = np.array([[0.0, 0.0], [63.0, 0.0], [10.0, 40.0], [31.5, 23.5]])
    for rotation in (0, 90, 180, 270):
        turned = turn_points(pts, rotation, w, h)
        tw, th = (h, w) if rotation in (90, 270) else (w, h)
        assert ((turned >= 0) & (turned <= np.array([tw - 1, th - 1]))).all()
        np.testing.assert_allclose(unrotate(turned, rotation, w, h), pts)
    # the frame's top-left corner lands top-right when the frame turns clockwise
    np.testing.assert_allclose(turn_points(np.array([[0.0, 0.0]]), 90, w, h), [[h - 1, 0.0]])


def test_the_turn_that_stands_a_lifter_up() -> None:
    from vision.wrists import upright_turn

    assert upright_turn(None) is None and upright_turn(12.0) is None and upright_turn(-45.0) is None
    assert upright_turn(85.0) == 90  # legs point right: turn clockwise
    assert upright_turn(-97.0) == 270
    assert upright_turn(175.0) == 180


def _hands_clip(away_m: float, fps: float = 30.0, seed: int = 0):
    """Frames and a pose backend for one squat-like rep of the hands (0.45 m at the torso's scale), with a
    failure of the pose model seen on real footage (a variable frame rate copy of a bench clip): for the 5
    frames before the hands leave the bottom, a knee is taken for the wrist, `away_m` lower, and back."""
    from types import SimpleNamespace

    import numpy as np

    from vision.io import Frame
    from vision.wrists import DEFAULT_HEIGHT_M, TORSO_PER_HEIGHT

    rng = np.random.default_rng(seed)
    torso = 300.0
    px_per_m = torso / (TORSO_PER_HEIGHT * DEFAULT_HEIGHT_M)
    t = np.arange(0, 4.0, 1 / fps)
    depth = np.interp(t, [0, 1.0, 1.8, 2.5, 3.3, 4.0], [0, 0, 1, 1, 0, 0]) * 0.45 * px_per_m
    wrist_y = 400.0 + depth + rng.normal(0, 2.0, len(t))
    bottom = np.nonzero((t >= 1.9) & (t < 2.5))[0]
    wrist_y[bottom[-5:] + 1] += away_m * px_per_m
    image = np.zeros((8, 8, 3), np.uint8)
    frames = [Frame(i, float(ti), image) for i, ti in enumerate(t)]

    def backend(_image, _t: float, index: int):
        xy = np.zeros((1, 17, 2), np.float32)
        xy[0, :, 0] = 500.0
        xy[0, [5, 6], 1] = 380.0 + depth[index]  # shoulders
        xy[0, [11, 12], 1] = 380.0 + torso + 0.5 * depth[index]  # hips
        xy[0, [15, 16], 1] = 1400.0  # ankles
        xy[0, [9, 10], 1] = wrist_y[index]
        return SimpleNamespace(xy=xy, conf=np.full((1, 17), 0.9, np.float32))

    return frames, backend, px_per_m


@pytest.mark.parametrize("away_m", [0.4, 0.7, 1.0])
def test_a_rep_survives_the_pose_model_losing_the_wrists_at_the_bottom(away_m: float) -> None:
    """The rep was lost because the hands' path jumped away and back for 0.17 s at its bottom, too long for
    the Hampel test, and the turn could not be fitted. An excursion the hands cannot make (out and back
    faster than any bar moves) is dropped: the rep counts, off the bottom."""
    from vision.kinematics import analyse_path
    from vision.wrists import follow_wrists

    frames, backend, px_per_m = _hands_clip(away_m)
    w = follow_wrists(frames, backend)
    kin = analyse_path(w.t, w.x, w.y, px_per_m=px_per_m, pos_sd_px=2.0, lift="squat", ok=w.ok)
    assert len(kin.reps) == 1
    assert 1.7 < kin.reps[0].start_t < 2.7 and 3.0 < kin.reps[0].end_t < 3.6


def test_the_hands_smoothing_never_reaches_across_a_gap() -> None:
    """The hands are often unseen for many frames (a small, blurry clip: half the frames); the median must
    take its neighbours by time, not by position among the seen points, or a rep's top borrows the heights
    from after the gap (seen: the last rep of a CRF 40 copy of risevbt-sample2 fell under the count's threshold)."""
    import numpy as np

    from vision.wrists import _running_median

    t = np.arange(60) / 30.0
    ok = np.ones(60, bool)
    ok[20:40] = False  # 0.67 s unseen
    v = np.full(60, 100.0)
    v[18:20] = 200.0  # the top of a rise, just before the hands are lost
    out = _running_median(t, v, ok)
    assert out[19] == 200.0 and (out[40:] == 100.0).all()
