"""Energy maths against hand-computed cases: Mifflin–St Jeor, targets, trend weight, adaptive expenditure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nutrition import energy
from nutrition.energy import EnergyError

D0 = date(2026, 11, 1)


def test_mifflin_st_jeor_by_hand():
    # 10*80 + 6.25*180 - 5*30 + 5 = 800 + 1125 - 150 + 5 = 1780
    assert energy.mifflin_st_jeor(80, 180, 30, "male") == 1780
    # 10*60 + 6.25*165 - 5*25 - 161 = 600 + 1031.25 - 125 - 161 = 1345.25
    assert energy.mifflin_st_jeor(60, 165, 25, "female") == pytest.approx(1345.25)
    assert energy.estimated_tdee(80, 180, 30, "male", "moderate") == pytest.approx(1780 * 1.55)
    with pytest.raises(EnergyError):
        energy.mifflin_st_jeor(80, 180, 30, "other")


def test_targets_by_hand():
    t = energy.targets_from_expenditure(2759, 80, "lose")
    assert t.kcal == 2210  # 2759 * 0.8 = 2207.2 -> nearest 10
    assert t.protein_g == 160  # 2.0 g/kg
    assert t.fat_g == 61  # max(25 % of 2210 / 9 = 61.4, 0.6 * 80 = 48)
    assert t.carbs_g == round((2210 - 4 * 160 - 9 * 61) / 4)  # 255
    assert t.fiber_g == 31  # 14 g per 1000 kcal
    assert energy.targets_from_expenditure(2500, 70, "maintain").kcal == 2500
    assert energy.targets_from_expenditure(2500, 70, "gain").kcal == 2750


def test_trend_weight_by_hand():
    w = [(D0, 80.0), (D0 + timedelta(days=1), 81.0), (D0 + timedelta(days=3), 79.0)]
    trend = energy.trend_weights(w)
    assert trend[0][1] == 80.0
    assert trend[1][1] == pytest.approx(80.1)  # 80 + 0.1 * (81 - 80)
    # a two-day gap counts as two smoothing steps: 1 - 0.9**2 = 0.19
    assert trend[2][1] == pytest.approx(80.1 + 0.19 * (79.0 - 80.1))


def test_slope_of_a_straight_line_is_exact():
    w = [(D0 + timedelta(days=i), 80.0 - 0.05 * i) for i in range(20)]
    s = energy.weight_slope(w)
    assert s.per_day == pytest.approx(-0.05)
    assert s.stderr == pytest.approx(0.0, abs=1e-9)


def test_adaptive_expenditure_by_hand():
    # 2000 kcal a day for 21 days while losing 0.05 kg/day: stored energy falls 0.05 * 7700 = 385 kcal/day
    days = [D0 + timedelta(days=i) for i in range(21)]
    intake = dict.fromkeys(days, 2000.0)
    weights = [(d, 80.0 - 0.05 * i) for i, d in enumerate(days)]
    est = energy.adaptive_expenditure(intake, weights, days[0], days[-1])
    assert est.kcal == pytest.approx(2385.0)
    # even a perfect line can't rule out a water shift: the interval keeps ±1.96 × 0.5 kg over the 20-day span
    floor = 1.96 * energy.WATER_SHIFT_KG / 20 * 7700
    assert est.low == pytest.approx(2385.0 - floor) and est.high == pytest.approx(2385.0 + floor)
    assert est.weight_change_kg_per_week == pytest.approx(-0.35)
    assert (est.days, est.weigh_ins, est.logged_days) == (21, 21, 21)


def test_uncertainty_reflects_noise_and_shrinks_with_more_data():
    import random

    rng = random.Random(7)

    def estimate(n_days):
        days = [D0 + timedelta(days=i) for i in range(n_days)]
        intake = {d: 2400 + rng.gauss(0, 250) for d in days}
        weights = [(d, 82.0 - 0.03 * i + rng.gauss(0, 0.5)) for i, d in enumerate(days)]
        return energy.adaptive_expenditure(intake, weights, days[0], days[-1])

    short, long = estimate(14), estimate(56)
    assert short.low < short.kcal < short.high
    assert long.plus_minus < short.plus_minus
    assert abs(long.kcal - (2400 + 0.03 * 7700)) < long.plus_minus + 50


def test_unlogged_days_are_not_counted_as_zero():
    days = [D0 + timedelta(days=i) for i in range(14)]
    intake = {d: 2200.0 for d in days[::2]} | {d: 0.0 for d in days[1::2][:2]}
    intake |= {d: 2200.0 for d in days[1::2][2:]}
    weights = [(d, 75.0) for d in days]
    est = energy.adaptive_expenditure(intake, weights, days[0], days[-1])
    assert est.mean_intake == 2200.0 and est.logged_days == 12


def test_too_little_data_says_what_is_missing():
    days = [D0 + timedelta(days=i) for i in range(10)]
    with pytest.raises(EnergyError, match=r"14 days of data \(have 10\).*10 weigh-ins \(have 3\)"):
        energy.adaptive_expenditure(dict.fromkeys(days, 2000.0), [(d, 80.0) for d in days[:3]], days[0], days[-1])


def test_age_from_birth_year():
    assert energy.age_from_birth_year(1992, date(2026, 11, 24)) == 34
    with pytest.raises(EnergyError):
        energy.age_from_birth_year(1850, date(2026, 1, 1))


def _history(rng, n_days, tdee=2600.0, intake_mean=2100.0, water_drop=0.0):
    """Intake and weigh-ins of someone eating `intake_mean` against `tdee`, with drifting water weight
    (AR(1)), and optionally a water drop over the first days of a new diet."""
    days = [D0 + timedelta(days=i) for i in range(n_days)]
    intake = {d: intake_mean + rng.gauss(0, 250) for d in days}
    tissue, water, weights = 85.0, 0.0, []
    for i, d in enumerate(days):
        tissue += (intake[d] - tdee) / 7700
        water = 0.6 * water + rng.gauss(0, 0.45)
        drop = -water_drop * (1 - 0.7**i)
        weights.append((d, tissue + water + drop + rng.gauss(0, 0.2)))
    return intake, weights, days


def test_the_interval_holds_the_truth_about_as_often_as_it_says():
    import random

    rng = random.Random(11)
    held = 0
    for _ in range(200):
        intake, weights, days = _history(rng, 28)
        est = energy.adaptive_expenditure(intake, weights, days[0], days[-1])
        held += est.low <= 2600 <= est.high
    assert 0.88 <= held / 200 <= 0.995  # a 95 % interval: neither over-confident nor useless


def test_a_cold_start_does_not_over_estimate():
    import random

    rng = random.Random(5)
    ests = []
    for _ in range(120):  # a cut that starts with a 1.2 kg water drop in its first days
        intake, weights, days = _history(rng, 21, water_drop=1.2)
        ests.append(energy.expenditure_at(intake, weights, days[-1]).kcal)
    mean = sum(ests) / len(ests)
    assert mean <= 2600 * 1.03  # read as tissue, the water drop alone would add ≈ 400 kcal/day (+15 %)


def test_too_little_data_is_said_not_estimated():
    days = [D0 + timedelta(days=i) for i in range(16)]
    weights = [(d, 80.0) for d in days[::3]]  # 6 weigh-ins in 16 days
    with pytest.raises(EnergyError, match=r"Not enough data yet.*10 weigh-ins \(have"):
        energy.expenditure_at(dict.fromkeys(days, 2200.0), weights, days[-1])
