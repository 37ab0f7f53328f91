"""The nutrition chat tools, run directly on a real (SQLite) database: fast paths, buttons, numbers.

Every logged number is checked against the generic table it came from (per-100 value x grams / 100).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from agent.tools.base import Attachment, ToolContext, ToolError, load_tools
from nutrition import energy
from nutrition.foods import generic_foods
from storage import nutrition as repo
from storage.accounts import update_profile

NOW = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # a Tuesday morning: the default meal is breakfast
TODAY = NOW.date()


@pytest.fixture(scope="module")
def tools():
    return load_tools()


@pytest.fixture
def ctx(settings, engine, account):
    return ToolContext(account_id=account.id, settings=settings, engine=engine, now=NOW)


def nutrition_tools(tools):
    return {n: t for n, t in tools.items() if t.domain == "nutrition"}


def route(tools, text, atts=()):
    """What the router's code path would pick among nutrition tools: (name, args) or None."""
    from agent.router import fast_path

    return fast_path(text, list(atts), nutrition_tools(tools))


def run(tools, ctx, name, args):
    tool = tools[name]
    if isinstance(args, dict):
        args = tool.args_model(**args)
    return tool.run(ctx, args)


def say(tools, ctx, text, atts=()):
    routed = route(tools, text, atts)
    assert routed is not None, f"no nutrition fast path for {text!r}"
    name, args = routed
    ctx.attachments = list(atts)
    return name, run(tools, ctx, name, args)


def expected(ref, grams):
    per100 = generic_foods().get(ref.removeprefix("usda:")).per100
    return {f: (None if v is None else v * grams / 100) for f, v in per100.items()}


def check_logged(item, ref, grams):
    assert item["ref"] == ref
    assert item["quantity"] == pytest.approx(grams, abs=0.05)
    for field, value in expected(ref, grams).items():
        if value is not None:
            assert item[field] == pytest.approx(value, abs=0.01), field


# --- logging the meal lines ------------------------------------------------------------------------
def test_eggs_and_toast_for_breakfast(tools, ctx):
    name, out = say(tools, ctx, "had 2 eggs and a slice of toast for breakfast")
    assert name == "log_food" and out.data["meal"] == "breakfast" and out.data["day"] == "2026-11-24"
    eggs, toast = out.data["logged"]
    check_logged(eggs, "usda:01123", 100.0)  # 2 x large egg (50 g)
    check_logged(toast, "usda:18070", 22.0)  # 1 slice of toasted white bread
    assert "| **Total** |" in out.markdown and "207" in out.markdown
    assert out.actions[0].tool == "food_undo"
    rows = repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine)
    assert [r.food_ref for r in rows] == ["usda:01123", "usda:18070"]
    assert rows[0].per100["nutrients"]["kcal"] == 143.0 and rows[0].portion_text == "2 × large = 100 g"


def test_oats_with_whole_milk(tools, ctx):
    _name, out = say(tools, ctx, "150g oats with 300ml whole milk")
    oats, milk = out.data["logged"]
    check_logged(oats, "usda:08120", 150.0)
    check_logged(milk, "usda:01077", 300 * 244 / 236.5882365)  # USDA: a cup of whole milk weighs 244 g


def test_lunch_chicken_and_rice(tools, ctx):
    _name, out = say(tools, ctx, "lunch was half a chicken breast and a cup of cooked white rice")
    assert out.data["meal"] == "lunch"
    chicken, rice = out.data["logged"]
    check_logged(chicken, "usda:05064", 86.0)  # USDA: 0.5 breast = 86 g
    check_logged(rice, "usda:20045", 158.0)  # USDA: 1 cup = 158 g


def test_peanut_butter_and_coke(tools, ctx):
    _name, out = say(tools, ctx, "2 tbsp peanut butter")
    check_logged(out.data["logged"][0], "usda:16098", 32.0)
    _name, out = say(tools, ctx, "330ml coke")
    check_logged(out.data["logged"][0], "usda:14400", 330 * 30.7 / 29.5735295625)


def test_the_model_path_with_items(tools, ctx):
    out = run(
        tools, ctx, "log_food", {"items": [{"food": "banana", "amount": "1"}], "meal": "snack", "day": "yesterday"}
    )
    assert out.data["meal"] == "snack" and out.data["day"] == "2026-11-23"
    check_logged(out.data["logged"][0], "usda:09040", 118.0)


# --- ambiguity, absurd amounts, unknown foods ------------------------------------------------------------
def test_ambiguous_food_offers_buttons_then_logs_the_choice(tools, ctx):
    name, out = say(tools, ctx, "had rice for dinner")
    assert name == "log_food"
    assert out.data["logged"] == [] and out.data["pending"][0]["status"] == "ambiguous"
    assert repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine) == []
    refs = [a.args["food_ref"] for a in out.actions]
    assert "usda:20045" in refs and "usda:20037" in refs
    choice = next(a for a in out.actions if a.args["food_ref"] == "usda:20045")
    assert "158 g" in choice.label and "205 kcal" in choice.label
    out = run(tools, ctx, choice.tool, choice.args)
    assert out.data["meal"] == "dinner"
    check_logged(out.data["logged"][0], "usda:20045", 158.0)


def test_absurd_amount_asks_first(tools, ctx):
    _name, out = say(tools, ctx, "had 5000 kg of cooked white rice")
    assert out.data["logged"] == [] and out.data["pending"][0]["status"] == "confirm"
    assert "5,000.0 kg" in out.markdown
    confirm = out.actions[0]
    assert confirm.args["confirm"] is True
    out = run(tools, ctx, confirm.tool, confirm.args)
    check_logged(out.data["logged"][0], "usda:20045", 5_000_000.0)


def test_unknown_food_is_said_and_nothing_is_logged(tools, ctx):
    out = run(tools, ctx, "log_food", {"text": "had 2 zorblax pies"})
    assert out.data["logged"] == [] and out.data["pending"][0]["status"] in ("unknown", "ambiguous")
    assert repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine) == []


def test_known_items_are_logged_while_the_unclear_one_waits(tools, ctx):
    _name, out = say(tools, ctx, "had 2 eggs and rice for breakfast")
    assert [x["ref"] for x in out.data["logged"]] == ["usda:01123"]
    assert out.data["pending"][0]["food"] == "rice"


# --- undo, edit, delete, copy, quick add -----------------------------------------------------------------------
def test_undo_and_put_back(tools, ctx):
    say(tools, ctx, "had 2 eggs and a slice of toast for breakfast")
    from agent.router import fast_path

    assert fast_path("undo", [], tools) == ("undo_last", {})  # the last thing logged: here a meal
    out = run(tools, ctx, "undo_last", {})
    assert len(out.data["removed"]) == 2
    assert repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine) == []
    put_back = out.actions[0]
    run(tools, ctx, put_back.tool, put_back.args)
    rows = repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine)
    assert sorted(r.food_ref for r in rows) == ["usda:01123", "usda:18070"]


def test_the_undo_button_removes_exactly_that_log(tools, ctx):
    _name, first = say(tools, ctx, "2 tbsp peanut butter")
    _name, second = say(tools, ctx, "had 2 eggs and a slice of toast for breakfast")
    undo = first.actions[0]
    out = run(tools, ctx, undo.tool, undo.args)
    assert len(out.data["removed"]) == 1
    rows = repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine)
    assert sorted(r.food_ref for r in rows) == ["usda:01123", "usda:18070"]
    assert second.actions[0].args["batch_id"] == rows[0].batch_id


def test_edit_amount_recomputes_from_the_snapshot(tools, ctx):
    say(tools, ctx, "150g oats with 300ml whole milk")
    name, out = say(tools, ctx, "change the oats to 80 g")
    assert name == "food_edit"
    assert out.data["kcal"] == pytest.approx(379 * 0.8)
    assert out.data["kcal_before"] == pytest.approx(379 * 1.5)


def test_only_part_of_a_logged_food_was_eaten(tools, ctx):
    say(tools, ctx, "150g oats with 300ml whole milk")
    name, out = say(tools, ctx, "i only finished two thirds of the oats")
    assert name == "food_edit"
    assert out.data["kcal"] == pytest.approx(379 * 1.0) and out.data["kcal_before"] == pytest.approx(379 * 1.5)
    _name, out = say(tools, ctx, "i had only 50% of the milk")
    assert out.data["kcal"] == pytest.approx(out.data["kcal_before"] / 2, abs=0.1)  # half of what was logged


def test_delete_by_name_even_when_the_table_name_differs(tools, ctx):
    say(tools, ctx, "330ml coke")
    name, _out = say(tools, ctx, "remove the coke")
    assert name == "food_delete"
    assert repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine) == []
    with pytest.raises(ToolError, match="can't find"):
        run(tools, ctx, "food_delete", {"food": "coke"})


def test_copy_yesterdays_breakfast(tools, ctx):
    run(tools, ctx, "log_food", {"text": "2 eggs and a slice of toast", "meal": "breakfast", "day": "yesterday"})
    name, out = say(tools, ctx, "copy yesterday's breakfast to today")
    assert name == "food_copy" and out.data["copied"] == 2
    today = repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine)
    assert sum(e.kcal for e in today) == pytest.approx(143 + 0.22 * 293)
    with pytest.raises(ToolError, match="nothing logged"):
        run(tools, ctx, "food_copy", {"from_day": "2026-01-01", "to_day": "today"})


def test_quick_add(tools, ctx):
    name, out = say(tools, ctx, "quick add 450 kcal 30 g protein for dinner")
    assert name == "food_quick_add"
    assert (out.data["meal"], out.data["kcal"], out.data["protein_g"]) == ("dinner", 450, 30)


# --- the day, targets, weights, expenditure ---------------------------------------------------------------
def test_targets_are_proposed_and_only_applied_when_approved(tools, ctx):
    name, out = say(tools, ctx, "set my targets: male, 34 years old, 180 cm, 82 kg, moderately active, cutting")
    assert name == "nutrition_targets"
    bmr = energy.mifflin_st_jeor(82, 180, 34, "male")
    assert out.data["why"]["tdee_kcal"] == round(bmr * 1.55)
    assert out.data["kcal"] == round(bmr * 1.55 * 0.8 / 10) * 10
    assert repo.active_target(ctx.account_id, ctx.engine) is None  # nothing applied yet
    approve = next(a for a in out.actions if a.args["approve"])
    run(tools, ctx, approve.tool, approve.args)
    active = repo.active_target(ctx.account_id, ctx.engine)
    assert active.kcal == out.data["kcal"]
    with pytest.raises(ToolError, match="already"):
        run(tools, ctx, approve.tool, approve.args)


def test_declining_keeps_the_old_targets(tools, ctx):
    update_profile(
        ctx.account_id, {"sex": "female", "birth_year": 1996, "height_cm": 165, "activity_level": "light"}, ctx.engine
    )
    run(tools, ctx, "body_weight_log", {"weight": 60, "unit": "kg"})
    out = run(tools, ctx, "nutrition_targets", {"mode": "profile"})
    decline = next(a for a in out.actions if not a.args["approve"])
    run(tools, ctx, decline.tool, decline.args)
    assert repo.active_target(ctx.account_id, ctx.engine) is None


def test_a_new_goal_said_in_words_is_saved_and_targets_for_it_proposed(tools, ctx):
    update_profile(
        ctx.account_id, {"sex": "male", "birth_year": 1990, "height_cm": 180, "activity_level": "moderate"}, ctx.engine
    )
    run(tools, ctx, "body_weight_log", {"weight": 85, "unit": "kg"})
    name, cut = say(tools, ctx, "ok i'm officially cutting from now on")
    assert name == "nutrition_targets" and cut.data["proposed"] and cut.data["why"]["goal"] == "lose"
    name, bulk = say(tools, ctx, "time to gain muscle")
    assert name == "nutrition_targets" and bulk.data["kcal"] > cut.data["kcal"]
    assert repo.active_target(ctx.account_id, ctx.engine) is None  # proposed only: the athlete approves


def test_missing_profile_says_what_to_add(tools, ctx):
    with pytest.raises(ToolError, match="sex, birth year, height, activity level"):
        run(tools, ctx, "nutrition_targets", {"mode": "profile"})


def test_how_much_is_left(tools, ctx):
    repo.add_target(
        ctx.account_id,
        {
            "status": "active",
            "kcal": 2000,
            "protein_g": 150,
            "carbs_g": 200,
            "fat_g": 60,
            "fiber_g": 28,
            "rationale": {},
        },
        ctx.engine,
    )
    say(tools, ctx, "had 2 eggs and a slice of toast for breakfast")
    name, out = say(tools, ctx, "how much do I have left today?")
    assert name == "food_day"
    eaten = 143 + 0.22 * 293
    assert out.data["left"]["kcal"] == pytest.approx(2000 - eaten)
    assert out.data["left"]["protein_g"] == pytest.approx(150 - (12.56 + 0.22 * 9.0))
    assert "| **Left** |" in out.markdown and "Breakfast" in out.markdown


def test_body_weight_in_kg_and_lb(tools, ctx):
    name, out = say(tools, ctx, "weighed 82.4 kg this morning")
    assert name == "body_weight_log" and out.data["weight_kg"] == 82.4
    ctx.now = NOW + timedelta(days=1)
    _name, out = say(tools, ctx, "weight 181 lb")
    assert out.data["weight_kg"] == pytest.approx(181 * 0.45359237, abs=0.01)
    assert [w.day for w in repo.list_weights(ctx.account_id, engine=ctx.engine)] == [TODAY, TODAY + timedelta(days=1)]
    with pytest.raises(ToolError, match="doesn't look like a body weight"):
        run(tools, ctx, "body_weight_log", {"weight": 8, "unit": "kg"})
    name, out = say(tools, ctx, "show my weight trend")
    assert name == "body_weight_trend" and Path(out.images[0]).read_bytes()[:4] == b"\x89PNG"


def test_adaptive_expenditure_and_target_proposal(tools, ctx):
    update_profile(ctx.account_id, {"goal": "maintain"}, ctx.engine)
    start = TODAY - timedelta(days=20)
    for i in range(21):
        day = start + timedelta(days=i)
        repo.add_entries(
            ctx.account_id,
            [{"day": day, "meal": "lunch", "food_ref": "quick", "food_name": "Quick add", "kcal": 2000.0}],
            engine=ctx.engine,
        )
        repo.upsert_weight(ctx.account_id, day, 80.0 - 0.05 * i, engine=ctx.engine)
    name, out = say(tools, ctx, "what's my TDEE?")
    assert name == "nutrition_expenditure"
    assert out.data["expenditure_kcal"] == pytest.approx(2385.0)
    assert out.data["kcal"] == 2390  # maintain: the estimate rounded to 10 kcal
    assert repo.active_target(ctx.account_id, ctx.engine) is None
    assert {a.tool for a in out.actions} == {"nutrition_target_decide"}


def test_week_chart(tools, ctx):
    say(tools, ctx, "had 2 eggs and a slice of toast for breakfast")
    name, out = say(tools, ctx, "show my calories this week")
    assert name == "food_week"
    assert Path(out.images[0]).read_bytes()[:4] == b"\x89PNG"
    assert out.data["days"][-1]["kcal"] == pytest.approx(143 + 0.22 * 293)


# --- custom foods, recipes, favourites ------------------------------------------------------------------
def test_custom_food_then_log_a_serving(tools, ctx):
    name, out = say(tools, ctx, "create food Protein bar: 200 kcal, 20 g protein, 22 g carbs, 7 g fat per 60 g")
    assert name == "food_custom" and out.data["per100"]["kcal"] == pytest.approx(200 / 0.6)
    _name, out = say(tools, ctx, "had 1 serving protein bar")
    item = out.data["logged"][0]
    assert item["ref"].startswith("custom:") and item["kcal"] == pytest.approx(200.0) and item["quantity"] == 60


def test_recipe_per_serving(tools, ctx):
    name, out = say(tools, ctx, "recipe Overnight oats: 80g oats, 200ml whole milk, 1 banana; makes 2 servings")
    assert name == "food_recipe"
    total_kcal = 379 * 0.8 + 61 * 200 * 244 / 236.5882365 / 100 + 89 * 1.18
    assert out.data["per_serving"]["kcal"] == pytest.approx(total_kcal / 2)
    out = run(tools, ctx, out.actions[0].tool, out.actions[0].args)
    assert out.data["logged"][0]["kcal"] == pytest.approx(total_kcal / 2, abs=0.01)
    # a recipe that names oats must not make plain "oats" ambiguous
    _name, out = say(tools, ctx, "150g oats")
    assert out.data["logged"][0]["ref"] == "usda:08120"
    with pytest.raises(ToolError, match="couldn't place"):
        run(tools, ctx, "food_recipe", {"name": "Mystery", "ingredients": "100 g zorblax, 2 rice"})


def test_favourites_and_recent(tools, ctx):
    say(tools, ctx, "330ml coke")
    name, _out = say(tools, ctx, "add 150 g oats to my favourites")
    assert name == "food_favourite"
    name, out = say(tools, ctx, "show my favourites")
    assert name == "food_favourites"
    labels = [a.label for a in out.actions]
    assert labels[0].startswith("⭐") and any("cola" in lab for lab in labels)
    out = run(tools, ctx, out.actions[0].tool, out.actions[0].args)
    check_logged(out.data["logged"][0], "usda:08120", 150.0)


def test_food_info_does_not_log(tools, ctx):
    name, out = say(tools, ctx, "how many calories in 100g oats?")
    assert name == "food_info" and out.data["foods"][0]["kcal"] == pytest.approx(379)
    assert repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine) == []


# --- barcodes (cached product: no network here), import, export ---------------------------------------------
def test_barcode_from_cache_and_confirm_by_button(tools, ctx):
    product = {
        "code": "3029330003533",
        "product_name": "Crousti Moelleux Complet",
        "brands": "Jacquet",
        "quantity": "730 g",
        "serving_size": "60.8 g (1 tranche)",
        "serving_quantity": 60.8,
        "nutriments": {
            "energy-kcal_100g": 246,
            "proteins_100g": 9.5,
            "carbohydrates_100g": 41,
            "fat_100g": 3.4,
            "fiber_100g": 6.7,
            "sugars_100g": 3.6,
            "saturated-fat_100g": 0.3,
            "salt_100g": 1.1,
        },
    }
    repo.put_cached_product("3029330003533", "found", product, name="Crousti", engine=ctx.engine)
    name, out = say(tools, ctx, "3029330003533")
    assert name == "food_barcode" and out.data["source"] == "cache"
    assert repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine) == []  # nothing logged before confirming
    serving = next(a for a in out.actions if a.args["amount"] == "1 serving")
    out = run(tools, ctx, serving.tool, serving.args)
    item = out.data["logged"][0]
    assert item["ref"] == "off:3029330003533" and item["quantity"] == 60.8
    assert item["kcal"] == pytest.approx(246 * 0.608, abs=0.01)
    assert item["sodium_mg"] == pytest.approx(440 * 0.608, abs=0.01)


def test_photos_are_claimed_only_for_barcodes(tools, tmp_path):
    import cv2
    import numpy as np

    from nutrition.barcode import render_ean13

    blank, code = tmp_path / "gym.jpg", tmp_path / "label.jpg"
    cv2.imwrite(str(blank), np.full((480, 640, 3), 120, np.uint8))
    scene = np.full((600, 800, 3), 210, np.uint8)
    img = render_ean13("5449000011527", module_px=3, height_px=140)
    scene[200 : 200 + img.shape[0], 150 : 150 + img.shape[1]] = img
    cv2.imwrite(str(code), cv2.GaussianBlur(scene, (3, 3), 0))

    def att(p):
        return Attachment(upload_id="u", filename=p.name, mime="image/jpeg", path=str(p), size_bytes=p.stat().st_size)

    match = tools["food_barcode"].match
    assert match("", [att(blank)]) is None  # someone else's photo (a lift, a plate) is left alone
    assert match("scan this barcode", [att(blank)]) is not None  # asked: the tool will say it can't read it
    assert match("", [att(code)]) is not None  # the tool reads it (twice, agreeing) and shows the digits


def test_a_barcode_photo_shows_the_digits_and_a_single_read_is_only_offered(tools, ctx, tmp_path):
    """Two agreeing reads: the product card comes with the digits to check; one read: no lookup, a button."""
    import cv2
    import numpy as np

    from agent.tools.nutrition import foods as nt
    from nutrition.barcode import PhotoRead, render_ean13

    repo.put_cached_product(
        "5449000011527", "found", {"code": "5449000011527", "product_name": "Cola", "nutriments": {}}, engine=ctx.engine
    )
    scene = np.full((600, 800, 3), 210, np.uint8)
    img = render_ean13("5449000011527", module_px=3, height_px=140)
    scene[200 : 200 + img.shape[0], 150 : 150 + img.shape[1]] = img
    photo = tmp_path / "label.jpg"
    cv2.imwrite(str(photo), scene)
    att = Attachment(upload_id="u", filename="label.jpg", mime="image/jpeg", path=str(photo), size_bytes=1)
    ctx.attachments = [att]
    out = run(tools, ctx, "food_barcode", {})
    assert "I read **5449000011527** from your photo" in out.markdown and "agree" in out.markdown
    # a photo read only once (stood in for by the reader's cache, as a blurred photo would leave it)
    blurred = tmp_path / "blurred.jpg"
    cv2.imwrite(str(blurred), np.full((60, 80, 3), 128, np.uint8))
    st = blurred.stat()
    nt._PHOTO_READS[(str(blurred), st.st_mtime_ns, st.st_size)] = PhotoRead(None, unconfirmed=["0012345678905"])
    ctx.attachments = [Attachment(upload_id="v", filename="b.jpg", mime="image/jpeg", path=str(blurred), size_bytes=1)]
    out = run(tools, ctx, "food_barcode", {})
    assert out.data == {"found": False, "unconfirmed": ["0012345678905"]} and "only once" in out.markdown
    assert [(a.tool, a.args) for a in out.actions] == [("food_barcode", {"code": "0012345678905"})]
    assert repo.list_entries(ctx.account_id, TODAY, engine=ctx.engine) == []


def test_bad_barcode_is_refused_before_any_lookup(tools, ctx):
    with pytest.raises(ToolError, match="check digit"):
        run(tools, ctx, "food_barcode", {"code": "3029330003534"})


def test_import_and_export(tools, ctx, tmp_path):
    path = tmp_path / "Nutrition-Summary.csv"
    path.write_text(
        "Date,Meal,Calories,Fat (g),Saturated Fat,Sodium (mg),Carbohydrates (g),Fiber,Sugar,Protein (g),Note\n"
        "2026-11-20,Breakfast,518.0,29.0,7.9,574.5,36.7,2.1,14.1,27.6,\n"
        "2026-11-20,Lunch,705.2,21.3,6.0,900.0,80.5,9.0,10.0,45.0,\n"
        "2026-11-21,Dinner,810.0,30.0,9.0,1100.0,70.0,5.0,7.0,60.0,\n"
    )
    att = Attachment(
        upload_id="u1", filename=path.name, mime="text/csv", path=str(path), size_bytes=path.stat().st_size
    )
    name, out = say(tools, ctx, "", [att])
    assert name == "food_import"
    assert out.data["files"][0]["entries"] == 3
    assert sum(e.kcal for e in repo.list_entries(ctx.account_id, date(2026, 11, 20), engine=ctx.engine)) == 1223.2
    name, out = say(tools, ctx, "export my food diary")
    assert name == "food_export" and [Path(f).name for f in out.files][-1] == "powerforge-nutrition-export.zip"
    assert all(Path(f).exists() for f in out.files)


def test_chat_import_of_exercise_and_cronometer_totals_says_what_it_kept(tools, ctx, tmp_path):
    def att(path):
        return Attachment(upload_id="u", filename=path.name, mime="text/csv", path=str(path), size_bytes=1)

    ex = tmp_path / "Exercise-Summary.csv"
    ex.write_text(
        "Date,Exercise,Type,Exercise Calories,Exercise Minutes,Sets,Reps Per Set,Kilograms,Steps,Note\n"
        "2026-11-20,Cycling,Cardio,300,45,,,,,\n2026-11-20,Bench Press,Strength,,,3,8,70,,\n"
    )
    name, out = say(tools, ctx, "", [att(ex)])
    assert name == "food_import" and "1 exercise rows" in out.markdown and "3 strength sets" in out.markdown
    servings, daily = tmp_path / "servings.csv", tmp_path / "dailysummary.csv"
    servings.write_text("Day,Group,Food Name,Amount,Energy (kcal),Protein (g)\n2026-11-21,Lunch,Rice,200 g,260,5\n")
    daily.write_text("Date,Energy (kcal),Protein (g)\n2026-11-21,260,5\n")
    say(tools, ctx, "", [att(servings)])
    name, out = say(tools, ctx, "here's my cronometer daily summary", [att(daily)])
    assert out.data["files"][0]["kept_itemised_days"] == ["2026-11-21"] and "Kept your itemised" in out.markdown
    assert [e.food_name for e in repo.list_entries(ctx.account_id, date(2026, 11, 21), engine=ctx.engine)] == ["Rice"]
    name, out = say(tools, ctx, "import it and replace the servings with the totals", [att(daily)])
    assert out.data["files"][0]["kept_itemised_days"] == []
    names = [e.food_name for e in repo.list_entries(ctx.account_id, date(2026, 11, 21), engine=ctx.engine)]
    assert names == ["Daily total (Cronometer)"]


# --- routing: the fast paths say yes to food and no to everything else --------------------------------------
@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("had 2 eggs and a slice of toast for breakfast", "log_food"),
        ("150g oats with 300ml whole milk", "log_food"),
        ("banana", "log_food"),
        ("rice", "log_food"),
        ("how much do I have left?", "food_day"),
        ("what did I eat yesterday", "food_day"),
        ("quick add 300 kcal", "food_quick_add"),
        ("5449000011527", "food_barcode"),
        ("weighed 80.2 kg", "body_weight_log"),
        ("what are my targets?", "nutrition_targets"),
        ("what's my maintenance?", "nutrition_expenditure"),
        ("export my food diary", "food_export"),
        ("recent foods", "food_favourites"),
    ],
)
def test_fast_paths(tools, text, tool):
    routed = route(tools, text)
    assert routed is not None and routed[0] == tool


@pytest.mark.parametrize(
    "text",
    [
        "squat 140x5 @8",
        "bench 3x5 at 100",
        "what is the capital of France?",
        "remind me to stretch at 7",
        "my bar weighs 20 kg",
        "hello",
        "how do I brace?",
        "change my program to 4 days",
    ],
)
def test_fast_paths_leave_other_domains_alone(tools, text):
    assert route(tools, text) is None
