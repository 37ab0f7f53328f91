"""Imports keep nothing silent: a missing required column is a refusal that names it and stores nothing,
each skipped row names its line and column in words, MyFitnessPal's exercise file is imported, and a
Cronometer daily summary never silently replaces itemised servings. Files are written here, by the test."""

# ruff: noqa: E501  (CSV lines are kept whole)
from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from nutrition.importers import ImportFormatError, parse_file, parse_text
from nutrition.transfer import save_import
from storage import nutrition as repo
from training.csvio import CSVImportError, parse_export

HEVY_HEADER = "title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,reps,distance_km,duration_seconds,rpe"


def hevy_without_weight() -> str:
    rows = [
        f'Legs,"{d} Aug 2025, 18:00","{d} Aug 2025, 19:00",,Squat (Barbell),,,{i},normal,5,,,'
        for d in (2, 4, 6)
        for i in range(3)
    ]
    return HEVY_HEADER + "\n" + "\n".join(rows) + "\n"


@pytest.fixture
def cli(settings, engine):
    from powerforge.cli import _discover, app

    _discover()
    return lambda *args: CliRunner().invoke(app, list(args))


def _sessions(account_id: int, engine) -> int:
    from sqlmodel import select

    from storage.engine import read_session
    from storage.tables.training import TrainingSession

    with read_session(engine) as s:
        return len(list(s.exec(select(TrainingSession).where(TrainingSession.account_id == account_id))))


# --- training exports -----------------------------------------------------------------------------------------
def test_hevy_without_a_weight_column_is_refused_naming_it():
    with pytest.raises(CSVImportError, match=r"weight_kg.*weight_lbs") as e:
        parse_export(hevy_without_weight().encode())
    assert "nothing was imported" in str(e.value)


def test_hevy_without_weight_stores_nothing_through_the_cli(cli, account, engine, tmp_path):
    f = tmp_path / "workouts.csv"
    f.write_text(hevy_without_weight())
    r = cli("train", "import", "hevy", str(f), "--json")
    assert r.exit_code != 0
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and "weight_kg" in doc["error"]
    assert _sessions(account.id, engine) == 0


def test_skipped_training_rows_name_line_and_column():
    text = (
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
        "2024-03-04 18:02:11,Lower,1h,Squat (Barbell),1,140,5,0,0,,,\n"
        "2024-03-04 18:02:11,Lower,1h,Squat (Barbell),2,one-forty,5,0,0,,,\n"
        "\n"
        "2024-03-04 18:02:11,Lower,1h,Squat (Barbell),3,140,five,0,0,,,\n"
        "2024-03-04 18:02:11,Lower,1h,Squat (Barbell),4,140,5,0,0,,,11\n"
        "2024-03-04 18:02:11,Lower,1h,Squat (Barbell),5,140,5,0,0,,,\n"
        "2024-03-04 18:02:11,Lower,1h,Squat (Barbell),6,140,5,0,0,,,\n"
        "2024-03-04 18:02:11,Lower,1h,Squat (Barbell),7,140,5,0,0,,,\n"
    )
    r = parse_export(text)
    assert r.skipped == [
        "line 3: the Weight column holds 'one-forty', not a number",
        "line 5: the Reps column holds 'five', not a number",
        "line 6: the RPE column holds 11, off the 1-10 scale",
    ]
    assert not any("convert" in s for s in r.skipped)
    assert r.set_count == 4


# --- nutrition exports ----------------------------------------------------------------------------------------
def test_mfp_nutrition_without_calories_is_refused():
    with pytest.raises(ImportFormatError, match="Calories"):
        parse_text("Date,Meal,Fat (g),Protein (g)\n2026-10-01,Lunch,20,40\n", name="Nutrition-Summary.csv")


def test_skipped_nutrition_rows_name_line_and_column():
    text = (
        "Date,Meal,Calories,Fat (g),Carbohydrates (g),Protein (g)\n"
        "2026-10-01,Lunch,600,20,60,40\n"
        "2026-10-01,Dinner,700,20,abc,40\n"
        "someday,Dinner,700,20,60,40\n"
        "2026-10-02,Dinner,,20,60,40\n"
    )
    r = parse_text(text, name="Nutrition-Summary.csv")
    assert len(r.entries) == 1
    assert r.skipped_rows == [
        "Nutrition-Summary.csv line 3: the Carbohydrates (g) column holds 'abc', not a number",
        "Nutrition-Summary.csv line 4: the Date column holds 'someday', not a date",
        "Nutrition-Summary.csv line 5: the Calories column is empty",
    ]


EXERCISE_KG = (
    "Date,Exercise,Type,Exercise Calories,Exercise Minutes,Sets,Reps Per Set,Kilograms,Steps,Note\n"
    '2026-09-28,"Walking, incline",Cardio,220,35,,,,,uphill\n'
    "2026-09-28,Barbell Squat,Strength,,,4,6,100,,\n"
    "2026-09-29,Fitness tracker adjustment,Cardio,150,1,,,,8123,\n"
    "2026-09-29,Rowing,Cardio,lots,20,,,,,\n"
)


def test_mfp_exercise_summary_is_read():
    r = parse_text(EXERCISE_KG, name="Exercise-Summary.csv")
    assert r.kind == "mfp_exercise" and r.source == "import:mfp"
    assert [(a.day, a.name, a.kcal, a.minutes, a.steps, a.note) for a in r.activities] == [
        (date(2026, 9, 28), "Walking, incline", 220.0, 35.0, None, "uphill"),
        (date(2026, 9, 29), "Fitness tracker adjustment", 150.0, 1.0, 8123, ""),
    ]
    assert [(s.exercise, s.sets, s.reps, s.load_kg) for s in r.strength] == [("Barbell Squat", 4, 6, 100.0)]
    assert r.skipped_rows == ["Exercise-Summary.csv line 5: the Exercise Calories column holds 'lots', not a number"]
    pounds = parse_text(EXERCISE_KG.replace("Kilograms", "Pounds").replace(",100,", ",225,"), name="x.csv")
    assert pounds.strength[0].load_kg == pytest.approx(102.058, abs=1e-3)


def test_mfp_exercise_without_a_load_column_is_refused():
    text = EXERCISE_KG.replace(",Kilograms,", ",Load,")
    with pytest.raises(ImportFormatError, match="'Kilograms' or 'Pounds'"):
        parse_text(text, name="Exercise-Summary.csv")


def test_mfp_exercise_is_stored_as_energy_steps_and_sets(account, engine, tmp_path):
    f = tmp_path / "Exercise-Summary.csv"
    f.write_text(EXERCISE_KG)
    summary = save_import(account.id, parse_file(f), engine)
    assert (summary.activities, summary.sets) == (2, 4)
    rows = repo.list_activity(account.id, date(2026, 9, 28), date(2026, 9, 29), engine)
    assert [(a.kcal, a.steps) for a in rows] == [(220.0, None), (150.0, 8123)]
    assert repo.list_entries(account.id, date(2026, 9, 28), date(2026, 9, 29), engine=engine) == []  # not food
    again = save_import(account.id, parse_file(f), engine)  # re-import: nothing doubles
    assert again.sets == 0 and len(repo.list_activity(account.id, date(2026, 9, 28), date(2026, 9, 29), engine)) == 2
    from storage import training as training_repo

    sets = training_repo.export_rows(account.id, engine=engine)
    assert [(r.load_kg, r.reps) for r in sets] == [(100.0, 6)] * 4
    assert {r.started_at.date() for r in sets} == {date(2026, 9, 28)}


SERVINGS = (
    "Day,Time,Group,Food Name,Amount,Energy (kcal),Protein (g),Carbs (g),Fat (g)\n"
    "2026-10-05,08:00,Breakfast,Oats,80 g,300,10,54,6\n"
    "2026-10-05,13:00,Lunch,Chicken breast,200 g,330,62,0,7\n"
    "2026-10-06,08:00,Breakfast,Oats,80 g,300,10,54,6\n"
)
DAILY = "Date,Energy (kcal),Protein (g),Carbs (g),Fat (g)\n2026-10-05,640,72,54,13\n2026-10-06,310,10,54,6\n2026-10-07,2000,150,200,60\n"


def test_cronometer_daily_summary_keeps_itemised_servings_unless_asked(account, engine, tmp_path):
    servings, daily = tmp_path / "servings.csv", tmp_path / "dailysummary.csv"
    servings.write_text(SERVINGS)
    daily.write_text(DAILY)
    save_import(account.id, parse_file(servings), engine)
    summary = save_import(account.id, parse_file(daily), engine)
    assert summary.kept_days == [date(2026, 10, 5), date(2026, 10, 6)]
    assert any("Kept your itemised Cronometer servings for 2026-10-05, 2026-10-06" in n for n in summary.notes)
    names = [e.food_name for e in repo.list_entries(account.id, date(2026, 10, 5), date(2026, 10, 7), engine=engine)]
    assert names == ["Oats", "Chicken breast", "Oats", "Daily total (Cronometer)"]  # 7 Oct only had a total
    summary = save_import(account.id, parse_file(daily), engine, replace=True)
    assert summary.kept_days == [] and any("as asked" in n for n in summary.notes)
    names = [e.food_name for e in repo.list_entries(account.id, date(2026, 10, 5), date(2026, 10, 7), engine=engine)]
    assert names == ["Daily total (Cronometer)"] * 3


def test_cronometer_zip_with_servings_and_totals_does_not_count_a_day_twice(account, engine, tmp_path):
    import zipfile

    z = tmp_path / "cronometer.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("servings.csv", SERVINGS)
        zf.writestr("dailysummary.csv", DAILY)
    summary = save_import(account.id, parse_file(z), engine)
    kcal = repo.daily_totals(account.id, date(2026, 10, 5), date(2026, 10, 7), engine)
    assert {d: t["kcal"] for d, t in kcal.items()} == {
        date(2026, 10, 5): 630.0,
        date(2026, 10, 6): 300.0,
        date(2026, 10, 7): 2000.0,
    }
    assert any("itemised servings, not the daily totals" in n for n in summary.notes)


def test_cronometer_cli_says_what_it_kept(cli, account, tmp_path):
    servings, daily = tmp_path / "servings.csv", tmp_path / "dailysummary.csv"
    servings.write_text(SERVINGS)
    daily.write_text(DAILY)
    assert cli("food", "import", "cronometer", str(servings)).exit_code == 0
    r = cli("food", "import", "cronometer", str(daily), "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["kept_itemised_days"] == ["2026-10-05", "2026-10-06"] and doc["entries"] == 1
    r = cli("food", "import", "cronometer", str(daily), "--replace", "--json")
    assert json.loads(r.stdout)["kept_itemised_days"] == []


def test_exercise_import_and_export_on_postgresql(pg_settings, tmp_path):
    """The new nutrition_activity table migrates and round-trips on PostgreSQL too."""
    from storage.accounts import create_account
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(pg_settings.db_url)
    upgrade(engine=engine)
    account = create_account("pg-athlete", "correct-horse-9", engine=engine)
    f = tmp_path / "Exercise-Summary.csv"
    f.write_text(EXERCISE_KG)
    summary = save_import(account.id, parse_file(f), engine)
    assert (summary.activities, summary.sets) == (2, 4)
    from nutrition.transfer import export_csv

    paths = export_csv(account.id, tmp_path / "out", engine)
    activity = next(p for p in paths if p.name == "activity.csv").read_text().splitlines()
    assert activity[0] == "date,name,kind,kcal,minutes,steps,source,note"
    assert activity[1:] == [
        '2026-09-28,"Walking, incline",cardio,220,35,,import:mfp,uphill',
        "2026-09-29,Fitness tracker adjustment,cardio,150,1,8123,import:mfp,",
    ]
    engine.dispose()
