"""Strong/Hevy CSV parsing on exports built in the formats those apps write, the CSV export round
trip, and reading program requests from a sentence."""

# ruff: noqa: E501  (the CSV fixtures are real export lines, kept whole)
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from training.builder import build, looks_like_program_request, parse_maxes, parse_request
from training.csvio import CSVImportError, ExportRow, detect, parse_export, parse_strong, write_csv
from training.loads import Max
from training.plates import Equipment

STRONG_NEW = """Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2024-03-04 18:02:11,"Lower A",1h 5m,"Squat (Barbell)",W,60,5,0,0,"","Felt good",
2024-03-04 18:02:11,"Lower A",1h 5m,"Squat (Barbell)",1,140,5,0,0,"belt","Felt good",8
2024-03-04 18:02:11,"Lower A",1h 5m,"Squat (Barbell)",2,140,5,0,0,"","Felt good",8.5
2024-03-04 18:02:11,"Lower A",1h 5m,"Romanian Deadlift (Barbell)",1,100,8,0,0,"","Felt good",
2024-03-04 18:02:11,"Lower A",1h 5m,"Plank",1,0,0,0,60,"","Felt good",
2024-03-04 18:02:11,"Lower A",1h 5m,"Squat (Barbell)",Rest Timer,,,,120,"","",
2024-03-04 18:02:11,"Lower A",1h 5m,"Cable Woodchop",1,15,12,0,0,"","Felt good",
2024-03-06 07:30:00,"Upper A",52m,"Bench Press (Barbell)",1,100,5,0,0,"","",9
2024-03-06 07:30:00,"Upper A",52m,"Bench Press (Barbell)",D,80,8,0,0,"","",
"""

STRONG_LEGACY = """Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;Distance Unit;Seconds;Notes;Workout Notes;Workout Duration
2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";1;315;lbs;5;;;;0;"";"";45m
2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";2;335;lbs;3;8,5;;;0;;;45m
2019-01-11 12:31:54;"Leg";"Running (Treadmill)";1;0;lbs;0;;1,5;mi;600;;;45m
"""

HEVY_KG = """"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index","set_type","weight_kg","reps","distance_km","duration_seconds","rpe"
"Push","26 Jul 2025, 07:06","26 Jul 2025, 08:11","","Bench Press (Barbell)",,"",0,"warmup",60,8,,,
"Push","26 Jul 2025, 07:06","26 Jul 2025, 08:11","","Bench Press (Barbell)",,"",1,"normal",102.5,5,,,8.5
"Push","26 Jul 2025, 07:06","26 Jul 2025, 08:11","","Lateral Raise (Dumbbell)",0,"",0,"normal",12,15,,,
"Push","26 Jul 2025, 07:06","26 Jul 2025, 08:11","","Face Pull",0,"",0,"normal",25,15,,,
"Push","26 Jul 2025, 07:06","26 Jul 2025, 08:11","","Triceps Pushdown",,"",0,"dropset",30,10,,,
"""

HEVY_LBS = """title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,weight_lbs,reps,distance_miles,duration_seconds,rpe
Legs,"2 Aug 2025, 18:00","2 Aug 2025, 19:00",,Squat (Barbell),,,0,normal,225,5,,,
Legs,"2 Aug 2025, 18:00","2 Aug 2025, 19:00",,Leg Press (Machine),,,0,normal,405,10,,,
"""


def test_strong_current_format():
    r = parse_export(STRONG_NEW.encode(), unit="kg", tz="Europe/Berlin")
    assert r.source == "strong" and len(r.sessions) == 2
    lower = r.sessions[0]
    assert lower.name == "Lower A" and lower.duration_s == 3900 and lower.notes == "Felt good"
    assert lower.started_at == datetime(2024, 3, 4, 17, 2, 11, tzinfo=UTC)  # local Berlin time → UTC
    squats = [s for s in lower.sets if s.exercise_id == "back_squat"]
    assert [(s.load_kg, s.reps, s.rpe, s.set_type) for s in squats] == [
        (60, 5, None, "warmup"),
        (140, 5, 8.0, "normal"),
        (140, 5, 8.5, "normal"),
    ]
    assert squats[1].notes == "belt"
    plank = next(s for s in lower.sets if s.exercise_id == "plank")
    assert plank.duration_s == 60 and plank.reps == 0
    assert r.unknown_exercises == {"Cable Woodchop": 1}  # kept (as the person's own exercise), not dropped
    assert r.sessions[1].sets[1].set_type == "drop"
    assert lower.external_key == "strong:2024-03-04T17:02:lower a"


def test_strong_legacy_semicolon_lbs_and_decimal_commas():
    r = parse_strong(STRONG_LEGACY, unit="kg")
    sets = r.sessions[0].sets
    assert sets[0].exercise_id == "deadlift" and sets[0].load_kg == pytest.approx(142.882, abs=1e-3)
    assert sets[1].rpe == 8.5
    run = sets[2]
    assert run.exercise_id == "running" and run.distance_m == pytest.approx(2414.0, abs=0.1) and run.duration_s == 600
    assert r.sessions[0].duration_s == 2700


def test_hevy_kg_and_lbs_with_supersets():
    r = parse_export(HEVY_KG.encode("utf-8-sig"))
    assert r.source == "hevy"
    s = r.sessions[0]
    assert s.duration_s == 3900 and [x.set_type for x in s.sets] == ["warmup", "normal", "normal", "normal", "drop"]
    assert s.sets[1].load_kg == 102.5 and s.sets[1].rpe == 8.5
    assert s.sets[2].group == s.sets[3].group == "A" and s.sets[4].group is None
    assert [x.exercise_id for x in s.sets] == [
        "bench_press",
        "bench_press",
        "lateral_raise",
        "face_pull",
        "triceps_pushdown",
    ]
    lbs = parse_export(HEVY_LBS)
    assert lbs.sessions[0].sets[0].load_kg == pytest.approx(102.058, abs=1e-3)
    assert lbs.sessions[0].sets[1].exercise_id == "leg_press"


def test_malformed_exports_are_refused_or_reported():
    with pytest.raises(CSVImportError, match="missing column"):
        detect("date,food,kcal\n2024-01-01,egg,78\n")
    with pytest.raises(CSVImportError, match="empty"):
        parse_export(b"")
    with pytest.raises(CSVImportError, match="no sets"):
        parse_export(STRONG_NEW.splitlines()[0] + "\n")
    with pytest.raises(CSVImportError, match="not text"):
        parse_export(b"\x00\x01\x02PK\x03\x04" * 20)
    broken = STRONG_NEW.replace("2024-03-06 07:30:00", "yesterday-ish").replace(",140,5,", ",-140,5,")
    r = parse_export(broken)
    assert len(r.sessions) == 1  # the readable rows are kept
    assert any("unreadable date" in x for x in r.skipped) and any("negative" in x for x in r.skipped)
    junk = "\n".join([STRONG_NEW.splitlines()[0]] + ["not-a-date,x,1m,Squat,1,abc,5,0,0,,,"] * 5)
    with pytest.raises(CSVImportError, match="could be read"):
        parse_export(junk)


def test_export_round_trips_through_the_strong_importer():
    rows = [
        ExportRow(datetime(2024, 5, 1, 16, 0, tzinfo=UTC), "Upper A", 3600, "Bench Press", "bench_press", "1", 100.0, 5,
                  8.0, None, None, "paused", "good day", "s1"),
        ExportRow(datetime(2024, 5, 1, 16, 0, tzinfo=UTC), "Upper A", 3600, "Bench Press", "bench_press", "W", 60.0, 8,
                  None, None, None, "", "good day", "s2"),
    ]  # fmt: skip
    text = write_csv(rows, unit="lb", tz="UTC")
    assert text.splitlines()[0].startswith("Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Weight Unit")
    back = parse_export(text)
    sets = back.sessions[0].sets
    assert [(s.exercise_id, round(s.load_kg, 2), s.reps, s.rpe, s.set_type) for s in sets] == [
        ("bench_press", 100.0, 5, 8.0, "normal"),
        ("bench_press", 60.0, 8, None, "warmup"),
    ]
    assert back.sessions[0].duration_s == 3600


@pytest.mark.parametrize(
    ("text", "days", "weeks", "level", "template", "maxes"),
    [
        (
            "Build me a 4-day upper/lower program for 8 weeks, intermediate, squat 140 bench 100 deadlift 180",
            4,
            8,
            "intermediate",
            "upper_lower_hypertrophy",
            {"back_squat": 140, "bench_press": 100, "deadlift": 180},
        ),
        ("a 12-week powerlifting peaking block, 3 days a week", 3, 12, None, "peaking_block", {}),
        (
            "I want 5/3/1 boring but big, squat 315 bench 225 dead 405 press 135 lbs",
            None,
            None,
            None,
            "wendler_531_bbb",
            {"back_squat": 142.882, "bench_press": 102.058, "deadlift": 183.705, "overhead_press": 61.235},
        ),
        ("give me a beginner program three days a week", 3, None, "beginner", "linear_beginner", {}),
        (
            "GZCLP 4x a week, my squat max is 120kg and bench 85",
            4,
            None,
            None,
            "gzclp",
            {"back_squat": 120, "bench_press": 85},
        ),
        (
            "squat/bench/deadlift 150/105/190 kg, DUP for 10 weeks",
            None,
            10,
            None,
            "dup_powerlifting",
            {"back_squat": 150, "bench_press": 105, "deadlift": 190},
        ),
        ("a 3 month hypertrophy routine, 4 days", 4, 13, None, "upper_lower_hypertrophy", {}),
        ("6 day push pull legs for 12 weeks", 6, 12, None, "push_pull_legs", {}),
        ("full body 3x a week, beginner", 3, None, "beginner", "full_body", {}),
        # a misspelt level is still the level (typed on a phone)
        ("program for a beginer please, 2 days a week", 2, None, "beginner", "linear_beginner", {}),
        ("intermidiate lifter, make me a 5 day split", 5, None, "intermediate", None, {}),
        ("4 day upper lower plan, im advnced", 4, None, "advanced", "upper_lower_hypertrophy", {}),
    ],
)
def test_program_requests(text, days, weeks, level, template, maxes):
    r = parse_request(text)
    assert (r.days, r.weeks, r.level, r.template) == (days, weeks, level, template)
    assert r.maxes_kg == pytest.approx(maxes)
    assert looks_like_program_request(text)


def test_a_long_word_near_a_level_is_not_taken_for_one():
    assert parse_request("build me a program to advance my bench, 3 days").level is None
    assert parse_request("a 4 day program for my competition").level is None


def test_request_is_built_and_adapted_with_notes():
    r = parse_request("5-day upper lower program for 30 weeks")
    program, notes = build(r, maxes={}, equipment=Equipment.default())
    assert program.days_per_week == 4 and len(program.weeks) == 24
    assert any("4 days" in n for n in notes) and any("24 weeks" in n for n in notes)
    assert parse_request("plan for a boxer, 2 days a week").sure is False  # left to the model
    assert not looks_like_program_request("squat 140x5 @8")
    assert not looks_like_program_request("swap thursday's deadlift for rdls")
    assert parse_maxes("bench max is 100, squat 1rm: 140kg") == {"bench_press": 100, "back_squat": 140}
    assert "back_squat" in build(parse_request("novice linear program"), maxes={"back_squat": Max(100)},
                                 equipment=Equipment.default())[0].exercises()  # fmt: skip
