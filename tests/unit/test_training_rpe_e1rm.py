"""RPE chart and e1RM against the published RTS (Tuchscherer) chart and the textbook formulas."""

from __future__ import annotations

import pytest

from powerforge.units import Mass
from training import e1rm, rpe

# The RTS RPE chart as published (% of 1RM; rows RPE 10 → 6.5, columns 1 → 12 reps).
PUBLISHED = {
    10.0: [100.0, 95.5, 92.2, 89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0],
    9.5: [97.8, 93.9, 90.7, 87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7],
    9.0: [95.5, 92.2, 89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0, 65.3],
    8.5: [93.9, 90.7, 87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7, 64.0],
    8.0: [92.2, 89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0, 65.3, 62.6],
    7.5: [90.7, 87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7, 64.0, 61.3],
    7.0: [89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0, 65.3, 62.6, 59.9],
    6.5: [87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7, 64.0, 61.3, 58.6],
}


@pytest.mark.parametrize("rpe_value", sorted(PUBLISHED))
def test_chart_matches_published_table(rpe_value):
    for reps, pct in enumerate(PUBLISHED[rpe_value], start=1):
        assert rpe.percent_1rm(reps, rpe_value) == pytest.approx(pct, abs=1e-9), (reps, rpe_value)
    assert rpe.chart()[rpe_value] == dict(enumerate(PUBLISHED[rpe_value], start=1))


def test_chart_edges_and_errors():
    with pytest.raises(rpe.RPEChartError, match="1-12 reps"):
        rpe.percent_1rm(13, 8)
    with pytest.raises(rpe.RPEChartError, match="half steps"):
        rpe.percent_1rm(5, 8.3)
    with pytest.raises(rpe.RPEChartError, match=r"starts at RPE 6\.5"):
        rpe.percent_1rm(5, 6)
    # below the chart only on request (deload/warm-up prescriptions), continuing the last step
    assert rpe.percent_1rm(12, 6, extrapolate=True) < rpe.percent_1rm(12, 6.5)
    assert rpe.rir_to_rpe(2) == 8.0
    with pytest.raises(rpe.RPEChartError):
        rpe.rir_to_rpe(-1)
    assert rpe.rpe_for(5, 81.1) == 8.0
    assert rpe.rpe_for(3, 95.0) == 10.0  # clamped to the chart


def test_epley_and_brzycki_textbook_values():
    assert e1rm.epley(Mass.kgs(100), 10).kg == pytest.approx(133.333, abs=1e-3)
    assert e1rm.brzycki(Mass.kgs(100), 10).kg == pytest.approx(133.333, abs=1e-3)  # 36/27
    assert e1rm.epley(Mass.kgs(100), 5).kg == pytest.approx(116.667, abs=1e-3)
    assert e1rm.brzycki(Mass.kgs(100), 5).kg == pytest.approx(112.5, abs=1e-3)
    assert e1rm.epley(Mass.kgs(180), 1).kg == 180  # a single is its own max
    with pytest.raises(ValueError, match="up to 10"):
        e1rm.epley(Mass.kgs(100), 12)


def test_estimate_picks_chart_for_rpe_7_plus_and_formulas_otherwise():
    est = e1rm.estimate(Mass.kgs(140), 5, 8)
    assert est.method == "rpe_chart"
    assert est.best.kg == pytest.approx(140 / 0.811, abs=0.01)  # 172.63
    no_rpe = e1rm.estimate(Mass.kgs(100), 8)
    assert no_rpe.method == "formula_mean"
    assert no_rpe.best.kg == pytest.approx((100 * (1 + 8 / 30) + 100 * 36 / 29) / 2, abs=1e-6)
    easy = e1rm.estimate(Mass.kgs(100), 5, 6)  # RPE 6: too far from failure for the chart
    assert easy.method == "formula_mean" and easy.rpe_chart is None
    long_set = e1rm.estimate(Mass.kgs(60), 15)  # beyond 10 reps, no RPE: no honest estimate
    assert long_set.best is None and long_set.method == "none"
    assert e1rm.estimate(Mass.kgs(60), 12, 9).method == "rpe_chart"
    assert e1rm.e1rm_kg(0, 5) is None
    assert e1rm.e1rm_kg(102.5, 3, 9.5) == pytest.approx(102.5 / 0.907, abs=0.01)
