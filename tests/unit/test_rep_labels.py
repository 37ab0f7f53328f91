"""Rep review: ordering, scoring and the threshold the athlete's labels teach the segmentation."""

from __future__ import annotations

import pytest

from vision.rep_labels import DEFAULT_SHARE, Example, learn_share, missed_share, rep_items, review_order, score


def _rep(n: int, start: float, end: float, rom: float | None, measured: bool = True) -> dict:
    return {"number": n, "start_t": start, "end_t": end, "rom_m": rom, "mcv": 0.5 if measured else None,
            "measured": measured}  # fmt: skip


def test_least_sure_first_a_lost_bar_before_a_clear_rep() -> None:
    result = {"reps": [_rep(1, 0, 1, 0.50), _rep(2, 2, 3, 0.27), _rep(3, 4, 5, None, measured=False)]}
    items = rep_items("a1", result, {1: "ok"})
    assert [i.number for i in review_order(items)] == [3, 2, 1]
    assert items[0].label == "ok" and items[1].share == pytest.approx(0.54)
    assert items[2].sure == 0.0 and items[0].sure == 1.0


def test_missed_rep_is_measured_on_the_stored_trace() -> None:
    # two reps of 0.5 m, then a 0.2 m rise after rep 2 that the segmentation left out
    t = [i * 0.1 for i in range(60)]
    y = [0.0] * 60
    for i in range(10, 20):
        y[i] = 0.5
    for i in range(30, 40):
        y[i] = 0.5
    for i in range(48, 52):
        y[i] = 0.2
    result = {"reps": [_rep(1, 0.9, 2.0, 0.5), _rep(2, 2.9, 4.0, 0.5)], "bar_path_m": {"t": t, "y": y}}
    assert missed_share(result, 2) == pytest.approx(0.4)
    assert missed_share({"reps": []}, 1) is None


def test_labels_that_agree_with_the_default_leave_it() -> None:
    exs = [Example(1.0, True), Example(0.9, True), Example(0.2, False), Example(0.95, True)]
    assert learn_share(exs) is None
    assert learn_share(exs[:2]) is None  # too few to say anything


def test_a_missed_shallow_rep_lowers_the_threshold_and_a_partial_raises_it() -> None:
    missed = [Example(1.0, True), Example(0.95, True), Example(0.42, True), Example(0.15, False)]
    low = learn_share(missed)
    assert low is not None and 0.15 < low <= 0.42
    partial = [Example(1.0, True), Example(0.9, True), Example(0.6, False), Example(0.98, True)]
    high = learn_share(partial)
    assert high is not None and 0.6 < high <= 0.9
    assert DEFAULT_SHARE not in (low, high)


def test_score_counts_precision_and_recall() -> None:
    s = score(["ok", "ok", "not_a_rep", "ends_early", "missed_after"])
    assert (s.reviewed, s.right, s.boundary, s.missed) == (4, 2, 1, 1)
    assert s.precision == pytest.approx(3 / 4) and s.recall == pytest.approx(3 / 4)
    assert score([]).precision is None
