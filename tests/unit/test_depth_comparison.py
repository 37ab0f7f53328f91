"""vision.service.compare_depth: a gap inside the two reps' combined uncertainty is 'equally deep'."""

from vision.service import compare_depth


def test_a_gap_beyond_the_uncertainty_names_the_deeper_rep() -> None:
    cmp = compare_depth({"rep": 1, "value": -0.05, "sd": 0.03}, {"rep": 3, "value": 0.10, "sd": 0.04})
    assert (cmp.deeper, cmp.shallower) == (3, 1)
    assert round(cmp.gap * 100) == 15


def test_a_gap_inside_the_uncertainty_is_equally_deep() -> None:
    cmp = compare_depth({"rep": 2, "value": 0.04, "sd": 0.05}, {"rep": 4, "value": 0.01, "sd": 0.05})
    assert cmp.deeper is None and cmp.shallower is None
    assert (cmp.first, cmp.second) == (2, 4)
