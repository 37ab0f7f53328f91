"""Plate maths with real plate sets, and the exercise library's data and name resolution."""

from __future__ import annotations

import pytest

from powerforge.units import Mass
from training.library import Exercise, Library, library
from training.plates import Equipment, PlateError, load_bar, round_load


def test_plates_per_side_with_standard_kg_set():
    eq = Equipment.default("kg")
    b = load_bar(Mass.kgs(142.5), eq)
    assert b.exact and b.per_side == (25, 25, 10, 1.25)
    assert b.describe() == "2×25 + 10 + 1.25 per side (bar 20 kg)"
    assert load_bar(Mass.kgs(20), eq).per_side == ()
    assert load_bar(Mass.kgs(60), eq).per_side == (20,)
    near = load_bar(Mass.kgs(101), eq)  # not makeable: nearest is 100
    assert near.total == 100 and not near.exact and near.notes
    with pytest.raises(PlateError, match="empty bar"):
        load_bar(Mass.kgs(15), eq)


def test_plates_in_pounds_and_own_plate_sets():
    lb = Equipment.default("lb")
    b = load_bar(Mass.pounds(315), lb)
    assert b.per_side == (45, 45, 45) and b.unit == "lb"
    assert load_bar(Mass.pounds(135), lb).per_side == (45,)
    # a kg target on a lb setup is converted first: 100 kg = 220.46 lb → 220 lb
    assert load_bar(Mass.kgs(100), lb).total == 220
    # a home gym with one pair of each: 2×20 + 2×10 + 2×5 = 90 kg is the top
    home = Equipment(unit="kg", bar=15, plates=((20, 1), (10, 1), (5, 1), (2.5, 1)))
    top = load_bar(Mass.kgs(140), home)
    assert top.total == 15 + 2 * 37.5 and "top out" in top.notes[0]
    assert load_bar(Mass.kgs(40), home).per_side == (10, 2.5)
    # no 5 kg pair but two 2.5 pairs: 30 kg on a 20 kg bar uses 2.5 + 2.5 per side
    odd = Equipment(unit="kg", bar=20, plates=((20, 1), (2.5, 2)))
    assert load_bar(Mass.kgs(30), odd).per_side == (2.5, 2.5)
    with pytest.raises(PlateError):
        Equipment(unit="kg", bar=300)


def test_round_load_uses_plates_for_barbells_and_steps_elsewhere():
    eq = Equipment.default()
    assert round_load(Mass.kgs(117.2), eq, barbell=True).kg == 117.5
    assert round_load(Mass.kgs(10), eq, barbell=True).kg == 20  # never below the empty bar
    assert round_load(Mass.kgs(23), eq, barbell=False, equipment="dumbbell").kg == 24
    assert round_load(Mass.kgs(51), eq, barbell=False, equipment="machine").kg == 50


def test_library_size_fields_and_unique_aliases():
    lib = library()
    assert len(lib) >= 150
    assert all(e.primary for e in lib.exercises)
    assert sum(e.barbell for e in lib.exercises) >= 40
    assert {e.equipment for e in lib.exercises} >= {"barbell", "dumbbell", "machine", "cable", "bodyweight"}
    dup = Exercise("x", "X", ("rdl",), ("glutes",), (), "barbell", True, "hinge")
    with pytest.raises(ValueError, match="rdl"):
        Library([*lib.exercises, dup])


@pytest.mark.parametrize(
    ("name", "exercise_id"),
    [
        ("RDL", "romanian_deadlift"),
        ("RDLs", "romanian_deadlift"),
        ("romanian deadlift", "romanian_deadlift"),
        ("bench", "bench_press"),
        ("OHP", "overhead_press"),
        ("DB row", "dumbbell_row"),
        ("chins", "chin_up"),
        ("Squat (Barbell)", "back_squat"),
        ("Bench Press (Dumbbell)", "dumbbell_bench_press"),
        ("Deadlift (Trap bar)", "trap_bar_deadlift"),
        ("Bent Over Row (Barbell)", "barbell_row"),
        ("Lat Pulldown (Cable)", "lat_pulldown"),
        ("Seated Cable Row - V Grip (Cable)", "seated_cable_row"),
        ("Triceps Pushdown (Cable - Straight Bar)", "triceps_pushdown"),
        ("Hip Thrust (Barbell)", "hip_thrust"),
        ("Incline Bench Press (Dumbbell)", "incline_dumbbell_press"),
        ("romanain deadlift", "romanian_deadlift"),
        ("squatt", "back_squat"),
    ],
)
def test_resolution(name, exercise_id):
    r = library().resolve(name)
    assert r.sure and r.exercise.id == exercise_id, (name, r)


def test_unknown_names_give_candidates_not_guesses():
    r = library().resolve("zercher carry")
    assert not r.sure and "zercher_squat" in [c.id for c in r.candidates]
    assert not library().resolve("quantum flux press").sure
    assert library().get("back_squat").lower_body and not library().get("bench_press").lower_body
    assert library().get("pause_squat").base == "back_squat"
