"""MyFitnessPal and Cronometer imports: realistic exports written here (real column names), malformed
variants (missing columns, Windows-1252, duplicate days, semicolons and comma decimals), re-imports."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from nutrition.importers import ImportFormatError, parse_file
from nutrition.transfer import export_csv, save_import
from storage import nutrition as repo

MFP_HEADER = (
    "Date,Meal,Calories,Fat (g),Saturated Fat,Polyunsaturated Fat,Monounsaturated Fat,Trans Fat,Cholesterol,"
    "Sodium (mg),Potassium,Carbohydrates (g),Fiber,Sugar,Protein (g),Vitamin A,Vitamin C,Calcium,Iron,Note"
)
MFP_NUTRITION = "\r\n".join(
    [
        MFP_HEADER,
        "2026-10-05,Breakfast,518.0,29.0,7.9,0.0,0.0,0.0,0.0,574.5,740.0,36.7,2.1,14.1,27.6,0.0,0.0,0.0,0.0,",
        "2026-10-05,Lunch,705.2,21.3,6.0,2.0,8.0,0.0,80.0,900.0,600.0,80.5,9.0,10.0,45.0,5.0,20.0,10.0,12.0,",
        "2026-10-05,Snacks,180.0,6.0,1.0,0.0,0.0,0.0,0.0,50.0,100.0,25.0,2.0,18.0,5.0,0.0,0.0,0.0,0.0,",
        "2026-10-06,Breakfast,430.0,12.0,4.0,2.0,3.0,0.0,100.0,500.0,350.0,60.0,3.0,8.0,22.0,8.0,12.0,16.0,2.0,",
        '2026-10-06,Dinner,"1,020.0",40.0,12.0,4.0,7.0,0.0,75.0,"1,250.0",480.0,100.0,5.0,7.0,60.0,4.0,18.0,14.0,3.0,late',
        "2026-10-06,Post-Workout,250.0,3.0,1.0,0.0,0.0,0.0,0.0,150.0,300.0,30.0,1.0,20.0,25.0,0.0,0.0,0.0,0.0,",
        "Total,,,,,,,,,,,,,,,,,,,",
    ]
)
MFP_TIMED = "\n".join(
    [
        "Date,Meal,Time,Calories,Fat (g),Saturated Fat,Polyunsaturated Fat,Monounsaturated Fat,Trans Fat,Cholesterol,"
        "Sodium (mg),Potassium,Carbohydrates (g),Fiber,Sugar,Protein (g),Vitamin A,Vitamin C,Calcium,Iron,Note",
        "2026-10-07,Breakfast,7:45 AM,170.0,3.5,2.5,0.0,0.0,0.0,25.0,210.0,0.0,8.0,5.0,1.0,30.0,0.0,0.0,72.0,0.0,",
        "2026-10-07,Breakfast,8:05 AM,220.0,8.0,5.0,0.0,0.0,0.2,35.0,210.0,416.0,31.0,0.0,22.0,7.0,240.0,2.4,"
        "280.0,0.6,",
        "2026-10-07,Dinner,,240.0,5.0,0.0,3.0,0.0,0.0,0.0,340.0,200.0,38.0,6.0,6.0,10.0,0.0,0.0,3.0,10.0,",
    ]
)
MFP_WEIGHTS = "Date,Weight\n2026-10-01,85.5\n2026-10-04,84.9\n2026-10-07,84.6\n"
CRONO_SERVINGS = "\n".join(
    [
        "Day,Time,Group,Food Name,Amount,Energy (kcal),Alcohol (g),Caffeine (mg),Water (g),Carbs (g),Fiber (g),"
        "Sugars (g),Fat (g),Saturated (g),Protein (g),Sodium (mg),Category",
        '2026-10-08,8:30 AM,Breakfast,"Oats, rolled",58.00 g,220.4,0.00,0.00,5.8,38.4,5.9,0.6,3.8,0.7,7.7,1.2,'
        "Breakfast Cereals",
        '2026-10-08,12:30 PM,Lunch,"Chicken Breast, Roasted",150.00 g,247.5,0.00,0.00,97.4,0.0,0.0,0.0,5.4,1.5,'
        "46.5,111.0,Poultry",
        "2026-10-08,12:30 PM,Uncategorized,Coffee,1.00 cup,2.4,0.00,94.8,236.0,0.0,0.0,0.0,0.0,0.0,0.3,4.7,Beverages",
    ]
)
CRONO_DAILY = "\r\n".join(
    [
        "Date,Energy (kcal),Alcohol (g),Caffeine (mg),Water (g),Carbs (g),Fiber (g),Net Carbs (g),Fat (g),"
        "Saturated (g),Protein (g),Sodium (mg),Completed",
        "2026-10-09,2712.4,0.0,95.0,2100.3,301.2,38.1,263.1,82.6,24.1,158.3,2100.0,true",
        "2026-10-10,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,false",
    ]
)
CRONO_BIOMETRICS = (
    "Day,Time,Metric,Unit,Amount\n2026-10-08,7:00 AM,Weight,lbs,187.4\n2026-10-08,7:00 AM,Heart Rate,bpm,55\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_mfp_nutrition_summary(tmp_path):
    r = parse_file(write(tmp_path, "Nutrition-Summary-2026-10-05-to-2026-10-06.csv", MFP_NUTRITION))
    assert (r.kind, r.source) == ("mfp_nutrition", "import:mfp")
    assert len(r.entries) == 6
    first = r.entries[0]
    assert (first.day, first.meal, first.food_name) == (
        date(2026, 10, 5),
        "breakfast",
        "Breakfast total (MyFitnessPal)",
    )
    assert first.nutrients == {
        "kcal": 518.0,
        "protein_g": 27.6,
        "carbs_g": 36.7,
        "fat_g": 29.0,
        "fiber_g": 2.1,
        "sugars_g": 14.1,
        "sat_fat_g": 7.9,
        "sodium_mg": 574.5,
    }
    dinner = r.entries[4]
    assert dinner.nutrients["kcal"] == 1020.0 and dinner.nutrients["sodium_mg"] == 1250.0  # thousands separators
    assert dinner.note == "late"
    assert r.entries[5].meal == "post-workout"  # user-named meals are kept
    assert r.entries[2].meal == "snack"


def test_mfp_with_time_column_and_bom(tmp_path):
    r = parse_file(write(tmp_path, "Nutrition-Summary.csv", "\ufeff" + MFP_TIMED))
    assert [e.time for e in r.entries] == ["7:45 AM", "8:05 AM", ""]
    assert sum(e.nutrients["kcal"] for e in r.entries) == 630.0


def test_mfp_food_diary_with_food_names(tmp_path):
    text = (
        "Date,Meal,Food,Calories,Fat (g),Carbohydrates (g),Fiber,Protein (g),Sodium (mg)\n"
        '2026-01-05,Breakfast,"Quaker - Oats, 40 g",150,3,27,4,5,0\n'
        "2026-01-05,Breakfast,Banana,105,0.4,27,3.1,1.3,1\n"
        "2026-01-05,Lunch,Chicken Salad,450,20,12,4,40,600\n"
    )
    r = parse_file(write(tmp_path, "Food_Diary.csv", text))
    assert [(e.meal, e.food_name, e.nutrients["kcal"]) for e in r.entries] == [
        ("breakfast", "Quaker - Oats, 40 g", 150.0),
        ("breakfast", "Banana", 105.0),
        ("lunch", "Chicken Salad", 450.0),
    ]
    assert r.entries[0].nutrients["sugars_g"] is None  # not in this file: unknown, not zero


def test_mfp_weights_in_kg_or_lb(tmp_path):
    path = write(tmp_path, "Measurement-Summary.csv", MFP_WEIGHTS)
    assert parse_file(path, "kg").weights_kg[date(2026, 10, 1)] == 85.5
    assert parse_file(path, "lb").weights_kg[date(2026, 10, 1)] == pytest.approx(85.5 * 0.45359237, abs=1e-3)


def test_cronometer_exports(tmp_path):
    r = parse_file(write(tmp_path, "servings.csv", CRONO_SERVINGS))
    assert r.kind == "cronometer_servings" and r.source == "import:cronometer"
    assert [(e.meal, e.food_name, e.amount_text) for e in r.entries] == [
        ("breakfast", "Oats, rolled", "58.00 g"),
        ("lunch", "Chicken Breast, Roasted", "150.00 g"),
        ("snack", "Coffee", "1.00 cup"),
    ]
    assert r.entries[1].nutrients["protein_g"] == 46.5 and r.entries[1].nutrients["sat_fat_g"] == 1.5
    daily = parse_file(write(tmp_path, "dailysummary.csv", CRONO_DAILY))
    assert len(daily.entries) == 1 and daily.entries[0].nutrients["kcal"] == 2712.4
    assert daily.skipped["empty or unreadable day"] == 1
    bio = parse_file(write(tmp_path, "biometrics.csv", CRONO_BIOMETRICS))
    assert bio.weights_kg == {date(2026, 10, 8): pytest.approx(187.4 * 0.45359237, abs=1e-3)}


def test_missing_columns_are_named(tmp_path):
    broken = MFP_NUTRITION.replace("Calories,", "Kilojoules,", 1)
    with pytest.raises(ImportFormatError, match="Calories"):
        parse_file(write(tmp_path, "n.csv", broken))
    no_meal = "Date,Food Name,Amount\n2026-10-01,x,1 g\n"
    with pytest.raises(ImportFormatError, match="don't recognise"):
        parse_file(write(tmp_path, "x.csv", no_meal))
    with pytest.raises(ImportFormatError, match="empty"):
        parse_file(write(tmp_path, "e.csv", "\n\n"))


def test_windows_1252_file(tmp_path):
    text = MFP_NUTRITION.replace(",late", ",Café crème brûlée")
    r = parse_file(write(tmp_path, "n.csv", text, "cp1252"))
    assert r.encoding == "cp1252"
    assert r.entries[4].note == "Café crème brûlée"
    assert any("Windows-1252" in w for w in r.warnings)


def test_duplicate_rows_and_days(tmp_path):
    lines = MFP_NUTRITION.split("\r\n")
    doubled = "\r\n".join(lines[:4] + lines[1:3] + lines[4:])  # the export's first day pasted twice
    r = parse_file(write(tmp_path, "n.csv", doubled))
    assert len(r.entries) == 6
    assert r.skipped["duplicate row"] == 2
    assert any("more than once" in w and "2026-10-05" in w for w in r.warnings)
    weights = parse_file(write(tmp_path, "w.csv", MFP_WEIGHTS + "2026-10-07,84.2\n"))
    assert weights.weights_kg[date(2026, 10, 7)] == 84.2
    assert weights.skipped["duplicate day (kept the later weight)"] == 1


def test_european_export_with_semicolons_and_comma_decimals(tmp_path):
    text = "Date;Meal;Calories;Fat (g);Carbohydrates (g);Protein (g)\n30/09/2026;Breakfast;512,4;12,1;70,2;25,3\n"
    r = parse_file(write(tmp_path, "n.csv", text))
    e = r.entries[0]
    assert e.day == date(2026, 9, 30) and e.nutrients["kcal"] == 512.4 and e.nutrients["fat_g"] == 12.1


def test_bad_rows_are_counted_not_fatal(tmp_path):
    text = MFP_HEADER + "\nnot a date,Lunch,100,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,\n2026-10-01,Lunch,,1,,,,,,,,,,,,,,,,\n"
    r = parse_file(write(tmp_path, "n.csv", text))
    assert r.entries == [] and r.skipped == {"unreadable date": 1, "no calories": 1}


def test_zip_export(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("File-Export-2026/Nutrition-Summary-2026-10-05-to-2026-10-06.csv", MFP_NUTRITION)
        zf.writestr("File-Export-2026/Measurement-Summary-2026-10-05-to-2026-10-06.csv", MFP_WEIGHTS)
        zf.writestr("File-Export-2026/Exercise-Summary.csv", "Date,Exercise,Type\n2026-10-05,Run,Cardio\n")
    path = tmp_path / "export.zip"
    path.write_bytes(buf.getvalue())
    r = parse_file(path)
    assert len(r.entries) == 6 and len(r.weights_kg) == 3
    assert any("Exercise-Summary" in w for w in r.warnings)


def test_save_import_is_idempotent_and_keeps_chat_entries(engine, account, tmp_path):
    repo.add_entries(
        account.id,
        [
            {
                "day": date(2026, 10, 5),
                "meal": "dinner",
                "food_ref": "usda:09040",
                "food_name": "Bananas, raw",
                "kcal": 105.0,
            }
        ],
        engine=engine,
    )
    result = parse_file(write(tmp_path, "n.csv", MFP_NUTRITION))
    first = save_import(account.id, result, engine)
    assert (first.entries, first.replaced, first.days) == (6, 0, 2)
    again = save_import(account.id, parse_file(write(tmp_path, "n.csv", MFP_NUTRITION)), engine)
    assert (again.entries, again.replaced) == (6, 6)
    day = repo.list_entries(account.id, date(2026, 10, 5), engine=engine)
    assert len(day) == 4 and sum(e.kcal for e in day) == pytest.approx(518.0 + 705.2 + 180.0 + 105.0)
    w = save_import(account.id, parse_file(write(tmp_path, "w.csv", MFP_WEIGHTS)), engine)
    assert w.weights == 3
    assert [x.weight_kg for x in repo.list_weights(account.id, engine=engine)] == [85.5, 84.9, 84.6]


def test_export_round_trip(engine, account, tmp_path):
    save_import(account.id, parse_file(write(tmp_path, "n.csv", MFP_NUTRITION)), engine)
    save_import(account.id, parse_file(write(tmp_path, "w.csv", MFP_WEIGHTS)), engine)
    paths = export_csv(account.id, tmp_path / "out", engine)
    names = [p.name for p in paths]
    assert names == [
        "diary.csv",
        "daily_totals.csv",
        "weights.csv",
        "foods.csv",
        "targets.csv",
        "activity.csv",
        "powerforge-nutrition-export.zip",
    ]
    import csv

    rows = list(csv.DictReader((tmp_path / "out" / "daily_totals.csv").open()))
    assert [(r["date"], float(r["kcal"])) for r in rows] == [("2026-10-05", 1403.2), ("2026-10-06", 1700.0)]
    weights = list(csv.DictReader((tmp_path / "out" / "weights.csv").open()))
    assert weights[0]["weight_kg"] == "85.5" and weights[0]["trend_kg"] == "85.5"
    with zipfile.ZipFile(paths[-1]) as zf:
        assert sorted(zf.namelist()) == sorted(names[:-1])
