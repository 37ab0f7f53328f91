"""The nutrition migration branch and repositories on real SQLite and PostgreSQL, plus the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from storage import nutrition as repo
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import current_heads, upgrade

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
def db(request):
    s = request.getfixturevalue("settings" if request.param == "sqlite" else "pg_settings")
    eng = make_engine(s.db_url)
    upgrade(engine=eng)
    yield eng
    eng.dispose()


def test_branch_is_at_head_and_upgrade_is_idempotent(db):
    assert "nutrition_0001" in current_heads(db) or any(h.startswith("nutrition") for h in current_heads(db))
    upgrade(engine=db)


def test_repositories_round_trip_and_isolate_users(db):
    a = create_account("ann", "correct-horse-1", engine=db)
    b = create_account("bob", "correct-horse-2", engine=db)
    d = date(2026, 11, 24)
    snap = {"basis": "g", "nutrients": {"kcal": 89.0}, "measures": [["medium", 118.0, 1.0]]}
    rows = repo.add_entries(
        a.id,
        [
            {
                "day": d,
                "meal": "breakfast",
                "food_ref": "usda:09040",
                "food_name": "Bananas, raw",
                "quantity": 118.0,
                "kcal": 105.02,
                "protein_g": 1.29,
                "per100": snap,
            },
            {"day": d, "meal": "lunch", "food_ref": "quick", "food_name": "Quick add", "kcal": 450.0},
        ],
        engine=db,
    )
    repo.add_entries(
        b.id, [{"day": d, "meal": "dinner", "food_ref": "quick", "food_name": "Quick add", "kcal": 999.0}], engine=db
    )
    assert rows[0].batch_id == rows[1].batch_id
    mine = repo.list_entries(a.id, d, engine=db)
    assert [e.food_name for e in mine] == ["Bananas, raw", "Quick add"]
    assert mine[0].per100["measures"] == [["medium", 118.0, 1.0]]
    totals = repo.daily_totals(a.id, d, d, db)
    assert totals[d]["kcal"] == pytest.approx(555.02) and totals[d]["entries"] == 2
    assert repo.get_entry(b.id, rows[0].id, db) is None  # another user's row is invisible
    assert repo.delete_entries(b.id, [rows[0].id], db) == 0
    assert [e.id for e in repo.last_batch(a.id, db)] == [r.id for r in rows]

    removed, inserted = repo.replace_imported(
        a.id,
        "import:mfp",
        [d],
        [{"day": d, "meal": "dinner", "food_ref": "import", "food_name": "Dinner total", "kcal": 700.0}],
        db,
    )
    assert (removed, inserted) == (0, 1)
    removed, inserted = repo.replace_imported(
        a.id,
        "import:mfp",
        [d],
        [{"day": d, "meal": "dinner", "food_ref": "import", "food_name": "Dinner total", "kcal": 710.0}],
        db,
    )
    assert (removed, inserted) == (1, 1)
    assert repo.daily_totals(a.id, d, d, db)[d]["kcal"] == pytest.approx(555.02 + 710.0)

    repo.upsert_weight(a.id, d, 80.0, engine=db)
    repo.upsert_weight(a.id, d, 79.6, engine=db)
    assert [(w.day, w.weight_kg) for w in repo.list_weights(a.id, engine=db)] == [(d, 79.6)]
    assert repo.list_weights(b.id, engine=db) == []

    t = repo.add_target(a.id, {"status": "proposed", "kcal": 2200, "protein_g": 160, "rationale": {"m": "x"}}, db)
    assert repo.active_target(a.id, db) is None
    with pytest.raises(LookupError):
        repo.decide_target(b.id, t.id, True, db)
    repo.decide_target(a.id, t.id, True, db)
    assert repo.active_target(a.id, db).kcal == 2200

    food = repo.create_recipe(
        a.id,
        {"name": "Oats", "name_key": "oat", "kcal": 300.0, "serving_g": 100.0},
        [{"food_ref": "usda:08120", "food_name": "Oats", "quantity": 80.0, "kcal": 303.2}],
        db,
    )
    assert [i.food_name for i in repo.recipe_items(a.id, food.id, db)] == ["Oats"]
    assert repo.recipe_items(b.id, food.id, db) == []

    repo.put_cached_product("3029330003533", "found", {"code": "3029330003533"}, name="Bread", engine=db)
    repo.put_cached_product("3029330003533", "found", {"code": "3029330003533", "x": 1}, name="Bread", engine=db)
    assert repo.get_cached_product("3029330003533", db).product["x"] == 1


def test_recent_foods_and_favourites(db):
    a = create_account("cat", "correct-horse-3", engine=db)
    d = date(2026, 11, 24)
    for name, ref in (("Oats", "usda:08120"), ("Milk", "usda:01077"), ("Oats", "usda:08120")):
        repo.add_entries(
            a.id,
            [{"day": d, "meal": "breakfast", "food_ref": ref, "food_name": name, "amount_text": "80 g", "kcal": 1.0}],
            engine=db,
        )
    recent = repo.recent_foods(a.id, 5, db)
    assert [(r["food_ref"], r["times"]) for r in recent] == [("usda:08120", 2), ("usda:01077", 1)]
    repo.add_favourite(a.id, "usda:08120", "Oats", "80 g", db)
    repo.add_favourite(a.id, "usda:08120", "Oats", "60 g", db)
    assert [(f.food_ref, f.amount_text) for f in repo.list_favourites(a.id, db)] == [("usda:08120", "60 g")]
    assert repo.remove_favourite(a.id, "usda:08120", db)


# --- the command line ------------------------------------------------------------------------------------------
@pytest.fixture
def cli(settings, engine):
    from powerforge.cli import _discover, app

    _discover()
    return lambda *args: CliRunner().invoke(app, list(args))


def test_cli_parse_json(cli):
    r = cli("food", "parse", "2 eggs and a slice of toast", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    eggs, toast = doc["items"]
    assert (eggs["food"]["ref"], eggs["grams"], eggs["nutrients"]["kcal"]) == ("usda:01123", 100.0, 143.0)
    assert (toast["food"]["ref"], toast["grams"]) == ("usda:18070", 22.0)
    assert doc["total"]["kcal"] == pytest.approx(143 + 64.46)
    r = cli("food", "parse", "rice", "--json")
    assert json.loads(r.output)["items"][0]["status"] == "ambiguous"


def test_cli_barcode_errors_and_import(cli, account, tmp_path):
    r = cli("food", "barcode", "3029330003534")
    assert r.exit_code == 1 and "check digit" in r.output
    csv = tmp_path / "Nutrition-Summary.csv"
    csv.write_text("Date,Meal,Calories,Fat (g),Carbohydrates (g),Protein (g)\n2026-10-01,Lunch,600,20,60,40\n")
    r = cli("food", "import", "mfp", str(csv), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["entries"] == 1
    r = cli("food", "import", "cronometer", str(csv))
    assert r.exit_code == 1 and "mfp" in r.output
    r = cli("food", "export", "--out", str(tmp_path / "out"), "--json")
    assert r.exit_code == 0 and any(f.endswith("diary.csv") for f in json.loads(r.output)["files"])
