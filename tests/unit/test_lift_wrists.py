"""Turning a sideways picture for the pose model, and turning its points back."""

from __future__ import annotations


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
