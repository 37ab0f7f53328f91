"""Plate measurement on drawn images with a known centre and size: the rim fit's precision sets the
scale, so it is tested to a fraction of a pixel; detection must pick plates, not painted rings."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from vision.plates import Circle, detect_plates, find_sleeve, fit_rim, refine


def _scene(cx: float, cy: float, r: float, *, squash: float = 1.0, lip: bool = True, seed: int = 0) -> np.ndarray:
    """A plate drawn at 8x and shrunk (sub-pixel exact), with a lip ring, a hub and a sleeve, on texture."""
    rng = np.random.default_rng(seed)
    h, w, k = 360, 480, 8
    big = cv2.resize(rng.normal(110, 25, (h // 8, w // 8)).astype(np.float32), (w * k, h * k)).astype(np.uint8)
    c = (round((cx + 0.5) * k - 0.5), round((cy + 0.5) * k - 0.5))
    axes = (round(r * k * squash), round(r * k))
    cv2.ellipse(big, c, axes, 0, 0, 360, 40, -1)
    if lip:
        cv2.ellipse(big, c, (round(axes[0] * 0.92), round(axes[1] * 0.92)), 0, 0, 360, 70, round(0.03 * r * k))
    cv2.ellipse(big, c, (round(axes[0] * 0.25), round(axes[1] * 0.25)), 0, 0, 360, 90, -1)
    cv2.circle(big, c, round(0.11 * r * k), 200, -1)
    cv2.circle(big, c, round(0.05 * r * k), 60, -1)
    return cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("cx,cy,r", [(240.3, 180.7, 90.0), (150.25, 200.5, 60.4), (300.8, 150.1, 40.2)])
def test_rim_fit_is_sub_pixel(cx: float, cy: float, r: float) -> None:
    img = _scene(cx, cy, r)
    fit = fit_rim(img, Circle(cx + 3, cy - 2, r * 1.07))
    assert fit is not None
    assert math.hypot(fit.x - cx, fit.y - cy) < 0.3
    assert fit.r == pytest.approx(r, rel=0.006)  # the outer rim, not the lip inside it
    assert fit.support > 0.8


def test_ellipse_scale_is_taken_along_the_motion() -> None:
    """A camera turned away from side-on squeezes the plate sideways; vertical motion scales with its height."""
    img = _scene(240, 180, 80, squash=0.85)
    fit = refine(img, Circle(240, 180, 75))
    assert fit is not None
    assert fit.radius_along(90.0) == pytest.approx(80, rel=0.01)
    assert fit.radius_along(0.0) == pytest.approx(68, rel=0.02)


def test_detection_finds_the_plate_not_its_rings() -> None:
    img = _scene(200.4, 170.2, 85)
    cv2.circle(img, (420, 300), 30, 200, 3)  # a small ring elsewhere (a clock, a rack hole)
    found = detect_plates(img)
    assert found, "no plate found"
    best = found[0]
    assert math.hypot(best.x - 200.4, best.y - 170.2) < 1.5 and best.r == pytest.approx(85, rel=0.03)
    # the hub and the sleeve are inside the plate: never separate plates
    assert not any(math.hypot(c.x - 200.4, c.y - 170.2) < 20 and c.r < 60 for c in found)


def test_sleeve_end_is_found_in_front_of_the_plate() -> None:
    img = _scene(240, 180, 100)
    sleeve = find_sleeve(img, Circle(241, 179, 100))
    assert sleeve is not None
    assert math.hypot(sleeve.x - 240, sleeve.y - 180) < 1.0
    assert sleeve.r == pytest.approx(11, rel=0.15)


def test_nothing_round_nothing_found() -> None:
    rng = np.random.default_rng(1)
    img = cv2.GaussianBlur(rng.normal(120, 30, (240, 320)).astype(np.uint8), (0, 0), 2)
    assert detect_plates(img) == []
    assert fit_rim(img, Circle(160, 120, 50)) is None or fit_rim(img, Circle(160, 120, 50)).support < 0.45
