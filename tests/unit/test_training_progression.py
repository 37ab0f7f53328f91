"""Progression rules evaluated over several weeks: linear with stalls and deload, GZCLP stages, double
progression, 5/3/1 training-max waves and RPE autoregulation; plus PRs and the session summary."""

from __future__ import annotations

import pytest

from training.library import library
from training.model import LoadSpec, Prescription, ProgressionRule
from training.plates import Equipment
from training.progression import Performed, SlotState, decide
from training.prs import Bests, detect_prs
from training.sets import ImplausibleSet, SetRecord, check_set, unit_suspicion
from training.summary import summarise

EQ = Equipment.default()
SQUAT = library().get("back_squat")
BENCH = library().get("bench_press")


def sets(load: float, *reps: int, rpe: float | None = None, amrap: bool = False) -> list[Performed]:
    return [Performed(load, r, rpe, amrap and i == len(reps) - 1) for i, r in enumerate(reps)]


def test_linear_adds_weight_each_session_then_repeats_then_deloads():
    rule = ProgressionRule(kind="linear", increment_lower_kg=5, stall_limit=3, deload_pct=10)
    rx = Prescription(exercise="back_squat", sets=3, reps=5, progression="lp")
    st, loads = SlotState(load_kg=100), []
    # four good sessions: 100 → 105 → 110 → 115 → 120
    for _ in range(4):
        d = decide(rule, rx, st, sets(st.load_kg, 5, 5, 5), SQUAT, EQ)
        assert d.action == "increase"
        st = d.state
        loads.append(st.load_kg)
    assert loads == [105, 110, 115, 120]
    # three misses at 120: repeat, repeat, then deload 10 % (to 107.5 after plate rounding)
    d1 = decide(rule, rx, st, sets(120, 5, 5, 3), SQUAT, EQ)
    assert d1.action == "repeat" and d1.load_kg == 120 and d1.state.failures == 1
    d2 = decide(rule, rx, d1.state, sets(120, 5, 4, 4), SQUAT, EQ)
    assert d2.action == "repeat" and d2.state.failures == 2
    d3 = decide(rule, rx, d2.state, sets(120, 5, 4, 3), SQUAT, EQ)
    assert d3.action == "deload" and d3.load_kg == 107.5 and d3.state.failures == 0
    assert "deload 10%" in d3.describe("Back Squat")
    # upper-body lifts take the smaller jump
    up = decide(
        rule, Prescription(exercise="bench_press", sets=3, reps=5), SlotState(load_kg=80), sets(80, 5, 5, 5), BENCH, EQ
    )
    assert up.load_kg == 82.5


def test_gzclp_t1_changes_scheme_before_dropping_weight():
    rule = ProgressionRule(kind="linear", stall_limit=1, deload_pct=15, stages=[(5, 3), (6, 2), (10, 1)])
    rx = Prescription(exercise="back_squat", sets=5, reps=3, amrap=True)
    st = SlotState(load_kg=120)
    d = decide(rule, rx, st, sets(120, 3, 3, 3, 3, 4), SQUAT, EQ)
    assert d.action == "increase" and d.load_kg == 125
    d = decide(rule, rx, d.state, sets(125, 3, 3, 3, 2, 2), SQUAT, EQ)
    assert (d.action, d.sets, d.reps, d.load_kg) == ("next_stage", 6, 2, 125)
    d = decide(rule, rx, d.state, sets(125, 2, 2, 2, 2, 2, 1), SQUAT, EQ)
    assert (d.action, d.sets, d.reps) == ("next_stage", 10, 1)
    d = decide(rule, rx, d.state, sets(125, *([1] * 8)), SQUAT, EQ)  # only 8 of 10 singles
    assert d.action == "deload" and (d.sets, d.reps) == (5, 3) and d.load_kg == 105  # 125 × 0.85 → 106.25 → 105
    assert d.state.stage == 0


def test_double_progression_climbs_reps_then_load():
    rule = ProgressionRule(kind="double", increment_upper_kg=2.5, stall_limit=3)
    rx = Prescription(exercise="bench_press", sets=3, reps=8, reps_max=12)
    st = SlotState(load_kg=60)
    d = decide(rule, rx, st, sets(60, 9, 8, 8), BENCH, EQ)
    assert d.action == "hold" and d.reps == 9 and d.load_kg == 60
    d = decide(rule, rx, d.state, sets(60, 12, 12, 12), BENCH, EQ)
    assert d.action == "increase" and d.load_kg == 62.5 and d.reps == 8
    miss = decide(rule, rx, d.state, sets(62.5, 7, 6, 6), BENCH, EQ)
    assert miss.action == "repeat"


def test_wave_raises_training_max_after_the_amrap_week():
    rule = ProgressionRule(kind="wave", cycle_weeks=4, increment_lower_kg=5, deload_pct=10)
    rx = Prescription(exercise="back_squat", sets=1, reps=1, amrap=True, load=LoadSpec(kind="pct_tm", value=95))
    st = SlotState(tm_kg=126)
    hold = decide(rule, rx, st, sets(120, 3, amrap=True), SQUAT, EQ, week_in_cycle=1)
    assert hold.action == "hold" and hold.state.tm_kg == 126
    up = decide(rule, rx, st, sets(120, 4, amrap=True), SQUAT, EQ, week_in_cycle=3)
    assert up.action == "tm_up" and up.state.tm_kg == 131
    down = decide(rule, rx, st, sets(120, 0, amrap=True), SQUAT, EQ, week_in_cycle=3)
    assert down.action == "tm_down" and down.state.tm_kg == pytest.approx(113.4)
    assert decide(rule, rx, st, sets(60, 5), SQUAT, EQ, week_in_cycle=4, deload_week=True).action == "hold"


def test_rpe_autoregulation_uses_the_chart():
    rule = ProgressionRule(kind="rpe", target_rpe=8)
    rx = Prescription(exercise="back_squat", sets=3, reps=5, load=LoadSpec(kind="rpe", value=8))
    # 140×5 @7 → e1RM 140/0.786 = 178.1; 5 @ 8 = 81.1 % → 144.5 → 145 on the plates
    d = decide(rule, rx, SlotState(load_kg=140), sets(140, 5, 5, 5, rpe=7), SQUAT, EQ)
    assert d.action == "adjust" and d.load_kg == 145
    # the same load at RPE 9.5 → next time lighter
    easy = decide(rule, rx, SlotState(load_kg=140), sets(140, 5, rpe=9.5), SQUAT, EQ)
    assert easy.load_kg < 140
    no_rpe = decide(rule, rx, SlotState(load_kg=140), sets(140, 5), SQUAT, EQ)
    assert no_rpe.action == "hold" and "log an RPE" in no_rpe.reason


def test_prs_weight_reps_and_e1rm():
    history_reps = {100.0: 8, 120.0: 5, 140.0: 2}
    bests = Bests(
        "back_squat", True, 140, 140, lambda load: max((r for w, r in history_reps.items() if w >= load), default=0)
    )
    new = [
        SetRecord("back_squat", 120, 6),
        SetRecord("back_squat", 142.5, 1),
        SetRecord("back_squat", 60, 5, warmup=True),
    ]
    prs = detect_prs(new, bests)
    kinds = [(p.kind, p.value) for p in prs]
    assert ("reps", 6) in kinds and ("weight", 142.5) in kinds
    assert any(k == "e1rm" for k, _ in kinds)
    assert "heaviest ever, 142.5 kg (was 140 kg)" in prs[[p.kind for p in prs].index("weight")].describe("Back Squat")
    # the first ever sets of a lift are a baseline, not records
    assert detect_prs([SetRecord("back_squat", 100, 5)], Bests("back_squat", False)) == []
    # within one message, the second set is compared with the first
    first_time = Bests("bench_press", False)
    assert (
        next(p.kind for p in detect_prs([SetRecord("bench_press", 80, 5), SetRecord("bench_press", 85, 5)], first_time))
        == "weight"
    )


def test_session_summary_volume_top_sets_and_hard_sets():
    s = summarise([
        SetRecord("back_squat", 60, 5, warmup=True),
        SetRecord("back_squat", 140, 5, 8), SetRecord("back_squat", 140, 5, 8.5), SetRecord("back_squat", 140, 4, 9.5),
        SetRecord("romanian_deadlift", 100, 8, 6),  # RPE 6: not a hard set
        SetRecord("pull_up", 0, 10),
    ])  # fmt: skip
    assert s.working_sets == 5 and s.warmup_sets == 1
    assert s.volume_kg == 140 * 14 + 800
    squat = s.lifts[0]
    # the top set is the one with the best e1RM: 140×5 @8 (172.6) beats 140×4 @9.5 (159.5)
    assert (squat.sets, squat.top_load_kg, squat.top_reps, squat.top_rpe) == (3, 140, 5, 8)
    assert s.hard_sets["quads"] == 3 and s.hard_sets["glutes"] == 3
    assert s.hard_sets["adductors"] == 1.5  # secondary muscle: half a set each
    assert s.hard_sets["lats"] == 1 and "hamstrings" not in s.hard_sets


def test_impossible_numbers_and_unit_mixups():
    with pytest.raises(ImplausibleSet, match="heaviest ever lifted"):
        from powerforge.units import Mass

        check_set(SQUAT, Mass.kgs(1400), 5, None)
    from powerforge.units import Mass

    with pytest.raises(ImplausibleSet, match="at least 1"):
        check_set(SQUAT, Mass.kgs(100), 0, None)
    with pytest.raises(ImplausibleSet, match="RPE 12"):
        check_set(SQUAT, Mass.kgs(100), 5, 12)
    # 315 typed by a kg user whose squat e1RM is 150: 315 kg is absurd, 315 lb (143 kg) fits
    assert unit_suspicion(315, "kg", 5, SQUAT, 150) == "lb"
    # a lb user typing 140 (kg) for a squat: 140 lb for 5 is light, not implausible → no question
    assert unit_suspicion(140, "lb", 5, SQUAT, 160) is None
    # 600 on the barbell is beyond any record in kg, plausible in lb
    assert unit_suspicion(600, "kg", 1, SQUAT, None) == "lb"
    assert unit_suspicion(142.5, "kg", 5, SQUAT, 150) is None
