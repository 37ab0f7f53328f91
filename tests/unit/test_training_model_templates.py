"""Program validation (clear reasons), the templates as data, loads they compute, deloads and diffs."""

from __future__ import annotations

import pytest

from training.diff import compress, diff_programs, diff_table
from training.edits import EditError, EditOp, apply_edits, parse_edit
from training.loads import LoadSpecError, Max, parse_load_spec
from training.model import LoadSpec, Prescription, Program, Section, Week, Workout, validate_program
from training.plates import Equipment
from training.render import program_table
from training.session import plan_workout
from training.templates import TemplateError, expand, get_template, templates

MAXES = {"back_squat": Max(140), "bench_press": Max(100), "deadlift": Max(180), "overhead_press": Max(60)}


def _one(*items: Prescription, days: int = 1) -> Program:
    wos = [
        Workout(name=f"Day {d + 1}", weekday=d, sections=[Section(kind="main", items=list(items))]) for d in range(days)
    ]
    return Program(name="t", weeks=[Week(index=1, workouts=wos)])


def test_validation_names_every_problem():
    bad = _one(
        Prescription(exercise="back_squat", sets=3, reps=0, load=LoadSpec(kind="pct_1rm", value=120)),
        Prescription(exercise="leg_blaster", sets=30, reps=5),
        Prescription(exercise="bench_press", sets=3, reps=8, reps_max=6, load=LoadSpec(kind="rpe", value=11)),
        Prescription(exercise="barbell_curl", sets=3, reps=10, group="A"),
        Prescription(exercise="deadlift", sets=1, reps=5, load=LoadSpec(kind="kg", value=700)),
        Prescription(exercise="bench_press", sets=1, reps=5, progression="nope"),
    )
    problems = validate_program(bad)
    text = "\n".join(problems)
    for needle in ("0 reps is outside 1-50", "120% is not a usable percentage", "'leg_blaster' is not an exercise",
                   "30 sets is outside 1-20", "rep range 8-6", "RPE 11", "superset 'A' has one exercise",
                   "beyond anything lifted", "progression 'nope'"):  # fmt: skip
        assert needle in text, (needle, text)
    eight = _one(Prescription(exercise="back_squat", sets=3, reps=5), days=7)
    eight.weeks[0].workouts.append(
        Workout(name="Day 8", sections=[Section(items=[Prescription(exercise="plank", sets=1, reps=1)])])
    )
    assert any("at most 7" in p for p in validate_program(eight))
    empty = _one(Prescription(exercise="back_squat", sets=3, reps=5))
    empty.weeks[0].workouts.append(Workout(name="Rest", weekday=3))
    assert any("Rest is empty" in p for p in validate_program(empty))
    assert validate_program(_one(Prescription(exercise="back_squat", sets=5, reps=5))) == []


def test_load_spec_text():
    assert parse_load_spec("75%") == LoadSpec(kind="pct_1rm", value=75)
    assert parse_load_spec("70% TM") == LoadSpec(kind="pct_tm", value=70)
    assert parse_load_spec("@8.5") == LoadSpec(kind="rpe", value=8.5)
    assert parse_load_spec("2 RIR") == LoadSpec(kind="rir", value=2)
    assert parse_load_spec("225 lb").value == pytest.approx(102.058, abs=1e-3)
    assert parse_load_spec("0.75 m/s") == LoadSpec(kind="velocity", value=0.75)
    assert parse_load_spec("BW+20kg") == LoadSpec(kind="bodyweight", value=20)
    with pytest.raises(LoadSpecError):
        parse_load_spec("heavy")


@pytest.mark.parametrize("tid", sorted(templates()))
def test_every_template_expands_to_a_valid_program_for_every_day_count(tid):
    t = get_template(tid)
    for days in t.days:
        for weeks in sorted({t.weeks_range[0], t.default_weeks, t.weeks_range[1]}):
            p = expand(t, days=days, weeks=weeks, maxes=MAXES)
            assert validate_program(p) == []
            assert len(p.weeks) == weeks and p.days_per_week == days
            assert all(wo.weekday is not None for w in p.weeks for wo in w.workouts)


def test_531_wave_loads_from_training_max():
    p = expand(get_template("wendler_531"), days=4, weeks=4, maxes=MAXES)
    eq = Equipment.default()
    squat_day = next(wo for wo in p.week(1).workouts if wo.name == "Squat day")
    items = [i for i in plan_workout(squat_day, p, MAXES, {}, eq) if i.rx.exercise == "back_squat"]
    # TM = 90 % of 140 = 126 kg; 65/75/85 % → 81.9 / 94.5 / 107.1 → rounded to plates
    assert [i.load.mass.kg for i in items] == [82.5, 95, 107.5]
    assert items[-1].reps_label == "5+"
    week3 = next(wo for wo in p.week(3).workouts if wo.name == "Squat day")
    main = [i for i in plan_workout(week3, p, MAXES, {}, eq) if i.rx.exercise == "back_squat"]
    assert [i.load.mass.kg for i in main] == [95, 107.5, 120]  # 75/85/95 % of 126
    assert p.week(4).deload and p.week(4).phase == "Deload"


def test_peaking_block_phases_and_test_week():
    p = expand(get_template("peaking_block"), days=3, weeks=12, maxes=MAXES)
    assert [w.phase for w in p.weeks][::4] == ["Hypertrophy", "Strength", "Peaking"]
    test_day = p.week(12).workouts[-1]
    squat = next(i for i in plan_workout(test_day, p, MAXES, {}, Equipment.default()) if i.rx.exercise == "back_squat")
    assert squat.load.mass.kg == 142.5  # 102.5 % of 140, rounded to plates
    short = expand(get_template("peaking_block"), days=3, weeks=8)
    assert short.week(8).phase == "Taper & test"  # a shorter block still ends on the test


def test_template_limits_are_reported():
    with pytest.raises(TemplateError, match="3 or 4 days"):
        expand(get_template("peaking_block"), days=6)
    with pytest.raises(TemplateError, match="6-16 weeks"):
        expand(get_template("peaking_block"), weeks=30)


def test_edits_and_diff():
    p = expand(get_template("upper_lower_hypertrophy"), days=4, weeks=8, maxes=MAXES)
    ops = parse_edit("swap Friday's deadlift for RDLs")
    assert ops == [EditOp(kind="swap", exercise="deadlift", new_exercise="RDLs", day="Friday")]
    new = apply_edits(p, ops)
    assert p.week(1).workouts[3].prescriptions()[0].exercise == "deadlift"  # original untouched
    assert new.week(1).workouts[3].prescriptions()[0].exercise == "romanian_deadlift"
    rows = compress(diff_programs(p, new))
    assert [r.weeks for r in rows] == [[1, 2, 3, 5, 6, 7], [4, 8]]
    assert "Romanian Deadlift 3×4-6 @ RPE 8" in diff_table(rows)
    with pytest.raises(EditError, match=r"no Deadlift on Thursday.*Fri Lower B"):
        apply_edits(p, parse_edit("swap Thursday's deadlift for RDLs"))
    deload = apply_edits(p, parse_edit("make week 3 a deload"))
    assert deload.week(3).deload and deload.week(3).workouts[0].prescriptions()[0].sets == 2
    assert parse_edit("deload week 6") == [EditOp(kind="deload", weeks=[6])]
    added = apply_edits(p, parse_edit("add 3x12 face pulls to Friday"))
    assert added.week(2).workouts[3].prescriptions()[-1].exercise == "face_pull"
    scheme = apply_edits(p, parse_edit("change squat to 5x5"))
    assert {
        (x.sets, x.reps)
        for w in scheme.weeks
        for wo in w.workouts
        for x in wo.prescriptions()
        if x.exercise == "back_squat"
    } == {(5, 5)}
    assert parse_edit("what's my workout today") is None
    # a percentage load swapped onto a lift with no max becomes the RPE it meant
    pct = expand(get_template("wendler_531"), days=4, weeks=4, maxes=MAXES)
    swapped = apply_edits(pct, [EditOp(kind="swap", exercise="deadlift", new_exercise="kettlebell swing")])
    kinds = {
        x.load.kind
        for w in swapped.weeks
        for wo in w.workouts
        for x in wo.prescriptions()
        if x.exercise == "kettlebell_swing"
    }
    assert kinds == {"rpe"}


def test_program_table_merges_identical_weeks_and_shows_loads():
    p = expand(get_template("upper_lower_hypertrophy"), days=4, weeks=8)
    md = program_table(p, MAXES, Equipment.default(), "kg")
    assert "| 1–3 |" in md and "| 4 Deload |" in md
    assert "110 kg (RPE 8)" in md  # squat 4×6 @ RPE 8 from a 140 kg max
    lb = program_table(p, MAXES, Equipment.default("lb"), "lb", weeks=[1])
    assert "245 lb (RPE 8)" in lb  # the same squat rounded to 5 lb steps of a 45 lb bar


@pytest.mark.parametrize(
    ("line", "op"),
    [
        ("delete the leg curls from my routine", EditOp(kind="remove", exercise="leg curls")),
        ("take the dips out of this plan please", EditOp(kind="remove", exercise="dips")),
        (
            "cut the skull crushers from my plan since my elbow is sore",
            EditOp(kind="remove", exercise="skull crushers"),
        ),
        ("add lateral raises to my program", EditOp(kind="add", new_exercise="lateral raises")),
        (
            "replace squats with hack squats in the programme",
            EditOp(kind="swap", exercise="squats", new_exercise="hack squats"),
        ),
    ],
)
def test_the_program_is_where_an_edit_happens_not_part_of_the_exercise(line, op):
    assert parse_edit(line) == [op]
