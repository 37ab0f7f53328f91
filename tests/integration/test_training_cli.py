"""`powerforge train …` / `powerforge program …` through the real Typer app on a temp database."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from powerforge.cli import _discover, app
from storage import training as repo
from training.loads import Max
from training.templates import expand, get_template

_discover()
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.output


def test_parse_set_and_e1rm_json():
    code, out = run("train", "parse-set", "bench 3x5 at 100", "--json")
    assert code == 0
    data = json.loads(out)
    e = data["entries"][0]
    assert e["exercise_id"] == "bench_press" and len(e["sets"]) == 3
    assert e["sets"][0] == {"reps": 5, "load": 100.0, "unit": "kg", "load_kg": 100.0, "rpe": None, "amrap": False,
                            "added_to_bodyweight": False, "e1rm_kg": 114.58}  # fmt: skip
    code, out = run("train", "parse-set", "did 225 for 8 on deadlift", "--unit", "lb", "--json")
    assert json.loads(out)["entries"][0]["sets"][0]["load_kg"] == pytest.approx(102.058, abs=1e-3)
    code, out = run("train", "e1rm", "140x5 @8", "--json")
    d = json.loads(out)
    assert code == 0 and d["method"] == "rpe_chart" and d["e1rm"] == pytest.approx(172.63, abs=0.01)
    code, out = run("train", "e1rm", "--load", "100", "--reps", "10", "--json")
    assert json.loads(out)["epley"] == pytest.approx(133.33, abs=0.01)
    code, out = run("train", "parse-set", "what is love")
    assert code == 1 and "couldn't find a set" in out
    code, out = run("train", "plates", "142.5", "--json")
    assert json.loads(out)["per_side"] == [25.0, 25.0, 10.0, 1.25]


def test_import_export_and_program_show(settings, engine, account, tmp_path):
    f = tmp_path / "hevy.csv"
    f.write_text(
        "title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,"
        "weight_kg,reps,distance_km,duration_seconds,rpe\n"
        'Legs,"2 Aug 2025, 18:00","2 Aug 2025, 19:00",,Squat (Barbell),,,0,normal,140,5,,,8\n'
        'Legs,"2 Aug 2025, 18:00","2 Aug 2025, 19:00",,Leg Press (Machine),,,0,normal,200,10,,,\n'
    )
    code, out = run("train", "import", "hevy", str(f), "--user", "athlete", "--json")
    assert code == 0, out
    assert json.loads(out)["sets_added"] == 2
    code, out = run("train", "import", "hevy", str(f), "--json")  # default user; idempotent
    assert json.loads(out)["duplicates"] == 1 and json.loads(out)["sets_added"] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    code, out = run("train", "import", "strong", str(bad))
    assert code == 1 and "missing column" in out
    dest = tmp_path / "out.csv"
    code, out = run("train", "export", str(dest), "--json")
    assert code == 0 and json.loads(out)["sets"] == 2 and "Back Squat" in dest.read_text()

    code, out = run("program", "show", "--json")
    assert json.loads(out) == {"program": None}
    p = expand(get_template("wendler_531"), days=4, weeks=4, maxes={"back_squat": Max(140)})
    repo.activate_program(account.id, p, start=date(2025, 1, 6), maxes_kg={"back_squat": 140}, engine=engine)
    code, out = run("program", "show", "--week", "1", "--json")
    data = json.loads(out)
    assert code == 0 and data["name"].startswith("5/3/1") and len(data["weeks"]) == 1
    squat_day = next(w for w in data["weeks"][0]["workouts"] if w["name"] == "Squat day")
    assert [i["load_kg"] for i in squat_day["items"][:3]] == [82.5, 95.0, 107.5]
    code, out = run("program", "show")
    assert code == 0 and "| Week | Day | Section |" in out
    code, out = run("program", "templates", "--json")
    assert {t["id"] for t in json.loads(out)} >= {"gzclp", "peaking_block", "wendler_531_bbb"}


def test_log_sets_and_todays_workout_use_the_services(settings, engine, account):
    code, out = run("program", "today", "--json")
    assert code == 1 and "No saved program" in out
    code, out = run("train", "log", "zercher widget 3x5 at 60", "--json")
    assert code == 1 and "Which exercise is 'zercher widget'" in out
    assert repo.last_set(account.id, engine=engine) is None  # a question logs nothing
    code, out = run("train", "log", "squat 140x5 @8", "--unit", "kg", "--json")
    assert code == 0, out
    assert json.loads(out)["sets"] == [{"exercise_id": "back_squat", "load_kg": 140.0, "reps": 5, "rpe": 8.0}]
    p = expand(get_template("wendler_531"), days=4, weeks=4, maxes={"back_squat": Max(140)})
    repo.activate_program(account.id, p, start=date(2025, 1, 6), maxes_kg={"back_squat": 140}, engine=engine)
    code, out = run("program", "today", "--json")
    assert code == 0 and json.loads(out)["week"] == 1 and json.loads(out)["items"]
