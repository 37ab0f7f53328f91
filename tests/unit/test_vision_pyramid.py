"""The tracker's pyramid builds only the parts of a level the crops need: the same pixels as the whole level."""

from __future__ import annotations

import numpy as np
import pytest

from vision.track import Pyramid


@pytest.mark.parametrize("size", [(1920, 1080), (720, 1280), (1081, 1917), (270, 480), (33, 47)])
def test_parts_equal_the_whole_level(size: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(size))
    img = rng.integers(0, 256, size, np.uint8)
    whole = Pyramid(img)
    for k in range(5):
        whole.level(k)
    lazy = Pyramid(img)
    for n in range(200):
        k = int(rng.integers(0, 5))
        h, w = lazy.shape(k)
        assert whole.levels[k].shape == (h, w)
        v0, u0 = int(rng.integers(-5, h + 5)), int(rng.integers(-5, w + 5))
        v1, u1 = int(rng.integers(v0, h + 6)), int(rng.integers(-8, w + 6))
        v0, u0, v1 = max(0, v0), max(0, u0), min(h, v1)  # u1 may pass the edge or go negative: slice rules
        part = lazy.region(k, v0, v1, u0, u1)
        assert part.shape == whole.levels[k][v0:v1, u0:u1].shape
        assert np.array_equal(part, whole.levels[k][v0:v1, u0:u1]), (k, v0, v1, u0, u1)
        if n == 100:
            lazy.level(2)  # a level built whole later: parts and whole levels mix


def test_only_parts_are_built_for_small_crops() -> None:
    img = np.random.default_rng(0).integers(0, 256, (1920, 1080), np.uint8)
    pyr = Pyramid(img)
    crop = pyr.region(2, 100, 160, 50, 120)
    assert crop.shape == (60, 70)
    assert len(pyr.levels) == 1  # no whole level was made for it
